=== args
validate seq.yaml
=== sequence
name: Steps that can stop the release
steps:
  - name: Request a capture store
    type: request_state_store
    with: { mode: capture }
  - name: Prepare
    type: run_command
    with: { command: "true" }
  - name: Capture
    type: capture_user_state
  - name: Disabled steps never run
    type: run_command
    disabled: true
    with: { command: "false" }
  - name: Checks
    continue_on_error: true
    steps:
      - name: A failure stops at the group
        type: run_command
        with: { command: "true" }
  - name: Included steps count
    type: run_sequence
    with: { path: child.yaml }
  - name: Log it
    type: run_command
    continue_on_error: true
    with: { command: "true" }
  - name: Release
    steps:
      - name: A group around the release does not help
        type: run_command
        with: { command: "true" }
      - name: Release the store
        type: release_state_store
        condition: { variable: _SMSTSLastActionSucceeded, equals: "true" }
=== stderr
$WORK/child.yaml:2:5: warning: 'Capture in the child' runs between the request_state_store at seq.yaml:3 and the release_state_store at seq.yaml:33 without continue_on_error: if it fails, the release is skipped and the SMP store stays open (set continue_on_error: true on it)
    2 |   - name: Capture in the child
      |     ^
seq.yaml:6:5: warning: 'Prepare' runs between the request_state_store at line 3 and the release_state_store at line 33 without continue_on_error: if it fails, the release is skipped and the SMP store stays open (set continue_on_error: true on it)
    6 |   - name: Prepare
      |     ^
seq.yaml:9:5: warning: 'Capture' runs between the request_state_store at line 3 and the release_state_store at line 33 without continue_on_error: if it fails, the release is skipped and the SMP store stays open (set continue_on_error: true on it)
    9 |   - name: Capture
      |     ^
seq.yaml:30:9: warning: 'A group around the release does not help' runs between the request_state_store at line 3 and the release_state_store at line 33 without continue_on_error: if it fails, the release is skipped and the SMP store stays open (set continue_on_error: true on it)
   30 |       - name: A group around the release does not help
      |         ^
tsi: 0 errors, 4 warnings in 1 file
=== file child.yaml
steps:
  - name: Capture in the child
    type: capture_user_state
