=== args
run seq.yaml --dry-run --var TSIStateMigrationPoints=https://smp1.example:8443
=== sequence
name: SMP steps
steps:
  - name: Request a capture store
    type: request_state_store
    with: { mode: capture }
  - name: Capture
    type: capture_user_state
    continue_on_error: true
  - name: Release it
    type: release_state_store
    condition: { variable: _SMSTSLastActionSucceeded, equals: "true" }
  - name: Request a restore store from two SMPs
    type: request_state_store
    with:
      mode: restore
      state_migration_points: "https://smp1.example:8443 https://smp2.example:8443"
      retry_count: 5
      retry_delay: 30
  - name: Restore
    type: restore_user_state
    continue_on_error: true
  - name: Release it after the restore
    type: release_state_store
=== stdout
tsi 0.1.0: dry run of 'SMP steps' (seq.yaml), 6 steps
[1/6] Request a capture store (request_state_store, seq.yaml:3)
      would ask 1 State Migration Point for a capture store (3 retries, 60 s apart) and set OSDStateStorePath
[2/6] Capture (capture_user_state, seq.yaml:6)
      would capture the users of '/' into the State Migration Point's encrypted store 'https://smp1.example:8443/v1/stores/ASSIGNED-BY-THE-SMP'
      would take the files of the default rule packs (Simple mode)
[3/6] Release it (release_state_store, seq.yaml:9)
      would release the SMP store https://smp1.example:8443/v1/stores/ASSIGNED-BY-THE-SMP
[4/6] Request a restore store from two SMPs (request_state_store, seq.yaml:12)
      would ask 2 State Migration Points for a restore store (5 retries, 30 s apart) and set OSDStateStorePath
[5/6] Restore (restore_user_state, seq.yaml:19)
      would restore 'https://smp1.example:8443/v1/stores/ASSIGNED-BY-THE-SMP' into the homes under '/' (existing files: rename)
[6/6] Release it after the restore (release_state_store, seq.yaml:22)
      would release the SMP store https://smp1.example:8443/v1/stores/ASSIGNED-BY-THE-SMP
dry run of 'SMP steps': 6 steps would run, 0 skipped; nothing was changed
=== stderr
