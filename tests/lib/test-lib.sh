# test-lib.sh - helpers for scenario scripts in tests/t (POSIX sh).
#
#   . "$TSI_TOP/tests/lib/test-lib.sh"
#   test_expect 'what a user would notice' '
#       tsi run seq.yaml --state-dir st --log-dir logs &&
#       grep -q "succeeded" logs/tsi.log
#   '
#   test_done
#
# Each test runs in a subshell in a fresh scratch directory, its commands
# chained with && so that each one counts; a body whose chain is broken (a
# line without && whose failure would go unseen) fails before it runs, as
# git's test suite checks.  Its output is shown only when it fails.
#
#   test_expect ROOT 'needs root' '...'
#
# runs only where every prerequisite (comma-separated) holds, and is
# reported as a skip otherwise.  Prints TAP-ish "ok - NAME", "not ok - NAME"
# and "skip - NAME (why)" lines that run-all.sh counts.

set -u
: "${TSI_TOP:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${TSI:=$TSI_TOP/tsi}"
: "${TSI_FAULTS:=$TSI_TOP/build/tsi-faults}"
: "${TSI_WRAP:=}"
TEST_NAME=$(basename "$0" .sh)
TEST_ROOT=$(mktemp -d "${TMPDIR:-/tmp}/tsi-$TEST_NAME.XXXXXX")
test_count=0
test_failed=0
# Processes a test started in the background and did not end: their PIDs,
# with their start times, go to this file (tsi_bg and started do it); at
# the end of each test they are ended, and only they: a PID whose start
# time differs is another process now.
TEST_PIDS=$TEST_ROOT/pids
trap 'test_end_started; rm -rf "$TEST_ROOT"' EXIT

# start_time PID: the process's start time (field 22 of /proc/PID/stat).
start_time() {
	sed 's/.*) //' "/proc/$1/stat" 2> /dev/null | cut -d" " -f20
}

test_end_started() {
	[ -s "$TEST_PIDS" ] || return 0
	while read -r p t; do
		[ -n "$t" ] && [ "$(start_time "$p")" = "$t" ] && kill -9 "$p" 2> /dev/null
	done < "$TEST_PIDS"
	: > "$TEST_PIDS"
}

tsi() {
	# shellcheck disable=SC2086
	$TSI_WRAP "$TSI" "$@"
}

# tsi_faults ARGS...: the test build (lib/faults.h), for the tests that set
# a TSI_FAULT_* variable; the same code as tsi with fault points added.
tsi_faults() {
	# shellcheck disable=SC2086
	$TSI_WRAP "$TSI_FAULTS" "$@"
}

# tsi_bg ARGS...: starts tsi in the background (output in bg.out); its pid
# (the tsi process itself, not a subshell) goes to the file "pid".
tsi_bg() {
	# shellcheck disable=SC2086
	$TSI_WRAP "$TSI" "$@" > bg.out 2>&1 &
	echo $! > pid
	started $!
}

# started PID: a process the test started in the background, ended at
# the end of the script if the test did not end it.
started() {
	echo "$1 $(start_time "$1")" >> "$TEST_PIDS"
}

# at_end COMMAND: runs COMMAND in the test's folder once the test is over,
# passed or failed (an unmount, say).
at_end() {
	echo "$1" >> "$dir.atend"
}

# wait_for FILE: waits up to 10 s for FILE to exist and be non-empty.
wait_for() {
	i=0
	while ! [ -s "$1" ] && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	[ -s "$1" ]
}

# wait_until COMMAND [SECONDS]: runs the shell command COMMAND every 0.05 s
# until it succeeds; fails when it has not after SECONDS (default 10).
wait_until() {
	_wu_left=$(( ${2:-10} * 20 ))
	until eval "$1"; do
		[ "$_wu_left" -gt 0 ] || { echo "waited in vain for: $1" >&2; return 1; }
		sleep 0.05
		_wu_left=$((_wu_left - 1))
	done
}

# flip_byte FILE OFFSET: changes the byte at OFFSET, always (writing a
# fixed byte leaves it as it was once in 256 times).
flip_byte() {
	_fb=$(od -An -tu1 -j"$2" -N1 "$1" | tr -d " ")
	[ -n "$_fb" ] || { echo "flip_byte: $1 has no byte $2" >&2; return 1; }
	printf "$(printf "\\%03o" $(((_fb + 1) % 256)))" |
	    dd of="$1" bs=1 seek="$2" conv=notrunc 2> /dev/null
}

