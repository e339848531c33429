# A typed variable's value is checked as it is: a %reference% in
# variables is not a boolean (variables are not expanded again); a secret's
# value and its line are never shown, only its place.
=== args
validate seq.yaml
=== sequence
variables:
  Hide: "true"
  OSDDoNotLogCommand: "%Hide%"
  OSDMigrateContinueOnRestore: { value: "hunter2", secret: true }
steps:
  - { type: set_variable, with: { name: SMSTSRetryRequested, value: "%Hide%" } }
=== rc
1
=== stderr
seq.yaml:3:3: error: variable 'OSDDoNotLogCommand' must be true or false (yes/no, 1/0), not '%Hide%'
    3 |   OSDDoNotLogCommand: "%Hide%"
      |   ^
seq.yaml:4:3: error: variable 'OSDMigrateContinueOnRestore' must be true or false (yes/no, 1/0), not '********'
tsi: 2 errors, 0 warnings in 1 file
=== stderr-lacks
hunter2
