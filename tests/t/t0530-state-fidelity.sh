#!/bin/sh
# t0530-state-fidelity.sh - migration fidelity: a tree of hard cases
# captured with a whole-home pack and restored, through both kinds of
# store, to a computer whose users have other uids; compared with
# independent tools (tests/lib/tree-diff.py: lstat, xattrs, the raw ACLs,
# file flags, the bytes).  The rule: every difference between source and
# destination is named by a finding, and no file's content ever differs.
#
#   TSI=$PWD/tsi TSI_TOP=$PWD sh tests/t/t0530-state-fidelity.sh

. "$TSI_TOP/tests/lib/test-lib.sh"

test_prereq ACL_TOOLS 'command -v setfacl && command -v setfattr' \
    'needs setfacl and setfattr (Debian packages acl and attr)'

tree_diff() {
	python3 "$TSI_TOP/tests/lib/tree-diff.py" "$@"
}

# mkroot DIR UID_BASE: users alice, bob, carol numbered from UID_BASE; the
# group proj; the source also has a group onlysrc the destination lacks.
mkroot() {
	mkdir -p "$1/etc" &&
	printf 'root:x:0:0:root:/root:/bin/sh\nalice:x:%d:%d:Alice:/home/alice:/bin/bash\nbob:x:%d:%d:Bob:/home/bob:/bin/sh\ncarol:x:%d:%d:Carol:/home/carol:/bin/sh\n' \
	    "$2" "$2" $(($2 + 1)) $(($2 + 1)) $(($2 + 2)) $(($2 + 2)) > "$1/etc/passwd" &&
	printf 'root:x:0:\nalice:x:%d:\nbob:x:%d:\ncarol:x:%d:\nproj:x:%d:alice\n' \
	    "$2" $(($2 + 1)) $(($2 + 2)) $(($2 + 500)) > "$1/etc/group" &&
	if [ "$2" = 1001 ]; then echo "onlysrc:x:1600:" >> "$1/etc/group"; fi
}

# hard_cases: src (uids from 1001) with every case; dst (uids from 2001).
# Ids are numeric: the names exist only in the roots, not on this host.
hard_cases() {
	mkroot src 1001 && mkroot dst 2001 &&
	H=src/home/alice && D=$H/Documents &&
	mkdir -p $D/empty/new/tree $D/acl $D/sgid $D/Cache src/home/bob &&
	echo "the report" > $D/a.txt &&
	setfacl -m u:1003:---,g:1501:rwx $D/a.txt &&
	setfattr -n user.origin -v "mail from bob" $D/a.txt &&
	setfattr -n trusted.tool -v 1 $D/a.txt &&
	setfacl -d -m u:1002:r-x $D/acl && setfattr -n user.color -v blue $D/acl &&
	ln -s a.txt $D/lnk &&
	echo r > $D/rootfile && echo u > $D/unnamed && echo g > $D/grp-missing &&
	cp /bin/true $D/tool &&
	echo "[[package]]" > $D/Cargo.lock && echo "# yarn" > $D/yarn.lock &&
	echo mine > $D/lock && echo kept > $D/Cache/notes && echo sock > $D/notes.sock &&
	echo "mine" > $D/pa && ln $D/pa $D/pb &&
	echo shared > $D/shared && ln $D/shared src/home/bob/from-alice &&
	mkfifo $D/pipe &&
	chown -R 1001:1001 $H && chown 1002:1002 src/home/bob &&
	chown 0:0 $D/rootfile $D/tool && chmod 4755 $D/tool &&
	chown 4242:4343 $D/unnamed && chown 1001:1600 $D/grp-missing &&
	chgrp 1501 $D/sgid && chmod 3775 $D/sgid && chmod 750 $H &&
	touch -d "2021-01-01 10:00:00.123456789" $D/a.txt &&
	touch -h -d "2019-05-05 05:05:05.5" $D/lnk &&
	touch -d "2018-01-01 01:01:01.987654321" $D/empty/new/tree $D/empty/new $D/empty &&
	if chattr +d $D/a.txt 2> /dev/null; then echo d > flags; else : > flags; fi &&
	printf "name: home\ncomponents:\n  - name: Home\n    include: [\"~/**\"]\n" > home.yaml &&
	tsi identity init --dir id --name dest > /dev/null
}

