=== args
run seq.yaml --state-dir st --log-dir logs
=== sequence
name: Codes
steps:
  - name: Custom code
    type: run_command
    success_codes: [0, 5]
    with: { command: "exit 5" }
  - name: ConfigMgr string form
    type: run_command
    success_codes: "0 3 4"
    with: { command: "exit 4" }
  - name: Flaky
    type: run_command
    retry: { count: 3, delay: 0 }
    with:
      command: n=$(cat count 2>/dev/null || echo 0); n=$((n+1)); echo $n > count; echo attempt $n; [ $n -ge 3 ]
=== stdout-contains
[1/3] Custom code: succeeded (exit code 5, N s)
[2/3] ConfigMgr string form: succeeded (exit code 4, N s)
warning: step 'Flaky' failed (exit code 1); retry 1 of 3 in 0 s
warning: step 'Flaky' failed (exit code 1); retry 2 of 3 in 0 s
  | attempt 3
[3/3] Flaky: succeeded (exit code 0, N s)
=== check
test "$(cat count)" = 3
grep '"name":"Flaky"' logs/events.jsonl | grep step_end | grep -q '"attempts":3'
