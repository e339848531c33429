=== args
validate seq.yaml
=== sequence
name: Bad switches
steps:
  - name: Capture
    type: capture_user_state
    with: { additional_options: "/all /ui:alice" }
  - name: Restore
    type: restore_user_state
    with: { additional_options: "/lae" }
  - name: Restore again
    type: restore_user_state
    with: { overwrite: always }
=== rc
1
=== stderr
seq.yaml:5:33: error: parameter 'additional_options' of 'capture_user_state': '/all' cannot be combined with /ui, /ue or /uel
    5 |     with: { additional_options: "/all /ui:alice" }
      |                                 ^
seq.yaml:8:33: error: parameter 'additional_options' of 'restore_user_state': '/lae' needs '/lac' (it enables the accounts /lac creates)
    8 |     with: { additional_options: "/lae" }
      |                                 ^
seq.yaml:11:24: error: parameter 'overwrite' of 'restore_user_state' must be one of 'rename', 'skip', 'overwrite', 'newer', not 'always'
   11 |     with: { overwrite: always }
      |                        ^
tsi: 3 errors, 0 warnings in 1 file
