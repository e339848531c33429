# sccm-spec.md 1.2: Group1(COE){S1(COE) fails, S2 fails, S3}, Group2{S4 fails, S5, S6}:
# S1, S2 and S4 run; S3, S5 and S6 do not; the sequence fails.
=== args
run seq.yaml --state-dir st --log-dir logs
=== sequence
name: Worked example
steps:
  - name: Group1
    continue_on_error: true
    steps:
      - { name: S1, type: run_command, continue_on_error: true, with: { command: "echo ran S1; exit 1" } }
      - { name: S2, type: run_command, with: { command: "echo ran S2; exit 1" } }
      - { name: S3, type: run_command, with: { command: "echo ran S3" } }
  - name: Group2
    steps:
      - { name: S4, type: run_command, with: { command: "echo ran S4; exit 1" } }
      - { name: S5, type: run_command, with: { command: "echo ran S5" } }
      - { name: S6, type: run_command, with: { command: "echo ran S6" } }
=== rc
1
=== stdout-contains
  | ran S1
  | ran S2
  | ran S4
warning: step 'S1' failed; going on (continue_on_error)
skipping the rest of group 'Group1'
warning: group 'Group1' failed; going on (continue_on_error)
error: group 'Group2' failed
error: sequence 'Worked example' failed: 3 steps ran (3 failed), 0 skipped, 3 not run
=== stdout-lacks
ran S3
ran S5
ran S6
=== check
# the report says which ran and which did not
for s in S3 S5 S6; do
	grep -A6 "\"name\": \"$s\"" logs/report.json | grep -q '"result": "not_run"'
done
test "$(grep -c '"event":"step_start"' logs/events.jsonl)" = 3
