=== args
validate seq.yaml
=== sequence
steps:
  - { name: Into b, type: run_sequence, with: { path: b.yaml } }
=== file b.yaml
steps:
  - { name: Back to a, type: run_sequence, with: { path: ./seq.yaml } }
=== rc
1
=== stderr-contains
$WORK/b.yaml:2:58: error: run_sequence: include cycle: '$WORK/./seq.yaml' is already being run by an enclosing sequence
tsi: 1 error, 0 warnings in 1 file
