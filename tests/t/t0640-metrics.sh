#!/bin/sh
# t0640-metrics.sh - `tsi smp serve --metrics-listen`: GET /metrics in
# Prometheus' text format on a plain HTTP port of its own, off by default;
# the counters after a real capture and restore, counters that only grow,
# refusals counted, no computer name or store id shown, 404 and 405, and
# the option's errors.
#
#   TSI=$PWD/tsi TSI_TOP=$PWD sh tests/t/t0640-metrics.sh

. "$TSI_TOP/tests/lib/test-lib.sh"
. "$TSI_TOP/tests/lib/smp-serve.sh"

RAW="python3 $TSI_TOP/tests/lib/smp-raw.py"
MET="python3 $TSI_TOP/tests/lib/metrics.py"
# the server's metrics on any free port, written to srv.mport
M="--metrics-listen 127.0.0.1:0 --metrics-port-file srv.mport"
TYPE="text/plain; version=0.0.4; charset=utf-8"
NAMES="tsi_smp_up tsi_smp_build_info tsi_smp_requests_total tsi_smp_received_bytes_total
    tsi_smp_sent_bytes_total tsi_smp_uploads_in_progress tsi_smp_stores
    tsi_smp_folder_free_bytes tsi_smp_folder_stores tsi_smp_request_duration_seconds
    tsi_smp_database_errors_total"

# a home with a document, a settings file and a 3 MB file
make_root() {
	mkdir -p "$1/etc" "$1/home/alice/Documents" "$1/home/alice/.config/app" &&
	echo "alice:x:1001:1001::/home/alice:/bin/sh" > "$1/etc/passwd" &&
	echo "alice:x:1001:" > "$1/etc/group" &&
	if [ "${2:-}" = src ]; then
		echo "quarterly report MARKER-7f3a" > "$1/home/alice/Documents/report.txt" &&
		echo "theme=dark" > "$1/home/alice/.bashrc" &&
		head -c 3000000 /dev/urandom > "$1/home/alice/Documents/data.bin"
	fi
}

# smp_world [ARGS...]: an SMP with three registered computers, old-pc ->
# new-pc, and the source and destination systems; the SMP runs with ARGS
# (trap stops it).
smp_world() {
	trap 'rc=$?; for p in *.pid; do kill "$(cat "$p")" 2>/dev/null || true; done; exit $rc' EXIT
	tsi smp init --dir srv --name smp.test > /dev/null &&
	for c in old new third; do
		tsi identity init --dir $c --name $c-pc > /dev/null &&
		tsi smp computer add --dir srv --name $c-pc --key $c/identity.pub > /dev/null ||
		return 1
	done &&
	tsi smp associate --dir srv --source old-pc --dest new-pc > /dev/null &&
	make_root src src && make_root dst &&
	cat > source.yaml <<-'EOF' &&
	name: Replace, source side
	steps:
	  - name: Capture to the SMP
	    steps:
	      - name: Request state store
	        type: request_state_store
	        with: { mode: capture }
	      - name: Capture user state
	        type: capture_user_state
	        continue_on_error: true
	      - name: Release state store
	        type: release_state_store
	        condition: { variable: _SMSTSLastActionSucceeded, equals: "true" }
	EOF
	sed 's/capture/restore/g; s/Capture/Restore/g; s/source side/destination side/' \
	    source.yaml > dest.yaml &&
	smp_start srv 0 "$@"
}

# run_seq SEQ ROOT IDENTITY NAME [ARGS...]
run_seq() {
	_seq=$1 _root=$2 _ident=$3 _n=$4
	shift 4
	$TSI_WRAP "${RUN_TSI:-$TSI}" run "$_seq" --root "$_root" --state-dir "st-$_n" --log-dir "log-$_n" \
	    --var "TSIStateMigrationPoints=${SMPS:-https://127.0.0.1:$(cat srv.port)}" \
	    --var "TSISMPCACert=${CACERT:-$PWD/srv/smp-cert.pem}" --var "TSIIdentityDir=$PWD/$_ident" \
	    --var OSDStateSMPRetryCount=5 --var OSDStateSMPRetryTime=1 "$@"
}

