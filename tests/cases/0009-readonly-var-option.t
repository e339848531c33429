=== args
run seq.yaml --var _SMSTSLogPath=/tmp --state-dir st --log-dir logs
=== sequence
steps: [{ type: run_command, with: { command: "true" } }]
=== rc
2
=== stderr
tsi: error: --var: cannot set '_SMSTSLogPath': variables whose names start with '_' are read-only
=== check
test ! -e st/journal.jsonl
