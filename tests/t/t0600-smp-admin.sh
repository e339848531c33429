#!/bin/sh
# t0600-smp-admin.sh - the State Migration Point's directory and its admin
# commands: what init makes (modes, a certificate clients can pin, the
# recovery key), registering computers, associations, and the refusals.
#
#   TSI=$PWD/tsi TSI_TOP=$PWD sh tests/t/t0600-smp-admin.sh

. "$TSI_TOP/tests/lib/test-lib.sh"

test_expect 'init makes a private directory with a pinnable certificate and a recovery key' '
	tsi smp init --dir srv --name smp.example > out &&
	contains out "move it offline" &&
	[ "$(stat -c %a srv)" = 700 ] && [ "$(stat -c %a srv/smp-key.pem)" = 600 ] &&
	[ "$(stat -c %a srv/recovery.key)" = 600 ] && [ "$(stat -c %a srv/smp.db)" = 600 ] &&
	contains srv/smp-cert.pem "BEGIN CERTIFICATE" && contains srv/smp.conf "restore_only: false" &&
	contains srv/recovery.pub "tsi-identity-v1 site-recovery x25519:" &&
	python3 -c "import ssl, sys; d = ssl._ssl._test_decode_cert(sys.argv[1]); \
assert dict(x[0] for x in d[\"subject\"])[\"commonName\"] == \"smp.example\"" srv/smp-cert.pem
'

test_expect 'init never replaces a directory that holds anything' '
	tsi smp init --dir srv > /dev/null && cp srv/smp-cert.pem before.pem &&
	tsi_rc 1 smp init --dir srv 2> err && contains err "never replaced" &&
	cmp before.pem srv/smp-cert.pem
'

test_prereq NOBODY 'id nobody && command -v setpriv && chmod 711 "$TEST_ROOT" &&
    setpriv --reuid=nobody --regid=nogroup --clear-groups test -x "$TEST_ROOT"' \
    'needs the user nobody, setpriv, and a scratch folder nobody can reach'

# as the tsi-smp package does: /var/lib/tsi-smp made for _tsi-smp, who
# cannot write in /var/lib
test_expect ROOT,NOBODY 'init fills an empty folder made beforehand for the server'"'"'s user, in a folder it cannot write' '
	mkdir lib && mkdir lib/smp && chown nobody lib/smp && chmod 755 lib &&
	mkdir bin && cp "$TSI" bin/tsi && chmod 755 bin bin/tsi &&
	setpriv --reuid=nobody --regid=nogroup --clear-groups "$PWD/bin/tsi" smp init --dir "$PWD/lib/smp" --name smp.example > out &&
	contains out "made the SMP directory" &&
	[ "$(stat -c "%U %a" lib/smp/smp.conf)" = "nobody 600" ] &&
	[ "$(stat -c "%U %a" lib/smp)" = "nobody 700" ] &&
	touch lib/smp/smp.conf.old &&
	! setpriv --reuid=nobody --regid=nogroup --clear-groups "$PWD/bin/tsi" smp init --dir "$PWD/lib/smp" 2> err &&
	contains err "never replaced"
'

test_expect 'the recovery key opens a store encrypted to recovery.pub' '
	tsi smp init --dir srv > /dev/null &&
	mkdir -p r/etc r/home/alice/Documents && echo "alice:x:1001:1001::/home/alice:/bin/sh" > r/etc/passwd &&
	echo report > r/home/alice/Documents/a.txt &&
	tsi state capture --root r --store s.tsi --recipient srv/recovery.pub 2> /dev/null &&
	mkdir rk && chmod 700 rk && cp srv/recovery.key rk/identity.key && cp srv/recovery.pub rk/identity.pub &&
	tsi state list --store s.tsi --identity rk 2> /dev/null > l && contains l "alice/Documents/a.txt"
'