# expected: the differences tsi must leave, and name (and nothing else).
expected() {
	{
		printf "Documents/a.txt\txattr\nDocuments/grp-missing\tgroup\n" &&
		printf "Documents/pipe\tmissing\nDocuments/unnamed\towner\nDocuments/unnamed\tgroup\n" &&
		printf "Documents/rootfile\tgroup\nDocuments/tool\tgroup\n" &&
		if [ -s flags ]; then printf "Documents/a.txt\tflags\n"; fi &&
		if [ "$1" = archive ]; then printf "Documents/tool\tmode\n"; fi
	} | sort > expected
}

# every difference is a finding: its path is in the capture's or the
# restore's findings
all_said() {
	cut -f1 "$1" | sort -u | while read -r rel; do
		grep -F "finding:" cap.err res.err | grep -qF "alice/$rel" || {
			echo "no finding names ~alice/$rel" >&2
			exit 1
		}
	done
}

test_expect ROOT,ACL_TOOLS 'hard cases through an encrypted store to other uids: every difference is a finding, no content differs' '
	hard_cases &&
	{ tsi state capture --root src --store s.tsi --recipient id/identity.pub --rules ./home.yaml 2> cap.err; echo $? > rc; } &&
	[ "$(cat rc)" = 4 ] && contains cap.err "pipe: not captured: a FIFO" &&
	contains cap.err "a.txt: extended attribute trusted.tool not captured" &&
	{ tsi state restore --root dst --store s.tsi --identity id 2> res.err; echo $? > rc; } &&
	[ "$(cat rc)" = 4 ] &&
	tree_diff src dst alice > diff && tree_diff src dst bob > diff.bob &&
	lacks diff "	content" && ! [ -s diff.bob ] &&
	cut -f1,2 diff | sort > got && expected archive &&
	if ! cmp -s got expected; then diff -u expected got; false; fi &&
	all_said diff &&
	[ "$(stat -c %u:%g dst/home/alice/Documents/a.txt)" = 2001:2001 ] &&
	getfacl -n dst/home/alice/Documents/a.txt > acl && contains acl "user:2003:---" &&
	contains acl "group:2501:rwx" && contains res.err "rootfile: group '"'"'root'"'"' is a system group here" &&
	[ "$(stat -c %a dst/home/alice)" = 750 ] &&
	[ "$(stat -c %a:%u dst/home/alice/Documents/tool)" = 755:0 ] &&
	[ "$(stat -c %i dst/home/alice/Documents/pa)" = "$(stat -c %i dst/home/alice/Documents/pb)" ] &&
	[ "$(stat -c %i dst/home/alice/Documents/shared)" = "$(stat -c %i dst/home/bob/from-alice)" ] &&
	[ -d dst/home/alice/Documents/empty/new/tree ] && ! [ -e dst/home/bob/alice ]
'

test_expect ROOT,ACL_TOOLS 'a hard-linked pair whose first name is taken here: the other name links to the user'"'"'s file, never to theirs' '
	hard_cases &&
	tsi_rc 4 state capture --root src --store s.tsi --recipient id/identity.pub --rules ./home.yaml 2> /dev/null &&
	mkdir -p dst/home/alice/Documents && echo theirs > dst/home/alice/Documents/pa &&
	cp -a dst dst2 &&
	tsi_rc 4 state restore --root dst --store s.tsi --identity id 2> /dev/null &&
	[ "$(cat dst/home/alice/Documents/pa)" = theirs ] &&
	[ "$(cat dst/home/alice/Documents/pb)" = mine ] &&
	[ "$(stat -c %i "dst/home/alice/Documents/pa (1)")" = "$(stat -c %i dst/home/alice/Documents/pb)" ] &&
	tsi_rc 4 state restore --root dst2 --store s.tsi --identity id --overwrite skip 2> /dev/null &&
	[ "$(cat dst2/home/alice/Documents/pa)" = theirs ] &&
	[ "$(cat dst2/home/alice/Documents/pb)" = mine ] &&
	[ "$(stat -c %h dst2/home/alice/Documents/pb)" = 1 ] &&
	! ls -a dst2/home/alice/Documents | grep -q tsi-restore
