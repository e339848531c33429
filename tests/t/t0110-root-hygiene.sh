#!/bin/sh
# Run as root, tsi reads code and configuration only from root's files in
# folders only root can change (lib/trusted.h); nothing runs otherwise.
. "$TSI_TOP/tests/lib/test-lib.sh"

test_expect ROOT 'a group- or world-writable sequence is refused as root' '
	printf "steps:\n  - { type: run_command, with: { command: \"touch ran\" } }\n" > seq.yaml &&
	chmod 666 seq.yaml &&
	tsi_rc 2 run seq.yaml --state-dir st --log-dir logs 2> err &&
	contains err "refusing '"'"'seq.yaml'"'"': it is writable by group or others, and tsi runs as root" &&
	test ! -e ran &&
	chmod 644 seq.yaml &&
	tsi_rc 0 run seq.yaml --state-dir st --log-dir logs > /dev/null &&
	test -e ran
'

test_expect ROOT 'a writable child sequence is refused too' '
	printf "steps:\n  - { type: run_sequence, with: { path: child.yaml } }\n" > seq.yaml &&
	printf "steps:\n  - { type: restart }\n" > child.yaml &&
	chmod 664 child.yaml &&
	tsi_rc 1 validate seq.yaml 2> err &&
	contains err "refusing '"'"'$PWD/child.yaml'"'"'"
'

RAN="steps:\n  - { type: run_command, with: { command: \"touch $PWD/ran\" } }\n"
NOBODY=$(id -u nobody)

test_expect ROOT 'a sequence owned by another user is refused, whatever its mode' '
	printf "steps:\n  - { type: run_command, with: { command: \"touch ran\" } }\n" > seq.yaml &&
	chown nobody seq.yaml && chmod 644 seq.yaml &&
	tsi_rc 2 run seq.yaml --state-dir st --log-dir logs 2> err &&
	contains err "refusing '"'"'seq.yaml'"'"': it is owned by uid $NOBODY, not by root, and tsi runs as root" &&
	test ! -e ran && test ! -e st/journal.jsonl
'

test_expect ROOT 'a root-owned sequence in a folder others can write is refused; a sticky one is fine' '
	mkdir open && chmod 777 open &&
	printf "steps:\n  - { type: run_command, with: { command: \"touch ran\" } }\n" > open/seq.yaml &&
	tsi_rc 2 run open/seq.yaml --state-dir st --log-dir logs 2> err &&
	contains err "refusing '"'"'open/seq.yaml'"'"': its folder '"'"'$PWD/open'"'"' is writable by others and not sticky, and tsi runs as root" &&
	test ! -e open/ran &&
	chmod 1777 open &&
	tsi_rc 0 run open/seq.yaml --state-dir st --log-dir logs > out &&
	test -e open/ran
'

test_expect ROOT 'a folder above, owned by another user, makes the file untrusted' '
	mkdir -p theirs/deep && chown nobody theirs &&
	printf "steps: [{ type: restart }]\n" > theirs/deep/seq.yaml &&
	tsi_rc 1 validate theirs/deep/seq.yaml 2> err &&
	contains err "its folder '"'"'$PWD/theirs'"'"' is owned by uid $NOBODY, not by root" &&
	chown root theirs && chgrp nogroup theirs && chmod 775 theirs &&
	tsi_rc 1 validate theirs/deep/seq.yaml 2> err &&
	contains err "its folder '"'"'$PWD/theirs'"'"' is writable by its group and not sticky" &&
	chgrp root theirs &&
	tsi_rc 0 validate theirs/deep/seq.yaml
'

test_expect ROOT 'a symbolic link is followed, and its target is what is checked' '
	printf "steps: [{ type: restart }]\n" > real.yaml && chown nobody real.yaml &&
	ln -s real.yaml link.yaml &&
	tsi_rc 1 validate link.yaml 2> err &&
	contains err "refusing '"'"'link.yaml'"'"': it is owned by uid $NOBODY"
'

