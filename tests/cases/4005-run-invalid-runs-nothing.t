=== args
run seq.yaml --state-dir st --log-dir logs
=== sequence
steps:
  - { name: First, type: run_command, with: { command: "touch ran" } }
  - { name: Broken, type: run_command, with: { commnd: x } }
=== rc
2
=== stderr
seq.yaml:3:48: error: unknown parameter 'commnd' for 'run_command' (did you mean 'command'?)
    3 |   - { name: Broken, type: run_command, with: { commnd: x } }
      |                                                ^
tsi: 1 error, 0 warnings; nothing was run
=== check
test ! -e ran
test ! -e st/journal.jsonl
test ! -e logs
