#!/bin/sh
# t0620-site.sh - a site: two State Migration Point nodes sharing one
# PostgreSQL database that the tests start (tests/lib/pg.sh: initdb in a
# temporary folder, a Unix socket, no TCP).  A computer registered through
# one node is known to the other; a restore asked of the node that does not
# hold the store is sent to the one that does; a node without room sends a
# capture on; boundary groups; a redirect to a certificate outside the
# client's bundle is refused; a node killed mid-upload; the database
# stopped and started again under a run.
#
#   TSI=$PWD/tsi TSI_TOP=$PWD sh tests/t/t0620-site.sh

. "$TSI_TOP/tests/lib/test-lib.sh"
. "$TSI_TOP/tests/lib/smp-serve.sh"
. "$TSI_TOP/tests/lib/pg.sh"

RAW="python3 $TSI_TOP/tests/lib/smp-raw.py"

url() {
	echo "https://127.0.0.1:$(cat "$1.port")"
}

# a home with a document and a settings file
make_root() {
	mkdir -p "$1/etc" "$1/home/alice/Documents" &&
	echo "alice:x:1001:1001::/home/alice:/bin/sh" > "$1/etc/passwd" &&
	echo "alice:x:1001:" > "$1/etc/group" &&
	if [ "${2:-}" = src ]; then
		echo "quarterly report MARKER-7f3a" > "$1/home/alice/Documents/report.txt" &&
		head -c 2000000 /dev/urandom > "$1/home/alice/Documents/data.bin"
	fi
}

# site_world: PostgreSQL, nodes a and b of its site (both serving), the
# computers old-pc -> new-pc registered and associated through a, the
# source and destination systems and sequences, and bundle.pem with both
# nodes' certificates.
site_world() {
	pg_start &&
	tsi smp init --dir a --name node-a --database "$PG_URL" > init-a &&
	tsi smp init --dir b --name node-b --database "$PG_URL" > init-b &&
	for c in old new; do
		tsi identity init --dir $c --name $c-pc > /dev/null &&
		tsi smp computer add --dir a --name $c-pc --key $c/identity.pub > /dev/null ||
		return 1
	done &&
	tsi smp associate --dir a --source old-pc --dest new-pc > /dev/null &&
	cat a/smp-cert.pem b/smp-cert.pem > bundle.pem &&
	make_root src src && make_root dst &&
	cat > source.yaml <<-'EOF' &&
	name: Replace, source side
	steps:
	  - name: Request state store
	    type: request_state_store
	    with: { mode: capture }
	  - name: Capture user state
	    type: capture_user_state
	  - name: Release state store
	    type: release_state_store
	EOF
	sed 's/capture/restore/g; s/Capture/Restore/g; s/source side/destination side/' \
	    source.yaml > dest.yaml &&
	smp_start a && smp_start b
}

# run_seq SEQ ROOT IDENTITY NAME SMPS [ARGS...]
run_seq() {
	_seq=$1 _root=$2 _ident=$3 _n=$4 _smps=$5
	shift 5
	$TSI_WRAP "${RUN_TSI:-$TSI}" run "$_seq" --root "$_root" --state-dir "st-$_n" --log-dir "log-$_n" \
	    --var "TSIStateMigrationPoints=$_smps" \
	    --var "TSISMPCACert=${CACERT:-$PWD/bundle.pem}" --var "TSIIdentityDir=$PWD/$_ident" \
	    --var OSDStateSMPRetryCount=${RETRIES:-5} --var OSDStateSMPRetryTime=1 "$@"
}

sql() {
	psql -X -q -A -t "$PG_URL" -c "$1"
}

