=== args
run seq.yaml --vars-file vars.yaml --state-dir st --log-dir logs
=== sequence
name: Secrets
steps:
  - { name: Set, type: set_variable, with: { name: Password, value: "Sup3r-Secret", secret: true } }
  - name: Use it
    type: run_command
    with: { command: "echo using %Password% and %Token%; echo Sup3r-Secret >&2" }
  - name: Copy it
    type: set_variable
    with: { name: Copy, value: "%Password%" }
  - name: Fail with it
    type: run_command
    continue_on_error: true
    with: { command: "exit 1", output_variable: Password }
=== file vars.yaml
Token: { value: tok-12345, secret: true }
=== stdout-contains
set 'Password' (secret)
  | using ******** and ********
  ! ********
=== stdout-lacks
Sup3r-Secret
tok-12345
=== check
! grep -r -e Sup3r-Secret -e tok-12345 logs
grep -q '"Copy": "\*\*\*\*\*\*\*\*"' logs/report.json
grep -q '"Token": "\*\*\*\*\*\*\*\*"' logs/report.json
