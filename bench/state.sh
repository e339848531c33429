#!/bin/sh
# bench/state.sh - user-state capture and restore: tsi against tar | zstd,
# restic, borg and cp -al, side by side on the same tree.
#
# The tree: a system root with three users (bench/gen-profiles.sh; ~600 MB,
# ~35,000 files: 45% media, 40% text, 15% small settings files, plus caches
# and trash).  Made in bench/work/state-tree when missing, reused otherwise.
#
# Measured, each BENCH_STATE_RUNS times (default 3), median wall time and
# peak RSS (the largest run; for a pipeline, the sum of its two processes):
#   capture   tar -cf - -C TREE home | zstd -T0 -3 -q -o OUT.tar.zst
#             restic backup home                (repo initialised untimed)
#             borg create --compression zstd,3  (repokey, initialised untimed)
#             tsi state capture --root TREE --store OUT --recipient ID.pub
#   restore   zstd -d -q -c OUT.tar.zst | tar -xf - -C DEST
#             restic restore latest --target DEST
#             borg extract                       (in DEST)
#             tsi state restore --root DEST --store OUT --identity ID
#   hard links  cp -al TREE/home OUT   against
#             tsi state capture --root TREE --store OUT --hardlink
# DEST is a fresh root for every run: TREE's etc/passwd and etc/group and
# empty homes.  Outputs are removed (and `sync` run) before every run,
# untimed.  The page cache is not dropped: one untimed read of the whole tree
# first warms it, so every tool reads the tree from memory.  Nothing is
# pinned.  Note that tar, restic and borg take all of home, caches and trash
# included; tsi takes bench/everything.yaml (the whole home, less what its
# exclusions pack always leaves out: caches, trash), see BENCH_STATE_RULES.
#
# Targets (checked only when tsi's commands ran):
#   tsi capture  / tar|zstd capture        <= 1.25
#   restic capture / tsi capture           >= 3
#   tsi restore  / zstd -d|tar -x restore  <= 1.25
#   restic restore / tsi restore           >= 2
#   tsi peak RSS (capture, restore, --hardlink) < 64 MiB
#   tsi --hardlink capture / cp -al        <= 1.5
# Exits 1 when a target is missed, 2 on a setup error, else 0.  A tool that
# is not installed (restic, borg) is skipped with a note; a tsi command that
# fails (e.g. not implemented yet) is reported "not available".
#
# Environment:
#   TSI                 the binary to measure (default ./tsi)
#   BENCH_STATE_RUNS    timed runs of each command (default 3)
#   BENCH_STATE_WORK    where the tree and the outputs go (default
#                       bench/work; the file system under it matters: e.g.
#                       /dev/shm/tsi-bench to take the disk out of it)
#   BENCH_STATE_TREE    the tree (default $BENCH_STATE_WORK/state-tree)
#   BENCH_STATE_MB      its size when it has to be made (default 600)
#   BENCH_STATE_SYNC=1  end every timed command with `sync`, so that each
#                       pays for getting its output onto the disk
#   BENCH_STATE_KEEP=1  keep the outputs ($BENCH_STATE_WORK/state-out) at the end
set -eu
# BENCH_STATE_RULES: the rule pack tsi uses (default bench/everything.yaml,
# the whole home as tar, restic and borg take it; "default" for tsi's own
# default packs)

CALLER=$(pwd)
cd "$(dirname "$0")/.."
ROOT=$(pwd)
RULES_NAME=${BENCH_STATE_RULES:-$ROOT/bench/everything.yaml}
if [ "$RULES_NAME" = default ]; then RULES_OPT=; else RULES_OPT="--rules $RULES_NAME"; fi
W=$ROOT/bench/work
if [ -z "${TSI:-}" ]; then
	TSI=$ROOT/tsi				# ./tsi of this tree
else
	case $TSI in /*) ;; */*) TSI=$CALLER/$TSI ;; esac
