#!/bin/sh
# bench/run.sh - tsi's performance targets; `make bench` runs it after
# building ./tsi.  See bench/README.md.
#
#   1. `tsi validate` of a generated 10,000-step sequence takes at most 3x
#      a bare libyaml event parse of the same file (bench/yaml-parse.c).
#   2. `tsi run` of 1,000 run_command steps of /bin/true (argv form), journal
#      and logs included, takes at most 2x a shell loop running /bin/true
#      1,000 times.  The command form (through /bin/sh -c) is measured too,
#      for information; it starts two programs per step.
#   3. A trivial Lua step costs under 1 ms more than a trivial C step:
#      1,000 of each (set_variable, and a Lua step that returns 0), each
#      in its own sequence, journal included.
#
# Prints a table and exits 1 when a target is missed (2 on a setup error).
# Uses hyperfine when it is installed, else a timing loop; peak RSS comes
# from GNU time (/usr/bin/time) when it is installed.
#
# Environment:
#   TSI                   the binary to measure (default ./tsi)
#   CC                    compiler for the libyaml baseline (default cc)
#   BENCH_VALIDATE_RUNS   timed runs of the validate pair (default 20)
#   BENCH_RUN_RUNS        timed runs of the argv run and the sh loop (default 5)
#   BENCH_INFO_RUNS       timed runs of the command-form pair (default 3)
#   BENCH_STATE_BASE      where the per-run state and log dirs go
#                         (default bench/work; the journal is fsynced there,
#                         so the file system under it matters)
#   BENCH_NO_HYPERFINE=1  use the timing loop even if hyperfine is there
#   BENCH_NO_PIN=1        do not pin the measured commands to the last CPU
set -eu

cd "$(dirname "$0")/.."
ROOT=$(pwd)
W=$ROOT/bench/work
TSI=${TSI:-$ROOT/tsi}
CC=${CC:-cc}
VALIDATE_STEPS=10000
RUN_STEPS=1000
VALIDATE_TARGET=3
RUN_TARGET=2
VALIDATE_RUNS=${BENCH_VALIDATE_RUNS:-20}
RUN_RUNS=${BENCH_RUN_RUNS:-5}
INFO_RUNS=${BENCH_INFO_RUNS:-3}
STATE_BASE=${BENCH_STATE_BASE:-$W}
STATE_DIR=$STATE_BASE/run-state
LOG_DIR=$STATE_BASE/run-log

die() {
	echo "bench: $*" >&2
	exit 2
}

mkdir -p "$W" "$STATE_BASE"
[ -x "$TSI" ] || die "no $TSI; run 'make' first (or 'make bench')"

# --- the machine ------------------------------------------------------------

cpu=$(sed -n 's/^model name[[:space:]]*:[[:space:]]*//p' /proc/cpuinfo 2>/dev/null |
    head -n 1)
echo "machine: $(nproc) CPUs, ${cpu:-unknown CPU}, Linux $(uname -r)"
echo "tsi: $("$TSI" --version 2>/dev/null | head -n 1)," \
    "commit $(git rev-parse --short HEAD 2>/dev/null || echo ?)" \
    "(working tree may differ), built $(date -r "$TSI" '+%F %T' 2>/dev/null || echo ?)"
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo ?)"

# --- inputs -----------------------------------------------------------------

echo "building bench/work/yaml-parse"
$CC -O2 -o "$W/yaml-parse" bench/yaml-parse.c -lyaml ||
    die "cannot build bench/yaml-parse.c (is libyaml-dev installed?)"

MIXED=$W/mixed-$VALIDATE_STEPS.yaml
ARGV=$W/argv-$RUN_STEPS.yaml
COMMAND=$W/command-$RUN_STEPS.yaml
echo "generating inputs under bench/work/"
sh bench/gen-sequence.sh mixed $VALIDATE_STEPS >"$MIXED"
sh bench/gen-sequence.sh argv $RUN_STEPS >"$ARGV"
sh bench/gen-sequence.sh command $RUN_STEPS >"$COMMAND"
CSTEPS=$W/c-steps-$RUN_STEPS.yaml
LUASTEPS=$W/lua-steps-$RUN_STEPS.yaml
printf 'tsi.register_step{ name = "noop", summary = "does nothing",\n  params = { n = { type = "integer" } },\n  run = function(ctx, p) return 0 end }\n' >"$W/noop.lua"
awk -v n=$RUN_STEPS 'BEGIN { print "name: C steps"; print "steps:"
	for (i = 1; i <= n; i++) printf "  - { name: s%d, type: set_variable, with: { name: V, value: \"%d\" } }\n", i, i }' >"$CSTEPS"
awk -v n=$RUN_STEPS -v ext="$W/noop.lua" 'BEGIN { print "name: Lua steps"
	print "extensions: [" ext "]"; print "steps:"
	for (i = 1; i <= n; i++) printf "  - { name: s%d, type: noop, with: { n: %d } }\n", i, i }' >"$LUASTEPS"

