#!/bin/sh
# bench/site.sh - a site under a migration wave: N endpoints (default
# 1,000), each a real `tsi run` of its own computer (its own identity, a
# small profile), capture to the site then restore from it (a refresh:
# request, a small capture upload, release; then request, download,
# restore, release; status events as every run sends them), P at a time,
# against
#
#   site    two nodes (tsi smp serve) sharing one PostgreSQL database that
#           this script starts (initdb in the work folder, Unix socket),
#           each endpoint given both nodes (half of them A first, half B)
#   solo    one node on its own (SQLite)
#
# and reports for each: stores lost (an endpoint whose restore failed or
# restored other bytes, or a store not released: must be 0), acknowledged
# status events lost (events the runs were told were taken, less those in
# the database: must be 0), p50 and p99 of the control requests' time as
# each node's access log measures it (from the request line to the answer:
# signature, database, everything but the network; target p99 < 50 ms),
# each node's peak memory (VmHWM; target < 128 MiB) and the database's size
# per 1,000 computers.  Exits 1 when a target is missed, 2 on a setup error.
#
# Environment: TSI (default ./tsi), BENCH_SITE_N (1000), BENCH_SITE_P (16),
# BENCH_SITE_WORK (default bench/work/site).
set -eu
cd "$(dirname "$0")/.."
ROOT=$(pwd)
TSI=${TSI:-$ROOT/tsi}
N=${BENCH_SITE_N:-1000}
P=${BENCH_SITE_P:-16}
W=${BENCH_SITE_WORK:-$ROOT/bench/work/site}
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2> /dev/null | sort -V | tail -n 1)

[ -x "$TSI" ] || { echo "bench/site.sh: no $TSI (make first)" >&2; exit 2; }
[ -x "$PG_BIN/initdb" ] || { echo "bench/site.sh: no PostgreSQL (dist/setup-debian.sh installs it)" >&2; exit 2; }
rm -rf "$W"
mkdir -p "$W"
PIDS=
stop_all() {
	for p in $PIDS; do kill "$p" 2> /dev/null || true; done
	[ -f "$W/pg/data/postmaster.pid" ] &&
	    kill -INT "$(head -n 1 "$W/pg/data/postmaster.pid")" 2> /dev/null || true
}
trap stop_all EXIT