fi
RUNS=${BENCH_STATE_RUNS:-3}
WORK=${BENCH_STATE_WORK:-$W}
case $WORK in /*) ;; *) WORK=$CALLER/$WORK ;; esac
TREE=${BENCH_STATE_TREE:-$WORK/state-tree}
case $TREE in /*) ;; *) TREE=$CALLER/$TREE ;; esac
TREE_MB=${BENCH_STATE_MB:-600}
S=$WORK/state-out
DEST=$S/dest
ID=$S/id
SYNC=
[ -z "${BENCH_STATE_SYNC:-}" ] || SYNC=1

die() {
	echo "bench: $*" >&2
	exit 2
}
case $ROOT$TREE$TSI in *"'"*) die "no single quotes in paths, please" ;; esac
case $RUNS in '' | *[!0-9]* | 0) die "BENCH_STATE_RUNS must be a positive number" ;; esac
[ "$(date +%N)" != N ] || die "date +%N is not supported (GNU date needed)"

mkdir -p "$W" "$WORK"
rm -rf "$S"
mkdir -p "$S"

# --- the machine and the tools ---------------------------------------------

cpu=$(sed -n 's/^model name[[:space:]]*:[[:space:]]*//p' /proc/cpuinfo 2>/dev/null | head -n 1)
echo "machine: $(nproc) CPUs, ${cpu:-unknown CPU}, $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo) RAM, Linux $(uname -r)"
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo ?)"
echo "work dir: $WORK ($(stat -f -c %T "$WORK" 2>/dev/null || echo ?)," \
    "$(df -Ph "$WORK" | awk 'NR == 2 { print $4 }') free)"
HAVE_RESTIC=; HAVE_BORG=; HAVE_TSI=
command -v restic >/dev/null 2>&1 && HAVE_RESTIC=1
command -v borg >/dev/null 2>&1 && HAVE_BORG=1
[ -x "$TSI" ] && HAVE_TSI=1
command -v tar >/dev/null 2>&1 || die "tar is not installed"
command -v zstd >/dev/null 2>&1 || die "zstd is not installed"
echo "tar: $(tar --version | head -n 1); zstd: $(zstd -V | head -n 1)"
echo "restic: $([ -n "$HAVE_RESTIC" ] && restic version | head -n 1 || echo 'not installed: skipped')"
echo "borg: $([ -n "$HAVE_BORG" ] && borg --version || echo 'not installed: skipped')"
echo "tsi: $([ -n "$HAVE_TSI" ] && "$TSI" --version 2>/dev/null | head -n 1 || echo "no $TSI: skipped (run make)")"

if /usr/bin/time -f %M -o "$S/rss.probe" true 2>/dev/null; then
	HAVE_TIME=1
	echo "peak RSS: GNU time (/usr/bin/time -f %M); wall time: date +%s%N"
else
	HAVE_TIME=
	echo "peak RSS: n/a (no GNU time at /usr/bin/time); wall time: date +%s%N"
fi
rm -f "$S/rss.probe"

# --- the tree ----------------------------------------------------------------

if [ ! -f "$TREE/etc/passwd" ] || [ ! -d "$TREE/home" ]; then
	echo "making the tree: sh bench/gen-profiles.sh $TREE $TREE_MB"
	t0=$(date +%s%N)
	sh bench/gen-profiles.sh "$TREE" "$TREE_MB" || die "gen-profiles.sh failed"
	echo "  took $(( ($(date +%s%N) - t0) / 1000000 )) ms"
fi
[ "$(stat -c %d "$TREE")" = "$(stat -c %d "$S")" ] ||
    echo "note: $TREE is not on the file system of $S: cp -al and --hardlink will fail"
tree_files=$(find "$TREE/home" -type f | wc -l)
tree_bytes=$(find "$TREE/home" -type f -printf '%s\n' | awk '{ s += $1 } END { print s + 0 }')
echo "tree: $TREE: $tree_files files, $(awk -v b="$tree_bytes" 'BEGIN { printf "%.1f", b / 1048576 }') MiB" \
    "of file data, $(du -sh "$TREE/home" | cut -f1) on disk"
if [ -n "$HAVE_TSI" ] && "$TSI" state estimate --root "$TREE" $RULES_OPT >"$S/estimate" 2>&1; then
	echo "tsi's rules ($RULES_NAME) select: $(sed -n 's/^total: //p' "$S/estimate")"
fi

echo "warming the page cache: one untimed read of the tree (tar | cat >/dev/null)"
tar -cf - -C "$TREE" home | cat >/dev/null

# --- measuring ---------------------------------------------------------------

# tm NAME: the prefix that records the peak RSS of one process of a command
tm() {
	[ -z "$HAVE_TIME" ] || printf '/usr/bin/time -f %%M -o %s/rss.%s ' "$S" "$1"
}

