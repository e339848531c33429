# tsi.set of a typed variable to a value of another type fails the step.
=== args
run seq.yaml --state-dir st --log-dir logs
=== sequence
steps:
  - name: L
    type: lua
    with: { script: "tsi.set('OSDDoNotLogCommand', 'maybe')" }
=== rc
1
=== stdout-contains
error: cannot set variable 'OSDDoNotLogCommand' must be true or false (yes/no, 1/0), not 'maybe'
tsi.set: variable 'OSDDoNotLogCommand' refused the value
error: [1/1] L: failed (exit code 1, N s)
