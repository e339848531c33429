#!/bin/sh
# The project checks itself: schema drift, help, examples, docs per step.
. "$TSI_TOP/tests/lib/test-lib.sh"

test_prereq OBJECTS '[ -f "${TSI_BUILD:-/nonexistent}/interp/engine.o" ] && command -v nm && command -v python3' \
    'needs the object files of the build (make test names them) and nm'

test_expect OBJECTS 'the layout keeps its floors: no import up or sideways, no circle of files, small files, SQL in smp/db*.c' '
	if ! python3 "$TSI_TOP/tests/lib/layout.py" "$TSI_TOP" "$TSI_BUILD" > out 2>&1; then
		cat out; false
	fi &&
	contains out "no problem"
'

test_expect 'the layout check can fail: a file of lib/ that calls into interp/ is caught' '
	mkdir -p top/lib top/interp b/lib b/interp &&
	printf "int low(void);\nint low(void) { return 0; }\n" > top/lib/low.c &&
	printf "int high(void);\nint high(void) { return 0; }\n" > top/interp/high.c &&
	printf "int high(void);\nint up(void);\nint up(void) { return high(); }\n" > top/lib/up.c &&
	for f in lib/low lib/up interp/high; do
		cc -c -o b/$f.o top/$f.c || exit 1
	done &&
	! python3 "$TSI_TOP/tests/lib/layout.py" top b > out 2>&1 &&
	contains out "lib/up.c: calls high() of interp/high.c: lib/ may not import interp/"
'

test_expect 'the SMP reads a request head in one place and parses it once' '
	cd "$TSI_TOP/smp" &&
	test "$(grep -l lookup_connection_value ./*.c)" = ./server.c &&
	test "$(grep -c "header(c, \"" server.c)" = 7 &&
	grep -l "smp_parse_head(" ./*.c > users &&
	test "$(cat users | tr "\n" " ")" = "./request.c ./server.c " &&
	test "$(grep -c "smp_parse_head(" server.c)" = 1
'

test_expect 'schemas/sequence.schema.json is what tsi schema prints' '
	tsi schema > now.json &&
	if ! cmp -s now.json "$TSI_TOP/schemas/sequence.schema.json"; then
		echo "schema drifted; run make schemas" >&2
		diff -u "$TSI_TOP/schemas/sequence.schema.json" now.json >&2
		false
	fi
'

test_expect 'tsi holds no fault injection, not even its names; the test build does' '
	! grep -a -e TSI_FAULT -e TSI_TEST "$TSI" > found &&
	test ! -s found &&
	grep -a -c TSI_FAULT_KILL_RESTORE_AFTER "$TSI_FAULTS" > n &&
	test "$(cat n)" -ge 1 &&
	! grep -rn -e "getenv(\"TSI_TEST" -e "getenv(\"TSI_FAULT" "$TSI_TOP"/lib "$TSI_TOP"/interp \
	    "$TSI_TOP"/store "$TSI_TOP"/migrate "$TSI_TOP"/smp "$TSI_TOP"/steps "$TSI_TOP"/cli
'

test_expect 'every command answers --help with its usage and exit 0' '
	for c in run resume discard validate steps schema state identity smp; do
		tsi "$c" --help > out && contains out "usage: tsi $c" || exit 1
	done &&
	tsi --help > out && contains out "commands:" &&
	tsi --version > out && contains out "tsi 0."
'

test_expect 'every step type has help for each parameter, a case file and a section in docs/sequences.md' '
	tsi steps --json > steps.json &&
	for t in $(sed -n "s/^    \"name\": \"\\([a-z_]*\\)\",$/\\1/p" steps.json); do
		grep -lq "type: $t" "$TSI_TOP"/tests/cases/*.t || { echo "no case uses $t" >&2; exit 1; }
		grep -q "^### \`$t\`" "$TSI_TOP/docs/sequences.md" ||
		    { echo "docs/sequences.md has no section on $t" >&2; exit 1; }
	done &&
	! grep -q "\"help\": \"\"" steps.json
'

test_expect 'every bundled sequence validates without errors' '
	for f in "$TSI_TOP"/sequences/*.yaml; do
		tsi validate "$f" 2> err || { cat err >&2; exit 1; }
	done
'

test_expect 'every shipped rule pack validates, and the default packs all exist' '
	if ! tsi validate "$TSI_TOP"/rules/*.yaml 2> err; then cat err >&2; false; fi &&
	for p in exclusions documents shell desktop browsers editors mail; do
		test -f "$TSI_TOP/rules/$p.yaml" || { echo "no rules/$p.yaml" >&2; exit 1; }
		grep -q "^name: $p\$" "$TSI_TOP/rules/$p.yaml" || exit 1
	done
'

test_expect 'steps lists the built-in step types' '
	tsi steps > out &&
	for t in run_command set_variable restart run_sequence; do
		contains out "$t" || exit 1
	done
'

test_expect 'steps shows the variable each parameter falls back to, the node keys and the typed variables' '
	tsi steps > out &&
	grep "^    store_path " out > sp && test "$(grep -c "(variable: OSDStateStorePath)" sp)" = 3 &&
	grep "^    continue_on_restore " out > cr &&
	contains cr "(variable: OSDMigrateContinueOnRestore) (default: true)" &&
	contains out "every node (groups and steps)" &&
	grep "^    timeout " out > to && contains to "(1 to 2592000)" &&
	contains out "variables with a type" &&
	grep "^    OSDDoNotLogCommand " out > dn && contains dn "boolean" &&
	tsi steps --json > s.json && contains s.json "\"variable\": \"OSDMigrateAdditionalCaptureOptions\""
'

test_done