store_id() {
	python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(
\"select id from stores order by rowid desc limit 1\").fetchone()[0])" srv/smp.db
}

# scrape OUT: GET /metrics from srv's metrics port: the body in OUT; the
# status, Content-Type and Allow in OUT.head; fails unless it is 200
scrape() {
	$MET fetch "$(cat srv.mport)" /metrics GET "$1" > "$1.head" &&
	[ "$(sed -n 1p "$1.head")" = 200 ] || { cat "$1.head" >&2; return 1; }
}

# val FILE NAME [LABEL=VALUE...]: the sum of those samples (0 when none)
val() {
	$MET sum "$@"
}

# answered LOG: the requests the access log shows answered
answered() {
	grep -c "^tsi smp: .* -> [0-9]* in " "$1"
}

test_expect 'without --metrics-listen nothing more listens; the main port'"'"'s /metrics is 404 as before' '
	smp_world && [ "$($MET listening "$(cat srv.pid)")" = 1 ] &&
	lacks srv.log "metrics" && ! [ -e srv.mport ] &&
	$RAW "$(cat srv.port)" srv/smp-cert.pem GET /metrics > r && contains r 404 &&
	contains r "no such resource" && smp_stop srv
'

test_expect 'GET /metrics: 200, the exposition type, every metric with HELP and TYPE, Prometheus text' '
	smp_world $M && wait_for srv.mport &&
	contains srv.log "metrics on plain HTTP port $(cat srv.mport)" &&
	[ "$($MET listening "$(cat srv.pid)")" = 2 ] &&
	scrape m && [ "$(sed -n 2p m.head)" = "$TYPE" ] &&
	$MET check m $NAMES > chk && cat chk &&
	contains m "tsi_smp_up 1" && contains m "tsi_smp_build_info{version=\"" &&
	contains m "tsi_smp_stores{state=\"complete\"} 0" &&
	contains m "tsi_smp_request_duration_seconds_bucket{le=\"+Inf\"} 0" &&
	[ "$(val m tsi_smp_folder_free_bytes folder=stores)" -gt 0 ] &&
	printf "# HELP x an x\n# TYPE x gauge\nx{a=\"b} 1\n" > bad && ! $MET check bad x 2> e1 &&
	contains e1 "not a sample" &&
	printf "# HELP x an x\n# TYPE x gauge\nx 1\n" > fine && ! $MET check fine x y 2> e2 &&
	contains e2 "no HELP and TYPE for y" && smp_stop srv
'

test_expect 'after a capture and a restore the counters and gauges say what happened' '
	smp_world $M && wait_for srv.mport &&
	run_seq source.yaml src old s > out 2>&1 && contains out "is complete" && id=$(store_id) &&
	size=$(stat -c %s srv/stores/$id.tsistore) && [ "$size" -gt 3000000 ] &&
	run_seq dest.yaml dst new d > out2 2>&1 && contains out2 "restored from" &&
	wait_until "scrape m && [ \$(val m tsi_smp_stores state=released) = 1 ]" &&
	[ "$(val m tsi_smp_stores state=complete)" = 0 ] &&
	[ "$(val m tsi_smp_requests_total route=upload code=200)" -ge 1 ] &&
	[ "$(val m tsi_smp_requests_total route=release code=200)" -ge 2 ] &&
	[ "$(val m tsi_smp_requests_total route=request code=200)" -ge 2 ] &&
	[ "$(val m tsi_smp_requests_total route=download)" -ge 1 ] &&
	[ "$(val m tsi_smp_received_bytes_total)" -ge "$size" ] &&
	[ "$(val m tsi_smp_sent_bytes_total)" -ge "$size" ] &&
	n=$(val m tsi_smp_request_duration_seconds_count) && echo "requests: $n" &&
	[ "$n" = "$(val m tsi_smp_requests_total)" ] && [ "$n" = "$(answered srv.log)" ] &&
	[ "$n" -ge 6 ] && $MET has m tsi_smp_request_duration_seconds_sum &&
	[ "$(val m tsi_smp_folder_free_bytes folder=stores)" -gt 0 ] &&
	[ "$(val m tsi_smp_folder_stores folder=stores)" = 1 ] &&
	[ "$(val m tsi_smp_uploads_in_progress)" = 0 ] &&
	[ "$(val m tsi_smp_database_errors_total)" = 0 ] && smp_stop srv
'

test_expect 'counters only grow from scrape to scrape; a refusal is counted with its status' '
	smp_world $M && wait_for srv.mport && p=$(cat srv.port) && scrape m1 &&
	$RAW $p srv/smp-cert.pem GET /v1/capacity > r1 && contains r1 401 &&
	$RAW $p srv/smp-cert.pem GET /admin > r2 && contains r2 404 &&
	$RAW $p srv/smp-cert.pem GET /v1/hello > r3 && contains r3 200 &&
	scrape m2 && $MET grew m1 m2 &&
	[ "$(val m2 tsi_smp_requests_total route=capacity code=401)" = \
	    "$(($(val m1 tsi_smp_requests_total route=capacity code=401) + 1))" ] &&
	[ "$(val m2 tsi_smp_requests_total route=other code=404)" = \
	    "$(($(val m1 tsi_smp_requests_total route=other code=404) + 1))" ] &&
	[ "$(val m2 tsi_smp_requests_total route=hello code=200)" = \
	    "$(($(val m1 tsi_smp_requests_total route=hello code=200) + 1))" ] &&
	run_seq source.yaml src old s > out 2>&1 && contains out "is complete" &&
	scrape m3 && $MET grew m2 m3 && $MET grew m1 m3 &&
	[ "$(val m3 tsi_smp_received_bytes_total)" -gt "$(val m2 tsi_smp_received_bytes_total)" ] &&
	! $MET grew m3 m1 2> e && contains e "is gone from m1" &&
	sed "s/^tsi_smp_received_bytes_total .*/tsi_smp_received_bytes_total 1/" m3 > m4 &&
	! $MET grew m3 m4 2> e2 && contains e2 "went down" && smp_stop srv
'

test_expect '/metrics shows no computer name, node name or store id' '
	smp_world $M && wait_for srv.mport &&
	run_seq source.yaml src old s > out 2>&1 && contains out "is complete" && id=$(store_id) &&
	contains srv.log "$id" && contains srv.log "old-pc" &&
	wait_until "scrape m && [ \$(val m tsi_smp_stores state=complete) = 1 ]" &&
	lacks m "$id" && lacks m "old-pc" && lacks m "new-pc" && lacks m "third-pc" &&
	lacks m "smp.test" && lacks m "alice" && lacks m "$PWD" && smp_stop srv
'

test_expect 'the metrics port: plain HTTP, GET /metrics only (405, 404); the main port still refuses plain HTTP' '
	smp_world $M && wait_for srv.mport && mp=$(cat srv.mport) &&
	$MET fetch $mp /metrics POST b1 > h1 && [ "$(sed -n 1p h1)" = 405 ] &&
	[ "$(sed -n 3p h1)" = "GET, HEAD" ] && contains b1 "POST is not allowed here" &&
	$MET fetch $mp /metrics PUT b2 > h2 && [ "$(sed -n 1p h2)" = 405 ] &&
	$MET fetch $mp /other GET b3 > h3 && [ "$(sed -n 1p h3)" = 404 ] &&
	contains b3 "serves GET /metrics only" &&
	$MET fetch $mp /v1/hello GET b4 > h4 && [ "$(sed -n 1p h4)" = 404 ] &&
	$MET fetch $mp /metrics HEAD b5 > h5 && [ "$(sed -n 1p h5)" = 200 ] &&
	$MET fetch $mp /metrics GET b6 > h6 && [ "$(sed -n 1p h6)" = 200 ] &&
	! $MET tls $mp && $MET tls "$(cat srv.port)" &&
	! $MET fetch "$(cat srv.port)" /v1/hello GET b7 > h7 && contains h7 "no answer" &&
	lacks srv.log "GET /other" && smp_stop srv
'

test_expect 'a bad --metrics-listen is a usage error (exit 2); a port taken is an error that says so' '
	tsi smp init --dir srv > /dev/null &&
	for v in x 127.0.0.1 127.0.0.1:70000 "[::1]" ""; do
		tsi_rc 2 smp serve --dir srv --listen 127.0.0.1:0 --metrics-listen "$v" 2> e &&
		contains e "error: --metrics-listen takes ADDR:PORT" && lacks e "serving" || exit 1
	done &&
	tsi_rc 2 smp serve --dir srv --listen 127.0.0.1:0 --metrics-listen localhost:9464 2> e2 &&
	contains e2 "--metrics-listen: '"'"'localhost'"'"' is not an IP address" &&
	tsi_rc 2 smp serve --dir srv --listen 127.0.0.1:0 --metrics-port-file f 2> e3 &&
	contains e3 "--metrics-port-file needs --metrics-listen" &&
	tsi_rc 2 smp serve --dir srv --metrics-listen 2> e4 && contains e4 "needs a value" &&
	smp_start srv 0 $M && wait_for srv.mport && mp=$(cat srv.mport) &&
	tsi smp init --dir two > /dev/null &&
	tsi_rc 1 smp serve --dir two --listen 127.0.0.1:0 --port-file two.port \
	    --metrics-listen 127.0.0.1:$mp 2> e5 &&
	contains e5 "cannot listen on 127.0.0.1:$mp for the metrics (--metrics-listen): Address already in use" &&
	lacks e5 "Sanitizer" && ! [ -e two.port ] && scrape m && smp_stop srv
'

test_done
