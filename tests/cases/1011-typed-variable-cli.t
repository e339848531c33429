=== args
run seq.yaml --var OSDDoNotLogCommand=maybe --state-dir st --log-dir logs
=== sequence
steps:
  - { name: Never, type: run_command, with: { command: "touch ran" } }
=== rc
2
=== stderr
--var: error: variable 'OSDDoNotLogCommand' must be true or false (yes/no, 1/0), not 'maybe'
tsi: nothing was run
=== check
test ! -e ran
test ! -e st/journal.jsonl
