#!/bin/sh
# t0510-state-steps.sh - capture_user_state and restore_user_state in real
# runs, driven by the ConfigMgr variables: the refresh of one computer
# (hard links) and the replace of an old one by a new one (encrypted, the
# recovery key can open it too).
#
#   TSI=$PWD/tsi TSI_TOP=$PWD sh tests/t/t0510-state-steps.sh

. "$TSI_TOP/tests/lib/test-lib.sh"

# mkroot ROOT: a system whose alice (uid 1001) owns her home (chown): the
# tests need root, as the user-state steps themselves do
mkroot() {
	mkdir -p "$1/etc" "$1/home/alice/Documents" &&
	printf 'root:x:0:0:root:/root:/bin/sh\nalice:x:1001:1001:Alice:/home/alice:/bin/bash\n' > "$1/etc/passwd" &&
	printf 'root:x:0:\nalice:x:1001:\n' > "$1/etc/group" &&
	chown -R 1001:1001 "$1/home/alice"
}

setup() {
	mkroot old && mkroot new &&
	echo "the report" > old/home/alice/Documents/report.txt &&
	echo "export EDITOR=vim" > old/home/alice/.profile &&
	tsi identity init --dir newid --name new > /dev/null &&
	tsi identity init --dir recovery --name recovery > /dev/null &&
	cat > capture.yaml <<-YAML
	name: Capture on the old computer
	steps:
	  - name: Capture User State
	    type: capture_user_state
	  - name: Say how
	    type: run_command
	    with: { argv: [sh, -c, "echo hardlinks=\$0 > how", "%_OSDMigrateUseHardlinks%"] }
	YAML
	cat > restore.yaml <<-YAML
	name: Restore on the new computer
	steps:
	  - name: Restore User State
	    type: restore_user_state
	YAML
}

# run ROOT FILE VARS...: a run with its own state and log dirs.
run() {
	r=$1 f=$2
	shift 2
	tsi run "$f" --root "$r" --state-dir "st-$f" --log-dir "log-$f" "$@"
}

test_expect ROOT 'replace: encrypted to the new computer and the recovery key; restored by the step' '
	setup &&
	run old capture.yaml --var OSDStateStorePath=$PWD/store --var TSIIdentityDir=$PWD/newid \
	    --var "TSIRecoveryKey=$(cat recovery/identity.pub)" > out 2>&1 &&
	[ -f store/state.tsistore ] && [ "$(cat how)" = "hardlinks=false" ] &&
	tsi state list --store store/state.tsistore --identity recovery > l 2> /dev/null &&
	contains l "alice/Documents/report.txt" &&
	run new restore.yaml --var OSDStateStorePath=$PWD/store --var TSIIdentityDir=$PWD/newid > out2 2>&1 &&
	cmp old/home/alice/Documents/report.txt new/home/alice/Documents/report.txt &&
	contains log-restore.yaml/tsi.log "restored from" &&
	contains log-restore.yaml/report.json "\"result\": \"succeeded\""
'

test_expect ROOT 'refresh: a hard-link store on the same disk sets _OSDMigrateUseHardlinks' '
	setup &&
	run old capture.yaml --var OSDStateStorePath=$PWD/old/state \
	    --var "OSDMigrateAdditionalCaptureOptions=/hardlink /nocompress" > out 2>&1 &&
	[ -d old/state/state.hardlink/data ] && [ "$(cat how)" = "hardlinks=true" ] &&
	[ "$(stat -c %i old/state/state.hardlink/data/alice/Documents/report.txt)" = \
	  "$(stat -c %i old/home/alice/Documents/report.txt)" ]
'

test_expect ROOT 'the step without an identity fails clearly; nothing is left behind' '
	setup &&
	tsi_rc 1 run capture.yaml --root old --state-dir st --log-dir lg --var OSDStateStorePath=$PWD/store \
	    --var TSIIdentityDir=$PWD/none > out 2>&1 &&
	contains lg/tsi.log "tsi identity init makes one" && ! [ -e store/state.tsistore ]
'

test_expect ROOT 'OSDMigrateContinueOnRestore=false: a finding fails the step' '
	setup &&
	run old capture.yaml --var OSDStateStorePath=$PWD/store --var TSIIdentityDir=$PWD/newid > out 2>&1 &&
	printf "root:x:0:0:root:/root:/bin/sh\n" > new/etc/passwd &&
	tsi_rc 1 run restore.yaml --root new --state-dir s1 --log-dir log-restore.yaml --var OSDStateStorePath=$PWD/store --var TSIIdentityDir=$PWD/newid \
	    --var OSDMigrateContinueOnRestore=false > out2 2>&1 &&
	contains log-restore.yaml/tsi.log "finding: user '"'"'alice'"'"' does not exist" &&
	tsi run restore.yaml --root new --var OSDStateStorePath=$PWD/store \
	    --var TSIIdentityDir=$PWD/newid --state-dir st2 --log-dir lg2 > out3 2>&1 &&
	contains out3 "1 findings"
'

test_expect ROOT 'OSDMigrateLocalAccounts creates the user; the password reaches no log or report' '
	setup &&
	run old capture.yaml --var OSDStateStorePath=$PWD/store --var TSIIdentityDir=$PWD/newid > out 2>&1 &&
	printf "root:x:0:0:root:/root:/bin/sh\n" > new/etc/passwd && rm -rf new/home/alice &&
	touch new/etc/shadow new/etc/gshadow && chmod 600 new/etc/shadow new/etc/gshadow &&
	run new restore.yaml --var OSDStateStorePath=$PWD/store --var TSIIdentityDir=$PWD/newid \
	    --var OSDMigrateLocalAccounts=true --var OSDMigrateLocalAccountPassword=Sup3rSecret \
	    --var "OSDMigrateAdditionalRestoreOptions=/lac:0therSecret /lae" > out2 2>&1 &&
	grep -q "^alice:" new/etc/passwd && [ -e new/home/alice/Documents/report.txt ] &&
	grep -qF "alice:\$y\$" new/etc/shadow && grep -q "^alice:x:" new/etc/group &&
	! grep -rq -e Sup3rSecret -e 0therSecret out2 log-restore.yaml st-restore.yaml
'

test_done
