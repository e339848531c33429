#!/bin/sh
# run-all.sh - every test: C unit tests, data-file cases, scenario scripts.
# Ends with the line "N passed, N failed" that CI reads.
set -u
umask 022
TSI_TOP=$(cd "$(dirname "$0")/../.." && pwd)
: "${TSI:=$TSI_TOP/tsi}"
: "${UNIT:=$TSI_TOP/build/unit-tests}"
: "${TSI_WRAP:=}"
TSI_EXTENSION_DIRS=
export TSI_TOP TSI TSI_WRAP TSI_EXTENSION_DIRS
out=$(mktemp "${TMPDIR:-/tmp}/tsi-test.XXXXXX")
trap 'rm -f "$out"' EXIT

{
	# a unit binary that dies part-way must not pass for the tests it
	# never reached
	$TSI_WRAP "$UNIT" || echo "not ok - unit tests: $UNIT exited with status $?"
	sh "$TSI_TOP/tests/lib/run-cases.sh"
	for t in "$TSI_TOP"/tests/t/t*.sh; do
		sh "$t" || true
	done
} 2>&1 | tee "$out" | grep -v '^ok - '

passed=$(grep -c '^ok - ' "$out")
failed=$(grep -c '^not ok - ' "$out")
echo "$passed passed, $failed failed"
[ "$failed" = 0 ] && [ "$passed" -gt 0 ]
