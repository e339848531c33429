# test-lib.sh - helpers for scenario scripts in tests/t (POSIX sh).
#
#   . "$TSI_TOP/tests/lib/test-lib.sh"
#   test_expect 'what a user would notice' '
#       tsi run seq.yaml --state-dir st --log-dir logs &&
#       grep -q "succeeded" logs/tsi.log
#   '
#   test_done
#
# Each test runs in a subshell with `set -e`-like chaining (&&) in a fresh
# scratch directory; its output is shown only when it fails.  Prints TAP-ish
# "ok - NAME" / "not ok - NAME" lines that run-all.sh counts.

set -u
: "${TSI_TOP:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${TSI:=$TSI_TOP/tsi}"
: "${TSI_WRAP:=}"
TEST_NAME=$(basename "$0" .sh)
TEST_ROOT=$(mktemp -d "${TMPDIR:-/tmp}/tsi-$TEST_NAME.XXXXXX")
test_count=0
test_failed=0
trap 'rm -rf "$TEST_ROOT"' EXIT

tsi() {
	# shellcheck disable=SC2086
	$TSI_WRAP "$TSI" "$@"
}

# tsi_bg ARGS...: starts tsi in the background (output in bg.out); its pid
# (the tsi process itself, not a subshell) goes to the file "pid".
tsi_bg() {
	# shellcheck disable=SC2086
	$TSI_WRAP "$TSI" "$@" > bg.out 2>&1 &
	echo $! > pid
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

test_expect() {
	test_count=$((test_count + 1))
	dir="$TEST_ROOT/$test_count"
	mkdir -p "$dir"
	if (cd "$dir" && eval "$2") > "$dir.out" 2>&1; then
		echo "ok - $TEST_NAME: $1"
	else
		test_failed=$((test_failed + 1))
		echo "not ok - $TEST_NAME: $1"
		sed 's/^/    # /' "$dir.out"
	fi
}

test_done() {
	[ "$test_failed" = 0 ]
}
