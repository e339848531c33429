#!/bin/sh
# bench/smp.sh - the State Migration Point under load, on loopback over
# HTTPS (tsi smp serve, real TLS, real SQLite):
#
#   1. 16 clients capture a 40 MB profile at once to one SMP (each runs a
#      sequence of request_state_store, capture_user_state,
#      release_state_store as its own computer), against the same 16
#      captures to local stores (capture_user_state into a folder).  The
#      aggregate throughput (profile bytes / wall time) of the SMP run over
#      the local one; and the SMP's peak RSS (VmHWM) over the run.
#   2. With 10 000 stores (and as many computers and associations) in its
#      database, the time the SMP takes to answer a request for a store:
#      its own access log's figure (from the request line to the answer,
#      signature check and SQLite included), median and worst of 20
#      requests for capture (new computers) and N for restore (the
#      clients, whose stores the last round left).
#
# Targets: SMP / local throughput >= 0.70; SMP peak RSS < 100 MiB; request
# median and worst < 10 ms.  Exits 1 when one is missed, 2 on a setup error.
#
# Environment:
#   TSI              the binary (default ./tsi)
#   BENCH_SMP_WORK   where the profile, the stores and the SMP go (default
#                    bench/work; /dev/shm/tsi-bench takes the disk out)
#   BENCH_SMP_CLIENTS  (default 16)   BENCH_SMP_MB  profile size (default 40)
#   BENCH_SMP_RUNS   runs of each capture round, local and SMP alternated;
#                    the median is kept (default 5)
set -eu
cd "$(dirname "$0")/.."
ROOT=$(pwd)
TSI=${TSI:-$ROOT/tsi}
WORK=${BENCH_SMP_WORK:-$ROOT/bench/work}
N=${BENCH_SMP_CLIENTS:-16}
MB=${BENCH_SMP_MB:-40}
RUNS=${BENCH_SMP_RUNS:-5}
W="$WORK/smp"
TREE="$WORK/smp-profile-$MB"
RULES="$ROOT/bench/everything.yaml"

