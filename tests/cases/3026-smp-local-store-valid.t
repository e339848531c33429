=== args
validate seq.yaml
=== sequence
name: Refresh with a local store
variables:
  OSDStateStorePath: /srv/state
steps:
  - name: Capture
    type: capture_user_state
  - name: Capture to hard links
    type: capture_user_state
    with: { hardlink: true, additional_options: "/hardlink /nocompress" }
  - name: Restore
    type: restore_user_state
  - name: A release of a store of its own is not paired with a request
    type: release_state_store
    with: { store_path: /srv/state }
=== stderr
tsi: 0 errors, 0 warnings in 1 file
