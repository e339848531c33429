#!/bin/sh
# run-all.sh - every test: C unit tests, data-file cases, scenario scripts.
# Ends with the line "N passed, N failed, N skipped" whose start CI reads;
# a test that cannot run here (not root, say) is a skip, never a pass.
set -u
umask 022
TSI_TOP=$(cd "$(dirname "$0")/../.." && pwd)
: "${TSI:=$TSI_TOP/tsi}"
: "${UNIT:=$TSI_TOP/build/unit-tests}"
: "${TSI_FAULTS:=$TSI_TOP/build/tsi-faults}"
: "${TSI_BUILD:=$TSI_TOP/build}"
: "${TSI_WRAP:=}"
TSI_EXTENSION_DIRS=
export TSI_TOP TSI TSI_FAULTS TSI_BUILD TSI_WRAP TSI_EXTENSION_DIRS
out=$(mktemp "${TMPDIR:-/tmp}/tsi-test.XXXXXX")
trap 'rm -f "$out" "$out.script"' EXIT

{
	# a unit binary that dies part-way must not pass for the tests it
	# never reached
	$TSI_WRAP "$UNIT" || echo "not ok - unit tests: $UNIT exited with status $?"
	# a script that dies part-way (or exits early) must not pass for
	# the tests it never reached: each ends with "# NAME: done"
	for t in "$TSI_TOP/tests/lib/run-cases.sh" \
	    ${TSI_SCRIPTS:-"$TSI_TOP"/tests/t/t*.sh}; do
		name=$(basename "$t" .sh)
		sh "$t" 2>&1 | tee "$out.script"
		grep -qx "# $name: done" "$out.script" ||
		    echo "not ok - $name: the script ended before its end"
	done
} 2>&1 | tee "$out" | grep -v -e '^ok - ' -e '^# t[0-9]*[a-z-]*: done$' -e '^# run-cases: done$'

passed=$(grep -c '^ok - ' "$out")
failed=$(grep -c '^not ok - ' "$out")
skipped=$(grep -c '^skip - ' "$out")
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ] && [ "$passed" -gt 0 ]