# fresh_dest: DEST as a new root with the users and empty homes
fresh_dest() {
	rm -rf "$DEST"
	mkdir -p "$DEST/etc" "$DEST/home"
	cp -p "$TREE/etc/passwd" "$TREE/etc/group" "$DEST/etc/"
	for h in "$TREE"/home/*/; do
		u=$(basename "$h")
		mkdir "$DEST/home/$u"
		[ "$(id -u)" != 0 ] || chown "$(stat -c %u:%g "$h")" "$DEST/home/$u"
	done
}

label() {
	case $1 in
	tar-zstd-capture) echo "tar | zstd" ;;
	tsi-capture) echo "tsi capture" ;;
	restic-capture) echo "restic backup" ;;
	borg-capture) echo "borg create" ;;
	zstd-tar-restore) echo "zstd -d | tar -x" ;;
	tsi-restore) echo "tsi restore" ;;
	restic-restore) echo "restic restore" ;;
	borg-restore) echo "borg extract" ;;
	cp-al) echo "cp -al" ;;
	tsi-hardlink) echo "tsi capture --hardlink" ;;
	esac
}

: >"$S/results"
# measure NAME PREPARE COMMAND: runs PREPARE (untimed), then COMMAND, RUNS
# times; appends "NAME median_s peak_rss_kib min-max_s" to the results, or
# "NAME fail EXIT first-line-of-stderr" after the first failed run.
measure() {
	name=$1 prepare=$2 cmd=$3
	printf '  %-16s %s\n' "$name" "$(echo "$cmd" | sed 's|/usr/bin/time -f %M -o [^ ]* ||g')"
	: >"$S/times"
	peak=0
	i=0
	while [ $i -lt "$RUNS" ]; do
		eval "$prepare" >"$S/prepare.log" 2>&1 ||
		    die "preparing $name failed: $(head -n 3 "$S/prepare.log")"
		sync
		rm -f "$S"/rss.*
		t0=$(date +%s%N)
		rc=0
		(eval "$cmd") >"$S/cmd.out" 2>"$S/cmd.err" || rc=$?
		# tsi's exit 4: done, with findings (said once, the run counts)
		case $name:$rc in
		tsi-*:4)
			rc=0
			[ $i -gt 0 ] || echo "    $(label "$name"): done with findings, the first: $(grep -m 1 'finding:' "$S/cmd.err" | cut -c1-160)" ;;
		esac
		[ $rc != 0 ] || [ -z "$SYNC" ] || sync
		t1=$(date +%s%N)
		if [ $rc != 0 ]; then
			err=$(grep -v '^Command exited with non-zero status' "$S/cmd.err" | head -n 1)
			echo "$name fail $rc ${err:-no message}" >>"$S/results"
			case $name in
			tsi-*) echo "    $(label "$name"): not available (exit $rc: ${err:-no message})" ;;
			*) echo "    $(label "$name"): failed (exit $rc: ${err:-no message})" ;;
			esac
			return 0
		fi
		echo $((t1 - t0)) >>"$S/times"
		if [ -n "$HAVE_TIME" ]; then
			rss=$(for f in "$S"/rss.*; do tail -n 1 "$f"; done | awk '{ s += $1 } END { print s + 0 }')
			[ "$rss" -le "$peak" ] || peak=$rss
		fi
		i=$((i + 1))
	done
	sort -n "$S/times" | awk -v name="$name" -v peak="$peak" -v t="$HAVE_TIME" '
		{ a[NR] = $1 }
		END {
			med = NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2
			printf "%s %.3f %s %.2f-%.2f\n", name, med / 1e9, t ? peak : "n/a", a[1] / 1e9, a[NR] / 1e9
		}' >>"$S/results"
}

# size_of PATH NAME: remembers the size of an output (MiB)
size_of() {
	[ -e "$1" ] || return 0
	echo "$2 $(du -sk "$1" | awk '{ printf "%.1f", $1 / 1024 }')" >>"$S/sizes"
}

# check_restore NAME: compares DEST/home with the tree's home
check_restore() {
	f=$(find "$DEST/home" -type f | wc -l)
	b=$(find "$DEST/home" -type f -printf '%s\n' | awk '{ s += $1 } END { print s + 0 }')
	if [ "$f" = "$tree_files" ] && [ "$b" = "$tree_bytes" ]; then
		echo "  $1: restored all $f files"
	else
		echo "  $1: restored $f files, $b bytes (the tree: $tree_files files, $tree_bytes bytes)"
	fi
}

ok() { grep -q "^$1 [0-9]" "$S/results"; }

echo "measuring: $RUNS runs each${SYNC:+, each ending with sync}; outputs in $S"
: >"$S/sizes"
export RESTIC_PASSWORD=bench RESTIC_REPOSITORY="$S/restic-repo" RESTIC_CACHE_DIR="$S/restic-cache"
export BORG_PASSPHRASE=bench BORG_REPO="$S/borg-repo" BORG_BASE_DIR="$S/borg-base"
export BORG_RELOCATED_REPO_ACCESS_IS_OK=yes BORG_UNKNOWN_UNENCRYPTED_REPO_ACCESS_IS_OK=yes

# capture
measure tar-zstd-capture "rm -f '$S/out.tar.zst'" \
    "$(tm tar)tar -cf - -C '$TREE' home | $(tm zstd)zstd -T0 -3 -q -o '$S/out.tar.zst'"
ok tar-zstd-capture || die "tar | zstd failed: $(cat "$S/cmd.err")"
size_of "$S/out.tar.zst" tar-zstd
if [ -n "$HAVE_TSI" ]; then
	rm -rf "$ID"
	if "$TSI" identity init --dir "$ID" --name bench >"$S/id.log" 2>&1; then
		measure tsi-capture "rm -rf '$S/out.tsistore'" \
		    "$(tm tsi)'$TSI' state capture --root '$TREE' --store '$S/out.tsistore' --recipient '$ID/identity.pub' $RULES_OPT"
		size_of "$S/out.tsistore" tsi
	else
		echo "tsi-capture fail $? identity init: $(head -n 1 "$S/id.log")" >>"$S/results"
	fi
fi
if [ -n "$HAVE_RESTIC" ]; then
	measure restic-capture "rm -rf '$S/restic-repo' '$S/restic-cache'; restic init -q" \
	    "cd '$TREE' && $(tm restic)restic backup -q home"
	size_of "$S/restic-repo" restic
fi
if [ -n "$HAVE_BORG" ]; then
	measure borg-capture "rm -rf '$S/borg-repo' '$S/borg-base'; borg init -e repokey" \
	    "cd '$TREE' && $(tm borg)borg create --compression zstd,3 ::bench home"
	size_of "$S/borg-repo" borg
fi

# restore (from the last capture's output)
measure zstd-tar-restore fresh_dest \
    "$(tm zstd)zstd -d -q -c '$S/out.tar.zst' | $(tm tar)tar -xf - -C '$DEST'"
ok zstd-tar-restore || die "zstd -d | tar -x failed: $(cat "$S/cmd.err")"
check_restore "zstd -d | tar -x"
if ok tsi-capture; then
	measure tsi-restore fresh_dest \
	    "$(tm tsi)'$TSI' state restore --root '$DEST' --store '$S/out.tsistore' --identity '$ID'"
	ok tsi-restore && echo "  tsi restore: restored $(find "$DEST/home" -type f | wc -l) files"
elif [ -n "$HAVE_TSI" ]; then
	echo "tsi-restore fail - no store: tsi capture did not run" >>"$S/results"
fi
if ok restic-capture; then
	measure restic-restore fresh_dest \
	    "$(tm restic)restic restore -q latest --target '$DEST'"
	ok restic-restore && check_restore "restic restore"
fi
if ok borg-capture; then
	measure borg-restore fresh_dest "cd '$DEST' && $(tm borg)borg extract ::bench"
	ok borg-restore && check_restore "borg extract"
fi
rm -rf "$DEST"

# hard links
measure cp-al "rm -rf '$S/out-cp'" "$(tm cp)cp -al '$TREE/home' '$S/out-cp'"
rm -rf "$S/out-cp"
if [ -n "$HAVE_TSI" ]; then
	measure tsi-hardlink "rm -rf '$S/out.hardlink'" \
	    "$(tm tsi)'$TSI' state capture --root '$TREE' --store '$S/out.hardlink' --hardlink $RULES_OPT"
	rm -rf "$S/out.hardlink"
fi

# --- the table and the targets ----------------------------------------------

echo
printf '%-24s %8s %14s %12s  %s\n' tool "wall s" "peak RSS MiB" "output MiB" "(runs: min-max s)"
out_key() {
	case $1 in
	tar-zstd-capture) echo tar-zstd ;;
	tsi-capture) echo tsi ;;
	restic-capture) echo restic ;;
	borg-capture) echo borg ;;
	esac
}
while read -r name a b rest; do
	k=$(out_key "$name")
	o=
	[ -z "$k" ] || o=$(awk -v k="$k" '$1 == k { print $2 }' "$S/sizes")
	if [ "$a" = fail ]; then
		why="exit $b: $rest"
		[ "$b" != - ] || why=$rest
		case $name in
		tsi-*) printf '%-24s %8s %14s %12s   not available (%s)\n' "$(label "$name")" - - - "$why" ;;
		*) printf '%-24s %8s %14s %12s   failed (%s)\n' "$(label "$name")" - - - "$why" ;;
		esac
	else
		printf '%-24s %8s %14s %12s  (%s)\n' "$(label "$name")" "$a" \
		    "$(awk -v k="$b" 'BEGIN { if (k == "n/a") print k; else printf "%.1f", k / 1024 }')" "${o:--}" "$rest"
	fi
done <"$S/results"
[ -n "$HAVE_RESTIC" ] || echo "restic: not installed, skipped"
[ -n "$HAVE_BORG" ] || echo "borg: not installed, skipped"
[ -n "$HAVE_TSI" ] || echo "tsi: no $TSI, skipped"
if [ -s "$S/sizes" ]; then
	awk -v b="$tree_bytes" '$1 == "tar-zstd" {
		printf "compressibility: the .tar.zst is %.1f MiB, %.0f%% of the tree'"'"'s %.1f MiB of file data\n", $2, 100 * $2 * 1048576 / b, b / 1048576 }' "$S/sizes"
fi

wall() { awk -v n="$1" '$1 == n && $2 != "fail" { print $2 }' "$S/results"; }
rssk() { awk -v n="$1" '$1 == n && $2 != "fail" { print $3 }' "$S/results"; }
MISSED=0
# target TEXT NUM DEN OP LIMIT: prints the ratio NUM/DEN against the target
target() {
	text=$1 num=$2 den=$3 op=$4 lim=$5
	if [ -z "$num" ] || [ -z "$den" ]; then
		printf '%-34s %8s   %s %s\n' "$text" n/a "$op" "$lim"
		return 0
	fi
	r=$(awk -v a="$num" -v b="$den" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')
	verdict=$(awk -v r="$r" -v op="$op" -v l="$lim" 'BEGIN {
		p = op == "<=" ? r <= l : op == ">=" ? r >= l : r < l
		print p ? "PASS" : "FAIL" }')
	[ "$verdict" = PASS ] || MISSED=1
	printf '%-34s %8s   %s %-5s %s\n' "$text" "$r" "$op" "$lim" "$verdict"
}
echo
echo "ratios (median wall time)                  target"
target "tsi capture / tar|zstd" "$(wall tsi-capture)" "$(wall tar-zstd-capture)" "<=" 1.25
target "restic capture / tsi capture" "$(wall restic-capture)" "$(wall tsi-capture)" ">=" 3
target "tsi restore / zstd -d|tar -x" "$(wall tsi-restore)" "$(wall zstd-tar-restore)" "<=" 1.25
target "restic restore / tsi restore" "$(wall restic-restore)" "$(wall tsi-restore)" ">=" 2
target "tsi --hardlink / cp -al" "$(wall tsi-hardlink)" "$(wall cp-al)" "<=" 1.5
for n in tsi-capture tsi-restore tsi-hardlink; do
	k=$(rssk $n)
	case $k in
	'') printf '%-34s %8s   < 64 MiB\n' "$n peak RSS (MiB)" n/a ;;
	n/a) printf '%-34s %8s   < 64 MiB (no GNU time)\n' "$n peak RSS (MiB)" n/a ;;
	*) target "$n peak RSS (MiB)" "$k" 1024 "<" 64 ;;
	esac
done

echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo ?)"
[ -n "${BENCH_STATE_KEEP:-}" ] || rm -rf "$S"
if [ "$MISSED" = 1 ]; then
	echo "state: a target was missed"
	exit 1
fi
exit 0
