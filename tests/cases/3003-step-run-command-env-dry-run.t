=== args
run seq.yaml --dry-run --state-dir st --log-dir logs
=== sequence
name: Plans with an environment
steps:
  - name: Upgrade
    type: run_command
    with:
      command: "apt-get -y upgrade"
      env: { DEBIAN_FRONTEND: noninteractive, LC_ALL: C }
=== stdout-contains
      would run /bin/sh -c 'apt-get -y upgrade' (in $WORK)
      would run it with DEBIAN_FRONTEND=noninteractive in its environment
      would run it with LC_ALL=C in its environment
=== rc
0
