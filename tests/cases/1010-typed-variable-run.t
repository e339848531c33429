# At run time a typed variable cannot take a value of another type: given
# on the command line nothing runs; set by a step, that step fails.
=== args
run seq.yaml --var Answer=maybe --state-dir st --log-dir logs
=== sequence
steps:
  - { name: Bad, type: set_variable, continue_on_error: true, with: { name: OSDDoNotLogCommand, value: "%Answer%" } }
  - { name: Shown, type: run_command, with: { command: "echo visible-command" } }
=== rc
0
=== stdout-contains
error: cannot set variable 'OSDDoNotLogCommand' must be true or false (yes/no, 1/0), not 'maybe'
error: [1/2] Bad: failed (exit code 1, N s)
running: /bin/sh -c 'echo visible-command'
