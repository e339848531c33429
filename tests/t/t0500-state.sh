#!/bin/sh
# t0500-state.sh - capturing and restoring user state end to end: what a
# user finds in the homes afterwards, what list/verify/extract say, and
# that damaged, foreign or hostile stores and homes lose nothing.
#
#   TSI=$PWD/tsi TSI_TOP=$PWD sh tests/t/t0500-state.sh

. "$TSI_TOP/tests/lib/test-lib.sh"

# mkroot DIR: a system with users alice (1001) and bob (1002), no homes.
mkroot() {
	mkdir -p "$1/etc" &&
	printf 'root:x:0:0:root:/root:/bin/sh\nalice:x:1001:1001:Alice A:/home/alice:/bin/bash\nbob:x:1002:1002:Bob:/home/bob:/bin/sh\n' > "$1/etc/passwd" &&
	printf 'root:x:0:\nalice:x:1001:\nbob:x:1002:\nproj:x:1500:alice\n' > "$1/etc/group"
}

# profiles: src/ with realistic homes, an identity "dest" and one "eve".
# The homes belong to other uids (chown): the tests that use it need root.
profiles() {
	mkroot src && mkroot dst &&
	mkdir -p src/home/alice/Documents/Taxes src/home/alice/.cache/mozilla \
	    src/home/alice/.ssh src/home/bob/Pictures &&
	echo "dear diary" > src/home/alice/Documents/diary.txt &&
	seq 1 200000 > src/home/alice/Documents/Taxes/2025.csv &&
	head -c 3000000 /dev/urandom > src/home/bob/Pictures/beach.jpg &&
	echo "cached" > src/home/alice/.cache/mozilla/junk &&
	echo "ssh-ed25519 AAAA alice" > src/home/alice/.ssh/authorized_keys &&
	chmod 600 src/home/alice/.ssh/authorized_keys &&
	echo "alias ll='ls -l'" > src/home/alice/.bashrc &&
	ln -s diary.txt src/home/alice/Documents/diary-link &&
	ln src/home/alice/Documents/diary.txt src/home/alice/Documents/diary-hard.txt &&
	touch -d '2020-02-02 12:00' src/home/alice/Documents/diary.txt &&
	chown -R 1001:1001 src/home/alice && chown -R 1002:1002 src/home/bob &&
	chown 1001:1500 src/home/alice/Documents/Taxes/2025.csv &&
	tsi identity init --dir id --name dest > /dev/null &&
	tsi identity init --dir eve --name eve > /dev/null
}

capture() {
	tsi state capture --root src --store s.tsi --recipient id/identity.pub "$@"
}

test_expect ROOT 'capture then restore: content, modes, owners, times, links; caches left out' '
	profiles && capture 2> cap.err &&
	contains cap.err "captured: 7 files" &&
	tsi state restore --root dst --store s.tsi --identity id 2> res.err &&
	contains res.err "7 created" &&
	cmp src/home/bob/Pictures/beach.jpg dst/home/bob/Pictures/beach.jpg &&
	cmp src/home/alice/Documents/Taxes/2025.csv dst/home/alice/Documents/Taxes/2025.csv &&
	[ "$(stat -c %a:%u dst/home/alice/.ssh/authorized_keys)" = 600:1001 ] &&
	[ "$(stat -c %g dst/home/alice/Documents/Taxes/2025.csv)" = 1500 ] &&
	[ "$(stat -c %Y dst/home/alice/Documents/diary.txt)" = "$(stat -c %Y src/home/alice/Documents/diary.txt)" ] &&
	[ "$(stat -c %Y dst/home/alice/Documents/Taxes)" = "$(stat -c %Y src/home/alice/Documents/Taxes)" ] &&
	[ "$(readlink dst/home/alice/Documents/diary-link)" = diary.txt ] &&
	[ "$(stat -c %i dst/home/alice/Documents/diary.txt)" = "$(stat -c %i dst/home/alice/Documents/diary-hard.txt)" ] &&
	! [ -e dst/home/alice/.cache ] &&
	chmod 750 src/home/alice && [ "$(stat -c %a dst/home/alice)" = 755 ]
'

