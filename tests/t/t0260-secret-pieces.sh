#!/bin/sh
# Secrets in pieces: a secret of several lines, one cut where a long line
# is handed over in pieces, one written in two reads, one cut by an output
# variable's 1,000 characters: no part of 4 characters or more reaches the
# console, tsi.log, events.jsonl or report.json.
. "$TSI_TOP/tests/lib/test-lib.sh"

# Every 4-character part of this secret is rare enough to look for.
S=Zq7Kp9Wm3Xv8Rt2Y

# no_fragment SECRET FILE...: no 4 characters in a row of SECRET (each of
# its lines) appear in the files; names the part and the file otherwise.
no_fragment() {
	python3 - "$@" <<'PY'
import sys
secret, files = sys.argv[1], sys.argv[2:]
parts = {l[i:i + 4] for l in secret.replace("\r", "").split("\n")
         for i in range(len(l) - 3)}
bad = 0
for f in files:
    text = open(f, encoding="utf-8", errors="replace").read()
    for p in sorted(parts):
        if p in text:
            print("%s holds %r, part of the secret" % (f, p), file=sys.stderr)
            bad = 1
sys.exit(bad)
PY
}

# logs_lack SECRET: the run's console (out) and logs lack every part.
logs_lack() {
	no_fragment "$1" out logs/tsi.log logs/events.jsonl logs/report.json
}

test_expect 'each line of a secret of several lines is masked, whole, apart or with CRLF' '
	printf "Multi:\n  secret: true\n  value: \"Ab1-North-Gate\\\\nCd2-South-Wall\\\\nxy\"\n" > vars.yaml &&
	printf "Ab1-North-Gate\nCd2-South-Wall\nxy\n" > whole.txt &&
	cat > seq.yaml <<YAML &&
steps:
  - { name: Whole, type: run_command, with: { command: "cat whole.txt" } }
  - { name: Apart, type: run_command, with: { command: "echo Cd2-South-Wall; echo then Ab1-North-Gate" } }
  - { name: CRLF, type: run_command, with: { command: "printf \"Ab1-North-Gate\\\\r\\\\nCd2-South-Wall\\\\r\\\\n\"" } }
  - { name: Stderr, type: run_command, with: { command: "cat whole.txt >&2" } }
YAML
	tsi_rc 0 run seq.yaml --vars-file vars.yaml --state-dir st --log-dir logs > out &&
	contains out "  | then ********" &&
	contains out "  ! ********" &&
	logs_lack "Ab1-North-Gate
Cd2-South-Wall"
'

test_expect 'a secret cut where a line longer than 64 KiB is handed over in pieces is masked on both sides' '
	printf "Pw: { value: $S, secret: true }\n" > vars.yaml &&
	cat > seq.yaml <<YAML &&
steps:
  - name: Long line
    type: run_command
    with: { command: "cat long.txt" }
YAML
	{ head -c 65528 /dev/zero | tr "\\0" x && echo $S-and-more && echo done; } > long.txt &&
	tsi_rc 0 run seq.yaml --vars-file vars.yaml --state-dir st --log-dir logs > out &&
	contains out "  | done" &&
	contains out "********-and-more" &&
	logs_lack $S
'

test_expect 'a secret written in two reads is masked' '
	printf "Pw: { value: $S, secret: true }\n" > vars.yaml &&
	cat > seq.yaml <<YAML &&
steps:
  - name: Two writes
    type: run_command
    with: { command: "cat a.txt; sleep 0.3; cat b.txt" }
YAML
	printf Zq7Kp9Wm > a.txt && printf "3Xv8Rt2Y!\\n" > b.txt &&
	tsi_rc 0 run seq.yaml --vars-file vars.yaml --state-dir st --log-dir logs > out &&
	contains out "  | ********!" &&
	logs_lack $S
'

test_expect 'an output variable that holds a secret, or the end of one at its cut, is secret' '
	printf "Pw: { value: $S, secret: true }\n" > vars.yaml &&
	cat > seq.yaml <<YAML &&
steps:
  - name: Whole
    type: run_command
    with: { command: "echo token=$S", output_variable: Held }
  - name: Cut
    type: run_command
    with: { command: "printf $S; head -c 992 /dev/zero | tr \"\\\\\\\\0\" y", output_variable: Tail }
  - { name: Show, type: run_command, with: { command: "echo held %Held% tail %Tail%" } }
  - { name: Copy, type: set_variable, with: { name: Later, value: "%Tail%" } }
YAML
	tsi_rc 0 run seq.yaml --vars-file vars.yaml --state-dir st --log-dir logs > out &&
	contains out "'"'"'Held'"'"' is secret from now on: its value holds a secret'"'"'s text" &&
	contains out "'"'"'Tail'"'"' is secret from now on" &&
	contains out "  | held ******** tail ********" &&
	grep -q "\"Tail\": \"\*\*\*\*\*\*\*\*\"" logs/report.json &&
	grep -q "\"Later\": \"\*\*\*\*\*\*\*\*\"" logs/report.json &&
	logs_lack $S
'

test_expect 'tsi.exec output cut at the start in the middle of a secret gives Lua no part of it' '
	printf "Pw: { value: $S, secret: true }\n" > vars.yaml &&
	cat > seq.yaml <<YAML &&
steps:
  - name: Exec
    type: lua
    with:
      capabilities: [exec]
      script: |
        local r = tsi.exec({"sh", "-c", "printf $S; head -c 65528 /dev/zero | tr \"\\\\\\\\0\" z"})
        tsi.log("info", "starts with " .. r.stdout:sub(1, 12))
YAML
	tsi_rc 0 run seq.yaml --vars-file vars.yaml --state-dir st --log-dir logs > out &&
	contains out "starts with ********zzzz" &&
	logs_lack $S
'

test_done
