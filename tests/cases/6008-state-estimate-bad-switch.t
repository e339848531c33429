=== args
state estimate --root sysroot /all /ui:bob
=== setup
mkdir -p sysroot/etc && printf 'bob:x:1001:1001::/home/bob:/bin/sh\n' > sysroot/etc/passwd
=== rc
2
=== stderr
tsi: error: '/all' cannot be combined with /ui, /ue or /uel