test_expect POSTGRES 'two nodes share a site: one recovery key, a computer and an association made through one are seen through the other' '
	site_world &&
	contains init-a "made the site'"'"'s recovery key" && contains init-b "took the site'"'"'s recovery key" &&
	[ -e a/recovery.key ] && ! [ -e b/recovery.key ] && cmp a/recovery.pub b/recovery.pub &&
	! [ -e a/smp.db ] && ! [ -e b/smp.db ] && contains b/smp.conf "node: node-b" &&
	tsi smp computer list --dir b > cl && contains cl "old-pc" && contains cl "new-pc" &&
	tsi smp list --dir b > l && contains l "old-pc" && contains l "no store" &&
	tsi_rc 1 smp computer add --dir b --name old-pc --key old/identity.pub 2> e &&
	contains e "is registered already" &&
	wait_until "tsi smp nodes --dir b > n && grep -q \"node-a .*https://127.0.0.1:$(cat a.port) .*yes\" n && grep -q \"node-b .*https://127.0.0.1:$(cat b.port)\" n" &&
	[ "$(sql "select version from schema_version order by version" | tr "\n" " ")" = "1 2 3 " ] &&
	smp_stop a && smp_stop b
'

test_expect POSTGRES 'capture through node a; a restore given only node b is sent to a and succeeds; both nodes list the store on a and show both runs' '
	site_world &&
	run_seq source.yaml src old s "$(url a)" > out 2>&1 && contains out "is complete" &&
	id=$(sql "select id from stores") && [ "$(sql "select node from stores")" = node-a ] &&
	[ -e a/stores/$id.tsistore ] && ! [ -e b/stores/$id.tsistore ] &&
	run_seq dest.yaml dst new d "$(url b)" > out2 2>&1 &&
	contains out2 "SMP $(url b) sends this request to $(url a)" && contains out2 "restored from" &&
	cmp src/home/alice/Documents/data.bin dst/home/alice/Documents/data.bin &&
	contains b.log "new-pc POST /v1/request?mode=restore -> 307" &&
	contains a.log "new-pc POST /v1/request?mode=restore -> 200" &&
	[ "$(sql "select state from stores")" = released ] &&
	tsi smp list --dir b > l && grep -q "old-pc .*new-pc .*released .*node-a" l &&
	tsi smp recovery old-pc:new-pc --dir b > rec && contains rec "store $id is on node node-a" &&
	wait_until "[ \"\$(sql \"select count(*) from runs where result = '"'"'succeeded'"'"'\")\" = 2 ]" &&
	tsi smp status --dir b > st && grep "^old-pc " st > st-old && grep "^new-pc " st > st-new &&
	contains st-old "Replace, source side" && contains st-old succeeded && contains st-old "3/3" &&
	contains st-new "Replace, destination side" && contains st-new succeeded && contains st-new released &&
	tsi smp status --dir a --computer new-pc > c && contains c "Restore user state: succeeded" &&
	smp_stop a && smp_stop b
'

test_expect POSTGRES 'a node in restore-only mode (or without room) sends a capture to a node of the site that takes it' '
	site_world && smp_stop b && sed -i "s/restore_only: false/restore_only: true/" b/smp.conf &&
	smp_start b &&
	run_seq source.yaml src old s "$(url b)" > out 2>&1 &&
	contains out "SMP $(url b) sends this request to $(url a)" && contains out "is complete" &&
	[ "$(sql "select node from stores")" = node-a ] &&
	contains b.log "old-pc POST /v1/request?mode=capture -> 307" &&
	lacks b.log "PUT /v1/stores" && contains a.log "PUT /v1/stores" &&
	smp_stop a && smp_stop b
'

test_expect POSTGRES 'a redirect to a node whose certificate is not in the client'"'"'s bundle is refused' '
	site_world && smp_stop b && sed -i "s/restore_only: false/restore_only: true/" b/smp.conf &&
	smp_start b &&
	! CACERT=$PWD/b/smp-cert.pem run_seq source.yaml src old s "$(url b)" > out 2>&1 &&
	contains out "sent the request to $(url a), which does not present one of TSISMPCACert" &&
	contains out "refused" && contains out "(1 attempt)" &&
	lacks a.log "POST /v1/request" && [ -z "$(sql "select id from stores")" ] &&
	smp_stop a && smp_stop b
'

