#!/bin/sh
# Restart and resume: the journal, planned restarts, crashes, signals.
. "$TSI_TOP/tests/lib/test-lib.sh"

# A sequence whose steps append to ran.log, with a restart in the middle.
write_restart_seq() {
	cat > seq.yaml <<'YAML'
name: Restarting
steps:
  - { name: One, type: run_command, with: { command: "echo one >> ran.log" } }
  - { name: Reboot, type: restart, with: { message: "new kernel" } }
  - { name: Two, type: run_command, with: { command: "echo two:%Who% >> ran.log" } }
YAML
}

test_expect 'restart journals, runs the reboot command and exits 3; resume goes on' '
	write_restart_seq &&
	tsi_rc 3 run seq.yaml --var Who=me --state-dir st --log-dir logs \
	    --reboot-command "touch rebooted" > out &&
	test -e rebooted &&
	contains out "restart: new kernel" &&
	contains st/journal.jsonl "\"state\":\"restart\"" &&
	test "$(stat -c %a st/journal.jsonl)" = 600 &&
	contains logs/report.json "\"result\": \"restarting\"" &&
	test "$(cat ran.log)" = one &&
	tsi_rc 0 resume --state-dir st > out2 &&
	contains out2 "resuming '"'"'Restarting'"'"' after a restart" &&
	printf "one\ntwo:me\n" > want && cmp want ran.log &&
	test ! -e st/journal.jsonl &&
	contains logs/report.json "\"result\": \"succeeded\""
'

test_expect 'run refuses while a run is journaled, and says how to go on' '
	write_restart_seq &&
	tsi_rc 3 run seq.yaml --state-dir st --log-dir logs --reboot-command true &&
	tsi_rc 2 run seq.yaml --state-dir st --log-dir logs 2> err &&
	contains err "is journaled in" &&
	contains err "resume it:  tsi resume --state-dir" &&
	contains err "discard it: tsi discard --state-dir" &&
	tsi_rc 0 discard --state-dir st > out &&
	contains out "discarded the unfinished run of" &&
	tsi_rc 3 run seq.yaml --state-dir st --log-dir logs --reboot-command true
'

test_expect 'resume without a journal is a usage error' '
	tsi_rc 2 resume --state-dir st 2> err &&
	contains err "nothing to resume: no journal in"
'

test_expect 'exit code 3010 succeeds and restarts before the next step' '
	cat > seq.yaml <<YAML &&
steps:
  - { name: Installer, type: run_command, with: { command: "echo inst >> ran.log; exit 3010" } }
  - { name: Next, type: run_command, with: { command: "echo next >> ran.log" } }
YAML
	tsi_rc 3 run seq.yaml --state-dir st --log-dir logs --reboot-command true > out &&
	contains out "Installer: succeeded (exit code 3010" &&
	test "$(cat ran.log)" = inst &&
	tsi_rc 0 resume --state-dir st &&
	printf "inst\nnext\n" > want && cmp want ran.log
'

test_expect 'SMSTSRebootRequested with SMSTSRetryRequested runs the same step again' '
	cat > seq.yaml <<YAML &&
steps:
  - name: Needs two boots
    type: set_variable
    condition: { variable: Booted, exists: false }
    with: { name: SMSTSRebootRequested, value: "true" }
  - { name: Mark, type: set_variable, with: { name: Booted, value: "yes" } }
  - { name: Again, type: set_variable, with: { name: SMSTSRetryRequested, value: "true" } }
  - { name: Done, type: run_command, with: { command: "echo done >> ran.log" } }
YAML
	tsi_rc 3 run seq.yaml --state-dir st --log-dir logs --reboot-command true &&
	tsi_rc 0 resume --state-dir st &&
	test "$(cat ran.log)" = done
'

test_expect 'a run killed mid-step reruns that step on resume' '
	cat > seq.yaml <<YAML &&
steps:
  - { name: First, type: run_command, with: { command: "echo first >> ran.log" } }
  - name: Long
    type: run_command
    with: { command: "echo long >> ran.log; if [ -e once ]; then exit 0; fi; touch once; echo \$\$ > child.pid; exec sleep 60" }
  - { name: Last, type: run_command, with: { command: "echo last >> ran.log" } }
YAML
	tsi_bg run seq.yaml --state-dir st --log-dir logs &&
	wait_for child.pid && sleep 0.2 &&
	kill -9 "$(cat pid)" "$(cat child.pid)" && sleep 0.2 &&
	contains st/journal.jsonl "\"state\":\"running\"" &&
	tsi_rc 0 resume --state-dir st --log-dir logs > out2 &&
	contains out2 "step 2 '"'"'Long'"'"' was interrupted; running it again" &&
	printf "first\nlong\nlong\nlast\n" > want && cmp want ran.log
'

test_expect 'rerun_on_resume: false fails the interrupted step instead' '
	cat > seq.yaml <<YAML &&
