=== args
validate --format sarif seq.yaml
=== sequence
steps:
  - { name: x, type: set_variable, with: { name: A, value: "%Nobody%" } }
=== rc
0
=== stdout-contains
"version": "2.1.0"
"level": "warning"
"text": "variable 'Nobody' is never set by this sequence (set it in 'variables', or give it with --var or --vars-file)"
"uri": "seq.yaml"
"startLine": 2