test_expect POSTGRES 'a request replayed at the node it was signed for, or at the other node, is refused' '
	site_world &&
	TSI_FAULT_SMP_TRACE=$PWD/trace RUN_TSI=$TSI_FAULTS run_seq source.yaml src old s "$(url a)" > /dev/null 2>&1 &&
	auth=$(sed -n "2p" trace | sed "s/^Authorization: //") && head -n1 trace | grep -q "GET /v1/capacity" &&
	$RAW "$(cat a.port)" a/smp-cert.pem GET /v1/capacity "Authorization: $auth" > r1 &&
	contains r1 401 && contains r1 "replayed" &&
	$RAW "$(cat b.port)" b/smp-cert.pem GET /v1/capacity "Authorization: $auth" > r2 &&
	contains r2 401 && contains r2 "signed for another SMP" &&
	smp_stop a && smp_stop b
'

test_expect POSTGRES 'a boundary group sends the captures of its ranges to its nodes; tsi smp boundary checks what it is given' '
	site_world &&
	tsi smp boundary add --dir a --name lab --range 10.0.0.0/8,127.0.0.0/8 --node node-b > o &&
	contains o "computers in 10.0.0.0/8,127.0.0.0/8 capture to node-b" &&
	tsi smp boundary list --dir b > bl && grep -q "^lab .*127.0.0.0/8 .*node-b" bl &&
	tsi_rc 1 smp boundary add --dir a --name x --range 300.1.2.3/8 --node node-b 2> e1 &&
	contains e1 "not an address range" &&
	tsi_rc 1 smp boundary add --dir a --name x --range fd00::/8 --node node-c 2> e2 &&
	contains e2 "the site has no node '"'"'node-c'"'"'" &&
	tsi_rc 2 smp boundary add --dir a --name x 2> e3 && contains e3 "needs --range and --node" &&
	wait_until "tsi smp nodes --dir a | grep -q \"node-b .*yes\"" &&
	run_seq source.yaml src old s "$(url a)" > out 2>&1 && contains out "is complete" &&
	contains out "sends this request to $(url b)" &&
	[ "$(sql "select node from stores")" = node-b ] &&
	tsi smp boundary remove --dir b --name lab > /dev/null &&
	tsi_rc 1 smp boundary remove --dir b --name lab 2> e4 && contains e4 "no boundary group" &&
	smp_stop a && smp_stop b
'

test_expect POSTGRES 'retention runs on the node that holds the store, after the release through the other' '
	site_world && smp_stop a && smp_stop b &&
	sed -i "s/retention: 1d/retention: immediately/" a/smp.conf b/smp.conf &&
	smp_start a && smp_start b &&
	run_seq source.yaml src old s "$(url a)" > out 2>&1 && id=$(sql "select id from stores") &&
	run_seq dest.yaml dst new d "$(url b)" > out2 2>&1 && contains out2 "restored from" &&
	wait_until "! [ -e a/stores/$id.tsistore ]" 20 &&
	contains a.log "store $id deleted: its retention time passed" &&
	lacks b.log "deleted: its retention" && [ "$(sql "select state from stores")" = deleted ] &&
	smp_stop a && smp_stop b
'

test_expect POSTGRES 'an association deleted through node b: node a deletes the store file it holds' '
	site_world &&
	run_seq source.yaml src old s "$(url a)" > out 2>&1 && id=$(sql "select id from stores") &&
	[ -e a/stores/$id.tsistore ] &&
	tsi smp delete old-pc:new-pc --dir b > d && contains d "deleted association" &&
	wait_until "! [ -e a/stores/$id.tsistore ]" 20 &&
	contains a.log "deleted store $id: its association was deleted" &&
	[ -z "$(sql "select id from deletions")" ] && smp_stop a && smp_stop b
'

