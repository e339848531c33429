=== args
run seq.yaml --state-dir st --log-dir logs
=== sequence
name: Expansion
variables:
  Name: alice
steps:
  - name: Show
    type: run_command
    with: { argv: [echo, "%Name% is 100%% sure; %Unset% stays; 50% too"] }
=== stdout-contains
  | alice is 100% sure; %Unset% stays; 50% too
