=== args
validate seq.yaml
=== sequence
name: Unpaired SMP steps
steps:
  - name: Release before any request
    type: release_state_store
  - name: Request a capture store
    type: request_state_store
    with: { mode: capture }
  - name: Request a second store
    type: request_state_store
    with: { mode: capture }
  - name: Capture
    type: capture_user_state
    continue_on_error: true
  - name: Release
    type: release_state_store
    condition: { variable: _SMSTSLastActionSucceeded, equals: "true" }
  - name: Release again
    type: release_state_store
  - name: Request a restore store
    type: request_state_store
    with: { mode: restore }
  - name: Restore
    type: restore_user_state
    continue_on_error: true
  - name: Release, but disabled
    type: release_state_store
    disabled: true
=== rc
1
=== stderr
seq.yaml:3:5: error: release_state_store has no request_state_store before it: there is no SMP store to release; add a request_state_store before the steps that use the store, or remove this step
    3 |   - name: Release before any request
      |     ^
seq.yaml:5:5: error: request_state_store at 5:5 has no matching release_state_store after it, before the next request_state_store at line 8; the SMP store stays open (never completed, so the destination cannot restore it): add a release_state_store after the step that uses the store
    5 |   - name: Request a capture store
      |     ^
seq.yaml:17:5: error: release_state_store has no open request to release: the request_state_store at line 8 was released at line 14 already; remove this step, or add a request_state_store before the steps it releases
   17 |   - name: Release again
      |     ^
seq.yaml:19:5: error: request_state_store at 19:5 has no matching release_state_store after it; the SMP store stays open (its retention timer never starts, so the SMP keeps it): add a release_state_store after the step that uses the store (the release_state_store at line 25 is disabled)
   19 |   - name: Request a restore store
      |     ^
tsi: 4 errors, 0 warnings in 1 file
