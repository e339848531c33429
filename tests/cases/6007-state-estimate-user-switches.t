=== args
state estimate --root sysroot /ue:*\* /ui:bob
=== setup
mkdir -p sysroot/etc sysroot/home/alice/Documents sysroot/home/bob/Documents
printf 'alice:x:1000:1000::/home/alice:/bin/bash\nbob:x:1001:1001::/home/bob:/bin/sh\n' > sysroot/etc/passwd
echo a > sysroot/home/alice/Documents/a.txt
echo bb > sysroot/home/bob/Documents/b.txt
=== stdout-contains
bob                               1          3 B          0
total: 1 files, 3 B in 1 users; 0 files left out by the rules
1 users left out by /ui, /ue or /uel
=== stdout-lacks
alice
