=== args
validate seq.yaml other.yaml
=== sequence
name: Broken
steps:
  - name: a
    type: run_command
    with: { command: [unclosed }
=== file other.yaml
steps:
  - {type: restart}
  - {type: restart, type: run_command}
=== rc
1
=== stderr-contains
seq.yaml:5:32: error: invalid YAML:
other.yaml:3:21: error: duplicate key 'type' (first defined at line 3)
tsi: 2 errors, 0 warnings in 2 files
