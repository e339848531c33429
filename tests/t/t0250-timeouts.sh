#!/bin/sh
# The deadline is an engine promise for every step type: a step that runs
# past its timeout is stopped, recorded as timed out (log, events, report,
# exit code 124), and handled like any failure (retry, continue_on_error).
. "$TSI_TOP/tests/lib/test-lib.sh"

# run_one SEQ: runs seq.yaml, its output in out; the exit code in rc.
run_one() {
	{ tsi run seq.yaml --state-dir st --log-dir logs "$@" > out 2>&1; echo $? > rc; }
}

# timed_out STEP: the step timed out in the log, events and report.
timed_out() {
	contains out "$1: failed: timed out" &&
	grep '"event":"step_end"' logs/events.jsonl | grep -F "\"name\":\"$1\"" > end &&
	contains end '"timed_out":true' && contains end '"exit_code":124' &&
	grep -F -A8 "\"name\": \"$1\"" logs/report.json > rep &&
	contains rep '"timed_out": true' && contains rep '"exit_code": 124'
}

# took_less SECONDS: the run (started at $t0) took less than that.
took_less() {
	test $(( $(date +%s) - t0 )) -lt "$1"
}

# A TCP server that takes connections and never answers: HOLD.port, HOLD.pid.
hold_start() {
	{ python3 -u -c '
import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(64)
print(s.getsockname()[1], flush=True)
held = []
while True:
    c, _ = s.accept()
    held.append(c)
' > hold.port & } &&
	echo $! > hold.pid && started $! &&
	wait_for hold.port
}

# An identity and a certificate to pin, as a computer has for an SMP.
smp_client_setup() {
	tsi identity init --dir id --name pc > /dev/null &&
	tsi smp init --dir srv --name smp.test > /dev/null
}

smp_vars() {
	echo "--var TSIStateMigrationPoints=https://127.0.0.1:$(cat hold.port)" \
	    "--var TSISMPCACert=$PWD/srv/smp-cert.pem --var TSIIdentityDir=$PWD/id" \
	    "--var OSDStateSMPRetryTime=0"
}

# A system with alice and ten files in her home.
home() {
	mkdir -p root/etc root/home/alice/Documents &&
	echo "alice:x:1001:1001::/home/alice:/bin/sh" > root/etc/passwd &&
	echo "alice:x:1001:" > root/etc/group &&
	for i in 0 1 2 3 4 5 6 7 8 9; do
		echo "page $i" > root/home/alice/Documents/page$i.txt || return 1
	done
}

test_expect 'run_command: the process group is killed at the deadline' '
	cat > seq.yaml <<-\EOF &&
	steps:
	  - name: Sleeper
	    type: run_command
	    timeout: 1
	    with: { command: "sleep 30 & echo $! > child.pid; wait" }
	EOF
	t0=$(date +%s) && run_one && took_less 10 &&
	test "$(cat rc)" = 1 && timed_out Sleeper &&
	! alive "$(cat child.pid)"
'

test_expect 'set_variable and restart: a timeout does not misfire on quick steps' '
	cat > seq.yaml <<-EOF &&
	steps:
	  - { name: Set, type: set_variable, timeout: 1, with: { name: X, value: "1" } }
	  - { name: Boot, type: restart, timeout: 1 }
	EOF
	run_one --reboot-command true && test "$(cat rc)" = 3 &&
	contains out "Set: succeeded" && contains out "Boot: succeeded" &&
	lacks logs/events.jsonl "timed_out"
'

test_expect 'lua: a loop is stopped at the deadline' '
	cat > seq.yaml <<-EOF &&
	steps:
	  - name: Spin
	    type: lua
	    timeout: 1
	    lua_limits: { instructions: 1000000000000 }
	    with: { script: "while true do end" }
	EOF
	t0=$(date +%s) && run_one && took_less 10 &&
	test "$(cat rc)" = 1 && timed_out Spin
'

test_expect 'run_sequence: the timeout bounds the whole child; the rest of it does not run' '
	cat > child.yaml <<-EOF &&
	steps:
	  - { name: Slow child, type: run_command, with: { command: "sleep 30" } }
	  - { name: Never, type: run_command, with: { command: "touch never" } }
	EOF
	cat > seq.yaml <<-EOF &&
	steps:
	  - { name: Child, type: run_sequence, timeout: 1, continue_on_error: true, with: { path: child.yaml } }
	  - { name: After, type: run_command, with: { command: "touch after" } }
	EOF
	t0=$(date +%s) && run_one && took_less 10 &&
	test "$(cat rc)" = 0 && test -e after && test ! -e never &&
	contains out "Slow child: failed: timed out: the timeout of '"'"'Child'"'"' (1 s) passed" &&
	contains out "group '"'"'Child'"'"' timed out after 1 s" &&
	grep -F -A8 "\"name\": \"Child\"" logs/report.json > rep &&
	contains rep "\"timed_out\": true"
'

test_expect 'no retry starts after its run_sequence timed out, nor waits past it' '
	cat > child.yaml <<-EOF &&
	steps:
	  - name: Fails
	    type: run_command
	    retry: { count: 1, delay: 30 }
	    with: { command: "echo try >> tries; exit 1" }
	EOF
	cat > seq.yaml <<-EOF &&
	steps:
	  - { name: Child, type: run_sequence, timeout: 2, with: { path: child.yaml } }
	EOF
	t0=$(date +%s) && run_one && took_less 15 &&
	test "$(cat rc)" = 1 && test "$(wc -l < tries)" = 1 &&
	contains out "group '"'"'Child'"'"' timed out after 2 s"
'

test_expect 'run_sequence takes no retry: it runs as a group' '
	printf "steps: []\n" > child.yaml &&
	printf "steps:\n  - { type: run_sequence, retry: { count: 1 }, with: { path: child.yaml } }\n" > seq.yaml &&
	tsi_rc 1 validate seq.yaml 2> err &&
	contains err "'"'"'retry'"'"' does not apply to '"'"'run_sequence'"'"'"
'

test_expect 'retry and continue_on_error treat a timeout as a failure' '
	cat > seq.yaml <<-EOF &&
	steps:
	  - name: Twice
	    type: run_command
	    timeout: 1
	    continue_on_error: true
	    retry: { count: 1, delay: 0 }
	    with: { command: "echo try >> tries; sleep 30" }
	  - { name: Next, type: run_command, with: { command: "touch next" } }
	EOF
	run_one && test "$(cat rc)" = 0 && test "$(wc -l < tries)" = 2 &&
	contains out "step '"'"'Twice'"'"' timed out (exit code 124); retry 1 of 1" &&
	test -e next && timed_out Twice &&
	contains end "\"attempts\":2"
'

test_expect 'request_state_store: an SMP that never answers is left at the deadline' '
	smp_client_setup && hold_start &&
	printf "steps:\n  - { name: Request, type: request_state_store, timeout: 2, with: { mode: capture } }\n  - { name: Release, type: release_state_store, disabled: true }\n" > seq.yaml &&
	t0=$(date +%s) && run_one $(smp_vars) && took_less 12 &&
	test "$(cat rc)" = 1 && timed_out Request &&
	contains out "its time limit passed"
'

test_expect 'release_state_store: an SMP that never answers is left at the deadline' '
	smp_client_setup && hold_start &&
	printf "steps:\n  - { name: Release, type: release_state_store, timeout: 2 }\n" > seq.yaml &&
	t0=$(date +%s) && run_one $(smp_vars) --var "OSDStateStorePath=https://127.0.0.1:$(cat hold.port)/v1/stores/0123456789abcdef0123456789abcdef" &&
	took_less 12 && test "$(cat rc)" = 1 && timed_out Release
'

test_expect 'capture_user_state: a capture past its deadline leaves no store' '
	home && tsi identity init --dir id --name pc > /dev/null &&
	printf "steps:\n  - { name: Capture, type: capture_user_state, timeout: 1, with: { store_path: store } }\n" > seq.yaml &&
	{ TSI_FAULT_SLOW_FILE_MS=400 tsi_faults run seq.yaml --root root --state-dir st \
	    --log-dir logs --var "TSIIdentityDir=$PWD/id" > out 2>&1; echo $? > rc; } &&
	test "$(cat rc)" = 1 && timed_out Capture &&
	contains out "the capture was stopped (its time limit passed); no store was made" &&
	test ! -e store/state.tsistore && test ! -e store/state.tsistore.partial
'

test_expect 'capture_user_state into a hard-link store: no store past the deadline either' '
	home &&
	printf "steps:\n  - { name: Capture, type: capture_user_state, timeout: 1, with: { store_path: root/store, hardlink: true } }\n" > seq.yaml &&
	{ TSI_FAULT_SLOW_FILE_MS=400 tsi_faults run seq.yaml --root root --state-dir st \
	    --log-dir logs > out 2>&1; echo $? > rc; } &&
	test "$(cat rc)" = 1 && timed_out Capture &&
	test ! -e root/store/state.hardlink
'

test_expect 'restore_user_state: a restore past its deadline stops, and a second run finishes it' '
	home && tsi identity init --dir id --name pc > /dev/null &&
	tsi state capture --root root --store s.tsistore --recipient id/identity.pub 2> cap.err &&
	mkdir -p dst/etc && cp root/etc/passwd root/etc/group dst/etc/ &&
	printf "steps:\n  - { name: Restore, type: restore_user_state, timeout: 1, with: { store_path: %s } }\n" "$PWD/s.tsistore" > seq.yaml &&
	{ TSI_FAULT_SLOW_FILE_MS=400 tsi_faults run seq.yaml --root dst --state-dir st \
	    --log-dir logs --var "TSIIdentityDir=$PWD/id" > out 2>&1; echo $? > rc; } &&
	test "$(cat rc)" = 1 && timed_out Restore &&
	contains out "the restore was stopped (its time limit passed)" &&
	ls dst/home/alice/Documents > restored && test "$(wc -l < restored)" -lt 10 &&
	tsi run seq.yaml --root dst --state-dir st2 --log-dir logs2 \
	    --var "TSIIdentityDir=$PWD/id" > out2 2>&1 &&
	cmp root/home/alice/Documents/page9.txt dst/home/alice/Documents/page9.txt
'

test_done
