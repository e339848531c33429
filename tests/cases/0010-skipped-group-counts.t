# A skipped group's steps are skipped too: counted, numbered, reported.
=== args
run seq.yaml --state-dir st --log-dir logs
=== sequence
name: Counts
steps:
  - name: Not this time
    condition: { variable: Mode, equals: Advanced }
    steps:
      - { name: Inner one, type: run_command, with: { command: "touch one" } }
      - { name: Inner two, type: run_command, with: { command: "touch two" } }
  - { name: Off, type: run_command, disabled: true, with: { command: "touch off" } }
  - { name: Last, type: run_command, with: { command: "echo last" } }
=== stdout
tsi 0.1.0: running 'Counts' (seq.yaml), 4 steps
group 'Not this time': skipped with its 2 steps (condition false: variable 'Mode' is not set)
[3/4] step 'Off': skipped (disabled)
[4/4] Last (run_command, seq.yaml:9)
running: /bin/sh -c 'echo last'
  | last
[4/4] Last: succeeded (exit code 0, N s)
sequence 'Counts' succeeded: 1 step ran (0 failed), 3 skipped
=== check
test ! -e one
test ! -e two
test ! -e off
test "$(grep -c '"event":"skip"' logs/events.jsonl)" = 4
grep -q '"event":"run_end".*"steps_run":1,"steps_failed":0,"steps_skipped":3,"steps_not_run":0' logs/events.jsonl
test "$(grep -c '"result": "skipped"' logs/report.json)" = 3
test "$(grep -c '"result": "disabled"' logs/report.json)" = 1
! grep -q '"result": "not_run"' logs/report.json
