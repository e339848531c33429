# Skipped nodes (disabled or condition false) leave _SMSTSLastAction* alone.
=== args
run seq.yaml --state-dir st --log-dir logs
=== sequence
name: Skips
steps:
  - { name: Fails, type: run_command, continue_on_error: true, with: { command: "exit 7" } }
  - { name: Disabled, type: run_command, disabled: true, with: { command: "echo no" } }
  - name: False condition
    type: run_command
    condition: { variable: Nothing, exists: true }
    with: { command: "echo no" }
  - name: Report
    type: run_command
    with: { command: "echo last=%_SMSTSLastActionSucceeded% rc=%_SMSTSLastActionRetCode%" }
=== stdout-contains
[2/4] step 'Disabled': skipped (disabled)
[3/4] step 'False condition': skipped (condition false: variable 'Nothing' is not set)
  | last=false rc=7
sequence 'Skips' succeeded: 2 steps ran (1 failed), 2 skipped