test_expect POSTGRES 'node a killed during an upload and started again: the capture completes there' '
	site_world && smp_stop a && head -c 30000000 /dev/urandom > src/home/alice/Documents/big.bin &&
	TSI_FAULT_SMP_SLOW_MS=300 SMP_TSI=$TSI_FAULTS smp_start a && port=$(cat a.port) &&
	{ (run_seq source.yaml src old s "$(url a) $(url b)" > out 2>&1; echo $? > rc) & } &&
	wait_until "grep -q \"data?offset=0 -> 200\" a.log" &&
	kill -9 "$(cat a.pid)" && sleep 1 && smp_start a $port &&
	wait_until "[ -s rc ]" 60 &&
	[ "$(cat rc)" = 0 ] && contains out "is complete" &&
	[ "$(sql "select node, state from stores")" = "node-a|complete" ] &&
	run_seq dest.yaml dst new d "$(url b)" > out2 2>&1 &&
	cmp src/home/alice/Documents/big.bin dst/home/alice/Documents/big.bin &&
	smp_stop a && smp_stop b
'

test_expect POSTGRES 'the node that holds the store is down: the restore through the other waits for it, says so, and completes' '
	site_world &&
	run_seq source.yaml src old s "$(url a)" > out 2>&1 && contains out "is complete" &&
	port=$(cat a.port) && smp_stop a &&
	{ (run_seq dest.yaml dst new d "$(url b)" > out2 2>&1; echo $? > rc) & } &&
	wait_until "grep -q \"which does not answer now\" out2" &&
	smp_start a $port && wait_until "[ -s rc ]" 60 && [ "$(cat rc)" = 0 ] &&
	contains out2 "sent the request to https://127.0.0.1:$port, the node that holds or takes it, which does not answer now" &&
	contains out2 "trying again in 1 s" && contains out2 "restored from" &&
	cmp src/home/alice/Documents/data.bin dst/home/alice/Documents/data.bin &&
	smp_stop a && smp_stop b
'

test_expect POSTGRES 'the database stopped under a run: the nodes answer 503, the client waits, and the run completes once it is back' '
	site_world && pg_stop &&
	{ (run_seq source.yaml src old s "$(url a)" > out 2>&1; echo $? > rc) & } &&
	wait_until "grep -q \"503 in\" a.log" &&
	sleep 2 && pg_start_again &&
	wait_until "[ -s rc ]" 60 &&
	[ "$(cat rc)" = 0 ] && contains out "the site database is unreachable" &&
	contains out "is complete" && [ "$(sql "select state from stores")" = complete ] &&
	alive "$(cat a.pid)" && smp_stop a && smp_stop b
'

test_expect POSTGRES 'init: an unreachable database makes nothing and shows no password; a taken name is refused; serve checks the folder against the site' '
	tsi_rc 1 smp init --dir x --name n1 --database "postgresql://tsi:s3cretpw@127.0.0.1:1/site" 2> e &&
	contains e "cannot connect to the site database" && lacks e "s3cretpw" && ! [ -e x ] &&
	tsi_rc 1 smp init --dir x --name n1 --database "mysql://h/db" 2> e2 &&
	contains e2 "not a PostgreSQL connection URI" && ! [ -e x ] &&
	pg_start && tsi smp init --dir y --name n1 --database "$PG_URL" > /dev/null &&
	tsi_rc 1 smp init --dir x --name n1 --database "$PG_URL" 2> e3 &&
	contains e3 "the site has a node named '"'"'n1'"'"' already" && ! [ -e x ] &&
	tsi smp init --dir other --name n2 > /dev/null && cp other/smp-cert.pem other/smp-key.pem y/ &&
	tsi_rc 1 smp serve --dir y --listen 127.0.0.1:0 2> e4 &&
	contains e4 "the site'"'"'s node '"'"'n1'"'"' has another certificate than this folder'"'"'s smp-cert.pem"
'

test_expect 'a node on its own: no database in smp.conf, SQLite in smp.db, its node name in listings' '
	tsi smp init --dir solo --name solo-1 > /dev/null && [ -e solo/smp.db ] &&
	lacks solo/smp.conf "database:" && contains solo/smp.conf "node: solo-1" &&
	tsi_rc 1 smp nodes --dir solo 2> e && contains e "is not a node of a site" &&
	tsi smp list --dir solo > l && contains l "node"
'

test_done
