#!/bin/sh
# t0700-import.sh - tsi import: real ConfigMgr and MDT task sequences (read
# from ../shared/reference/ts-xml, never copied into the project) and cases
# of our own for every construct: each converted sequence validates with no
# error and runs with ConfigMgr's semantics.
#
#   TSI=$PWD/tsi TSI_TOP=$PWD sh tests/t/t0700-import.sh

. "$TSI_TOP/tests/lib/test-lib.sh"

: "${TSI_TS_XML:=$(cd "$TSI_TOP/.." 2>/dev/null && pwd)/shared/reference/ts-xml}"
test_prereq TS_XML '[ -f "$TSI_TS_XML/SOURCES.md" ]' \
    "the real task sequences are not in $TSI_TS_XML (set TSI_TS_XML)"

# imports FILE [ARGS]: imported.yaml (or -o OUT in ARGS), the report in
# import.err; exit code 0 or 4.
imports() {
	f=$1
	shift
	set +e
	tsi import "$f" -o imported.yaml "$@" 2>import.err
	rc=$?
	set -e
	case $rc in 0|4) ;; *)
		echo "tsi import $f exited $rc:" >&2
		sed 's/^/    /' import.err >&2
		return 1 ;;
	esac
	contains import.err "wrote "
}

# dry_runs FILE: a dry run to its end (exit 0, or 1: the sequence would fail).
dry_runs() {
	set +e
	tsi run --dry-run "$1" > dry.out 2>&1
	rc=$?
	set -e
	case $rc in 0|1) ;; *)
		echo "tsi run --dry-run $1 exited $rc:" >&2
		sed 's/^/    /' dry.out >&2
		return 1 ;;
	esac
	contains dry.out "dry run of" &&
	contains dry.out "nothing was changed"
}

# validates FILE: tsi validate says 0 errors.
validates() {
	tsi_rc 0 validate "$1" 2>validate.err &&
	contains validate.err "tsi: 0 errors"
}

# counted KIND EXACT APPROX NONE: the report's line for groups:, steps:...
counted() {
	contains import.err "$(printf '%-10s %s exact, %s approximate, %s not convertible' \
	    "$1:" "$2" "$3" "$4")"
}

# total KIND N: the report's KIND line adds up to N.
total() {
	line=$(grep "^$1: " import.err) &&
	n=$(printf '%s\n' "$line" | awk '{ print $2 + $4 + $6 }') &&
	if [ "$n" != "$2" ]; then
		echo "'$1' adds up to $n, not $2: $line" >&2
		return 1
	fi
}

# --- the real files: each imported, validated, dry-run --------------------

# file groups steps (SOURCES.md; the catalog's Run Task Sequence is a
# <subtasksequence>, counted with the steps)
for spec in "cm-all-step-types-catalog 8 51" "cm-splash-screen-module 4 9" \
    "cm-build-and-capture 2 13" "cm-gather-light 1 5" \
    "cm-mdt-client-replace 4 23" "mdt-client-custom-usmt 18 60" \
    "mdt-client-custom-nested 11 42" "mdt-client-replace 6 13"; do
	set -- $spec
	test_expect TS_XML "$1: imported with all its $2 groups and $3 steps, validated, dry-run" "
		imports \"\$TSI_TS_XML/$1.xml\" &&
		total groups $2 &&
		total steps $3 &&
		validates imported.yaml &&
		dry_runs imported.yaml &&
		imports \"\$TSI_TS_XML/$1.xml\" --disable-unported -o off.yaml &&
		validates off.yaml &&
		dry_runs off.yaml &&
		lacks dry.out 'would fail: not ported' &&
		lacks dry.out 'its condition cannot be evaluated'
	"
done

test_expect TS_XML 'the ConfigMgr client replace: its user-state steps, conditions and failure settings' '
	imports "$TSI_TS_XML/cm-mdt-client-replace.xml" &&
	contains import.err "read as a ConfigMgr task sequence (an SmsTaskSequencePackage export)" &&
	counted groups 4 0 0 &&
	counted variables 2 0 0 &&
	contains imported.yaml "name: Client Replace Task Sequence" &&
	contains imported.yaml "OSDStateSMPRetryCount: '"'"'3'"'"'" &&
	contains imported.yaml "type: request_state_store" &&
	contains imported.yaml "with: { mode: capture, retry_delay: 10 }" &&
	contains imported.yaml "condition: { variable: OSDStateStorePath, exists: false }" &&
	contains imported.yaml "type: capture_user_state" &&
	contains imported.yaml "type: release_state_store" &&
	grep -A2 "condition:" imported.yaml | grep -A1 "none:" | grep -q -- "- { folder_exists: '"'"'%ScriptRoot%'"'"' }" &&
	grep -A2 "name: Release State Store" imported.yaml | grep -q "continue_on_error: true" &&
	contains import.err "cm-mdt-client-replace.xml:148:162: exact: step '"'"'Release State Store'"'"'" &&
	contains import.err "cm-mdt-client-replace.xml:43:139: approximate: step '"'"'Request State Store'"'"': SMPRetryTime=10" &&
	contains import.err "not convertible: step '"'"'Gather'"'"': MDT'"'"'s Gather fills variables"
'

test_expect TS_XML 'MDT ts.xml: ZTIUserState.wsf /capture and /restore become the user-state steps' '
	imports "$TSI_TS_XML/mdt-client-custom-usmt.xml" &&
	contains import.err "read as an MDT task sequence" &&
	test "$(grep -c "type: capture_user_state" imported.yaml)" = 2 &&
	test "$(grep -c "type: restore_user_state" imported.yaml)" = 1 &&
	contains import.err "MDT'"'"'s ZTIUserState.wsf takes its USMT settings" &&
	grep -B1 -A3 "name: Capture User State" imported.yaml | grep -q "USMTOfflineMigration, not_equals: '"'"'TRUE'"'"'" &&
	lacks imported.yaml "ZTIUserState.wsf\" /capture" &&
	validates imported.yaml
'

test_expect TS_XML 'the all-step-types catalog: a restore inside a capture request is unported with the validator'"'"'s reason' '
	imports "$TSI_TS_XML/cm-all-step-types-catalog.xml" &&
	contains import.err "not convertible: step '"'"'Restore User State'"'"': tsi validate refuses it here: restore_user_state would restore from OSDStateStorePath" &&
	contains imported.yaml "name: cm-all-step-types-catalog" &&
	contains imported.yaml "original_type: SMS_TaskSequence_SubTasksequence" &&
	contains imported.yaml "Run Task Sequence: import the child task sequence" &&
	contains imported.yaml "SafeModeAdminPassword: '"'"'(a password: not copied)'"'"'" &&
	contains imported.yaml "RandomAdminPassword: '"'"'true'"'"'" &&
	validates imported.yaml
'

test_expect TS_XML 'a WMI condition on a group fails the group when run, with the query in the message' '
	imports "$TSI_TS_XML/cm-splash-screen-module.xml" &&
	contains import.err "not convertible: condition '"'"'WMIConditionExpression" &&
	contains imported.yaml "type: SMS_TaskSequence_WMIConditionExpression" &&
	tsi_rc 1 run imported.yaml --state-dir st --log-dir logs > run.out 2>&1 &&
	contains run.out "its condition cannot be evaluated: condition not ported: SMS_TaskSequence_WMIConditionExpression" &&
	contains run.out "from win32_process where caption"
'

test_done
