=== args
run seq.yaml --dry-run
=== sequence
name: Unported
steps:
  - name: Disk
    type: unported
    with: { original_type: SMS_TaskSequence_PartitionDiskAction, reason: "Windows deployment" }
  - name: Never
    type: run_command
    with: { command: "touch ran" }
=== rc
1
=== stdout
tsi 0.1.0: dry run of 'Unported' (seq.yaml), 2 steps
[1/2] Disk (unported, seq.yaml:3)
      would fail: not ported: SMS_TaskSequence_PartitionDiskAction: Windows deployment
error: dry run of 'Unported': 1 step would run (1 would fail), 0 skipped, 1 not run; the sequence would fail; nothing was changed
=== stderr
seq.yaml:3:5: warning: step 'Disk' is not ported (SMS_TaskSequence_PartitionDiskAction): port it to tsi steps; it fails when it runs
    3 |   - name: Disk
      |     ^
=== check
test ! -e ran
