=== args
state explain --root sysroot /root/.cache/pip/x --rules shell --rules my-rules.yaml
=== setup
mkdir -p sysroot/etc
printf 'root:x:0:0:root:/root:/bin/bash\n' > sysroot/etc/passwd
=== file my-rules.yaml
name: mine
components:
  - name: Everything
    include: ["~/**"]
=== stdout-contains
/root/.cache/pip/x (user 'root', ~/.cache/pip/x): not captured by unconditional exclude '~/.cache/**' (pack 'exclusions'
  also matches include '~/**' (component 'Everything', pack 'mine', my-rules.yaml:4; specificity 0/0)
  note: 'root' is a system account (uid 0): it is left out unless all users are captured
