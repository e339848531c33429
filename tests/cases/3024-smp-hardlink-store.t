=== args
validate seq.yaml
=== sequence
name: Hard links and an SMP
variables:
  UseLinks: "false"
steps:
  - name: Request a capture store
    type: request_state_store
    with: { mode: capture }
  - name: Capture to hard links
    type: capture_user_state
    continue_on_error: true
    with: { hardlink: true }
  - name: Capture with the ScanState switch
    type: capture_user_state
    continue_on_error: true
    with: { additional_options: "/hardlink /nocompress" }
  - name: A local hard-link store is fine
    type: capture_user_state
    continue_on_error: true
    with: { hardlink: true, store_path: /srv/state }
  - name: Known at run time only
    type: capture_user_state
    continue_on_error: true
    with: { hardlink: "%UseLinks%" }
  - name: Release the store
    type: release_state_store
    condition: { variable: _SMSTSLastActionSucceeded, equals: "true" }
  - name: Straight to an SMP URL
    type: capture_user_state
    with: { hardlink: true, store_path: "https://smp1.example:8443/v1/stores/0123" }
=== rc
1
=== stderr
seq.yaml:8:5: error: a hard-link store cannot go to a State Migration Point: this capture would write to OSDStateStorePath, the SMP store requested at line 5; drop hardlink and /hardlink, or give a local store_path
    8 |   - name: Capture to hard links
      |     ^
seq.yaml:12:5: error: a hard-link store cannot go to a State Migration Point: this capture would write to OSDStateStorePath, the SMP store requested at line 5; drop hardlink and /hardlink, or give a local store_path
   12 |   - name: Capture with the ScanState switch
      |     ^
seq.yaml:27:5: error: a hard-link store cannot go to a State Migration Point ('https://smp1.example:8443/v1/stores/0123'): hard links stay on this computer's disk; drop hardlink and /hardlink, or give a local store_path
   27 |   - name: Straight to an SMP URL
      |     ^
tsi: 3 errors, 0 warnings in 1 file
