=== args
run seq.yaml --state-dir st --log-dir logs
=== sequence
name: Hello
steps:
  - name: Greet
    type: run_command
    with:
      command: echo hello; echo warn >&2
=== stdout
tsi 0.1.0: running 'Hello' (seq.yaml), 1 step
[1/1] Greet (run_command, seq.yaml:3)
running: /bin/sh -c 'echo hello; echo warn >&2'
  | hello
  ! warn
[1/1] Greet: succeeded (exit code 0, N s)
sequence 'Hello' succeeded: 1 step ran (0 failed), 0 skipped
=== check
test ! -e st/journal.jsonl
test "$(stat -c %a st)" = 700
test "$(stat -c %a logs/tsi.log)" = 600
grep -q '"result": "succeeded"' logs/report.json
grep -q '"event":"run_end"' logs/events.jsonl
