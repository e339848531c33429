# sequence variables < --vars-file < --var < values set while running
=== args
run seq.yaml --vars-file vars.yaml --var FromCli=cli --var Both=cli --state-dir st --log-dir logs
=== sequence
name: Precedence
variables:
  OnlySeq: seq
  FromFile: seq
  FromCli: seq
  Both: seq
  Runtime: seq
steps:
  - { name: Set, type: set_variable, with: { name: Runtime, value: runtime } }
  - name: Show
    type: run_command
    with: { command: "echo %OnlySeq% %FromFile% %FromCli% %both% %RUNTIME%" }
=== file vars.yaml
FromFile: file
Both: file
Runtime: file
=== stdout-contains
set 'Runtime' = 'runtime'
  | seq file cli cli runtime
