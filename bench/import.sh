#!/bin/sh
# bench/import.sh - tsi import on big task sequences: a generated MDT-style
# ts.xml of 20,000 steps (6 MB) and one just under the 16 MiB limit (about
# 53,000 steps), each step with a condition.  Times and peak memory of the
# import (which reads, converts, writes and then compiles and checks the
# result as tsi validate does) against tsi validate of the result alone.
#
#   make bench-import        (or: sh bench/import.sh, from the checkout)
#
# Targets: the 20,000-step import in at most 5 s and 512 MiB; the
# 28,000-step one in at most 8 s and 768 MiB.  The ratio to validate is
# printed, not judged.  Exit 1 when a target is missed.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
tsi=$top/tsi
work=$top/bench/work
mkdir -p "$work"

gen() {	# gen STEPS FILE
	awk -v n="$1" 'BEGIN {
		print "<sequence version=\"3.00\" name=\"Big\">"
		for (g = 0; g < n / 20; g++) {
			printf "<group name=\"G%d\" continueOnError=\"true\">\n", g
			for (s = 0; s < 20; s++)
				printf "<step name=\"S%d-%d\" successCodeList=\"0 3010\"><condition><expression type=\"SMS_TaskSequence_VariableConditionExpression\"><variable name=\"Variable\">V%d</variable><variable name=\"Operator\">equals</variable><variable name=\"Value\">%d</variable></expression></condition><action>echo %d %d</action></step>\n", g, s, s, s, g, s
			print "</group>"
		}
		print "</sequence>"
	}' > "$2"
}

# measure CMD...: prints "SECONDS KIB" (wall time, peak RSS) of one run
measure() {
	/usr/bin/time -f "%e %M" -o "$work/time.out" "$@" > /dev/null 2>&1 || {
		echo "bench: '$*' failed" >&2
		exit 2
	}
	cat "$work/time.out"
}

fail=0
check() {	# check WHAT VALUE LIMIT
	if awk -v v="$2" -v l="$3" 'BEGIN { exit !(v <= l) }'; then
		printf '  %-44s %10s <= %-8s PASS\n' "$1" "$2" "$3"
	else
		printf '  %-44s %10s <= %-8s FAIL\n' "$1" "$2" "$3"
		fail=1
	fi
}

gen 20000 "$work/ts-20000.xml"
gen 28000 "$work/ts-28000.xml"
echo "tsi import ($(uname -m), $(nproc) cores)"
for n in 20000 28000; do
	f=$work/ts-$n.xml
	set -- $(measure "$tsi" import "$f" -o "$work/ts-$n.yaml")
	secs=$1 kib=$2
	set -- $(measure "$tsi" validate "$work/ts-$n.yaml")
	vsecs=$1
	printf '%s: %s bytes, import %s s, %s MiB; validate of the result %s s\n' \
	    "ts-$n.xml" "$(wc -c < "$f")" "$secs" "$((kib / 1024))" "$vsecs"
	if [ "$n" = 20000 ]; then
		check "import of 20,000 steps (s)" "$secs" 5
		check "its peak memory (MiB)" "$((kib / 1024))" 512
	else
		check "import of 28,000 steps, 196,000 elements (s)" "$secs" 8
		check "its peak memory (MiB)" "$((kib / 1024))" 768
	fi
	echo "  import / validate of its result: $(awk -v a="$secs" -v b="$vsecs" \
	    'BEGIN { printf "%.1f", a / (b > 0.01 ? b : 0.01) }') (reads XML, converts, writes, then validates)"
done
exit $fail