test_expect ROOT 'a sparse file comes back sparse, with the same content' '
	profiles && truncate -s 200M src/home/alice/Documents/disk.img &&
	printf "data in the middle" | dd of=src/home/alice/Documents/disk.img bs=1 seek=100000000 conv=notrunc 2> /dev/null &&
	chown 1001:1001 src/home/alice/Documents/disk.img &&
	capture 2> /dev/null && tsi state list --store s.tsi --identity id 2> /dev/null > l &&
	contains l "209715200" &&
	tsi state restore --root dst --store s.tsi --identity id 2> /dev/null &&
	cmp src/home/alice/Documents/disk.img dst/home/alice/Documents/disk.img &&
	[ "$(du -k dst/home/alice/Documents/disk.img | cut -f1)" -lt 1024 ] &&
	tsi state verify --store s.tsi --identity id > v && contains v " 0 damaged"
'

test_expect ROOT 'owners are mapped by name: uids differ between computers' '
	profiles && capture 2> /dev/null &&
	printf "root:x:0:0:root:/root:/bin/sh\nalice:x:2001:2001::/home/alice:/bin/bash\nbob:x:2002:2002::/home/bob:/bin/sh\n" > dst/etc/passwd &&
	printf "root:x:0:\nalice:x:2001:\nbob:x:2002:\n" > dst/etc/group &&
	tsi_rc 4 state restore --root dst --store s.tsi --identity id 2> res.err &&
	contains res.err "Taxes/2025.csv: group '"'"'proj'"'"' does not exist on this computer: restored with alice'"'"'s group" &&
	[ "$(stat -c %g dst/home/alice/Documents/Taxes/2025.csv)" = 2001 ] &&
	[ "$(stat -c %u:%g dst/home/alice/.bashrc)" = 2001:2001 ] &&
	[ "$(stat -c %u dst/home/bob/Pictures/beach.jpg)" = 2002 ]
'

test_expect ROOT 'a rule file with bad patterns stops a capture before anything is written' '
	profiles && printf "name: bad\ncomponents:\n  - name: x\n    include: [\"~/a/**b\"]\n" > bad.yaml &&
	tsi_rc 2 state capture --root src --store s.tsi --recipient id/identity.pub --rules ./bad.yaml 2> err &&
	contains err "bad.yaml:4:15: error: bad pattern" && ! [ -e s.tsi ] && ! [ -e s.tsi.partial ]
'

test_expect ROOT 'list shows the catalog; verify checks chunks without a key and files with one' '
	profiles && capture 2> /dev/null &&
	tsi state list --store s.tsi --identity id > list.out 2> /dev/null &&
	contains list.out "alice/Documents/Taxes/2025.csv" &&
	contains list.out "alice/Documents/diary-link -> diary.txt" &&
	lacks list.out ".cache" &&
	tsi state verify --store s.tsi > v1.out && contains v1.out "0 damaged" &&
	contains v1.out "catalog: not checked" &&
	tsi state verify --store s.tsi --identity id > v2.out &&
	contains v2.out "files: 13 intact, 0 damaged"
'

test_expect ROOT 'extract salvages single files by pattern' '
	profiles && capture 2> /dev/null &&
	tsi state extract --store s.tsi --identity id --to out "alice/**/*.csv" > ex.out 2>&1 &&
	cmp src/home/alice/Documents/Taxes/2025.csv out/alice/Documents/Taxes/2025.csv &&
	! [ -e out/bob ] && ! [ -e out/alice/.bashrc ]
'

test_expect ROOT 'a store for another recipient, or a wrong identity, is refused' '
	profiles && capture 2> /dev/null &&
	tsi_rc 1 state restore --root dst --store s.tsi --identity eve 2> err &&
	contains err "not encrypted to identity '"'"'eve'"'"'" &&
	! [ -e dst/home ] &&
	tsi_rc 1 state list --store s.tsi --identity eve 2> /dev/null
'

test_expect ROOT 'a truncated store is refused and restores nothing' '
	profiles && capture 2> /dev/null &&
	head -c $(($(stat -c %s s.tsi) - 100)) s.tsi > cut.tsi &&
	tsi_rc 1 state restore --root dst --store cut.tsi --identity id 2> err &&
	contains err "truncated" && ! [ -e dst/home ] &&
	tsi_rc 1 state verify --store cut.tsi 2> err2 && contains err2 "truncated"
'