'

test_expect ROOT,ACL_TOOLS 'a hard-link store restored after a reinstall that numbers users anew: folders and files keep owners, modes, ACLs, attributes and times' '
	hard_cases && cp -a src ref &&
	tsi_rc 4 state capture --root src --store src/hl --hardlink --rules ./home.yaml 2> cap.err &&
	rm -rf src/home/alice src/home/bob && mkroot src 3001 &&
	tsi_rc 4 state restore --root src --store src/hl 2> res.err &&
	tree_diff ref src alice > diff && tree_diff ref src bob > diff.bob &&
	lacks diff "	content" && ! [ -s diff.bob ] &&
	cut -f1,2 diff | grep -v "	flags" | grep -v "a.txt	xattr" | sort > got &&
	printf "Documents/grp-missing\tgroup\nDocuments/pipe\tmissing\nDocuments/unnamed\towner\nDocuments/unnamed\tgroup\n" > want &&
	printf "Documents/rootfile\tgroup\nDocuments/tool\tgroup\nDocuments/tool\tmode\n" >> want && sort -o want want &&
	if ! cmp -s got want; then diff -u want got; false; fi &&
	all_said got &&
	[ "$(stat -c %a:%u:%g src/home/alice/Documents)" = 755:3001:3001 ] &&
	getfacl -n src/home/alice/Documents/acl > acl && contains acl "default:user:3002:r-x" &&
	getfacl -n src/home/alice/Documents/a.txt > acl2 && contains acl2 "user:3003:---"
'