steps:
  - name: Not twice
    type: run_command
    rerun_on_resume: false
    with: { command: "echo once >> ran.log; echo \$\$ > child.pid; exec sleep 60" }
  - { name: Never, type: run_command, with: { command: "echo never >> ran.log" } }
YAML
	tsi_bg run seq.yaml --state-dir st --log-dir logs &&
	wait_for child.pid && sleep 0.2 &&
	kill -9 "$(cat pid)" "$(cat child.pid)" && sleep 0.2 &&
	tsi_rc 1 resume --state-dir st > out2 &&
	contains out2 "step '"'"'Not twice'"'"' was interrupted while it ran and must not be run again" &&
	test "$(cat ran.log)" = once &&
	test ! -e st/journal.jsonl
'

test_expect 'a changed sequence refuses to resume unless --force' '
	write_restart_seq &&
	tsi_rc 3 run seq.yaml --state-dir st --log-dir logs --reboot-command true &&
	echo "# edited" >> seq.yaml &&
	tsi_rc 2 resume --state-dir st 2> err &&
	contains err "changed since the run started; resume anyway with --force" &&
	tsi_rc 0 resume --state-dir st --force &&
	contains ran.log two
'

test_expect 'SIGTERM stops the step and its process group, keeps the journal' '
	cat > seq.yaml <<YAML &&
steps:
  - name: Tree
    type: run_command
    with: { command: "sleep 60 & echo \$! > child.pid; echo started; wait" }
YAML
	tsi_bg run seq.yaml --state-dir st --log-dir logs &&
	wait_for child.pid &&
	kill -TERM "$(cat pid)" &&
	{ wait "$(cat pid)"; echo $? > rc; } &&
	echo "tsi exited with $(cat rc)" &&
	test "$(cat rc)" = 130 &&
	sleep 0.1 && ! alive "$(cat child.pid)" &&
	contains bg.out "stopped by a signal during step" &&
	contains st/journal.jsonl "\"state\":\"running\""
'

test_expect 'a damaged journal is reported, not trusted' '
	write_restart_seq &&
	tsi_rc 3 run seq.yaml --state-dir st --log-dir logs --reboot-command true &&
	printf "{ broken\n" > st/journal.jsonl &&
	tsi_rc 2 resume --state-dir st 2> err &&
	contains err "is damaged" &&
	tsi_rc 0 discard --state-dir st
'

test_expect 'a torn last line (power cut mid-append) falls back to the state before' '
	write_restart_seq &&
	tsi_rc 3 run seq.yaml --state-dir st --log-dir logs --reboot-command true &&
	test "$(wc -l < st/journal.jsonl)" = 3 &&
	printf "{\"version\":2,\"state\":\"runn" >> st/journal.jsonl &&
	tsi_rc 0 resume --state-dir st > out &&
	contains out "after a restart" &&
	printf "one\ntwo:%%Who%%\n" > want && cmp want ran.log
'

test_expect 'the journal log is compacted when it grows' '
	{ echo "steps:"; i=0; while [ $i -lt 150 ]; do
		echo "  - { type: set_variable, with: { name: V$i, value: \"$(printf %0200d 0)\" } }";
		i=$((i + 1)); done
	  echo "  - { type: restart }"; } > seq.yaml &&
	tsi_rc 3 run seq.yaml --state-dir st --log-dir logs --reboot-command true &&
	size=$(wc -c < st/journal.jsonl) && lines=$(wc -l < st/journal.jsonl) &&
	echo "journal: $size bytes, $lines states" &&
	test "$size" -lt 2000000 && test "$lines" -lt 150 &&
	tsi_rc 0 resume --state-dir st
'

test_expect 'a journal with a malformed exit code does not crash resume' '
	write_restart_seq &&
	tsi_rc 3 run seq.yaml --state-dir st --log-dir logs --reboot-command true &&
	sed -i "s/\"exit_codes\":{}/\"exit_codes\":{\"1\":[]}/" st/journal.jsonl &&
	contains st/journal.jsonl "\"1\":[]" &&
	tsi_rc 0 resume --state-dir st > out
'

test_expect 'secrets are in the 0600 journal only, never in logs' '
	cat > seq.yaml <<YAML &&
steps:
  - { name: Secret, type: set_variable, with: { name: Pw, value: "Hidden-Value-1", secret: true } }
  - { name: Reboot, type: restart }
  - { name: Use, type: run_command, with: { command: "echo %Pw%" } }
YAML
	tsi_rc 3 run seq.yaml --state-dir st --log-dir logs --reboot-command true &&
	contains st/journal.jsonl Hidden-Value-1 &&
	test "$(stat -c %a st)" = 700 &&
	tsi_rc 0 resume --state-dir st > out &&
	contains out "  | ********" &&
	! grep -r Hidden-Value-1 logs out
'

test_done
