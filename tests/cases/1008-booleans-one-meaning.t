# One reading of true and false everywhere: "1" hides the command line as
# "true" does, YES and No work in sequence keys, and anything else is an
# error with its position, not a silent false.
=== args
run seq.yaml --var OSDDoNotLogCommand=1 --state-dir st --log-dir logs
=== sequence
variables:
  OSDMigrateContinueOnRestore: "No"
steps:
  - { name: Hidden, type: run_command, continue_on_error: YES, with: { command: "echo password=Pw0rd-77 > /dev/null" } }
  - { name: Off, type: run_command, disabled: 1, with: { command: "touch off" } }
  - name: Exists
    type: run_command
    condition: { variable: OSDMigrateContinueOnRestore, exists: yes }
    with: { command: "touch exists" }
=== stdout-contains
running: a command (not logged: OSDDoNotLogCommand is true)
[2/3] step 'Off': skipped (disabled)
=== stdout-lacks
Pw0rd-77
=== check
test -e exists
test ! -e off
! grep -rq Pw0rd-77 logs
