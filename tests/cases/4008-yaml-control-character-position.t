# Found by fuzzing: a byte libyaml's reader refuses is reported where it is,
# and the quoted line does not send the control byte to the terminal.
=== args
validate seq.yaml
=== setup
printf 'name: x\nsteps:\n  - name: a\n    type: run_command\n    with: {command: "echo \001"}\n' > seq.yaml
=== rc
1
=== stderr
seq.yaml:5:27: error: invalid YAML: control characters are not allowed (byte 0x01 at offset 75)
    5 |     with: {command: "echo ?"}
      |                           ^
tsi: 1 error, 0 warnings in 1 file
