=== args
run seq.yaml --state-dir st --log-dir logs
=== sequence
name: Output
steps:
  - name: Produce
    type: run_command
    with:
      command: "head -c 3000 /dev/zero | tr '\\0' a; echo; echo last line; echo"
      output_variable: Captured
  - name: Length
    type: run_command
    with: { command: "printf '%s' '%Captured%' | wc -c; printf '%s' '%Captured%' | tail -c 9" }
  - name: Empty output deletes
    type: run_command
    with: { command: "true", output_variable: Captured }
  - name: Gone
    type: run_command
    condition: { variable: Captured, exists: false }
    with: { command: "echo deleted" }
=== stdout-contains
  | 1000
  | last line
  | deleted
