#!/bin/sh
# bench/status.sh - what reporting a run's status to its site costs a run:
# a sequence of 2,000 set_variable steps (the cheapest step there is, so
# that the reporter's share shows) run by tsi without a site, with a site
# (a real `tsi smp serve` on loopback over HTTPS, SQLite), and with a site
# that cannot be reached (a closed port: every event stays in the spool).
# Each kind is run BENCH_STATUS_RUNS times, alternated, with a new state
# and log folder each time; the medians are compared.  The added time a
# step is (median with - median without) / steps; the run with a site
# also checks that the SMP stored every event (2 a step, and the run's
# start and end).
#
# Target: under 1 ms a step with a site, and with one that cannot be
# reached.  Exits 1 when it is missed, 2 on a setup error.
#
# Environment:
#   TSI                 the binary (default ./tsi)
#   BENCH_STATUS_WORK   where the sequence, the SMP and the runs go (default
#                       bench/work; /dev/shm/tsi-bench takes the disk out)
#   BENCH_STATUS_STEPS  (default 2000)   BENCH_STATUS_RUNS (default 5)
set -eu
cd "$(dirname "$0")/.."
ROOT=$(pwd)
TSI=${TSI:-$ROOT/tsi}
WORK=${BENCH_STATUS_WORK:-$ROOT/bench/work}
N=${BENCH_STATUS_STEPS:-2000}
RUNS=${BENCH_STATUS_RUNS:-5}
W="$WORK/status"

[ -x "$TSI" ] || { echo "bench/status.sh: no $TSI (make first)" >&2; exit 2; }
rm -rf "$W"
mkdir -p "$W"
W=$(cd "$W" && pwd)

awk -v n="$N" 'BEGIN {
	print "name: Bench status x" n
	print "steps:"
	for (i = 1; i <= n; i++) {
		print "  - name: set " i
		print "    type: set_variable"
		print "    with: {name: V, value: \"" i "\"}"
	}
}' > "$W/seq.yaml"

"$TSI" smp init --dir "$W/srv" --name smp.bench > /dev/null
"$TSI" identity init --dir "$W/id" --name bench-pc > /dev/null
"$TSI" smp computer add --dir "$W/srv" --name bench-pc --key "$W/id/identity.pub" > /dev/null
"$TSI" smp serve --dir "$W/srv" --listen 127.0.0.1:0 --port-file "$W/srv.port" \
    2> "$W/srv.log" &
SMP_PID=$!
trap 'kill $SMP_PID 2> /dev/null || true' EXIT
i=0
while ! [ -s "$W/srv.port" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
[ -s "$W/srv.port" ] || { echo "bench/status.sh: the SMP did not start" >&2; exit 2; }
PORT=$(cat "$W/srv.port")

now() { date +%s%N; }
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# run KIND I: one run; its wall time in ms to $W/KIND.times
run() {
	rm -rf "$W/st-$1" "$W/log-$1"
	case $1 in
	none)	set -- "$1" ;;
	site)	set -- "$1" --var "TSIStatusURL=https://127.0.0.1:$PORT" ;;
	down)	set -- "$1" --var "TSIStatusURL=https://127.0.0.1:1" ;;
	esac
	kind=$1
	shift
	t0=$(now)
	"$TSI" run "$W/seq.yaml" --state-dir "$W/st-$kind" --log-dir "$W/log-$kind" \
	    --var "TSISMPCACert=$W/srv/smp-cert.pem" --var "TSIIdentityDir=$W/id" "$@" \
	    > /dev/null || { echo "bench/status.sh: the $kind run failed" >&2; exit 2; }
	t1=$(now)
	echo $(( (t1 - t0) / 1000000 )) >> "$W/$kind.times"
}

events() {
	python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(
\"select count(*) from events\").fetchone()[0])" "$W/srv/smp.db"
}

run none; run site; run down		# warm-up
before=$(events)
[ "$before" = $((2 * N + 2)) ] ||
    { echo "bench/status.sh: the SMP stored $before events, not $((2 * N + 2))" >&2; exit 2; }
: > "$W/none.times"; : > "$W/site.times"; : > "$W/down.times"
k=0
while [ $k -lt "$RUNS" ]; do
	run none; run site; run down
	k=$((k + 1))
done
stored=$(( $(events) - before ))
[ "$stored" = $(( RUNS * (2 * N + 2) )) ] ||
    { echo "bench/status.sh: the SMP stored $stored events, not $(( RUNS * (2 * N + 2) ))" >&2; exit 2; }
grep -q "kept to send later" "$W/log-down/tsi.log" ||
    { echo "bench/status.sh: the run without its SMP kept nothing" >&2; exit 2; }

none=$(median < "$W/none.times")
site=$(median < "$W/site.times")
down=$(median < "$W/down.times")
rc=0
printf '%d steps, median of %d runs each (ms): no site %d, site %d, site down %d\n' \
    "$N" "$RUNS" "$none" "$site" "$down"
for kind in site down; do
	eval "t=\$$kind"
	per=$(awk -v a="$t" -v b="$none" -v n="$N" 'BEGIN { printf "%.4f", (a - b) / n }')
	ok=$(awk -v p="$per" 'BEGIN { print (p < 1) ? "PASS" : "FAIL" }')
	[ "$ok" = PASS ] || rc=1
	printf '  %-10s added %s ms a step (target < 1 ms): %s\n' "$kind" "$per" "$ok"
done
printf '  the SMP stored all %d events of the timed runs with a site\n' "$stored"
exit $rc
