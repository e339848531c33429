# OSDDoNotLogCommand keeps command lines out of the log, for run_command
# and for tsi.exec alike; the output itself still goes to the log.
=== args
run seq.yaml --var OSDDoNotLogCommand=true --state-dir st --log-dir logs
=== sequence
steps:
  - { name: Hidden, type: run_command, with: { command: "echo token=abc123 > /dev/null; echo done" } }
  - name: Hidden from Lua
    type: lua
    with:
      capabilities: [exec]
      script: tsi.exec({ "echo", "token=xyz789" })
=== stdout-contains
running: a command (not logged: OSDDoNotLogCommand is true)
tsi.exec: a command (not logged: OSDDoNotLogCommand is true)
  | done
=== stdout-lacks
abc123
echo token=xyz789
=== check
! grep -q abc123 logs/tsi.log
