#!/bin/sh
# t0630-status.sh - the status of every run, reported to the site: runs
# against a real `tsi smp serve` on loopback over TLS report their start,
# steps, progress and end (POST /v1/events), `tsi smp status` shows them;
# an SMP that is down holds no run up and loses nothing acknowledged; the
# SMP refuses unsigned, replayed, oversized and malformed batches; the
# spool's bound drops the oldest and says so; no site, nothing sent.
#
#   TSI=$PWD/tsi TSI_TOP=$PWD TSI_FAULTS=$PWD/build/tsi-faults sh tests/t/t0630-status.sh

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

# three_steps [FILE]: a sequence of three steps, the second failing
# (continue_on_error); with FILE, a step between that waits (30 s at most)
# for FILE to exist.
three_steps() {
	cat <<-'EOF'
	name: Three steps
	steps:
	  - name: Say hello
	    type: run_command
	    with: { command: "echo hello" }
	  - name: Fail on purpose
	    type: run_command
	    continue_on_error: true
	    with: { command: "exit 7" }
	EOF
	if [ -n "${1:-}" ]; then
		printf '  - name: Wait a while\n    type: run_command\n'
		printf '    with: { command: "i=0; while [ ! -e %s ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done" }\n' "$1"
	fi
	printf '  - name: Set a variable\n    type: set_variable\n'
	printf '    with: { name: DONE, value: "yes" }\n'
}

# events [COMPUTER]: the rows of the SMP's events table (of a computer).
events() {
	python3 -c "import sqlite3,sys; q = \"select count(*) from events\" + (\" where computer = ?\" if len(sys.argv) > 2 else \"\");
print(sqlite3.connect(sys.argv[1]).execute(q, sys.argv[2:]).fetchone()[0])" srv/smp.db "$@"
}

# kinds RUN: the kinds of a run's events, in order, on one line.
kinds() {
	python3 -c "import sqlite3,sys; print(\" \".join(r[0] for r in sqlite3.connect(sys.argv[1]).execute(
\"select kind from events where run = ? order by seq\", (sys.argv[2],))))" srv/smp.db "$1"
}

# run_id LOGDIR: the run's id, from its events.jsonl.
run_id() {
	sed -n 's/.*"run_id":"\([0-9a-f]*\)".*/\1/p' "$1/events.jsonl" | head -n1
}

