=== args
state estimate --root sysroot
=== setup
mkdir -p sysroot/etc sysroot/home/alice/Documents sysroot/home/alice/.cache/big sysroot/home/alice/Downloads sysroot/home/bob/.ssh sysroot/srv
printf 'root:x:0:0:root:/root:/bin/bash\nalice:x:1000:1000::/home/alice:/bin/bash\nbob:x:1001:1001::/home/bob:/bin/sh\nnobody:x:65534:65534::/nonexistent:/usr/sbin/nologin\n' > sysroot/etc/passwd
head -c 2048 /dev/zero > sysroot/home/alice/Documents/report.odt
head -c 100000 /dev/zero > sysroot/home/alice/.cache/big/blob
echo partial > sysroot/home/alice/Downloads/iso.part
echo key > sysroot/home/bob/.ssh/id_ed25519
ln -s /etc/shadow sysroot/home/bob/.ssh/link-out
=== stdout
user                          files        bytes   left out
alice                             2      2.0 KiB          1
bob                               2          4 B          0

rule pack/component                           files        bytes
home/Home                                         4      2.0 KiB

total: 4 files, 2.0 KiB in 2 users; 1 files left out by the rules

left out by the rules: 1 files, 97.7 KiB
  1 files, 97.7 KiB: unconditional exclude '~/.cache/**' (pack 'exclusions')
largest folders left out: ~/.cache: 1 files, 97.7 KiB
