=== args
run seq.yaml --dry-run --var OSDStateStorePath=/srv/state
=== sequence
name: Refresh
variables:
  OSDMigrateMode: Advanced
  OSDMigrateConfigFiles: "documents, browsers"
steps:
  - name: Capture
    type: capture_user_state
    with: { additional_options: "/ue:*\\* /ui:alice /c" }
  - name: Capture to links
    type: capture_user_state
    with: { hardlink: true, mode: Simple }
  - name: Restore
    type: restore_user_state
    with: { overwrite: newer }
=== stdout
tsi 0.1.0: dry run of 'Refresh' (seq.yaml), 3 steps
[1/3] Capture (capture_user_state, seq.yaml:6)
      would capture the users of '/' into the encrypted store '/srv/state/state.tsistore'
      would take the files of rule pack documents
      would take the files of rule pack browsers
      would apply the ScanState switches /ue:*\* /ui:alice /c
[2/3] Capture to links (capture_user_state, seq.yaml:9)
      would capture the users of '/' into the hard-link store '/srv/state/state.hardlink'
      would take the files of the default rule packs (Simple mode)
[3/3] Restore (restore_user_state, seq.yaml:12)
      would restore the store in '/srv/state' into the homes under '/' (no store there yet)
dry run of 'Refresh': 3 steps would run, 0 skipped; nothing was changed