test_expect 'the always-on exclusions are narrow: a user'"'"'s lock files, a Cache folder and *.sock files travel; caches, trash and profile locks do not; the summary says what was left out' '
	mkdir -p src/etc && echo "me:x:$(id -u):$(id -g)::/home/me:/bin/sh" > src/etc/passwd &&
	echo "me:x:$(id -g):" > src/etc/group &&
	H=src/home/me && mkdir -p $H/code/app $H/Documents/Cache $H/.cache/thumbs $H/.local/share/Trash/files \
	    $H/.config/mozilla/firefox/p1.default-esr $H/snap/firefox/common/.mozilla/firefox/p2 &&
	echo x > $H/code/app/Cargo.lock && echo x > $H/code/app/yarn.lock && echo x > $H/code/app/lock &&
	echo x > $H/Documents/Cache/kept && echo x > $H/Documents/notes.sock &&
	head -c 300000 /dev/zero > $H/.cache/thumbs/big && echo x > $H/.local/share/Trash/files/old &&
	echo x > $H/.config/mozilla/firefox/p1.default-esr/places.sqlite &&
	echo x > $H/.config/mozilla/firefox/p1.default-esr/.parentlock &&
	ln -s 127.0.0.1:+1 $H/snap/firefox/common/.mozilla/firefox/p2/lock &&
	printf "name: home\ncomponents:\n  - name: Home\n    include: [\"~/**\"]\n" > home.yaml &&
	tsi identity init --dir id --name dest > /dev/null &&
	tsi state capture --root src --store s.tsi --recipient id/identity.pub --rules ./home.yaml --all 2> cap.err &&
	contains cap.err "left out by the rules: 4 files" &&
	contains cap.err "unconditional exclude '"'"'~/.cache/**'"'"' (pack '"'"'exclusions'"'"')" &&
	contains cap.err "largest folders left out: ~/.cache: 1 files, 293.0 KiB" &&
	tsi state list --store s.tsi --identity id 2> /dev/null > list &&
	contains list "me/code/app/Cargo.lock" && contains list "me/code/app/yarn.lock" &&
	contains list "me/code/app/lock" && contains list "me/Documents/Cache/kept" &&
	contains list "me/Documents/notes.sock" && contains list "places.sqlite" &&
	lacks list ".cache" && lacks list "Trash" && lacks list ".parentlock" && lacks list "p2/lock"
'

test_expect 'explain takes a path as seen on this host below --root, and as seen inside it' '
	mkdir -p sys/etc sys/home/alice/Documents &&
	echo "alice:x:1001:1001::/home/alice:/bin/sh" > sys/etc/passwd &&
	tsi state explain --root sys sys/home/alice/Documents/x.txt > a &&
	tsi state explain --root sys "$PWD/sys/home/alice/Documents/x.txt" > b &&
	tsi state explain --root sys /home/alice/Documents/x.txt > c &&
	contains a "(user '"'"'alice'"'"', ~/Documents/x.txt): captured" && cmp a b && cmp a c
'

# limits.py ROOT: under ~alice, a file whose path below the home is 4095
# bytes, one of 4096, a tree 1000 folders deep and one 1030 deep (made by
# walking with dir_fd: no whole path is ever handed to the kernel).
limits_tree() {
	mkdir -p src/etc src/home/alice &&
	echo "alice:x:$(id -u):$(id -g)::/home/alice:/bin/sh" > src/etc/passwd &&
	echo "alice:x:$(id -g):" > src/etc/group &&
	python3 - <<PY
import os
home = os.open("src/home/alice", os.O_RDONLY)
def tree(top, names, leaf):
    fd = os.dup(home)
    for n in names:
        try:
            os.mkdir(n, dir_fd=fd)
        except FileExistsError:
            pass
        nfd = os.open(n, os.O_RDONLY, dir_fd=fd)
        os.close(fd)
        fd = nfd
    with open(os.open(leaf, os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd), "w") as f:
        f.write("/".join(names) + "\n")
    os.close(fd)
seg = ["L%03d" % i + "x" * 251 for i in range(15)]       # 15 x 255 bytes
tree(0, seg, "f" * (4095 - 15 * 256))                     # 4095 bytes below the home
tree(0, ["M%03d" % i + "x" * 251 for i in range(15)] + ["y" * 200], "g" * 55)  # 4096
tree(0, ["deep"] + ["d"] * 999, "bottom")                  # 1000 folders
tree(0, ["deeper"] + ["d"] * 1029, "bottom")               # 1030 folders
PY
}

test_expect 'capture and restore agree on limits: 4095-byte paths and 1000 folders deep travel; beyond, a finding names the limit' '
	limits_tree && tsi identity init --dir id --name dest > /dev/null &&
	printf "name: home\ncomponents:\n  - name: Home\n    include: [\"~/**\"]\n" > home.yaml &&
	{ tsi state capture --root src --store s.tsi --recipient id/identity.pub --rules ./home.yaml --all 2> cap.err; echo $? > rc; } &&
	[ "$(cat rc)" = 4 ] &&
	contains cap.err "its path is longer than 4095 bytes below the home (tsi'"'"'s limit)" &&
	contains cap.err "deeper than 1024 folders below the home (tsi'"'"'s limit)" &&
	mkdir -p dst/etc && cp src/etc/passwd src/etc/group dst/etc/ &&
	tsi state restore --root dst --store s.tsi --identity id --all 2> res.err &&
	contains res.err "; 0 findings" &&
	python3 - <<PY
import os
def walk(root, names, leaf):
    fd = os.open(root, os.O_RDONLY)
    for n in names:
        nfd = os.open(n, os.O_RDONLY, dir_fd=fd)
        os.close(fd)
        fd = nfd
    with open(os.open(leaf, os.O_RDONLY, dir_fd=fd)) as f:
        data = f.read()
    os.close(fd)
    return data
seg = ["L%03d" % i + "x" * 251 for i in range(15)]
assert walk("dst/home/alice", seg, "f" * (4095 - 15 * 256)) == "/".join(seg) + "\n"
deep = ["deep"] + ["d"] * 999
assert walk("dst/home/alice", deep, "bottom") == "/".join(deep) + "\n"
assert os.path.isdir("dst/home/alice/deeper/" + "d/" * 1023)
assert not os.path.exists("dst/home/alice/deeper/" + "d/" * 1024)
PY
'

test_expect 'a destination dotfile that is the untouched /etc/skel copy gives way to the user'"'"'s (undo brings it back); one the new user changed is kept' '
	for r in src dst; do
		mkdir -p $r/etc $r/home/me &&
		echo "me:x:$(id -u):$(id -g)::/home/me:/bin/sh" > $r/etc/passwd &&
		echo "me:x:$(id -g):" > $r/etc/group || return 1
	done &&
	mkdir -p dst/etc/skel && echo "# skeleton bashrc" > dst/etc/skel/.bashrc &&
	echo "# skeleton profile" > dst/etc/skel/.profile &&
	cp dst/etc/skel/.bashrc dst/home/me/.bashrc && echo "# changed here" > dst/home/me/.profile &&
	echo "alias ll='"'"'ls -l'"'"'" > src/home/me/.bashrc && echo "# my profile" > src/home/me/.profile &&
	tsi identity init --dir id --name dest > /dev/null &&
	tsi state capture --root src --store s.tsi --recipient id/identity.pub --rules shell --all 2> /dev/null &&
	tsi state restore --root dst --store s.tsi --identity id --all 2> res.err &&
	contains res.err "home/me/.bashrc: replaced the distribution'"'"'s skeleton file" &&
	contains dst/home/me/.bashrc "alias ll" && lacks dst/home/me/.bashrc "skeleton" &&
	contains dst/home/me/.profile "changed here" && contains "dst/home/me/.profile (1)" "my profile" &&
	tsi state undo --root dst --store s.tsi 2> /dev/null &&
	contains dst/home/me/.bashrc "skeleton bashrc" && ! [ -e "dst/home/me/.profile (1)" ]
'

test_expect ROOT 'a restore killed after a hard-linked set'"'"'s first names goes on linking the others to the user'"'"'s file' '
	mkroot src 1001 && mkroot dst 2001 && D=src/home/alice/Documents && mkdir -p $D &&
	echo mine > $D/pa && ln $D/pa $D/pb && ln $D/pa $D/pc && chown -R 1001:1001 src/home/alice &&
	mkdir -p dst/home/alice/Documents && for n in pa pb pc; do echo theirs > dst/home/alice/Documents/$n; done &&
	tsi identity init --dir id --name dest > /dev/null &&
	printf "name: home\ncomponents:\n  - name: Home\n    include: [\"~/**\"]\n" > home.yaml &&
	tsi state capture --root src --store s.tsi --recipient id/identity.pub --rules ./home.yaml 2> /dev/null &&
	{ TSI_FAULT_KILL_RESTORE_AFTER=4 tsi_faults state restore --root dst --store s.tsi --identity id 2> /dev/null; echo $? > rc; } &&
	[ "$(cat rc)" = 137 ] && ls dst/home/alice/Documents > after-kill &&
	tsi state restore --root dst --store s.tsi --identity id 2> res.err &&
	contains res.err "going on with an earlier restore" && contains res.err "1 renamed" &&
	for n in pa pb pc; do
		[ "$(cat dst/home/alice/Documents/$n)" = theirs ] &&
		[ "$(stat -c %i "dst/home/alice/Documents/$n (1)")" = "$(stat -c %i "dst/home/alice/Documents/pa (1)")" ] || exit 1
	done &&
	grep -q "^P	" dst/var/lib/tsi/restore/*/journal
