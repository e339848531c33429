# Found by fuzzing: every undefined variable gets its own warning.
=== args
validate seq.yaml
=== sequence
steps:
  - { name: a, type: run_command, with: { command: "echo %AAA%" } }
  - { name: b, type: run_command, with: { command: "echo %BBB% %aaa%" } }
=== rc
0
=== stderr-contains
seq.yaml:2:52: warning: variable 'AAA' is never set by this sequence
seq.yaml:3:52: warning: variable 'BBB' is never set by this sequence
tsi: 0 errors, 2 warnings in 1 file