test_expect ROOT 'a flipped byte is found by verify (which chunk) and stops a restore' '
	profiles && capture 2> /dev/null &&
	cp s.tsi bad.tsi && flip_byte bad.tsi 200000 &&
	! cmp -s s.tsi bad.tsi &&
	tsi_rc 1 state verify --store bad.tsi > v.out && contains v.out "damaged: chunk 0" &&
	tsi_rc 1 state restore --root dst --store bad.tsi --identity id 2> err &&
	contains err "damaged" &&
	! find dst -name ".tsi-restore-*" | grep -q .
'

test_expect ROOT '/listfiles lists what was captured; /p writes the sizes' '
	profiles && capture /listfiles:files.txt 2> /dev/null &&
	contains files.txt "/home/alice/Documents/Taxes/2025.csv" && lacks files.txt ".cache" &&
	[ "$(wc -l < files.txt)" = 7 ] &&
	tsi state capture --root src --store p.tsi --recipient id/identity.pub /p:sizes.txt 2> /dev/null &&
	contains sizes.txt "files	7" && contains sizes.txt "store_bytes	$(stat -c %s p.tsi)"
'

test_expect ROOT 'an existing store is replaced only with /o; no .partial is left' '
	profiles && capture 2> /dev/null && cp s.tsi first.tsi &&
	tsi_rc 1 state capture --root src --store s.tsi --recipient id/identity.pub 2> err &&
	contains err "replaced only with /o" && cmp s.tsi first.tsi &&
	capture /o 2> /dev/null && ! cmp -s s.tsi first.tsi &&
	! [ -e s.tsi.partial ]
'

test_expect ROOT 'collisions: rename keeps both (name (1).ext); undo puts all back' '
	profiles && capture 2> /dev/null &&
	mkdir -p dst/home/alice/Documents && echo mine > dst/home/alice/Documents/diary.txt &&
	tsi state restore --root dst --store s.tsi --identity id 2> res.err &&
	[ "$(cat dst/home/alice/Documents/diary.txt)" = mine ] &&
	[ "$(cat "dst/home/alice/Documents/diary (1).txt")" = "dear diary" ] &&
	tsi state undo --root dst --store s.tsi 2> undo.err &&
	[ "$(cat dst/home/alice/Documents/diary.txt)" = mine ] &&
	! [ -e "dst/home/alice/Documents/diary (1).txt" ] &&
	! [ -e dst/home/alice/.bashrc ] && ! [ -e dst/home/bob/Pictures ]
'

test_expect ROOT 'undo keeps a file the user made in place of a restored one' '
	profiles && capture 2> /dev/null &&
	tsi state restore --root dst --store s.tsi --identity id 2> /dev/null &&
	rm dst/home/alice/.bashrc && echo "my new rc" > dst/home/alice/.bashrc &&
	tsi_rc 1 state undo --root dst --store s.tsi 2> undo.err &&
	contains undo.err "not the file the restore made" &&
	[ "$(cat dst/home/alice/.bashrc)" = "my new rc" ] && ! [ -e dst/home/bob/Pictures/beach.jpg ]
'

test_expect ROOT '--overwrite overwrite replaces, and undo brings the old content back' '
	profiles && capture 2> /dev/null &&
	mkdir -p dst/home/alice && echo "old rc" > dst/home/alice/.bashrc &&
	tsi state restore --root dst --store s.tsi --identity id --overwrite overwrite 2> /dev/null &&
	cmp src/home/alice/.bashrc dst/home/alice/.bashrc &&
	tsi state undo --root dst --store s.tsi 2> /dev/null &&
	[ "$(cat dst/home/alice/.bashrc)" = "old rc" ]
'

test_expect ROOT 'a restore killed midway, run again, finishes without duplicates' '
	profiles && capture 2> /dev/null &&
	{ TSI_FAULT_KILL_RESTORE_AFTER=6 tsi_faults state restore --root dst --store s.tsi --identity id 2> /dev/null; echo $? > rc; } &&
	[ "$(cat rc)" = 137 ] &&
	[ -e dst/home/alice ] && ! [ -e dst/home/bob/Pictures/beach.jpg ] &&
	tsi state restore --root dst --store s.tsi --identity id 2> res.err &&
	contains res.err "going on with an earlier restore" &&
	cmp src/home/bob/Pictures/beach.jpg dst/home/bob/Pictures/beach.jpg &&
	! find dst/home -name "* (1)*" | grep -q . &&
	! find dst/home -name ".tsi-restore-*" | grep -q .
'

