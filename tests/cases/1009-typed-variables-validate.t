# Variables with a type (tsi steps lists them) are checked where they are
# set: in variables, in set_variable steps and on the command line.
=== args
validate seq.yaml --var OSDStateSMPRetryCount=31 --var TSISMPAllowPlainHTTP=yes
=== sequence
variables:
  OSDDoNotLogCommand: "maybe"
  OSDMigrateContinueOnRestore: "true"
  OSDMigrateMode: Fancy
steps:
  - { type: set_variable, with: { name: OSDMigrateEnableVerboseLogging, value: "2" } }
  - { type: set_variable, with: { name: SMSTSRebootRequested, value: "%Later%" } }
  - { type: set_variable, with: { name: OSDMigrateLocalAccounts, value: "no" } }
=== rc
1
=== stderr
--var: error: variable 'OSDStateSMPRetryCount' must be a whole number from 0 to 30, not '31'
seq.yaml:2:3: error: variable 'OSDDoNotLogCommand' must be true or false (yes/no, 1/0), not 'maybe'
    2 |   OSDDoNotLogCommand: "maybe"
      |   ^
seq.yaml:4:3: error: variable 'OSDMigrateMode' must be one of 'Simple', 'Advanced', not 'Fancy'
    4 |   OSDMigrateMode: Fancy
      |   ^
seq.yaml:6:80: error: variable 'OSDMigrateEnableVerboseLogging' must be true or false (yes/no, 1/0), not '2'
    6 |   - { type: set_variable, with: { name: OSDMigrateEnableVerboseLogging, value: "2" } }
      |                                                                                ^
seq.yaml:7:70: warning: variable 'Later' is never set by this sequence (set it in 'variables', or give it with --var or --vars-file)
    7 |   - { type: set_variable, with: { name: SMSTSRebootRequested, value: "%Later%" } }
      |                                                                      ^
tsi: 4 errors, 1 warning in 1 file