# Everything has to work before it is timed.
"$W/yaml-parse" "$MIXED" || die "yaml-parse failed on $MIXED"
"$TSI" validate "$MIXED" 2>"$W/validate.err" ||
    die "tsi validate $MIXED failed: $(cat "$W/validate.err")"
for f in "$ARGV" "$COMMAND" "$CSTEPS" "$LUASTEPS"; do
	rm -rf "$STATE_DIR" "$LOG_DIR"
	"$TSI" run "$f" --state-dir "$STATE_DIR" --log-dir "$LOG_DIR" \
	    >"$W/run.out" 2>&1 || die "tsi run $f failed; see bench/work/run.out"
	grep -q "succeeded: $RUN_STEPS steps ran (0 failed)" "$W/run.out" ||
	    die "tsi run $f did not run $RUN_STEPS steps; see bench/work/run.out"
	[ ! -e "$STATE_DIR/journal.jsonl" ] || die "tsi run $f left a journal"
done

# --- timing -----------------------------------------------------------------

SH_LOOP="sh -c 'i=0; while [ \$i -lt $RUN_STEPS ]; do /bin/true; i=\$((i+1)); done'"
SH_C_LOOP="sh -c 'i=0; while [ \$i -lt $RUN_STEPS ]; do sh -c /bin/true; i=\$((i+1)); done'"
FRESH="rm -rf '$STATE_DIR' '$LOG_DIR'"		# a new state dir for every run
RUN_ARGS="--state-dir '$STATE_DIR' --log-dir '$LOG_DIR'"

if [ -z "${BENCH_NO_HYPERFINE:-}" ] && command -v hyperfine >/dev/null 2>&1 &&
    hyperfine -N --runs 1 --command-name x true >/dev/null 2>&1; then
	TIMER="hyperfine $(hyperfine --version | cut -d' ' -f2)"
else
	TIMER="timing loop (date +%s%N)"
fi
echo "timer: $TIMER; validate: 3 warmup + $VALIDATE_RUNS runs," \
    "run: 1 warmup + $RUN_RUNS runs (command form: $INFO_RUNS)"
: >"$W/results"

# measure NAME WARMUP RUNS PREPARE COMMAND: appends
# "NAME mean stddev median min max" (seconds) to bench/work/results.
measure() {
	name=$1 warmup=$2 runs=$3 prepare=$4 cmd=$5
	printf '  %-16s %s\n' "$name" "$cmd"
	case $TIMER in
	hyperfine*)
		set -- -N --warmup "$warmup" --runs "$runs" --output null \
		    --style basic --export-csv "$W/hf-$name.csv" --command-name "$name"
		[ -z "$prepare" ] || set -- "$@" --prepare "$prepare"
		hyperfine "$@" "$cmd" >"$W/hf-$name.log" 2>&1 ||
		    die "hyperfine failed on '$cmd'; see bench/work/hf-$name.log"
		awk -F, -v name="$name" 'NR == 2 {
			printf "%s %s %s %s %s %s\n", name, $2, $3, $4, $7, $8 }' \
		    "$W/hf-$name.csv" >>"$W/results"
		;;
	*)
		i=0
		: >"$W/times-$name"
		while [ $i -lt $((warmup + runs)) ]; do
			[ -z "$prepare" ] || eval "$prepare"
			t0=$(date +%s%N)
			eval "$cmd" >/dev/null 2>&1 || die "'$cmd' failed"
			t1=$(date +%s%N)
			[ $i -lt "$warmup" ] || echo $((t1 - t0)) >>"$W/times-$name"
			i=$((i + 1))
		done
		sort -n "$W/times-$name" | awk -v name="$name" '
			{ a[NR] = $1; s += $1; ss += $1 * $1 }
			END {
				m = s / NR; v = ss / NR - m * m
				med = NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2
				printf "%s %.6f %.6f %.6f %.6f %.6f\n", name, m / 1e9,
				    (v > 0 ? sqrt(v) : 0) / 1e9, med / 1e9, a[1] / 1e9,
				    a[NR] / 1e9
			}' >>"$W/results"
		;;
	esac
}

PIN=
if command -v taskset >/dev/null 2>&1 && [ -z "${BENCH_NO_PIN:-}" ]; then
	PIN="taskset -c $(( $(nproc) - 1 )) "
	echo "pinned to CPU $(( $(nproc) - 1 )) (BENCH_NO_PIN=1 to let them float)"
fi
echo "measuring:"
# Each pair runs on the same core: on these VMs the cores differ by up to
# 1.5x from one another, which would swamp the ratios.
measure yaml-parse 3 "$VALIDATE_RUNS" "" "$PIN'$W/yaml-parse' '$MIXED'"
measure validate 3 "$VALIDATE_RUNS" "" "$PIN'$TSI' validate '$MIXED'"
measure sh-loop 1 "$RUN_RUNS" "" "$PIN$SH_LOOP"
measure run-argv 1 "$RUN_RUNS" "$FRESH" "$PIN'$TSI' run '$ARGV' $RUN_ARGS"
measure run-command 1 "$INFO_RUNS" "$FRESH" "$PIN'$TSI' run '$COMMAND' $RUN_ARGS"
measure sh-c-loop 1 "$INFO_RUNS" "" "$PIN$SH_C_LOOP"
measure run-c-steps 1 "$RUN_RUNS" "$FRESH" "$PIN'$TSI' run '$CSTEPS' $RUN_ARGS"
measure run-lua-steps 1 "$RUN_RUNS" "$FRESH" "$PIN'$TSI' run '$LUASTEPS' $RUN_ARGS"

