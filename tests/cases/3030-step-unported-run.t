=== args
run seq.yaml --state-dir st --log-dir logs
=== sequence
name: Unported
steps:
  - name: Gather
    type: unported
    continue_on_error: true
    with:
      original_type: BDD_Gather
      imported_from: "ts.xml:4:17"
      reason: MDT's Gather has no tsi equivalent
      action: 'cscript.exe "%SCRIPTROOT%\ZTIGather.wsf"'
      properties: { GatherLocalOnly: "true", AdminPassword: hunter2 }
  - name: Next
    type: run_command
    with: { command: "echo %_SMSTSLastActionSucceeded% %_SMSTSLastActionRetCode% > ran" }
=== stdout
tsi 0.1.0: running 'Unported' (seq.yaml), 2 steps
[1/2] Gather (unported, seq.yaml:3)
error: not ported: BDD_Gather from ts.xml:4:17: MDT's Gather has no tsi equivalent
its command line was: cscript.exe "%SCRIPTROOT%\ZTIGather.wsf"
its property GatherLocalOnly was 'true'
its property AdminPassword was '********'
error: [1/2] Gather: failed (exit code 1, N s)
warning: step 'Gather' failed; going on (continue_on_error)
[2/2] Next (run_command, seq.yaml:12)
running: /bin/sh -c 'echo false 1 > ran'
[2/2] Next: succeeded (exit code 0, N s)
sequence 'Unported' succeeded: 2 steps ran (1 failed), 0 skipped
=== stderr
seq.yaml:3:5: warning: step 'Gather' is not ported (BDD_Gather from ts.xml:4:17): port it to tsi steps; it fails when it runs
    3 |   - name: Gather
      |     ^
=== check
test "$(cat ran)" = "false 1"
! grep -q hunter2 logs/tsi.log