# alive PID: the process exists and is not a zombie.
alive() {
	st=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
	case "$st" in Z*) return 1 ;; esac
	return 0
}

# tsi_rc N ARGS...: runs tsi and fails unless it exits with N.
tsi_rc() {
	want=$1
	shift
	set +e
	tsi "$@"
	got=$?
	set -e
	if [ "$got" != "$want" ]; then
		echo "expected exit code $want from 'tsi $*', got $got" >&2
		return 1
	fi
}

# contains FILE TEXT: fixed-string grep with a helpful message.
contains() {
	if ! grep -qF -- "$2" "$1"; then
		echo "'$1' does not contain '$2'; it holds:" >&2
		head -n 60 "$1" | cut -c1-300 | sed 's/^/    /' >&2
		return 1
	fi
}

lacks() {
	if grep -qF -- "$2" "$1"; then
		echo "'$1' contains '$2' but should not:" >&2
		grep -nF -- "$2" "$1" | sed 's/^/    /' >&2
		return 1
	fi
}

# event_count FILE EVENT: number of events of that kind in events.jsonl.
event_count() {
	grep -c "\"event\":\"$2\"" "$1" || true
}

# Prerequisites: test_prereq NAME 'shell test' 'why a test is skipped'.
prereq_names=
test_prereq() {
	prereq_names="$prereq_names $1"
	eval "prereq_test_$1=\$2"
	eval "prereq_why_$1=\$3"
}
test_prereq ROOT '[ "$(id -u)" = 0 ]' 'needs root'
test_prereq NOT_ROOT '[ "$(id -u)" != 0 ]' 'needs a user other than root'
# memory measured as users will see it: not under ASan or valgrind
test_prereq PLAIN_BUILD '[ -z "$TSI_WRAP" ] && [ "${TSI##*/}" = tsi ]' 'memory is not measured under sanitizers or valgrind'

# test_have PREREQS: 0 when every one holds; else the first unmet one's
# reason goes to skip_why.
test_have() {
	old_ifs=$IFS
	IFS=,
	set -- $1
	IFS=$old_ifs
	for p; do
		case " $prereq_names " in
		*" $p "*) ;;
		*) echo "test-lib: unknown prerequisite '$p'" >&2; exit 1 ;;
		esac
		eval "t=\$prereq_test_$p"
		if ! (eval "$t") > /dev/null 2>&1; then
			eval "skip_why=\$prereq_why_$p"
			return 1
		fi
	done
}

test_expect() {
	if [ $# = 3 ]; then
		prereqs=$1
		shift
	else
		prereqs=
	fi
	test_count=$((test_count + 1))
	dir="$TEST_ROOT/$test_count"
	if [ -n "$prereqs" ] && ! test_have "$prereqs"; then
		echo "skip - $TEST_NAME: $1 ($skip_why)"
		return 0
	fi
	# TSI_ONLY=TEXT (for work on one test): the others are skips
	case "$1" in *"${TSI_ONLY:-}"*) ;; *)
		echo "skip - $TEST_NAME: $1 (TSI_ONLY)"
		return 0 ;;
	esac
	# the chain lint: with every command joined by && (or inside an
	# if, a loop, a { } group), "(exit 117) && BODY" runs nothing
	mkdir -p "$dir.lint"
	(cd "$dir.lint" && eval "(exit 117) && $2") > /dev/null 2>&1
	if [ $? != 117 ]; then
		test_failed=$((test_failed + 1))
		echo "not ok - $TEST_NAME: $1"
		echo "    # broken &&-chain: a command of this test is not joined by &&,"
		echo "    # so its failure would not fail the test"
		return 0
	fi
	mkdir -p "$dir"
	(cd "$dir" && eval "$2") > "$dir.out" 2>&1
	st=$?
	if [ -f "$dir.atend" ]; then
		(cd "$dir" && . "$dir.atend") > /dev/null 2>&1
	fi
	test_end_started
	if [ $st = 0 ]; then
		echo "ok - $TEST_NAME: $1"
	else
		test_failed=$((test_failed + 1))
		echo "not ok - $TEST_NAME: $1"
		sed 's/^/    # /' "$dir.out"
		[ $st -gt 128 ] && echo "    # (the test's shell was killed by signal $((st - 128)))"
		true
	fi
}

# The last line of a script: run-all.sh counts a script that never got
# here (it died, or exited early) as a failure.
test_done() {
	test_end_started
	echo "# $TEST_NAME: done"
	[ "$test_failed" = 0 ]
}
