=== args
run seq.yaml --state-dir st --log-dir logs
=== sequence
name: Slow
steps:
  - name: Sleeps too long
    type: run_command
    timeout: 1
    with: { command: "echo start; sleep 30; echo never" }
  - name: Not reached
    type: run_command
    with: { command: "echo no" }
=== rc
1
=== stdout-contains
  | start
error: [1/2] Sleeps too long: failed: timed out after 1 s
=== stdout-lacks
  | never
Not reached
=== check
grep step_end logs/events.jsonl | grep -q '"timed_out":true'
