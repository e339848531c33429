=== args
validate seq.yaml
=== sequence
name: Releases after a capture
steps:
  - name: Only when the capture store is wanted
    condition: { variable: _SMSTSLastActionSucceeded, equals: "true" }
    steps:
      - name: Request a capture store
        type: request_state_store
        with: { mode: capture }
      - name: Capture
        type: capture_user_state
        continue_on_error: true
      - name: Release whatever happened
        type: release_state_store
  - name: Request another capture store
    type: request_state_store
    with: { mode: capture }
  - name: Capture again
    type: capture_user_state
    continue_on_error: true
  - name: Release when the capture worked
    condition: { all: [{ variable: _SMSTSLastActionSucceeded, equals: "true" }] }
    steps:
      - name: Release the store
        type: release_state_store
  - name: Request a restore store
    type: request_state_store
    with: { mode: restore }
  - name: Restore
    type: restore_user_state
    continue_on_error: true
  - name: A restore store is released in any case
    type: release_state_store
=== stderr
seq.yaml:12:9: warning: release_state_store releases the capture store requested at line 6 even when the capture failed: no condition on it tests _SMSTSLastActionSucceeded (the SMP refuses an incomplete store anyway); add condition: { variable: _SMSTSLastActionSucceeded, equals: "true" }
   12 |       - name: Release whatever happened
      |         ^
tsi: 0 errors, 1 warning in 1 file
