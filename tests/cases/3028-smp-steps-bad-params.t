=== args
validate seq.yaml
=== sequence
name: Bad SMP step parameters
steps:
  - name: No mode
    type: request_state_store
  - name: Unknown mode
    type: request_state_store
    with: { mode: backup, retry_count: 31 }
  - name: Unknown parameter
    type: release_state_store
    with: { store: /srv/state }
=== rc
1
=== stderr
seq.yaml:3:5: error: step type 'request_state_store' needs parameter 'mode'
    3 |   - name: No mode
      |     ^
seq.yaml:7:19: error: parameter 'mode' of 'request_state_store' must be one of 'capture', 'restore', not 'backup'
    7 |     with: { mode: backup, retry_count: 31 }
      |                   ^
seq.yaml:7:40: error: parameter 'retry_count' of 'request_state_store' must be a whole number from 0 to 30, not '31'
    7 |     with: { mode: backup, retry_count: 31 }
      |                                        ^
seq.yaml:10:13: error: unknown parameter 'store' for 'release_state_store'
   10 |     with: { store: /srv/state }
      |             ^
tsi: 4 errors, 0 warnings in 1 file