test_expect ROOT 'an extension owned by another user is refused, and its tsi.exec never runs' '
	printf "capabilities = { \"exec\" }\ntsi.exec({\"touch\", \"%s/pwned\"})\ntsi.register_step{ name = \"x\", run = function() end }\n" "$PWD" > ext.lua &&
	chown nobody ext.lua &&
	printf "extensions: [ext.lua]\nsteps: [{ type: x }]\n" > seq.yaml &&
	tsi_rc 2 run seq.yaml --state-dir st --log-dir logs 2> err &&
	contains err "refusing extension '"'"'$PWD/ext.lua'"'"': it is owned by uid $NOBODY" &&
	test ! -e pwned
'

test_expect ROOT 'an extension folder others could add files to is refused, sticky or not' '
	mkdir steps && printf "tsi.register_step{ name = \"x\", run = function() end }\n" > steps/x.lua &&
	chmod 1777 steps &&
	TSI_EXTENSION_DIRS=$PWD/steps tsi_rc 2 steps > out 2> err &&
	contains err "refusing extension directory '"'"'$PWD/steps'"'"': it is writable by group or others" &&
	chmod 755 steps && TSI_EXTENSION_DIRS=$PWD/steps tsi_rc 0 steps > out &&
	contains out "x"
'

test_expect ROOT 'run_sequence children, vars files and Lua step files of another user are refused' '
	printf "steps:\n  - { type: run_sequence, with: { path: child.yaml } }\n" > seq.yaml &&
	printf "$RAN" > child.yaml && chown nobody child.yaml &&
	tsi_rc 2 run seq.yaml --state-dir st --log-dir logs 2> err &&
	contains err "refusing '"'"'$PWD/child.yaml'"'"': it is owned by uid $NOBODY" &&
	test ! -e ran &&
	printf "A: 1\n" > vars.yaml && chown nobody vars.yaml &&
	printf "$RAN" > s2.yaml &&
	tsi_rc 2 run s2.yaml --vars-file vars.yaml --state-dir st2 --log-dir logs 2> err &&
	contains err "refusing '"'"'vars.yaml'"'"': it is owned by uid $NOBODY" &&
	test ! -e ran &&
	printf "return 0\n" > step.lua && chown nobody step.lua &&
	printf "steps:\n  - { type: lua, with: { file: step.lua } }\n" > s3.yaml &&
	tsi_rc 1 validate s3.yaml 2> err &&
	contains err "refusing '"'"'step.lua'"'"': it is owned by uid $NOBODY"
'

test_expect ROOT 'a rule pack of another user is refused and nothing is captured' '
	mkdir -p src/etc src/home/alice && echo "alice:x:1001:1001::/home/alice:/bin/sh" > src/etc/passwd &&
	echo "alice:x:1001:" > src/etc/group && echo doc > src/home/alice/doc.txt &&
	tsi identity init --dir id --name dst > /dev/null &&
	printf "name: mine\ncomponents:\n  - name: all\n    include: [\"/home/*/**\"]\n" > mine.yaml &&
	chown nobody mine.yaml &&
	tsi_rc 2 state capture --root src --store s.tsi --recipient id/identity.pub --rules ./mine.yaml 2> err &&
	contains err "refusing '"'"'./mine.yaml'"'"': it is owned by uid $NOBODY" &&
	test ! -e s.tsi
'

test_expect ROOT 'smp.conf and the pinned certificate of another user are refused' '
	tsi smp init --dir srv --name smp.test > /dev/null &&
	chown nobody srv/smp.conf &&
	tsi_rc 2 smp serve --dir srv --listen 127.0.0.1:0 2> err &&
	contains err "refusing '"'"'srv/smp.conf'"'"': it is owned by uid $NOBODY" &&
	cp srv/smp-cert.pem cert.pem && chown nobody cert.pem &&
	tsi identity init --dir me --name me > /dev/null &&
	printf "steps:\n  - { type: request_state_store, with: { mode: capture } }\n" > req.yaml &&
	tsi_rc 1 run req.yaml --state-dir st --log-dir logs --var TSIStateMigrationPoints=https://127.0.0.1:1 \
	    --var TSISMPCACert=$PWD/cert.pem --var TSIIdentityDir=$PWD/me > out 2>&1 &&
	contains out "refusing TSISMPCACert '"'"'$PWD/cert.pem'"'"': it is owned by uid $NOBODY"
'

test_done