test_expect ROOT 'a symlink planted in a home is never followed by a root restore' '
	profiles && capture 2> /dev/null &&
	mkdir -p dst/home/alice outside && ln -s ../../../outside dst/home/alice/Documents &&
	tsi_rc 4 state restore --root dst --store s.tsi --identity id 2> res.err &&
	contains res.err "is a symlink or a file on this computer" &&
	[ -z "$(ls outside)" ] && [ -e dst/home/alice/.bashrc ]
'

test_expect ROOT 'setuid and setgid bits never come back, with a finding; a root-owned file stays root'"'"'s' '
	profiles && cp /bin/true src/home/alice/Documents/tool && chown 0:0 src/home/alice/Documents/tool &&
	chmod 4755 src/home/alice/Documents/tool && capture 2> /dev/null &&
	tsi_rc 4 state restore --root dst --store s.tsi --identity id 2> res.err &&
	contains res.err "tool: restored without its setuid/setgid bits" &&
	[ "$(stat -c %a:%u dst/home/alice/Documents/tool)" = 755:0 ] &&
	tsi_rc 1 state extract --store s.tsi --identity id --to out "alice/Documents/tool" > /dev/null 2> ex.err &&
	contains ex.err "1 findings" &&
	[ "$(stat -c %a out/alice/Documents/tool)" = 755 ]
'

test_expect ROOT 'users: /ui selects, /mu renames, a missing user is a finding, /lac creates it' '
	profiles && capture "/ue:*\\*" /ui:alice 2> cap.err && contains cap.err "user '"'"'bob'"'"' left out" &&
	tsi state list --store s.tsi --identity id 2> /dev/null > l && lacks l "bob/" &&
	rm s.tsi && capture 2> /dev/null &&
	printf "root:x:0:0:root:/root:/bin/sh\nalice:x:1001:1001::/home/alice:/bin/bash\nrobert:x:1003:1003::/home/robert:/bin/sh\n" > dst/etc/passwd &&
	tsi state restore --root dst --store s.tsi --identity id /mu:bob:robert 2> res.err &&
	[ "$(stat -c %u dst/home/robert/Pictures/beach.jpg)" = 1003 ] &&
	mkroot dst2 && printf "root:x:0:0:root:/root:/bin/sh\n" > dst2/etc/passwd &&
	touch dst2/etc/shadow dst2/etc/gshadow && chmod 600 dst2/etc/shadow dst2/etc/gshadow &&
	tsi_rc 4 state restore --root dst2 --store s.tsi --identity id "/ue:*\\*" /ui:alice 2> r2.err &&
	contains r2.err "does not exist on this computer" && ! [ -e dst2/home/alice ] &&
	tsi state restore --root dst2 --store s.tsi --identity id "/ue:*\\*" /ui:alice /lac:Secret1 2> r3.err &&
	contains r3.err "created local account '"'"'alice'"'"' (disabled" &&
	grep -q "^alice:" dst2/etc/passwd && [ -e dst2/home/alice/.bashrc ] &&
	lacks r3.err Secret1
'

test_expect ROOT 'hard-link store: no data copied, verify and restore need no identity' '
	profiles &&
	tsi state capture --root src --store hl --hardlink 2> cap.err &&
	[ "$(stat -c %i hl/data/bob/Pictures/beach.jpg)" = "$(stat -c %i src/home/bob/Pictures/beach.jpg)" ] &&
	tsi state verify --store hl > v.out && contains v.out "0 damaged" &&
	rm -rf src/home/bob/Pictures &&
	tsi state restore --root src --store hl 2> res.err &&
	[ -e src/home/bob/Pictures/beach.jpg ] && [ "$(stat -c %h src/home/bob/Pictures/beach.jpg)" = 2 ]
'

test_prereq SHM_ELSEWHERE '[ -d /dev/shm ] && [ -w /dev/shm ] && [ "$(stat -c %d /dev/shm)" != "$(stat -c %d "$TEST_ROOT")" ]' \
    'needs a writable /dev/shm on another file system than the scratch folder'
# nobody must reach the scratch folder (made 0700 by mktemp) but never the
# checkout, which may be under a private home such as /root: the test runs
# a copy of tsi with its rule packs beside it
test_prereq NOBODY 'id nobody && getent group nogroup && command -v setpriv &&
    chmod 711 "$TEST_ROOT" &&
    setpriv --reuid=nobody --regid=nogroup --clear-groups test -x "$TEST_ROOT"' \
    'needs the user nobody, the group nogroup, setpriv, and a scratch folder nobody can reach'