# --- peak RSS ---------------------------------------------------------------

: >"$W/rss"
if /usr/bin/time -f %M -o "$W/rss.one" true 2>/dev/null; then
	rss() {
		name=$1
		shift
		/usr/bin/time -f %M -o "$W/rss.one" "$@" >/dev/null 2>&1 ||
		    die "$* failed"
		echo "$name $(tail -n 1 "$W/rss.one")" >>"$W/rss"
	}
	rss yaml-parse "$W/yaml-parse" "$MIXED"
	rss validate "$TSI" validate "$MIXED"
	rss sh-loop sh -c "i=0; while [ \$i -lt $RUN_STEPS ]; do /bin/true; i=\$((i+1)); done"
	rss sh-c-loop sh -c "i=0; while [ \$i -lt $RUN_STEPS ]; do sh -c /bin/true; i=\$((i+1)); done"
	rm -rf "$STATE_DIR" "$LOG_DIR"
	rss run-argv "$TSI" run "$ARGV" --state-dir "$STATE_DIR" --log-dir "$LOG_DIR"
	rm -rf "$STATE_DIR" "$LOG_DIR"
	rss run-command "$TSI" run "$COMMAND" --state-dir "$STATE_DIR" --log-dir "$LOG_DIR"
	rm -rf "$STATE_DIR" "$LOG_DIR"
	rss run-c-steps "$TSI" run "$CSTEPS" --state-dir "$STATE_DIR" --log-dir "$LOG_DIR"
	rm -rf "$STATE_DIR" "$LOG_DIR"
	rss run-lua-steps "$TSI" run "$LUASTEPS" --state-dir "$STATE_DIR" --log-dir "$LOG_DIR"
fi
rm -rf "$STATE_DIR" "$LOG_DIR" "$W/rss.one"

# --- the table --------------------------------------------------------------

echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo ?)"
echo
awk -v vt="$VALIDATE_TARGET" -v rt="$RUN_TARGET" -v vn="$VALIDATE_STEPS" \
    -v rn="$RUN_STEPS" -v rssfile="$W/rss" '
function t(x) { return x < 1 ? sprintf("%7.1f ms", x * 1000) : sprintf("%7.3f s ", x) }
function row(label, b, c, target,   r, verdict) {
	r = med[c] / med[b]
	if (target == "") {
		verdict = "info"
		target = "-"
	} else {
		verdict = r <= target ? "PASS" : "FAIL"
		if (verdict == "FAIL")
			failed++
		target = "<= " target "x"
	}
	printf "%-34s %-11s %s  %-12s %s  %6.2fx  %-7s %s\n", label, b, t(med[b]), c,
	    t(med[c]), r, target, verdict
}
FILENAME == rssfile { rss[$1] = $2; next }
{ mean[$1] = $2; sd[$1] = $3; med[$1] = $4; min[$1] = $5; max[$1] = $6 }
END {
	printf "%-34s %-22s  %-23s  %7s  %-7s %s\n", "benchmark (medians)", "baseline",
	    "tsi", "ratio", "target", "result"
	row("validate, " vn " steps", "yaml-parse", "validate", vt)
	row("run, " rn " x /bin/true, argv", "sh-loop", "run-argv", rt)
	row("run, " rn " x /bin/true, command", "sh-loop", "run-command", "")
	row("run, " rn " x /bin/true, command", "sh-c-loop", "run-command", "")
	per = (med["run-lua-steps"] - med["run-c-steps"]) / rn * 1000
	printf "%-34s %-11s %s  %-12s %s  %+5.3f ms/step  %-7s %s\n",
	    "Lua step vs C step, " rn " each", "run-c-steps", t(med["run-c-steps"]),
	    "run-lua-st..", t(med["run-lua-steps"]), per, "< 1 ms", per < 1 ? "PASS" : "FAIL"
	if (per >= 1)
		failed++
	printf "\n%-14s %10s %10s %10s %10s %10s %9s\n", "command", "mean", "stddev",
	    "median", "min", "max", "peak RSS"
	for (i = 1; i <= 8; i++) {
		n = order[i]
		printf "%-14s %s %s %s %s %s %6s kB\n", n, t(mean[n]), t(sd[n]), t(med[n]),
		    t(min[n]), t(max[n]), (n in rss) ? rss[n] : "?"
	}
	printf "\n%s\n", failed ? "bench: " failed " target(s) missed" : "bench: all targets met"
	exit failed ? 1 : 0
}
BEGIN {
	split("yaml-parse validate sh-loop run-argv run-command sh-c-loop run-c-steps run-lua-steps", order, " ")
}' "$W/rss" "$W/results"
