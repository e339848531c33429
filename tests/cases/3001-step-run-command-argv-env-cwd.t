=== args
run seq.yaml --state-dir st --log-dir logs
=== setup
mkdir -p sub
=== sequence
name: argv
steps:
  - name: No shell
    type: run_command
    with:
      argv: [sh, -c, 'echo "$0|$1|$GREETING|$(basename "$PWD")"', "a b", "$HOME"]
      env: { GREETING: hi }
      working_directory: sub
  - name: Missing program
    type: run_command
    continue_on_error: true
    with: { argv: [/no/such/program] }
=== stdout-contains
  | a b|$HOME|hi|sub
error: cannot run '/no/such/program' in '$WORK': No such file or directory
error: [2/2] Missing program: failed (exit code 127, N s)
