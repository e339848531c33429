=== args
run seq.yaml --root sysroot --state-dir st --log-dir logs
=== setup
mkdir -p sysroot/etc sysroot/home/alice
printf 'ID=debian\nVERSION_ID="12"\n' > sysroot/etc/os-release
=== sequence
name: Conditions
steps:
  - name: Debian 12 or later
    type: run_command
    condition: { os: { id: debian, version_at_least: "12" } }
    with: { command: "echo debian-ok" }
  - name: Debian 13 or later
    type: run_command
    condition: { os: { id: debian, version_at_least: "13" } }
    with: { command: "echo debian13" }
  - name: Home under root
    type: run_command
    condition:
      all:
        - folder_exists: /home/alice
        - none: [{ file_exists: /home/alice }]
        - any: [{ variable: _TSIRoot, like: "*sysroot" }, { variable: X, exists: true }]
    with: { command: "echo root=%_TSIRoot%" }
=== stdout-contains
  | debian-ok
[2/3] step 'Debian 13 or later': skipped (condition false: the OS is 'debian' version '12')
  | root=$WORK/sysroot