test_expect 'computers are registered by public key; duplicates are refused' '
	tsi smp init --dir srv > /dev/null &&
	tsi identity init --dir old --name old-pc > /dev/null && tsi identity init --dir new --name new-pc > /dev/null &&
	tsi smp computer add --dir srv --name old-pc --key old/identity.pub > out && contains out "added computer" &&
	tsi smp computer add --dir srv --name new-pc --key "$(cat new/identity.pub)" > /dev/null &&
	tsi_rc 1 smp computer add --dir srv --name old-pc --key new/identity.pub 2> e1 &&
	contains e1 "registered already" &&
	tsi_rc 1 smp computer add --dir srv --name other --key old/identity.pub 2> e2 &&
	contains e2 "registered already under another name" &&
	tsi_rc 1 smp computer add --dir srv --name bad --key "not a key" 2> e3 &&
	tsi smp computer list --dir srv > list && contains list "old-pc" && contains list "new-pc" &&
	lacks list "other"
'

test_expect 'associations: the three behaviours, users that fit them, registered computers only' '
	tsi smp init --dir srv > /dev/null &&
	tsi identity init --dir old --name old-pc > /dev/null && tsi identity init --dir new --name new-pc > /dev/null &&
	tsi smp computer add --dir srv --name old-pc --key old/identity.pub > /dev/null &&
	tsi smp computer add --dir srv --name new-pc --key new/identity.pub > /dev/null &&
	tsi smp associate --dir srv --source old-pc --dest new-pc > out && contains out "users all, capture-restore-all" &&
	tsi_rc 1 smp associate --dir srv --source old-pc --dest new-pc 2> e1 && contains e1 "associated with" &&
	tsi_rc 1 smp associate --dir srv --source new-pc --dest third 2> e2 && contains e2 "registered computers" &&
	tsi_rc 1 smp associate --dir srv --source new-pc --dest old-pc --behavior capture-restore-specified 2> e3 &&
	contains e3 "does not fit" &&
	tsi smp associate --dir srv --source new-pc --dest old-pc --users alice,bob \
	    --behavior capture-restore-specified > /dev/null &&
	tsi smp associate --dir srv --source old-pc --dest old-pc > e4 && contains e4 "(in place: a refresh)" &&
	tsi smp list --dir srv > list && contains list "alice,bob" && contains list "no store"
'

test_expect 'recovery explains a by-hand restore; delete removes the association and its stores' '
	tsi smp init --dir srv > /dev/null &&
	tsi identity init --dir old --name old-pc > /dev/null && tsi identity init --dir new --name new-pc > /dev/null &&
	tsi smp computer add --dir srv --name old-pc --key old/identity.pub > /dev/null &&
	tsi smp computer add --dir srv --name new-pc --key new/identity.pub > /dev/null &&
	tsi smp associate --dir srv --source old-pc --dest new-pc > /dev/null &&
	tsi smp recovery old-pc:new-pc --dir srv > r0 && contains r0 "has no store yet" &&
	echo data > srv/stores/abc123.tsistore &&
	python3 -c "import sqlite3, sys; d = sqlite3.connect(sys.argv[1]); d.execute(\"INSERT INTO stores (id, association, folder, state, size, created) VALUES (\x27abc123\x27, 1, \x27stores\x27, \x27complete\x27, 5, 0)\"); d.commit()" srv/smp.db &&
	tsi smp list --dir srv > l && contains l "complete" &&
	tsi smp recovery 1 --dir srv > r1 && contains r1 "tsi state restore --root / --store srv/stores/abc123.tsistore --identity KEYS" &&
	python3 -c "import sqlite3, sys; d = sqlite3.connect(sys.argv[1]); d.execute(\"INSERT INTO stores (id, association, folder, state, size, created) VALUES (\x27def456\x27, 1, \x27/srv/big-disk\x27, \x27complete\x27, 5, 0)\"); d.commit()" srv/smp.db &&
	tsi smp recovery 1 --dir srv > r2 && contains r2 "tsi state verify --store /srv/big-disk/def456.tsistore --identity KEYS" &&
	tsi_rc 1 smp delete 9 --dir srv 2> e && contains e "no association" &&
	tsi smp delete old-pc:new-pc --dir srv > d && contains d "deleted association 1 and 1 store" &&
	! [ -e srv/stores/abc123.tsistore ] && tsi smp list --dir srv > l2 && lacks l2 "old-pc"
'

test_expect 'admin commands on a directory that is not an SMP say so' '
	mkdir empty &&
	tsi_rc 1 smp computer list --dir empty 2> err && contains err "not an SMP directory" &&
	tsi_rc 2 smp list 2> err2 && contains err2 "needs --dir"
'

test_done
