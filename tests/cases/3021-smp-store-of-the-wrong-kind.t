=== args
validate seq.yaml
=== sequence
name: Stores used for the wrong thing
steps:
  - name: Request a capture store
    type: request_state_store
    with: { mode: capture }
  - name: Restore from the capture store
    type: restore_user_state
    continue_on_error: true
  - name: Restore from a local store is fine
    type: restore_user_state
    continue_on_error: true
    with: { store_path: /srv/state }
  - name: Release the capture store
    type: release_state_store
    condition: { variable: _SMSTSLastActionSucceeded, equals: "true" }
  - name: Capture after the release
    type: capture_user_state
  - name: Request a restore store
    type: request_state_store
    with: { mode: Restore }
  - name: Capture into the restore store
    type: capture_user_state
    continue_on_error: true
  - name: Restore
    type: restore_user_state
    continue_on_error: true
  - name: Release the restore store
    type: release_state_store
  - name: Restore after the release
    type: restore_user_state
  - name: A local store from now on
    type: set_variable
    with: { name: OSDStateStorePath, value: /srv/state }
  - name: Restore from the local store
    type: restore_user_state
=== rc
1
=== stderr
seq.yaml:6:5: error: restore_user_state would restore from OSDStateStorePath, the store that the request_state_store at line 3 asked for with mode: capture (the SMP hands it out only once released); request a store with mode: restore for it, or give it a store_path
    6 |   - name: Restore from the capture store
      |     ^
seq.yaml:16:5: error: capture_user_state uses OSDStateStorePath, the SMP store requested at line 3, but the release_state_store at line 13 released it; move the step before the release, request a store again before it, or give it a store_path
   16 |   - name: Capture after the release
      |     ^
seq.yaml:21:5: error: capture_user_state would capture into OSDStateStorePath, the store that the request_state_store at line 18 asked for with mode: restore (a complete store: the SMP takes no upload into it); request a store with mode: capture for it, or give it a store_path
   21 |   - name: Capture into the restore store
      |     ^
seq.yaml:29:5: error: restore_user_state uses OSDStateStorePath, the SMP store requested at line 18, but the release_state_store at line 27 released it; move the step before the release, request a store again before it, or give it a store_path
   29 |   - name: Restore after the release
      |     ^
tsi: 4 errors, 0 warnings in 1 file