[ -x "$TSI" ] || { echo "bench/smp.sh: no $TSI (make first)" >&2; exit 2; }
mkdir -p "$WORK"
[ -d "$TREE/home" ] || sh bench/gen-profiles.sh "$TREE" "$MB" > /dev/null
BYTES=$(du -sb "$TREE/home" | cut -f1)
rm -rf "$W"
mkdir -p "$W"
cat "$TREE"/home/*/* > /dev/null 2>&1 || true

now() { date +%s.%N; }
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# the SMP: in-place associations are made on the first request of each
# computer, as for a refresh
"$TSI" smp init --dir "$W/srv" --name localhost > /dev/null
sed -i 's/connections: 64/connections: 128/; s/max_clients: 100,/max_clients: 99999,/' \
    "$W/srv/smp.conf"
i=1
while [ $i -le "$N" ] || [ $i -le 20 ]; do
	"$TSI" identity init --dir "$W/new/$i" --name "new$i" > /dev/null
	"$TSI" smp computer add --dir "$W/srv" --name "new$i" --key "$W/new/$i/identity.pub" > /dev/null
	[ $i -gt "$N" ] && { i=$((i + 1)); continue; }
	"$TSI" identity init --dir "$W/id/$i" --name "pc$i" > /dev/null
	"$TSI" smp computer add --dir "$W/srv" --name "pc$i" --key "$W/id/$i/identity.pub" > /dev/null
	i=$((i + 1))
done
"$TSI" smp serve --dir "$W/srv" --listen 127.0.0.1:0 --port-file "$W/port" 2> "$W/smp.log" &
SMP_PID=$!
trap 'kill $SMP_PID 2> /dev/null || true' EXIT
i=0
while ! [ -s "$W/port" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
PORT=$(cat "$W/port")

cat > "$W/smp.yaml" <<EOF
name: capture to the SMP
variables:
  OSDMigrateMode: Advanced
  OSDMigrateConfigFiles: $RULES
steps:
  - name: Request
    type: request_state_store
    with: { mode: capture }
  - name: Capture
    type: capture_user_state
    continue_on_error: true
  - name: Release
    type: release_state_store
    condition: { variable: _SMSTSLastActionSucceeded, equals: "true" }
EOF
cat > "$W/local.yaml" <<EOF
name: capture to a local store
variables:
  OSDMigrateMode: Advanced
  OSDMigrateConfigFiles: $RULES
steps:
  - name: Capture
    type: capture_user_state
EOF

# round KIND RUN: N captures at once; prints the wall time
round() {
	kind=$1 run=$2
	rm -rf "$W/local" "$W/st" "$W/logs"
	# every round is a first capture: the SMP's stores of the round before go
	if [ "$kind" = smp ]; then
		python3 -c 'import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("DELETE FROM stores")
db.execute("DELETE FROM associations")
db.commit()' "$W/srv/smp.db"
		rm -f "$W"/srv/stores/*.tsistore*
	fi
	sync
	start=$(now)
	pids=
	i=1
	while [ $i -le "$N" ]; do
		if [ "$kind" = smp ]; then
			"$TSI" run "$W/smp.yaml" --root "$TREE" --state-dir "$W/st/$i" \
			    --log-dir "$W/logs/$i" --var "TSIIdentityDir=$W/id/$i" \
			    --var "TSIStateMigrationPoints=https://127.0.0.1:$PORT" \
			    --var "TSISMPCACert=$W/srv/smp-cert.pem" > "$W/out.$i" 2>&1 &
		else
			"$TSI" run "$W/local.yaml" --root "$TREE" --state-dir "$W/st/$i" \
			    --log-dir "$W/logs/$i" --var "TSIIdentityDir=$W/id/$i" \
			    --var "OSDStateStorePath=$W/local/$i" > "$W/out.$i" 2>&1 &
		fi
		pids="$pids $!"
		i=$((i + 1))
	done
	fail=0
	for p in $pids; do
		wait "$p" || fail=1
	done
	end=$(now)
	if [ $fail = 1 ] || grep -L "^sequence .* succeeded: .* (0 failed)" "$W"/out.* | grep -q .; then
		echo "bench/smp.sh: a $kind capture failed:" >&2
		grep -h error "$W"/out.* | head -5 >&2
		exit 2
	fi
	awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f\n", b - a }'
}

echo "$N clients x $(($BYTES / 1048576)) MiB profile ($TREE), $RUNS runs each, median:"
: > "$W/times.local"
: > "$W/times.smp"
r=1
while [ $r -le "$RUNS" ]; do	# alternated, so that drift hits both alike
	round local $r >> "$W/times.local"
	round smp $r >> "$W/times.smp"
	r=$((r + 1))
done
T_LOCAL=$(median < "$W/times.local")
T_SMP=$(median < "$W/times.smp")
HWM=$(awk '/VmHWM/ { print int($2 / 1024) }' /proc/$SMP_PID/status)
calc() { awk "BEGIN { printf \"$1\", $2 }"; }
TOTAL_MB=$(calc %.1f "$N * $BYTES / 1048576")
TP_LOCAL=$(calc %.1f "$TOTAL_MB / $T_LOCAL")
TP_SMP=$(calc %.1f "$TOTAL_MB / $T_SMP")
RATIO=$(calc %.2f "$T_LOCAL / $T_SMP")
printf '  local stores  %6.2f s  %7s MiB/s\n' "$T_LOCAL" "$TP_LOCAL"
printf '  SMP (HTTPS)   %6.2f s  %7s MiB/s   %s x local (target >= 0.70)\n' "$T_SMP" \
    "$TP_SMP" "$RATIO"
printf '  SMP peak RSS  %6s MiB (target < 100)\n' "$HWM"

# 10 000 stores: computers, associations and complete stores straight into
# the database; then 20 requests for capture (new computers) and 20 for
# restore (computers whose store is there), timed by the SMP itself
python3 - "$W/srv/smp.db" <<'EOF'
import sqlite3, sys, os, time
db = sqlite3.connect(sys.argv[1])
now = int(time.time())
with db:
    for i in range(10000):
        name = "bulk%05d" % i
        db.execute("INSERT INTO computers VALUES (?, ?, ?, ?)",
                   (name, "tsi-identity-v1 %s x25519:AAAA p256:AAAA\n" % name, "b%015x" % i, now))
        db.execute("INSERT INTO associations (source, dest, users, behavior, created) "
                   "VALUES (?, ?, 'all', 'capture-restore-all', ?)", (name, name, now))
        db.execute("INSERT INTO stores (id, association, folder, state, size, created, "
                   "completed) VALUES (?, ?, 'stores', 'complete', 1000, ?, ?)",
                   (os.urandom(16).hex(), db.execute("SELECT last_insert_rowid()").fetchone()[0], now, now))
EOF
cat > "$W/req.yaml" <<EOF
name: request
steps:
  - name: Request
    type: request_state_store
    with: { mode: "%MODE%" }
EOF
run_request() {	# MODE IDENTITY NAME
	"$TSI" run "$W/req.yaml" --root "$TREE" --state-dir "$W/rst/$3" --log-dir "$W/rlog/$3" \
	    --var "MODE=$1" --var "TSIIdentityDir=$2" --var OSDStateSMPRetryCount=0 \
	    --var "TSIStateMigrationPoints=https://127.0.0.1:$PORT" \
	    --var "TSISMPCACert=$W/srv/smp-cert.pem" > /dev/null 2>&1 || true
}
i=1
while [ $i -le 20 ]; do
	run_request capture "$W/new/$i" "capture$i"
	[ $i -le "$N" ] && run_request restore "$W/id/$i" "restore$i"
	i=$((i + 1))
done
STORES=$(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('select count(*) from stores').fetchone()[0])" "$W/srv/smp.db")
REQ=$(grep -E 'POST /v1/request\?mode=(capture|restore) -> 200' "$W/smp.log" |
    tail -n $((20 + N)) | sed 's/.* in \([0-9.]*\) ms/\1/')
REQ_N=$(echo "$REQ" | grep -c . || true)
REQ_MED=$(echo "$REQ" | median)
REQ_MAX=$(echo "$REQ" | sort -n | tail -1)
printf '  request with %s stores: median %s ms, worst %s ms over %s requests (target < 10)\n' \
    "$STORES" "$REQ_MED" "$REQ_MAX" "$REQ_N"

kill $SMP_PID
wait $SMP_PID 2> /dev/null || true
rc=0
[ "$(calc %d "($RATIO >= 0.70)")" = 1 ] || { echo "MISSED: SMP throughput $RATIO x local"; rc=1; }
[ "$HWM" -lt 100 ] || { echo "MISSED: SMP peak RSS $HWM MiB"; rc=1; }
[ "$(calc %d "($REQ_MAX < 10)")" = 1 ] || { echo "MISSED: a request took $REQ_MAX ms"; rc=1; }
[ $rc = 0 ] && echo "all targets met"
exit $rc
