#!/bin/sh
# The test harness itself: every line of a case's check counts, a broken
# &&-chain fails a test, a test that cannot run is a skip (never a pass),
# and a script that dies part-way is a failure.
. "$TSI_TOP/tests/lib/test-lib.sh"

# probe_case NAME: writes cases/NAME.t from standard input.
probe_case() {
	mkdir -p cases && cat > "cases/$1.t"
}

run_probe_cases() {
	TSI_CASES=$PWD/cases sh "$TSI_TOP/tests/lib/run-cases.sh" > out 2>&1
}

test_expect 'a check whose first line fails fails the case, naming that line' '
	probe_case probe <<-EOF &&
	=== args
	--version
	=== check
	false
	true
	EOF
	! run_probe_cases &&
	contains out "not ok - case probe: check failed at line 4: false (exit code 1)"
'

test_expect 'a negated line, a loop and a line of a block count too' '
	printf "=== args\n--version\n=== check\n! true\ntrue\n" > one.t &&
	probe_case negated < one.t &&
	probe_case loop <<-EOF &&
	=== args
	--version
	=== check
	for x in 1 2; do
	  test \$x = 2
	done
	true
	EOF
	probe_case heredoc <<-EOF &&
	=== args
	--version
	=== check
	cat > f <<END
	one
	END
	test "\$(cat f)" = one
	false
	EOF
	! run_probe_cases &&
	contains out "not ok - case negated: check failed at line 4: ! true (exit code 1)" &&
	contains out "not ok - case loop: check failed at line 4:" &&
	contains out "not ok - case heredoc: check failed at line 8: false (exit code 1)"
'

test_expect 'a failing setup line fails the case' '
	probe_case setup <<-EOF &&
	=== args
	--version
	=== setup
	test -e does-not-exist
	touch made
	=== check
	test -e made
	EOF
	! run_probe_cases &&
	contains out "not ok - case setup: setup failed at line 4: test -e does-not-exist (exit code 1)"
'

test_expect 'a passing case passes' '
	probe_case fine <<-EOF &&
	=== args
	--version
	=== stdout-contains
	tsi 0.
	=== check
	test -d .
	! test -e nothing-here
	EOF
	run_probe_cases && contains out "ok - case fine"
'

# probe_script NAME BODY...: a scenario script in probes/NAME.sh.
probe_script() {
	mkdir -p probes && cat > "probes/$1.sh"
}

test_expect 'a broken &&-chain fails a test before it runs; skips are counted apart' '
	probe_script t9001-probe <<-\EOF &&
	. "$TSI_TOP/tests/lib/test-lib.sh"
	test_prereq NEVER false "never holds"
	test_expect "a chain" "true && true"
	test_expect "a broken chain" "false
	true"
	test_expect NEVER "cannot run" "false"
	test_done
	EOF
	{ UNIT=true TSI_CASES=$PWD/none TSI_SCRIPTS=$PWD/probes/t9001-probe.sh \
	    sh "$TSI_TOP/tests/lib/run-all.sh" > all.out 2>&1; true; } &&
	contains all.out "not ok - t9001-probe: a broken chain" &&
	contains all.out "broken &&-chain" &&
	contains all.out "skip - t9001-probe: cannot run (never holds)" &&
	test "$(tail -n 1 all.out)" = "1 passed, 1 failed, 1 skipped"
'

test_expect 'a script that ends before test_done is a failure' '
	probe_script t9002-dies <<-\EOF &&
	. "$TSI_TOP/tests/lib/test-lib.sh"
	test_expect "first" "true"
	exit 0
	EOF
	{ UNIT=true TSI_CASES=$PWD/none TSI_SCRIPTS=$PWD/probes/t9002-dies.sh \
	    sh "$TSI_TOP/tests/lib/run-all.sh" > all.out 2>&1; echo $? > rc; } &&
	test "$(cat rc)" = 1 &&
	contains all.out "not ok - t9002-dies: the script ended before its end" &&
	test "$(tail -n 1 all.out)" = "1 passed, 1 failed, 0 skipped"
'

test_expect 'a background process a test leaves behind is ended at the end of its script' '
	probe_script t9003-leaves <<-\EOF &&
	. "$TSI_TOP/tests/lib/test-lib.sh"
	test_expect "starts a sleeper" "{ sleep 300 & } && echo \$! > \"$PWD/sleeper.pid\" && started \$!"
	test_done
	EOF
	sh probes/t9003-leaves.sh > out 2>&1 &&
	contains out "ok - t9003-leaves: starts a sleeper" &&
	! alive "$(cat sleeper.pid)"
'

test_done
