#!/bin/sh
# t0520-state-errors.sh - the error paths of `tsi state`, the user-state
# steps and `tsi smp` that t0500, t0510 and t0600 do not reach: usage
# mistakes, missing or broken stores, missing variables.  Each must end
# with a clear message and the documented exit code, changing nothing.
#
#   TSI=$PWD/tsi TSI_TOP=$PWD sh tests/t/t0520-state-errors.sh

. "$TSI_TOP/tests/lib/test-lib.sh"

mini() {
	mkdir -p r/etc r/home/alice/Documents &&
	echo "alice:x:1001:1001::/home/alice:/bin/sh" > r/etc/passwd &&
	echo "a" > r/home/alice/Documents/a.txt &&
	tsi identity init --dir id --name me > /dev/null
}

test_expect 'usage mistakes exit 2 and say what is missing' '
	mini &&
	tsi_rc 2 state capture --root r 2> e1 && contains e1 "state capture needs --store PATH" &&
	tsi_rc 2 state extract --store x --identity id 2> e2 && contains e2 "needs --to DIR" &&
	tsi_rc 2 state restore --root r --store x --overwrite always 2> e3 &&
	contains e3 "--overwrite takes rename, skip, overwrite or newer" &&
	tsi_rc 2 state restor 2> e4 && contains e4 "did you mean '"'"'restore'"'"'" &&
	tsi_rc 2 state capture --root r --store s.tsi --recipient id/identity.pub notaswitch 2> e5 &&
	contains e5 "is not a USMT switch" &&
	tsi_rc 2 state capture --root r --store s.tsi --identity nowhere 2> e6 &&
	contains e6 "needs --recipient" && ! [ -e s.tsi ]
'

test_expect 'a file that is not a store, and an undo with nothing recorded' '
	mini && echo "hello" > not.tsi &&
	tsi_rc 1 state list --store not.tsi --identity id 2> e1 && contains e1 "not a tsi store" &&
	tsi_rc 1 state verify --store not.tsi 2> e2 && contains e2 "not a tsi store" &&
	tsi state capture --root r --store s.tsi --recipient id/identity.pub 2> /dev/null &&
	tsi_rc 1 state undo --root r --store s.tsi 2> e3 && contains e3 "no restore of this store is recorded"
'

test_expect 'broken hard-link stores: no catalog, a bad id, a missing file' '
	mini && tsi state capture --root r --store hl --hardlink 2> /dev/null &&
	cp -a hl hl2 && rm hl2/catalog &&
	tsi_rc 1 state list --store hl2 2> e1 && contains e1 "not a complete hard-link store" &&
	cp -a hl hl3 && sed -i "s/^id\t.*/id\t..\/..\/etc/" hl3/catalog &&
	tsi_rc 1 state restore --root r --store hl3 2> e2 && contains e2 "has no valid id" &&
	rm hl/data/alice/Documents/a.txt &&
	tsi_rc 1 state verify --store hl > v && contains v "missing from the store"
'

test_expect 'the steps without OSDStateStorePath, and a restore with no store there' '
	mini &&
	printf "name: c\nsteps:\n  - { name: C, type: capture_user_state }\n" > c.yaml &&
	printf "name: r\nsteps:\n  - { name: R, type: restore_user_state }\n" > rs.yaml &&
	tsi_rc 1 run c.yaml --root r --state-dir s1 --log-dir l1 > /dev/null 2>&1 &&
	contains l1/tsi.log "no store: set OSDStateStorePath" &&
	tsi_rc 1 run rs.yaml --root r --state-dir s2 --log-dir l2 --var OSDStateStorePath=$PWD/empty > /dev/null 2>&1 &&
	contains l2/tsi.log "no store in"
'

test_expect 'smp usage mistakes exit 2' '
	tsi_rc 2 smp computer frob --dir x 2> e1 && contains e1 "smp computer takes add or list" &&
	tsi_rc 2 smp delete --dir x 2> e2 && contains e2 "takes an association" &&
	tsi_rc 2 smp frob 2> e3 && contains e3 "unknown smp subcommand" &&
	tsi_rc 2 smp computer add --dir x --name a 2> e4 && contains e4 "needs --name and --key" &&
	tsi_rc 2 smp associate --dir x --source a 2> e5 && contains e5 "needs --source and --dest"
'