test_prereq TMPFS_MOUNT 'mkdir -p "$TEST_ROOT/m" && mount -t tmpfs -o size=1m tmpfs "$TEST_ROOT/m" && umount "$TEST_ROOT/m"' \
    'needs to mount a tmpfs (root, outside a restricted container)'

test_expect ROOT,SHM_ELSEWHERE 'a hard-link store on another file system is a clear error' '
	profiles &&
	tsi_rc 1 state capture --root src --store /dev/shm/tsi-hl-$$ --hardlink 2> err &&
	contains err "must be on the same file system" && ! [ -e /dev/shm/tsi-hl-$$.partial ]
'

test_expect ROOT,NOBODY 'without /c an unreadable file stops the capture; with /c it is a finding' '
	profiles &&
	chmod -R a+rX src && chmod 000 src/home/alice/.bashrc && mkdir out && chmod 777 out &&
	cp id/identity.pub out/ && chmod 644 out/identity.pub &&
	mkdir bin && cp "$TSI" bin/tsi && cp -R "$TSI_TOP/rules" bin/rules && chmod -R a+rX bin &&
	{ setpriv --reuid=nobody --regid=nogroup --clear-groups "$PWD/bin/tsi" state capture --root src --store out/s.tsi --recipient out/identity.pub 2> err; echo $? > rc; } &&
	[ "$(cat rc)" = 1 ] && contains err "cannot open: Permission denied" && ! [ -e out/s.tsi ] &&
	{ setpriv --reuid=nobody --regid=nogroup --clear-groups "$PWD/bin/tsi" state capture --root src --store out/s.tsi --recipient out/identity.pub /c 2> err2; echo $? > rc; } &&
	[ "$(cat rc)" = 4 ] &&
	contains err2 "finding: ~alice/.bashrc: cannot open" && [ -e out/s.tsi ]
'

test_expect ROOT 'SIGTERM stops a capture cleanly: exit 1, no store, no .partial' '
	profiles &&
	{ TSI_FAULT_SLOW_FILE_MS=500 $TSI_WRAP "$TSI_FAULTS" state capture --root src --store s.tsi \
	    --recipient id/identity.pub > bg.out 2>&1 & } && echo $! > pid && started $(cat pid) &&
	wait_until "grep -q \"capturing user\" bg.out" &&
	kill -TERM $(cat pid) && { wait $(cat pid); echo $? > rc; } &&
	[ "$(cat rc)" = 1 ] && contains bg.out "the capture was stopped" &&
	! [ -e s.tsi ] && ! [ -e s.tsi.partial ]
'

test_expect ROOT 'a file written to while it is captured is a finding, and flagged in the catalog' '
	profiles && head -c 20000000 /dev/urandom > src/home/alice/Documents/growing.log &&
	{ ( while :; do echo more >> src/home/alice/Documents/growing.log; done ) & } &&
	writer=$! && started $writer && sleep 0.2 &&
	{ capture 2> cap.err; echo $? > rc; } && kill $writer && { wait $writer 2> /dev/null; true; } &&
	[ "$(cat rc)" = 4 ] && contains cap.err "growing.log: changed while it was captured" &&
	tsi state list --store s.tsi --identity id 2> /dev/null > l && contains l "growing.log  (changed while captured)" &&
	tsi state verify --store s.tsi --identity id > v && contains v " 0 damaged"
'

test_expect ROOT,TMPFS_MOUNT 'a full disk during capture and during restore: clear error, nothing half-done' '
	profiles && mkdir small && mount -t tmpfs -o size=1m tmpfs small &&
	at_end "umount small" &&
	{ tsi state capture --root src --store small/s.tsi --recipient id/identity.pub 2> err; echo $? > rc; } &&
	mkroot small/r && tsi state capture --root src --store s.tsi --recipient id/identity.pub 2> /dev/null &&
	{ tsi state restore --root small/r --store s.tsi --identity id 2> err2; echo $? > rc2; } &&
	ls -la small > ls.out &&
	[ "$(cat rc)" = 1 ] && contains err "disk is full" && lacks ls.out "s.tsi" &&
	[ "$(cat rc2)" = 1 ] && contains err2 "disk is full"
'

test_done
