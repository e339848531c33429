#!/bin/sh
# t0610-smp.sh - the State Migration Point end to end: a real `tsi smp
# serve` on loopback over TLS, the source and destination sequences, the
# refusals (unauthenticated, not party, replayed, out of order, malformed),
# and the faults: the SMP killed mid-upload, the client killed mid-capture,
# a full SMP, a corrupted upload, retention, restore-only mode, idle and
# excess connections.
#
#   TSI=$PWD/tsi TSI_TOP=$PWD sh tests/t/t0610-smp.sh

. "$TSI_TOP/tests/lib/test-lib.sh"
. "$TSI_TOP/tests/lib/smp-serve.sh"

RAW="python3 $TSI_TOP/tests/lib/smp-raw.py"

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

# smp_world: an SMP with three registered computers, old-pc -> new-pc,
# and the source and destination systems; the SMP runs (trap stops it).
smp_world() {
	trap 'rc=$?; for p in *.pid; do kill "$(cat "$p")" 2>/dev/null || true; done; exit $rc' EXIT
	tsi smp init --dir srv --name smp.test > /dev/null &&
	sed -i "s/retention: 1d/retention: ${RETENTION:-1d}/" srv/smp.conf &&
	for c in old new third; do
		tsi identity init --dir $c --name $c-pc > /dev/null &&
		tsi smp computer add --dir srv --name $c-pc --key $c/identity.pub > /dev/null ||
		return 1
	done &&
	tsi smp associate --dir srv --source old-pc --dest new-pc > /dev/null &&
	make_root src src && make_root dst && make_root third &&
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
	smp_start srv
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

# occupy_bg ARGS...: smp-raw.py in the background, its output in
# "occupied", its pid in occupy.pid.
occupy_bg() {
	$RAW "$@" > occupied &
	echo $! > occupy.pid
	started $!
}

store_id() {
	sqlite3_id=$(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(
\"select id from stores order by rowid desc limit 1\").fetchone()[0])" srv/smp.db)
	echo "$sqlite3_id"
}

store_state() {
	python3 -c "import sqlite3,sys; r = sqlite3.connect(sys.argv[1]).execute(
\"select state from stores where id = ?\", (sys.argv[2],)).fetchone(); print(r[0] if r else \"none\")" \
	    srv/smp.db "$1"
}

# state_is ID STATE: the store is in STATE, or the test says which it is in.
state_is() {
	_st=$(store_state "$1")
	[ "$_st" = "$2" ] || { echo "store $1 is $_st, not $2" >&2; return 1; }
}

test_expect 'replace: the source captures to the SMP, the destination restores; the SMP holds no plaintext' '
	smp_world &&
	run_seq source.yaml src old s > out 2>&1 && contains out "released: store" &&
	contains out "is complete" && id=$(store_id) &&
	[ "$(store_state $id)" = complete ] &&
	[ "$(stat -c %a srv/stores/$id.tsistore)" = 400 ] &&
	! grep -rq "MARKER-7f3a" srv && ! grep -rq "theme=dark" srv &&
	run_seq dest.yaml dst new d > out2 2>&1 && contains out2 "restored from" &&
	cmp src/home/alice/Documents/data.bin dst/home/alice/Documents/data.bin &&
	cmp src/home/alice/.bashrc dst/home/alice/.bashrc &&
	[ "$(store_state $id)" = released ] &&
	contains srv.log "old-pc PUT /v1/stores/$id/data?offset=0 -> 200" &&
	grep "old-pc POST /v1/stores/$id/release -> 200" srv.log > rel.log &&
	contains rel.log "(session)" && smp_stop srv
'

test_expect 'only the destination and the recovery key open the store; the source cannot' '
	smp_world && run_seq source.yaml src old s > out 2>&1 && id=$(store_id) &&
	tsi_rc 1 state list --store srv/stores/$id.tsistore --identity old 2> e1 &&
	contains e1 "is not encrypted to identity '"'"'old-pc'"'"'" &&
	tsi state list --store srv/stores/$id.tsistore --identity new > l1 2>&1 &&
	contains l1 "alice/Documents/report.txt" &&
	mkdir rk && chmod 700 rk && cp srv/recovery.key rk/identity.key && cp srv/recovery.pub rk/identity.pub &&
	tsi state list --store srv/stores/$id.tsistore --identity rk > l2 2>&1 &&
	contains l2 "alice/Documents/report.txt" &&
	tsi smp recovery old-pc:new-pc --dir srv > rec && contains rec "$id" && smp_stop srv
'

test_expect 'a third computer can neither read nor write the pair'"'"'s store, nor get it by request' '
	smp_world && run_seq source.yaml src old s > /dev/null 2>&1 && id=$(store_id) &&
	url="https://127.0.0.1:$(cat srv.port)/v1/stores/$id" &&
	! run_seq dest.yaml third third t > out 2>&1 && contains out "this SMP holds no store for computer '"'"'third-pc'"'"'" &&
	printf "name: x\nsteps:\n  - name: Read\n    type: restore_user_state\n" > read.yaml &&
	! run_seq read.yaml third third r --var "OSDStateStorePath=$url" > out2 2>&1 &&
	contains out2 "403 computer '"'"'third-pc'"'"' is not party to the association" &&
	printf "name: x\nsteps:\n  - name: Write\n    type: capture_user_state\n" > write.yaml &&
	! run_seq write.yaml third third w --var "OSDStateStorePath=$url" > out3 2>&1 &&
	contains out3 "403" &&
	[ "$(store_state $id)" = complete ] && smp_stop srv
'

test_expect 'unsigned, malformed, oversized and foreign requests get 401, 400, 413, 404' '
	smp_world && p=$(cat srv.port) &&
	$RAW $p srv/smp-cert.pem GET /v1/capacity > r1 && contains r1 401 && contains r1 "not signed" &&
	$RAW $p srv/smp-cert.pem GET /v1/capacity "Authorization: TSI-SMP1 zz" > r2 &&
	contains r2 401 && contains r2 "not TSI-SMP1" &&
	$RAW $p srv/smp-cert.pem GET /v1/capacity "Authorization: TSI-SMP1 0123456789abcdef $(date +%s) 0123456789abcdef0123456789abcdef AAAA" > r3 &&
	contains r3 401 && contains r3 "not a computer registered" &&
	$RAW $p srv/smp-cert.pem GET /v1/stores/../../etc/passwd > r4 && contains r4 400 &&
	$RAW $p srv/smp-cert.pem GET /v1/stores/0123 > r5 && contains r5 "not a store id of this SMP" &&
	$RAW $p srv/smp-cert.pem GET /admin > r6 && contains r6 404 &&
	$RAW $p srv/smp-cert.pem POST "/v1/request?mode=steal" > r7 && contains r7 400 &&
	$RAW $p srv/smp-cert.pem POST /v1/request?mode=capture --body-bytes 10 > r8 && contains r8 413 &&
	$RAW $p srv/smp-cert.pem GET "/v1/capacity?x=$(head -c 600 /dev/zero | tr "\0" a)" > r9 &&
	contains r9 400 && contains r9 "too long" &&
	timeout 10 $RAW $p srv/smp-cert.pem POST /v1/request?mode=capture "Content-Length: 100000000" > r10 &&
	contains r10 413 &&
	$RAW $p srv/smp-cert.pem PUT /v1/capacity > r11 && contains r11 405 &&
	smp_stop srv
'

test_expect 'a replayed request is refused, and so is one signed long ago or for another SMP' '
	smp_world && p=$(cat srv.port) &&
	TSI_FAULT_SMP_TRACE=$PWD/trace RUN_TSI=$TSI_FAULTS run_seq source.yaml src old s > /dev/null 2>&1 &&
	auth=$(sed -n "2p" trace | sed "s/^Authorization: //") && head -n1 trace | grep -q "GET /v1/capacity" &&
	$RAW $p srv/smp-cert.pem GET /v1/capacity "Authorization: $auth" > r1 &&
	contains r1 401 && contains r1 "replayed" &&
	old=$(echo "$auth" | awk "{ \$3 = \$3 - 1000; print }") &&
	$RAW $p srv/smp-cert.pem GET /v1/capacity "Authorization: $old" > r2 &&
	contains r2 401 && contains r2 "from the SMP'"'"'s clock" &&
	tsi smp init --dir srv2 > /dev/null && tsi smp computer add --dir srv2 --name old-pc --key old/identity.pub > /dev/null &&
	smp_start srv2 &&
	$RAW $(cat srv2.port) srv2/smp-cert.pem GET /v1/capacity "Authorization: $auth" > r3 &&
	contains r3 401 && contains r3 "signed for another SMP" &&
	smp_stop srv && smp_stop srv2
'

test_expect 'a session MAC works only on the connection that opened it' '
	smp_world && p=$(cat srv.port) &&
	TSI_FAULT_SMP_TRACE=$PWD/trace RUN_TSI=$TSI_FAULTS run_seq source.yaml src old s > /dev/null 2>&1 &&
	grep -q "Authorization: TSI-SMP1-MAC" trace &&
	mac=$(grep -m1 "Authorization: TSI-SMP1-MAC" trace | sed "s/^Authorization: //") &&
	line=$(grep -m1 -B1 "Authorization: TSI-SMP1-MAC" trace | head -n1) &&
	target=$(echo "$line" | cut -d" " -f2) &&
	$RAW $p srv/smp-cert.pem "$(echo "$line" | cut -d" " -f1)" "$target" "Authorization: $mac" > r1 &&
	contains r1 401 && contains r1 "no session for key" &&
	smp_stop srv
'

test_expect 'the SMP'"'"'s certificate is pinned: another one is refused' '
	smp_world && tsi smp init --dir other > /dev/null &&
	! tsi run source.yaml --root src --state-dir st --log-dir lg \
	    --var "TSIStateMigrationPoints=https://127.0.0.1:$(cat srv.port)" \
	    --var "TSISMPCACert=$PWD/other/smp-cert.pem" --var "TSIIdentityDir=$PWD/old" \
	    --var OSDStateSMPRetryCount=0 > out 2>&1 &&
	contains out "no State Migration Point gave a store" && lacks srv.log "old-pc" &&
	! tsi run source.yaml --root src --state-dir st2 --log-dir lg2 \
	    --var "TSIStateMigrationPoints=https://127.0.0.1:$(cat srv.port)" \
	    --var "TSIIdentityDir=$PWD/old" > out2 2>&1 &&
	contains out2 "TSISMPCACert is not set" && smp_stop srv
'

test_expect 'out of order: reading before the source released is 409, writing after it too' '
	smp_world &&
	printf "name: x\nsteps:\n  - name: Request\n    type: request_state_store\n    with: { mode: capture }\n  - name: Capture\n    type: capture_user_state\n" > half.yaml &&
	run_seq half.yaml src old h > /dev/null 2>&1 && id=$(store_id) &&
	[ "$(store_state $id)" = uploading ] &&
	! run_seq dest.yaml dst new d > out 2>&1 && contains out "409" && contains out "not released by its source" &&
	run_seq source.yaml src old s > /dev/null 2>&1 && [ "$(store_state $id)" = complete ] &&
	url="https://127.0.0.1:$(cat srv.port)/v1/stores/$id" &&
	printf "name: x\nsteps:\n  - name: Capture\n    type: capture_user_state\n" > again.yaml &&
	! run_seq again.yaml src old a --var "OSDStateStorePath=$url" > out2 2>&1 &&
	contains out2 "is complete: run request_state_store again" &&
	! run_seq source.yaml src old s2 > out3 2>&1 && contains out3 "waits for its restore" &&
	smp_stop srv
'

test_expect 'the SMP killed during an upload and started again: the capture completes' '
	smp_world && smp_stop srv && head -c 40000000 /dev/urandom > src/home/alice/Documents/big.bin &&
	TSI_FAULT_SMP_SLOW_MS=300 SMP_TSI=$TSI_FAULTS smp_start srv && port=$(cat srv.port) &&
	{ (run_seq source.yaml src old s > out 2>&1; echo $? > rc) & } &&
	wait_until "grep -q \"data?offset=0 -> 200\" srv.log" &&
	kill -9 "$(cat srv.pid)" && sleep 1 && smp_start srv $port &&
	wait_until "[ -s rc ]" 60 &&
	[ "$(cat rc)" = 0 ] && contains out "retry 1 of 5" && contains out "is complete" &&
	run_seq dest.yaml dst new d > out2 2>&1 &&
	cmp src/home/alice/Documents/big.bin dst/home/alice/Documents/big.bin && smp_stop srv
'

test_expect 'the SMP restarted during a restore: the restore goes on and completes' '
	smp_world && head -c 30000000 /dev/urandom > src/home/alice/Documents/big.bin &&
	run_seq source.yaml src old s > /dev/null 2>&1 && smp_stop srv &&
	TSI_FAULT_SMP_SLOW_MS=200 SMP_TSI=$TSI_FAULTS smp_start srv && port=$(cat srv.port) &&
	{ (run_seq dest.yaml dst new d > out 2>&1; echo $? > rc) & } &&
	wait_until "[ \"\$(grep -c \"GET /v1/stores/.*/data -> 206\" srv.log)\" -ge 2 ]" &&
	kill -9 "$(cat srv.pid)" && sleep 1 && smp_start srv $port &&
	wait_until "[ -s rc ]" 60 &&
	[ "$(cat rc)" = 0 ] && contains out "download at byte" && contains out "retry 1 of 5" &&
	contains out "is released" &&
	cmp src/home/alice/Documents/big.bin dst/home/alice/Documents/big.bin && smp_stop srv
'

test_expect 'the client killed during the capture: tsi resume captures again and releases' '
	smp_world && smp_stop srv && head -c 40000000 /dev/urandom > src/home/alice/Documents/big.bin &&
	TSI_FAULT_SMP_SLOW_MS=300 SMP_TSI=$TSI_FAULTS smp_start srv &&
	tsi_bg run source.yaml --root src --state-dir st --log-dir lg \
	    --var "TSIStateMigrationPoints=https://127.0.0.1:$(cat srv.port)" \
	    --var "TSISMPCACert=$PWD/srv/smp-cert.pem" --var "TSIIdentityDir=$PWD/old" \
	    --var OSDStateSMPRetryCount=5 --var OSDStateSMPRetryTime=1 &&
	wait_until "grep -q \"data?offset=0 -> 200\" srv.log" &&
	kill -9 "$(cat pid)" && id=$(store_id) && [ "$(store_state $id)" = uploading ] &&
	tsi resume --state-dir st --log-dir lg > out 2>&1 && contains out "is complete" &&
	[ "$(store_state $id)" = complete ] &&
	run_seq dest.yaml dst new d > /dev/null 2>&1 &&
	cmp src/home/alice/Documents/big.bin dst/home/alice/Documents/big.bin && smp_stop srv
'

test_expect 'a full SMP takes no capture: the client goes on to the next one' '
	smp_world && tsi smp init --dir full > /dev/null &&
	sed -i "s/min_free: \"10%\"/min_free: \"100%\"/" full/smp.conf &&
	tsi smp computer add --dir full --name old-pc --key old/identity.pub > /dev/null &&
	smp_start full && cat full/smp-cert.pem srv/smp-cert.pem > bundle.pem &&
	(SMPS="https://127.0.0.1:$(cat full.port) https://127.0.0.1:$(cat srv.port)" \
	    CACERT=$PWD/bundle.pem run_seq source.yaml src old s > out 2>&1) &&
	contains out "takes no capture: folder '"'"'stores'"'"' has" && contains out "below its min_free" &&
	[ "$(store_state $(store_id))" = complete ] && lacks full.log "POST /v1/request" &&
	smp_stop full && smp_stop srv
'

test_expect 'the run keeps its SMP connection even when the variables it was made with are set again' '
	smp_world &&
	cat > again.yaml <<-EOF &&
	steps:
	  - { name: Request, type: request_state_store, with: { mode: capture } }
	  - { name: Same pin again, type: set_variable, with: { name: TSISMPCACert, value: "%TSISMPCACert%" } }
	  - { name: Same identity again, type: set_variable, with: { name: TSIIdentityDir, value: "%TSIIdentityDir%" } }
	  - { name: Capture, type: capture_user_state }
	  - { name: Release, type: release_state_store }
	EOF
	run_seq again.yaml src old a > out 2>&1 && contains out "is complete" &&
	id=$(store_id) && state_is $id complete && smp_stop srv
'

test_expect 'a corrupted upload is refused at release and never marked complete' '
	smp_world &&
	printf "name: x\nsteps:\n  - name: Request\n    type: request_state_store\n    with: { mode: capture }\n  - name: Capture\n    type: capture_user_state\n" > half.yaml &&
	run_seq half.yaml src old h > /dev/null 2>&1 && id=$(store_id) &&
	flip_byte srv/stores/$id.tsistore.partial 200000 &&
	printf "name: x\nsteps:\n  - name: Release\n    type: release_state_store\n" > rel.yaml &&
	{ run_seq rel.yaml src old r --var "OSDStateStorePath=https://127.0.0.1:$(cat srv.port)/v1/stores/$id" > out 2>&1; echo $? > rc; } &&
	contains out "cannot be released: 1 chunk is damaged, the first is chunk 0" &&
	[ "$(cat rc)" = 1 ] &&
	[ "$(store_state $id)" = uploading ] && ! [ -e srv/stores/$id.tsistore ] && smp_stop srv
'

test_expect 'retention deletes exactly the stores released by their destination, after the time' '
	RETENTION=3s smp_world &&
	tsi smp associate --dir srv --source third-pc --dest new-pc > /dev/null &&
	run_seq source.yaml src old s > /dev/null 2>&1 && kept=$(store_id) &&
	run_seq dest.yaml dst new d > /dev/null 2>&1 && [ "$(store_state $kept)" = released ] &&
	[ -e srv/stores/$kept.tsistore ] &&
	run_seq source.yaml third third s3 > /dev/null 2>&1 && waiting=$(store_id) &&
	[ "$waiting" != "$kept" ] && [ "$(store_state $waiting)" = complete ] &&
	wait_until "[ \"\$(store_state $kept)\" = deleted ]" &&
	! [ -e srv/stores/$kept.tsistore ] &&
	[ "$(store_state $waiting)" = complete ] && [ -e srv/stores/$waiting.tsistore ] &&
	contains srv.log "store $kept deleted: its retention time passed" &&
	printf "name: x\nsteps:\n  - name: Read\n    type: restore_user_state\n" > read.yaml &&
	! run_seq read.yaml dst new r --var "OSDStateStorePath=https://127.0.0.1:$(cat srv.port)/v1/stores/$kept" > out4 2>&1 &&
	contains out4 "410 store $kept was deleted after its retention time" && smp_stop srv
'

test_expect 'restore-only mode refuses captures and still serves restores' '
	smp_world && run_seq source.yaml src old s > /dev/null 2>&1 && smp_stop srv &&
	sed -i "s/restore_only: false/restore_only: Yes/" srv/smp.conf && smp_start srv &&
	run_seq dest.yaml dst new d > out 2>&1 && contains out "is released" &&
	! run_seq source.yaml third third t > out2 2>&1 && contains out2 "restore-only mode" &&
	smp_stop srv
'

test_expect 'SIGTERM stops the SMP cleanly; an unfinished upload stays unfinished' '
	smp_world &&
	printf "name: x\nsteps:\n  - name: Request\n    type: request_state_store\n    with: { mode: capture }\n  - name: Capture\n    type: capture_user_state\n" > half.yaml &&
	run_seq half.yaml src old h > /dev/null 2>&1 && id=$(store_id) &&
	smp_stop srv && contains srv.log "stopping" && [ "$(store_state $id)" = uploading ] &&
	! [ -e srv/stores/$id.tsistore ]
'

test_expect 'idle connections are closed; connections beyond the limit are not served' '
	smp_world && smp_stop srv &&
	sed -i "s/idle_timeout_s: 60/idle_timeout_s: 2/; s/connections: 64/connections: 3/" srv/smp.conf &&
	smp_start srv && p=$(cat srv.port) &&
	$RAW $p srv/smp-cert.pem idle 8 > idle && contains idle "closed after" &&
	[ "$(cut -d" " -f3 idle)" -le 4 ] &&
	$RAW $p srv/smp-cert.pem hold 6 3 > held && [ "$(cat held)" -le 3 ] && [ "$(cat held)" -ge 1 ] &&
	smp_stop srv
'

test_expect 'a client that drips its request is cut off; one address gets a few connections only' '
	smp_world && smp_stop srv &&
	sed -i "s/request_timeout_s: 30/request_timeout_s: 2/; s/per_ip_connections: 32/per_ip_connections: 2/" srv/smp.conf &&
	smp_start srv && p=$(cat srv.port) &&
	$RAW $p srv/smp-cert.pem drip 10 > drip && contains drip "closed after" &&
	[ "$(cut -d" " -f3 drip)" -le 5 ] && contains srv.log "too slow to send a request" &&
	$RAW $p srv/smp-cert.pem hold 5 3 > held && [ "$(cat held)" -le 2 ] &&
	smp_stop srv
'

test_expect 'strangers holding connections from several addresses cannot keep a registered computer out' '
	smp_world && smp_stop srv &&
	sed -i "s/ connections: 64/ connections: 8/; s/per_ip_connections: 32/per_ip_connections: 8/
	    s/ unauthenticated_connections: 16/ unauthenticated_connections: 4/
	    s/per_ip_unauthenticated_connections: 4/per_ip_unauthenticated_connections: 2/" srv/smp.conf &&
	contains srv/smp.conf "per_ip_unauthenticated_connections: 2" &&
	smp_start srv && p=$(cat srv.port) &&
	occupy_bg $p srv/smp-cert.pem occupy 4 4 12 &&
	sleep 3 &&
	run_seq source.yaml src old s > out 2>&1 && contains out "is complete" &&
	wait "$(cat occupy.pid)" &&
	read -r _ opened _ answered _ kept < occupied &&
	echo "strangers: $(cat occupied)" &&
	[ "$opened" -gt 16 ] && [ "$answered" -gt 0 ] && [ "$kept" -eq 0 ] &&
	contains srv.log "unauthenticated connections to make room for new ones" &&
	smp_stop srv
'

test_expect 'a refresh: the computer is its own destination; a repeated capture release does not start retention' '
	RETENTION=immediately smp_world &&
	printf "name: x\nsteps:\n  - name: Release again\n    type: release_state_store\n" > rel.yaml &&
	run_seq source.yaml third third s > out 2>&1 && id=$(store_id) && contains out "is complete" &&
	url="https://127.0.0.1:$(cat srv.port)/v1/stores/$id" &&
	run_seq rel.yaml third third r1 --var "OSDStateStorePath=$url" > out2 2>&1 &&
	contains out2 "is complete" && sleep 2 && state_is $id complete &&
	[ -e srv/stores/$id.tsistore ] &&
	rm -rf third/home/alice && mkdir third/home/alice &&
	run_seq dest.yaml third third d > out3 2>&1 && contains out3 "is released" &&
	wait_until "state_is $id deleted 2> /dev/null" 5 &&
	state_is $id deleted && smp_stop srv
'

test_expect 'plain HTTP needs an explicit yes; a recovery key other than TSIRecoveryKey is refused' '
	smp_world &&
	! (SMPS="http://127.0.0.1:$(cat srv.port)" run_seq source.yaml src old s > out 2>&1) &&
	contains out "is plain HTTP" && contains out "TSISMPAllowPlainHTTP" &&
	tsi identity init --dir fake --name fake-recovery > /dev/null &&
	{ run_seq source.yaml src old s2 --var "TSIRecoveryKey=$PWD/fake/identity.pub" > out2 2>&1 || true; } &&
	contains out2 "a recovery key other than TSIRecoveryKey" && lacks out2 "is complete" &&
	run_seq source.yaml src old s3 --var "TSIRecoveryKey=$PWD/srv/recovery.pub" > out3 2>&1 &&
	contains out3 "is complete" && smp_stop srv
'

test_expect 'the association decides whose state is captured and whose restored' '
	smp_world && mkdir -p src/home/bob/Documents dst/home/bob &&
	echo "bob:x:1002:1002::/home/bob:/bin/sh" >> src/etc/passwd && echo "bob:x:1002:1002::/home/bob:/bin/sh" >> dst/etc/passwd &&
	echo "bob:x:1002:" >> src/etc/group && echo "bob:x:1002:" >> dst/etc/group &&
	echo "bob notes" > src/home/bob/Documents/notes.txt &&
	tsi smp delete old-pc:new-pc --dir srv > /dev/null &&
	tsi smp associate --dir srv --source old-pc --dest new-pc --users alice --behavior capture-all-restore-specified > /dev/null &&
	run_seq source.yaml src old s > out 2>&1 && id=$(store_id) &&
	tsi state list --store srv/stores/$id.tsistore --identity new > l 2>&1 && contains l "bob/Documents/notes.txt" &&
	run_seq dest.yaml dst new d > out2 2>&1 && contains out2 "left out: the SMP association restores alice only" &&
	[ -e dst/home/alice/Documents/report.txt ] && ! [ -e dst/home/bob/Documents/notes.txt ] &&
	tsi smp associate --dir srv --source third-pc --dest new-pc --users bob --behavior capture-restore-specified > /dev/null &&
	mkdir -p third/home/bob/Documents && echo "bob:x:1002:1002::/home/bob:/bin/sh" >> third/etc/passwd &&
	echo "other bob" > third/home/bob/Documents/b.txt && echo "alice doc" > third/home/alice/a.txt &&
	run_seq source.yaml third third t > out3 2>&1 && contains out3 "left out: the SMP association captures bob only" &&
	smp_stop srv
'

test_expect 'tsi smp delete removes an unfinished upload too; computer names are checked' '
	smp_world &&
	printf "name: x\nsteps:\n  - name: Request\n    type: request_state_store\n    with: { mode: capture }\n  - name: Capture\n    type: capture_user_state\n" > half.yaml &&
	run_seq half.yaml src old h > /dev/null 2>&1 && id=$(store_id) && [ -e srv/stores/$id.tsistore.partial ] &&
	smp_stop srv && tsi smp delete old-pc:new-pc --dir srv > out && contains out "and 1 store" &&
	! [ -e srv/stores/$id.tsistore.partial ] &&
	tsi_rc 1 smp computer add --dir srv --name "bad name" --key old/identity.pub 2> e &&
	contains e "may hold only letters"
'

test_expect 'client set-up errors: an unreadable pin, a list that is not URLs, a local store to release' '
	smp_world &&
	! run_seq source.yaml src old a --var "TSISMPCACert=$PWD/missing.pem" > o1 2>&1 &&
	contains o1 "is not a readable PEM certificate" &&
	! (SMPS="smp1.example:8443" run_seq source.yaml src old b > o2 2>&1) &&
	contains o2 "not an SMP URL: set TSIStateMigrationPoints" &&
	printf "name: x\nsteps:\n  - name: Release\n    type: release_state_store\n" > rel.yaml &&
	run_seq rel.yaml src old c --var "OSDStateStorePath=$PWD/local-store" > o3 2>&1 &&
	contains o3 "nothing to release" && smp_stop srv
'

test_expect 'smp.conf errors name the line and column; the server does not start (exit 2)' '
	tsi smp init --dir srv > /dev/null &&
	printf "listen: \"127.0.0.1:0\"\nstorage:\n  - { path: stores, max_clients: 0 }\n" > srv/smp.conf &&
	tsi_rc 2 smp serve --dir srv 2> e1 && contains e1 "smp.conf:3:" && contains e1 "max_clients" &&
	printf "retention: forever\n" > srv/smp.conf &&
	tsi_rc 2 smp serve --dir srv 2> e2 && contains e2 "smp.conf:1:12: error: retention takes" &&
	printf "listen: x\n" > srv/smp.conf &&
	tsi_rc 2 smp serve --dir srv 2> e3 && contains e3 "listen takes ADDR:PORT" &&
	printf "limts: {}\n" > srv/smp.conf &&
	tsi_rc 2 smp serve --dir srv 2> e4 && contains e4 "did you mean '"'"'limits'"'"'"
'

test_done
