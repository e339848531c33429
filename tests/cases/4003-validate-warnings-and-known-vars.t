=== args
validate seq.yaml --var Given=1
=== sequence
name: Warnings
variables:
  Declared: yes
steps:
  - name: Uses variables
    type: run_command
    condition: { variable: Missing, equals: "1" }
    with: { command: "echo %Declared% %Given% %Later% %Unknown% %_SMSTSLogPath%" }
  - { name: Sets later, type: set_variable, with: { name: Later, value: x } }
  - name: Existence checks do not warn
    type: run_command
    condition: { variable: MaybeFromCollection, exists: true }
    with: { command: "true", output_variable: Out }
=== rc
0
=== stderr
seq.yaml:7:16: warning: variable 'Missing' is never set by this sequence (set it in 'variables', or give it with --var or --vars-file)
    7 |     condition: { variable: Missing, equals: "1" }
      |                ^
seq.yaml:8:22: warning: variable 'Unknown' is never set by this sequence (set it in 'variables', or give it with --var or --vars-file)
    8 |     with: { command: "echo %Declared% %Given% %Later% %Unknown% %_SMSTSLogPath%" }
      |                      ^
tsi: 0 errors, 2 warnings in 1 file
