=== args
run seq.yaml --state-dir st --log-dir logs
=== sequence
name: Parent
variables:
  Who: parent
steps:
  - { name: Before, type: set_variable, with: { name: FromParent, value: yes } }
  - name: Child
    type: run_sequence
    with: { path: child/child.yaml }
  - name: After
    type: run_command
    with: { command: "echo after: %SetByChild% %ChildDefault% %Who%" }
=== file child/child.yaml
name: Child sequence
variables:
  ChildDefault: from-child
  Who: child-would-override
steps:
  - name: In child
    type: run_command
    with: { command: "echo in child: %FromParent% %Who% $(basename $PWD)" }
  - { name: Set, type: set_variable, with: { name: SetByChild, value: set } }
=== stdout-contains
group 'Child': running $WORK/child/child.yaml
[2/4] In child (run_command, $WORK/child/child.yaml:6)
  | in child: yes parent child
  | after: set from-child parent
