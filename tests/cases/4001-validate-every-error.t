=== args
validate seq.yaml
=== sequence
name: Many problems
variables:
  _Engine: x
  9bad: y
steps:
  - name: Typo in type
    type: run_comand
    with: { command: x }
  - name: Typo in key
    type: run_command
    contine_on_error: true
    with: { comand: x }
  - name: Writes a read-only variable
    type: set_variable
    with: { name: _SMSTSLastActionSucceeded, value: "true" }
  - name: Bad numbers
    type: run_command
    timeout: soon
    retry: { count: 1000 }
    with: { command: x }
  - name: Both command and argv
    type: run_command
    with: { command: x, argv: [y] }
  - name: Bad condition
    type: run_command
    condition: { variable: Mode, equls: Simple }
    with: { command: x }
  - name: A group with a type
    type: restart
    steps: []
=== rc
1
=== stderr
seq.yaml:3:3: error: variable '_Engine' is read-only: names starting with '_' are set by the engine
    3 |   _Engine: x
      |   ^
seq.yaml:4:3: error: invalid variable name '9bad': a variable name starts with a letter or '_'
    4 |   9bad: y
      |   ^
seq.yaml:7:11: error: unknown step type 'run_comand' (did you mean 'run_command'?)
    7 |     type: run_comand
      |           ^
seq.yaml:11:5: error: unknown key 'contine_on_error' in a step (did you mean 'continue_on_error'?)
   11 |     contine_on_error: true
      |     ^
seq.yaml:12:13: error: unknown parameter 'comand' for 'run_command' (did you mean 'command'?)
   12 |     with: { comand: x }
      |             ^
seq.yaml:15:19: error: variable '_SMSTSLastActionSucceeded' is read-only: names starting with '_' are set by the engine
   15 |     with: { name: _SMSTSLastActionSucceeded, value: "true" }
      |                   ^
seq.yaml:18:14: error: 'timeout' takes a whole number from 1 to 2592000
   18 |     timeout: soon
      |              ^
seq.yaml:19:21: error: 'count' takes a whole number from 0 to 100
   19 |     retry: { count: 1000 }
      |                     ^
seq.yaml:21:5: error: run_command needs exactly one of 'command' and 'argv'
   21 |   - name: Both command and argv
      |     ^
seq.yaml:26:34: error: unknown key 'equls' in a variable condition (did you mean 'equals'?)
   26 |     condition: { variable: Mode, equls: Simple }
      |                                  ^
seq.yaml:29:11: error: a node has either 'steps' (a group) or 'type' (a step), not both
   29 |     type: restart
      |           ^
tsi: 11 errors, 0 warnings in 1 file
