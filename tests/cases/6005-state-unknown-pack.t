=== args
state estimate --root sysroot --rules documnts
=== setup
mkdir -p sysroot/etc
printf 'alice:x:1000:1000::/home/alice:/bin/bash\n' > sysroot/etc/passwd
=== rc
2
=== stderr-contains
tsi: error: unknown rule pack 'documnts' (did you mean 'documents'?)