'

test_expect ROOT 'a hard-link store never goes through a symlink it holds: a catalog line below a captured symlink finds nothing' '
	mkroot src 1001 && mkdir -p src/home/alice outside && echo "root only" > outside/secret &&
	chmod 600 outside/secret && ln -s "$PWD/outside" src/home/alice/sub && chown -h 1001:1001 src/home/alice/sub &&
	chown 1001:1001 src/home/alice && echo x > src/home/alice/x && chown 1001:1001 src/home/alice/x &&
	printf "name: home\ncomponents:\n  - name: Home\n    include: [\"~/**\"]\n" > home.yaml &&
	tsi state capture --root src --store src/hl --hardlink --rules ./home.yaml 2> /dev/null &&
	line=$(grep "alice/x	" src/hl/catalog | sed "s|alice/x|alice/sub/secret|") &&
	{ grep -v "^end" src/hl/catalog && echo "$line" && grep "^end" src/hl/catalog; } > cat.new &&
	cat cat.new > src/hl/catalog && rm -rf src/home/alice && mkroot src 3001 &&
	tsi_rc 4 state restore --root src --store src/hl 2> res.err &&
	contains res.err "alice/sub/secret: missing from the hard-link store" &&
	[ -L src/home/alice/sub ] && [ "$(stat -c %u:%h outside/secret)" = 0:1 ]
