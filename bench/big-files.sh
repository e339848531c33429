#!/bin/sh
# bench/big-files.sh - capturing big files: a 4 GiB sparse file with three
# 64 KiB data blocks (holes must cost nothing: its data regions are found
# with SEEK_DATA/SEEK_HOLE, and only they are read and hashed), and a 1 GiB
# incompressible file, each against `tar -cS | zstd -1 -T0`.
#
# Targets: sparse capture < 0.5 s; incompressible capture <= 1.25 x
# tar -cS | zstd -1 -T0.  Exits 1 when one is missed, 2 on a setup error.
#
# Environment:
#   TSI              the binary (default ./tsi)
#   BENCH_BIG_WORK   where the files go (default bench/work; /dev/shm/...
#                    takes the disk out)
#   BENCH_BIG_RUNS   timed runs of each command, the median kept (default 5)
set -eu
CALLER=$(pwd)
cd "$(dirname "$0")/.."
ROOT=$(pwd)
TSI=${TSI:-$ROOT/tsi}
case $TSI in /*) ;; *) TSI=$CALLER/$TSI ;; esac
WORK=${BENCH_BIG_WORK:-$ROOT/bench/work}
case $WORK in /*) ;; *) WORK=$CALLER/$WORK ;; esac
RUNS=${BENCH_BIG_RUNS:-5}
W=$WORK/big
[ -x "$TSI" ] || { echo "bench/big-files.sh: no $TSI (make first)" >&2; exit 2; }
command -v zstd > /dev/null || { echo "bench/big-files.sh: needs zstd" >&2; exit 2; }

rm -rf "$W"
mkdir -p "$W/sparse/etc" "$W/sparse/home/alice" "$W/dense/etc" "$W/dense/home/alice"
for r in sparse dense; do
	echo "alice:x:1001:1001::/home/alice:/bin/sh" > "$W/$r/etc/passwd"
	echo "alice:x:1001:" > "$W/$r/etc/group"
done
img=$W/sparse/home/alice/disk.img
truncate -s 4G "$img"
for off in 0 2147483648 4294836224; do
	head -c 65536 /dev/urandom | dd of="$img" bs=65536 seek=$((off / 65536)) \
	    conv=notrunc status=none
done
head -c 1G /dev/urandom > "$W/dense/home/alice/big.bin"
printf 'name: home\ncomponents:\n  - name: Home\n    include: ["~/**"]\n' > "$W/home.yaml"
"$TSI" identity init --dir "$W/id" > /dev/null

# median KIND CMD: the median wall time of RUNS runs, in seconds
median() {
	i=0
	: > "$W/times"
	while [ $i -lt "$RUNS" ]; do
		rm -f "$W/s.tsi" "$W/t.tar.zst"
		s=$(date +%s.%N)
		sh -c "$1" > /dev/null 2>&1
		e=$(date +%s.%N)
		echo "$e - $s" | bc -l >> "$W/times"
		i=$((i + 1))
	done
	sort -n "$W/times" | sed -n "$(( (RUNS + 1) / 2 ))p"
}

cap() {
	echo "$TSI state capture --root $W/$1 --store $W/s.tsi --recipient $W/id/identity.pub --rules $W/home.yaml"
}
tarz() {
	echo "tar -cS -C $W/$1/home alice | zstd -1 -T0 -q > $W/t.tar.zst"
}

sp_tsi=$(median "$(cap sparse)")
sp_tar=$(median "$(tarz sparse)")
de_tsi=$(median "$(cap dense)")
de_tar=$(median "$(tarz dense)")
ratio=$(echo "$de_tsi / $de_tar" | bc -l)
printf '%-42s %8s %8s\n' "file" "tsi s" "tar s"
printf '%-42s %8.3f %8.3f\n' "4 GiB sparse, 3 x 64 KiB of data" "$sp_tsi" "$sp_tar"
printf '%-42s %8.3f %8.3f   %.2f x (target <= 1.25)\n' "1 GiB incompressible" "$de_tsi" "$de_tar" "$ratio"
rc=0
if [ "$(echo "$sp_tsi >= 0.5" | bc -l)" = 1 ]; then echo "MISSED: sparse capture ${sp_tsi} s"; rc=1; fi
if [ "$(echo "$ratio > 1.25" | bc -l)" = 1 ]; then echo "MISSED: incompressible ratio $ratio"; rc=1; fi
[ $rc = 0 ] && echo "all targets met"
rm -rf "$W"
exit $rc
