=== args
run seq.yaml --state-dir st --log-dir logs
=== sequence
name: Delete
variables:
  Temp: here
steps:
  - { name: Delete, type: set_variable, with: { name: Temp, value: "" } }
  - name: Check
    type: run_command
    condition: { variable: temp, exists: false }
    with: { command: "echo gone" }
=== stdout-contains
deleted variable 'Temp'
  | gone