test_expect ROOT 'a STORE.partial that somebody else put there is never written into; one a killed capture left is replaced' '
	mini && mkdir shared && chmod 1777 shared && : > shared/s.tsi.partial &&
	chown 65534 shared/s.tsi.partial &&
	tsi_rc 1 state capture --root r --store shared/s.tsi --recipient id/identity.pub 2> err &&
	contains err "cannot create '"'"'shared/s.tsi.partial'"'"': File exists" &&
	[ "$(stat -c %u:%s shared/s.tsi.partial)" = 65534:0 ] && ! [ -e shared/s.tsi ] &&
	echo leftover > s.tsi.partial &&
	tsi state capture --root r --store s.tsi --recipient id/identity.pub 2> /dev/null &&
	[ -s s.tsi ] && ! [ -e s.tsi.partial ]
'

# hostile_tree N: a home with N empty folders whose paths are 3,768
# characters long (14 levels of 249-character names, then the folders).
hostile_tree() {
	mkdir -p h/etc h/home/alice && echo "alice:x:1001:1001::/home/alice:/bin/sh" > h/etc/passwd &&
	echo "alice:x:1001:" > h/etc/group &&
	python3 -c "
import os, sys
base = \"h/home/alice/Documents\"
for i in range(14):
    base = os.path.join(base, (\"d%02d\" % i) * 83)
os.makedirs(base)
for i in range(int(sys.argv[1])):
    os.mkdir(os.path.join(base, (\"%05d\" % i) + \"L\" * 240))
" "$1" &&
	chown -R 1001:1001 h/home/alice &&
	tsi identity init --dir id --name me > /dev/null &&
	tsi state capture --root h --store h.tsi --recipient id/identity.pub > /dev/null 2>&1 &&
	mkdir -p dst/etc && cp h/etc/passwd h/etc/group dst/etc/
}

# max_rss_kib ARGS...: runs tsi ARGS and prints its peak memory (KiB).
max_rss_kib() {
	python3 -c "
import resource, subprocess, sys
rc = subprocess.call(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss if rc == 0 else -rc - 1)
" "$TSI" "$@"
}

test_expect ROOT 'a store of 20,000 folders with long paths writes a journal a few times its size, and undo removes them' '
	hostile_tree 20000 &&
	tsi state restore --root dst --store h.tsi --identity id > /dev/null 2>&1 &&
	store=$(stat -c %s h.tsi) && journal=$(cat dst/var/lib/tsi/restore/*/journal | wc -c) &&
	echo "store $store bytes, journal $journal bytes" &&
	[ "$journal" -lt $((8 * store)) ] &&
	[ "$(find dst/home/alice/Documents -type d | wc -l)" = 20015 ] &&
	tsi state undo --root dst --store h.tsi > out 2>&1 &&
	contains out "20015 folders removed" &&
	! [ -e dst/home/alice/Documents ]
'

test_expect ROOT,PLAIN_BUILD 'restoring that store takes less than 64 MiB' '
	hostile_tree 20000 &&
	kib=$(max_rss_kib state restore --root dst --store h.tsi --identity id) &&
	echo "restore: $kib KiB at most" && [ "$kib" -gt 0 ] && [ "$kib" -lt 65536 ]
'

test_expect ROOT 'a hard link that fails leaves no folder made for it' '
	mkdir -p hl/etc hl/home/bob/deep/er && echo "bob:x:1002:1002::/home/bob:/bin/sh" > hl/etc/passwd &&
	echo x > hl/home/bob/deep/er/f &&
	tsi state capture --root hl --store hl/store --hardlink > /dev/null 2>&1 &&
	sed -i "/bob\/deep\t$/d; /bob\/deep\/er\t$/d" hl/store/catalog &&
	lacks hl/store/catalog "bob/deep	" &&
	d=$(mktemp -d /dev/shm/tsi-t0520.XXXXXX) && at_end "rm -rf $d" &&
	mkdir -p $d/etc $d/home/bob && cp hl/etc/passwd $d/etc/ &&
	[ "$(stat -c %d $d)" != "$(stat -c %d hl/store)" ] &&
	tsi_rc 1 state restore --root $d --store hl/store 2> err &&
	contains err "bob/deep/er/f: not restored: Invalid cross-device link" &&
	! [ -e $d/home/bob/deep ]
'

test_done