'

test_expect 'a folder moved away during a deep capture loses nothing of its parent: the walk finds its way back by names' '
	mkdir -p src/etc && echo "me:x:$(id -u):$(id -g)::/home/me:/bin/sh" > src/etc/passwd &&
	echo "me:x:$(id -g):" > src/etc/group &&
	deep=src/home/me/$(printf "d/%.0s" $(seq 1 70)) && mkdir -p "$deep/child" &&
	echo f > "$deep/child/f" && for i in 1 2 3 4 5; do echo "$i" > "$deep/file$i" || exit 1; done &&
	printf "name: home\ncomponents:\n  - name: Home\n    include: [\"~/**\"]\n" > home.yaml &&
	tsi identity init --dir id --name dest > /dev/null &&
	{ TSI_FAULT_SLOW_FILE_MS=800 $TSI_WRAP "$TSI_FAULTS" state capture --root src --store s.tsi \
	    --recipient id/identity.pub --rules ./home.yaml --all --verbose > bg.out 2>&1 & } &&
	echo $! > pid && started $(cat pid) &&
	wait_until "grep -q \"child/f\$\" bg.out" 20 && mv "$deep/child" src/home/me/moved &&
	{ wait $(cat pid); echo $? > rc; } && [ "$(cat rc)" = 0 ] &&
	lacks bg.out "moved while the capture ran" &&
	tsi state list --store s.tsi --identity id > list 2> /dev/null &&
	for i in 1 2 3 4 5; do grep -q "d/file$i\$" list || exit 1; done
'

test_expect ACL_TOOLS 'a damaged metadata field in a hard-link catalog is a finding, and none of it is applied' '
	mkdir -p src/etc src/home/me/box && echo "me:x:$(id -u):$(id -g)::/home/me:/bin/sh" > src/etc/passwd &&
	echo "me:x:$(id -g):" > src/etc/group && setfattr -n user.k -v v src/home/me/box &&
	printf "name: home\ncomponents:\n  - name: Home\n    include: [\"~/**\"]\n" > home.yaml &&
	tsi state capture --root src --store src/hl --hardlink --rules ./home.yaml --all 2> /dev/null &&
	grep -q "xattr.user.k=76" src/hl/catalog &&
	sed -i "s/xattr.user.k=76/xattr.user.k=76\\\\nbogus=1/" src/hl/catalog &&
	rm -rf src/home/me/box &&
	tsi_rc 4 state restore --root src --store src/hl --all 2> res.err &&
	contains res.err "me/box: its ACLs and attributes in the catalog are damaged or of a later version" &&
	[ -d src/home/me/box ] && ! getfattr -n user.k src/home/me/box > /dev/null 2>&1
'

test_done
