=== args
validate seq.yaml
=== sequence
name: Replace, source computer
steps:
  - name: Request a store on the SMP
    type: request_state_store
    with: { mode: capture }
  - name: Capture the users
    type: capture_user_state
    continue_on_error: true
  - name: Release the store
    type: release_state_store
    condition: { variable: _SMSTSLastActionSucceeded, equals: "true" }
  - name: Restore side, in the same sequence (refresh)
    steps:
      - name: Request the store back
        type: request_state_store
        with: { mode: restore }
      - name: Restore the users
        type: restore_user_state
        continue_on_error: true
      - name: Release for retention
        type: release_state_store
=== stderr
tsi: 0 errors, 0 warnings in 1 file