test_expect 'a run reports its steps: tsi smp status shows the computer, sequence, result and step K/N, --computer the steps, --json the same' '
	smp_world && three_steps > three.yaml &&
	SMPS=https://127.0.0.1:1 run_seq three.yaml src old a \
	    --var "TSIStatusURL=https://127.0.0.1:$(cat srv.port)" > out 2>&1 &&
	lacks out "status:" && id=$(run_id log-a) && [ ${#id} = 32 ] &&
	[ "$(events old-pc)" = 8 ] &&
	[ "$(kinds $id)" = "run_start step_start step_end step_start step_end step_start step_end run_end" ] &&
	tsi smp status --dir srv > st.txt && cat st.txt &&
	grep "^old-pc " st.txt > old.txt && contains old.txt "Three steps" &&
	contains old.txt succeeded && contains old.txt "3/3 Set a variable" &&
	contains old.txt "no store" &&
	grep "^new-pc " st.txt > new.txt && contains new.txt "no run" &&
	grep -q "^third-pc .*no run .*no association" st.txt &&
	tsi smp status --dir srv --computer old-pc > c.txt && cat c.txt &&
	contains c.txt "run $id: Three steps" &&
	contains c.txt "1/3     Say hello: succeeded (exit 0)" &&
	contains c.txt "2/3     Fail on purpose: failed (exit 7)" &&
	contains c.txt "3/3     Set a variable: succeeded (exit 0)" &&
	contains c.txt "UTC: succeeded" &&
	tsi smp status --dir srv --json > s.json &&
	python3 -c "import json,sys; d = {c[\"computer\"]: c for c in json.load(open(sys.argv[1]))[\"computers\"]}
r = d[\"old-pc\"][\"last_run\"]
assert r[\"run\"] == sys.argv[2] and r[\"sequence\"] == \"Three steps\" and r[\"result\"] == \"succeeded\", r
assert (r[\"step_no\"], r[\"steps\"], r[\"step\"]) == (3, 3, \"Set a variable\"), r
assert d[\"new-pc\"][\"last_run\"] is None and d[\"third-pc\"][\"store\"] == \"no association\", d" s.json $id &&
	tsi smp status --dir srv --computer old-pc --json > c.json &&
	python3 -c "import json,sys; d = json.load(open(sys.argv[1])); r = d[\"runs\"][0]
assert d[\"computer\"] == \"old-pc\" and r[\"run\"] == sys.argv[2], d
ends = [(e[\"step\"], e[\"result\"], e[\"detail\"]) for e in r[\"events\"] if e[\"kind\"] == \"step_end\"]
assert ends == [(\"Say hello\", \"succeeded\", \"1/3 exit 0\"), (\"Fail on purpose\", \"failed\", \"2/3 exit 7\"), (\"Set a variable\", \"succeeded\", \"3/3 exit 0\")], ends" c.json $id &&
	tsi_rc 1 smp status --dir srv --computer nobody-pc 2> e.txt &&
	contains e.txt "no computer named '"'"'nobody-pc'"'"' is registered" &&
	smp_stop srv
'

test_expect 'the SMP down during a run: the run goes on, its events are kept, and the next run sends them; nothing acknowledged is lost' '
	smp_world && port=$(cat srv.port) && three_steps "$PWD/go" > slow.yaml &&
	{ run_seq slow.yaml src old a > out 2>&1 & echo $! > run.pid; } && started "$(cat run.pid)" &&
	wait_until "grep -q \"old-pc POST /v1/events -> 200\" srv.log" 10 &&
	sent=$(events old-pc) && [ "$sent" -ge 3 ] &&
	smp_stop srv && touch go && wait "$(cat run.pid)" &&
	contains out "sequence '"'"'Three steps'"'"' succeeded" &&
	contains out "status: cannot send the run'"'"'s status to https://127.0.0.1:$port" &&
	kept=$((10 - sent)) && contains out "status: $kept events kept to send later" &&
	[ "$(grep -c "status: cannot send" log-a/tsi.log)" = 1 ] &&
	first=$(run_id log-a) && [ "$(wc -l < st-a/status/spool)" = $kept ] &&
	smp_start srv $port &&
	three_steps > three.yaml && run_seq three.yaml src old a > out2 2>&1 &&
	lacks out2 "kept to send later" && [ ! -s st-a/status/spool ] &&
	[ "$(events old-pc)" = 18 ] &&
	[ "$(kinds $first)" = "run_start step_start step_end step_start step_end step_start step_end step_start step_end run_end" ] &&
	tsi smp status --dir srv --computer old-pc > c.txt &&
	contains c.txt "run $first: Three steps" && contains c.txt "4/4     Set a variable: succeeded" &&
	[ "$(grep -c "^run " c.txt)" = 2 ] && smp_stop srv
'

test_expect 'a run is slow by no more than the last flush when the SMP cannot be reached; a site that is no SMP is said once' '
	smp_world && three_steps > three.yaml && smp_stop srv &&
	start=$(date +%s%N) &&
	SMPS=https://10.255.255.1:9 run_seq three.yaml src old a --var OSDStateSMPRetryCount=0 > out 2>&1 &&
	ms=$(( ($(date +%s%N) - start) / 1000000 )) && echo "$ms ms" &&
	[ "$ms" -lt 8000 ] && contains out "kept to send later" &&
	[ "$(grep -c "status: cannot send" out)" = 1 ] &&
	SMPS=ftp://example.org run_seq three.yaml src old b > out2 2>&1 &&
	[ "$(grep -c "is not an SMP" out2)" = 1 ] && [ ! -e st-b/status ]
'

test_expect 'unsigned, replayed, oversized and malformed event batches are refused: 401, 413, 400 naming the line' '
	smp_world && p=$(cat srv.port) && three_steps > three.yaml &&
	printf xxxxxxxxxx > body && sha=$(sha256sum body | cut -d" " -f1) &&
	$RAW $p srv/smp-cert.pem POST /v1/events "X-TSI-Content-SHA256: $sha" --body-bytes 10 > r1 &&
	contains r1 401 && contains r1 "not signed" &&
	$RAW $p srv/smp-cert.pem POST /v1/events --body-bytes 10 > r2 &&
	contains r2 400 && contains r2 "X-TSI-Content-SHA256" &&
	$RAW $p srv/smp-cert.pem GET /v1/events > r3 && contains r3 405 &&
	$RAW $p srv/smp-cert.pem POST /v1/events "X-TSI-Content-SHA256: $sha" --body-bytes 300000 > r4 &&
	contains r4 413 && contains r4 "over 262144 bytes" &&
	TSI_FAULT_SMP_TRACE=$PWD/trace RUN_TSI=$TSI_FAULTS run_seq three.yaml src old a > /dev/null 2>&1 &&
	grep -m1 -A1 "^POST /v1/events " trace > req && head -n1 req &&
	auth=$(sed -n "2p" req | sed "s/^Authorization: //") && sha=$(head -n1 req | cut -d" " -f3) &&
	[ ${#sha} = 64 ] && case "$auth" in "TSI-SMP1 "*) ;; *) false ;; esac &&
	$RAW $p srv/smp-cert.pem POST /v1/events "Authorization: $auth" "X-TSI-Content-SHA256: $sha" --body-bytes 10 > r5 &&
	contains r5 401 && contains r5 "replayed" &&
	id=0123456789abcdef0123456789abcdef &&
	printf "$id\t1\t1700000000\trun_start\tX\t\t3\n$id\t2\t1700000000\tstep_ended\tX\t\t1/3\n" > bad.txt &&
	TSI_FAULT_STATUS_BODY=$PWD/bad.txt RUN_TSI=$TSI_FAULTS run_seq three.yaml src old b > out 2>&1 &&
	contains srv.log "old-pc POST /v1/events -> 400" &&
	contains srv.log "-> 400 in" && contains srv.log "ms: line 2: KIND: not run_start, run_end" &&
	contains out "refused" && contains out "line 2: KIND" &&
	i=0 && : > many.txt && while [ $i -lt 1001 ]; do
		printf "$id\t$i\t1700000000\tprogress\tX\t\tp\n" >> many.txt && i=$((i + 1)) || exit 1
	done &&
	TSI_FAULT_STATUS_BODY=$PWD/many.txt RUN_TSI=$TSI_FAULTS run_seq three.yaml src old c > out 2>&1 &&
	contains srv.log "-> 413" && contains srv.log "1001 events: at most 1000 a request" &&
	[ "$(events old-pc)" = 8 ] && smp_stop srv
'

test_expect 'the spool is bounded: past it the oldest events go, a dropped event says how many, and the log says so' '
	smp_world && port=$(cat srv.port) && three_steps > three.yaml && smp_stop srv &&
	TSI_FAULT_STATUS_SPOOL_MAX=5 RUN_TSI=$TSI_FAULTS run_seq three.yaml src old a > out 2>&1 &&
	contains out "status: the spool is full" && contains out "status: 4 events were dropped" &&
	contains out "status: 5 events kept to send later" &&
	[ "$(wc -l < st-a/status/spool)" = 5 ] && grep -q "	dropped		" st-a/status/spool &&
	id=$(run_id log-a) &&
	smp_start srv $port && run_seq three.yaml src old a > out2 2>&1 &&
	[ "$(kinds $id)" = "dropped step_end step_start step_end run_end" ] &&
	tsi smp status --dir srv --computer old-pc > c.txt && contains c.txt "dropped 4 events" &&
	contains c.txt "3/3     Set a variable: succeeded" && smp_stop srv
'

test_expect 'a capture and a restore report their progress: what they captured and restored, and the store'"'"'s state' '
	smp_world &&
	run_seq source.yaml src old s > out 2>&1 && contains out "is complete" &&
	tsi smp status --dir srv --computer old-pc > c.txt && cat c.txt &&
	grep -E "2/3 +Capture user state: captured [0-9]+ files, [0-9]+ bytes" c.txt &&
	contains c.txt "2/3     Capture user state: succeeded (exit 0)" &&
	tsi smp status --dir srv > st.txt && grep -E "^old-pc .*succeeded .*3/3 Release state store .*complete" st.txt &&
	run_seq dest.yaml dst new d > out2 2>&1 && contains out2 "restored from" &&
	tsi smp status --dir srv --computer new-pc > d.txt &&
	grep -E "Restore user state: restored [0-9]+ files, [0-9]+ bytes" d.txt &&
	tsi smp status --dir srv > st2.txt && grep -E "^new-pc .*succeeded .*released" st2.txt &&
	grep -E "^old-pc .*released" st2.txt && smp_stop srv
'

test_expect 'a store that retention deleted is expired in tsi smp status; one deleted with its association is gone' '
	RETENTION=immediately smp_world &&
	run_seq source.yaml src old s > out 2>&1 && run_seq dest.yaml dst new d > out2 2>&1 &&
	contains out2 "restored from" &&
	wait_until "tsi smp status --dir srv > st.txt && grep -q \"^new-pc .* expired \" st.txt" 10 &&
	grep -E "^old-pc .*succeeded .* expired " st.txt &&
	tsi smp delete old-pc:new-pc --dir srv > /dev/null &&
	tsi smp status --dir srv > st2.txt && grep -E "^old-pc .* no association " st2.txt &&
	tsi smp status --dir srv --computer old-pc --json > c.json &&
	python3 -c "import json,sys; d = json.load(open(sys.argv[1])); assert d[\"store\"] == \"no association\" and d[\"runs\"][0][\"result\"] == \"succeeded\", d" c.json &&
	smp_stop srv
'

test_expect 'a run across a restart is one run: tsi resume reports under the same id' '
	smp_world &&
	printf "name: Restarts\nsteps:\n  - name: Before\n    type: set_variable\n    with: { name: A, value: \"1\" }\n  - name: Restart now\n    type: restart\n  - name: After\n    type: set_variable\n    with: { name: B, value: \"2\" }\n" > r.yaml &&
	{ run_seq r.yaml src old a --reboot-command true > out 2>&1; [ $? = 3 ]; } &&
	id=$(run_id log-a) && tsi smp status --dir srv > st.txt && grep -q "^old-pc .*restarting" st.txt &&
	$TSI_WRAP "$TSI" resume --state-dir st-a --log-dir log-a > out2 2>&1 &&
	[ "$(kinds $id)" = "run_start step_start step_end step_start step_end run_end run_start step_start step_end run_end" ] &&
	tsi smp status --dir srv > st2.txt && grep -q "^old-pc .*succeeded .*3/3 After" st2.txt &&
	tsi smp status --dir srv --computer old-pc > c.txt && [ "$(grep -c "^run " c.txt)" = 1 ] &&
	contains c.txt "3/3     After: succeeded" && smp_stop srv
'

test_expect 'without TSIStatusURL or TSIStateMigrationPoints nothing is sent, and the run log says so once' '
	smp_world && three_steps > three.yaml &&
	tsi run three.yaml --state-dir st --log-dir log --var TSISMPCACert=$PWD/srv/smp-cert.pem \
	    --var TSIIdentityDir=$PWD/old > out 2>&1 &&
	lacks out "status" &&
	[ "$(grep -c "status: no site (TSIStatusURL or TSIStateMigrationPoints unset): not reported" log/tsi.log)" = 1 ] &&
	[ "$(grep -c "status:" log/tsi.log)" = 1 ] && [ ! -e st/status ] &&
	lacks srv.log "/v1/events" && [ "$(events)" = 0 ] && smp_stop srv
'

test_done