as_pg() {
	if [ "$(id -u)" = 0 ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi
}

# PostgreSQL of its own: a socket in $W/pg, no TCP
mkdir -p "$W/pg" && chmod 700 "$W/pg"
[ "$(id -u)" = 0 ] && chown postgres: "$W/pg"
as_pg "$PG_BIN/initdb" -D "$W/pg/data" -U tsi --auth=trust -E UTF8 --no-instructions > "$W/pg/initdb.log" 2>&1
as_pg "$PG_BIN/pg_ctl" -D "$W/pg/data" -l "$W/pg/log" -w \
    -o "-k $W/pg -c listen_addresses=" start > /dev/null
as_pg "$PG_BIN/createdb" -h "$W/pg" -U tsi site
URL="postgresql:///site?host=$W/pg&user=tsi"

"$TSI" smp init --dir "$W/a" --name node-a --database "$URL" > /dev/null
"$TSI" smp init --dir "$W/b" --name node-b --database "$URL" > /dev/null
"$TSI" smp init --dir "$W/solo" --name solo > /dev/null
for d in a b solo; do
	sed -i 's/connections: 64/connections: 256/; s/per_ip_connections: 32/per_ip_connections: 256/;
	    s/max_clients: 100,/max_clients: 99999,/' "$W/$d/smp.conf"
done
cat "$W/a/smp-cert.pem" "$W/b/smp-cert.pem" > "$W/site-bundle.pem"
# the databases' sizes with their schema and nothing else: what N
# computers add is measured from here
pg_size() { psql -X -A -t "$URL" -c "select pg_database_size(current_database())"; }
solo_size() {
	"$TSI" smp list --dir "$W/solo" > /dev/null	# a checkpoint: the WAL back in
	cat "$W/solo/smp.db" "$W/solo/smp.db-wal" 2> /dev/null | wc -c
}
EMPTY_SITE=$(pg_size)
EMPTY_SOLO=$(solo_size)

# the endpoints: an identity each, registered on both sites; a profile
# each, a document that says whose it is
echo "bench/site.sh: $N endpoints, $P at a time"
i=1
while [ $i -le "$N" ]; do
	"$TSI" identity init --dir "$W/id/$i" --name "pc$i" > /dev/null
	mkdir -p "$W/root/$i/etc" "$W/root/$i/home/u/Documents"
	echo "u:x:1001:1001::/home/u:/bin/sh" > "$W/root/$i/etc/passwd"
	echo "u:x:1001:" > "$W/root/$i/etc/group"
	echo "endpoint $i $(od -An -N8 -tx8 /dev/urandom)" > "$W/root/$i/home/u/Documents/mine.txt"
	head -c 20000 /dev/urandom > "$W/root/$i/home/u/Documents/data.bin"
	i=$((i + 1))
done
i=1
while [ $i -le "$N" ]; do
	echo "$i"
	i=$((i + 1))
done > "$W/list"
# registered through the admin command, on each site
for site in a solo; do
	xargs -P "$P" -I{} "$TSI" smp computer add --dir "$W/$site" --name "pc{}" \
	    --key "$W/id/{}/identity.pub" < "$W/list" > /dev/null
done

cat > "$W/capture.yaml" <<'EOF'
name: Refresh, capture
steps:
  - { name: Request, type: request_state_store, with: { mode: capture } }
  - { name: Capture, type: capture_user_state }
  - { name: Release, type: release_state_store }
EOF
sed 's/capture/restore/g; s/Capture/Restore/g' "$W/capture.yaml" > "$W/restore.yaml"

# one endpoint's run: run.sh KIND SITE I
cat > "$W/run.sh" <<EOF
#!/bin/sh
kind=\$1 site=\$2 i=\$3
if [ "\$site" = site ]; then
	if [ \$((i % 2)) = 0 ]; then smps="https://127.0.0.1:\$(cat $W/a.port) https://127.0.0.1:\$(cat $W/b.port)"
	else smps="https://127.0.0.1:\$(cat $W/b.port) https://127.0.0.1:\$(cat $W/a.port)"; fi
	ca=$W/site-bundle.pem
else
	smps="https://127.0.0.1:\$(cat $W/solo.port)"
	ca=$W/solo/smp-cert.pem
fi
root=$W/root/\$i
[ "\$kind" = restore ] && root=$W/out-\$site/\$i && mkdir -p \$root/etc \$root/home/u &&
    cp $W/root/\$i/etc/* \$root/etc/
"$TSI" run "$W/\$kind.yaml" --root "\$root" --state-dir "$W/st-\$site-\$kind/\$i" \\
    --log-dir "$W/log-\$site-\$kind/\$i" --var "TSIStateMigrationPoints=\$smps" \\
    --var "TSISMPCACert=\$ca" --var "TSIIdentityDir=$W/id/\$i" \\
    --var OSDStateSMPRetryCount=10 --var OSDStateSMPRetryTime=1 > "$W/out-\$site-\$kind.\$i" 2>&1 ||
    echo "\$i" >> "$W/failed-\$site-\$kind"
EOF

serve() {
	"$TSI" smp serve --dir "$W/$1" --listen 127.0.0.1:0 --port-file "$W/$1.port" \
	    > "$W/$1.log" 2>&1 &
	PIDS="$PIDS $!"
	eval "PID_$1=$!"
	n=0
	while ! [ -s "$W/$1.port" ] && [ $n -lt 100 ]; do sleep 0.1; n=$((n + 1)); done
}

pct() {	# pct P FILE: the P-th percentile of FILE's numbers
	sort -n "$2" | awk -v p="$1" '{ v[NR] = $1 } END { i = int(NR * p / 100 + 0.999); if (i < 1) i = 1; print v[i] }'
}

miss=0
wave() {	# wave SITE NODES...
	site=$1
	shift
	for k in capture restore; do
		start=$(date +%s.%N)
		xargs -P "$P" -I{} sh "$W/run.sh" $k "$site" {} < "$W/list"
		end=$(date +%s.%N)
		awk -v a="$start" -v b="$end" -v k=$k -v n="$N" \
		    'BEGIN { printf "  %-8s %d runs in %.1f s\n", k, n, b - a }'
	done
	lost=0
	[ -f "$W/failed-$site-capture" ] && lost=$(sort -u "$W/failed-$site-capture" | wc -l)
	[ -f "$W/failed-$site-restore" ] && lost=$((lost + $(sort -u "$W/failed-$site-restore" | wc -l)))
	i=1
	while [ $i -le "$N" ]; do
		cmp -s "$W/root/$i/home/u/Documents/data.bin" "$W/out-$site/$i/home/u/Documents/data.bin" ||
		    lost=$((lost + 1))
		i=$((i + 1))
	done
	: > "$W/lat-$site"
	for node; do
		grep -h -- "-> [0-9]* in " "$W/$node.log" | grep -v "/data" |
		    sed -n 's/.* -> [0-9]* in \([0-9.]*\) ms.*/\1/p' >> "$W/lat-$site"
		eval "pid=\$PID_$node"
		hwm=$(awk '/VmHWM/ { print int($2 / 1024) }' /proc/$pid/status)
		echo "  node $node peak memory $hwm MiB (target < 128)"
		[ "$hwm" -lt 128 ] || miss=1
	done
	p50=$(pct 50 "$W/lat-$site")
	p99=$(pct 99 "$W/lat-$site")
	echo "  control requests: $(wc -l < "$W/lat-$site"), p50 $p50 ms, p99 $p99 ms (target p99 < 50)"
	awk -v p="$p99" 'BEGIN { exit !(p < 50) }' || miss=1
	echo "  stores lost: $lost (must be 0)"
	[ "$lost" = 0 ] || miss=1
	# events the site acknowledged, as each run's spool counts them
	# (status/seq: the next number and the spool's acknowledged lines)
	acked=$(for f in "$W"/st-$site-*/*/status/seq; do
		sp="${f%/seq}/spool"
		awk -v lines="$( [ -f "$sp" ] && wc -l < "$sp" || echo 0)" \
		    '{ print ($1 - 1) - (lines - $2) }' "$f"
	done | awk '{ n += $1 } END { print n + 0 }')
	stored=$(events_stored "$site")
	echo "  status events acknowledged $acked, in the database $stored," \
	    "acknowledged and lost $((acked > stored ? acked - stored : 0)) (must be 0)"
	[ "$acked" -le "$stored" ] && [ "$acked" -gt 0 ] || miss=1
}

events_stored() {
	if [ "$1" = site ]; then
		psql -X -A -t "$URL" -c "select count(*) from events"
	else
		python3 -c "import sqlite3, sys
print(sqlite3.connect(sys.argv[1]).execute('select count(*) from events').fetchone()[0])" \
		    "$W/solo/smp.db"
	fi
}

echo "site: two nodes, one PostgreSQL"
serve a
serve b
wave site a b
released=$(psql -X -A -t "$URL" -c "select count(*) from stores where state = 'released'")
echo "  stores released in the database: $released of $N"
[ "$released" = "$N" ] || miss=1
size=$(($(pg_size) - EMPTY_SITE))
echo "  database: $((size / 1024)) KiB for $N computers, $((size / 1024 * 1000 / N)) KiB per 1,000"

echo "solo: one node, SQLite"
serve solo
wave solo solo
kill "$PID_solo" && sleep 1
size=$(($(solo_size) - EMPTY_SOLO))
echo "  database: $((size / 1024)) KiB for $N computers, $((size / 1024 * 1000 / N)) KiB per 1,000"
exit $miss
