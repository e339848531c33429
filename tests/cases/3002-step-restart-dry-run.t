=== args
run seq.yaml --dry-run --var Mode=Advanced --state-dir st --log-dir logs
=== sequence
name: Plans
steps:
  - { name: Set, type: set_variable, with: { name: Token, value: abc, secret: true } }
  - name: Make a file
    type: run_command
    with: { command: "touch made-by-run", output_variable: Out }
  - name: Only in simple mode
    type: run_command
    condition: { variable: Mode, equals: Simple }
    with: { command: "touch simple" }
  - { name: Reboot, type: restart }
  - name: After
    type: run_command
    with: { argv: [echo, "%Token%"] }
=== stdout
tsi 0.1.0: dry run of 'Plans' (seq.yaml), 5 steps
[1/5] Set (set_variable, seq.yaml:3)
      would set 'Token' to a secret value
[2/5] Make a file (run_command, seq.yaml:4)
      would run /bin/sh -c 'touch made-by-run' (in $WORK)
      would set 'Out' from its output
[3/5] step 'Only in simple mode': skipped (condition false: variable 'Mode' is 'Advanced', which fails equals 'Simple')
[4/5] Reboot (restart, seq.yaml:11)
      would restart the computer and resume after step 'Reboot'
[5/5] After (run_command, seq.yaml:12)
      would run echo ******** (in $WORK)
dry run of 'Plans': 4 steps would run, 1 skipped; nothing was changed
=== check
test ! -e made-by-run
test "$(ls)" = seq.yaml
