#!/bin/sh
# t0300-bad-input.sh - hostile and broken sequence files are refused, never run.
#
# For every bad input, both `tsi run` (exit 2, nothing run: no journal, no
# report, no side effect of a step) and `tsi validate` (exit 1) must report a
# positioned error, FILE:LINE:COL: error: (or FILE: error: where no position
# applies), quickly and in bounded memory: each tsi runs under a 1 GiB address
# space limit, except under ASan (tsi-san) or a wrapper such as valgrind,
# which need far more address space than they use.
#
#   TSI=$PWD/tsi TSI_TOP=$PWD sh tests/t/t0300-bad-input.sh

. "$TSI_TOP/tests/lib/test-lib.sh"

# 1 GiB of virtual memory for every tsi run (see above).
tsi() {
	case "$TSI" in
	*-san)
		$TSI_WRAP "$TSI" "$@" ;;
	*)
		if [ -n "$TSI_WRAP" ]; then
			$TSI_WRAP "$TSI" "$@"
		else
			(ulimit -v 1048576 && exec "$TSI" "$@")
		fi ;;
	esac
}

# has_error ERRFILE FILE pos|nopos: ERRFILE holds "FILE:LINE:COL: error: "
# (pos) or "FILE: error: " (nopos) at the start of a line.
has_error() {
	re=$(printf '%s' "$2" | sed 's/[].[*^$\\/]/\\&/g')
	if [ "$3" = pos ]; then
		re="^$re:[0-9]+:[0-9]+: error: "
	else
		re="^$re: error: "
	fi
	if ! grep -Eq -- "$re" "$1"; then
		echo "'$1' has no line matching '$re'; it holds:" >&2
		sed 's/^/    /' "$1" >&2
		return 1
	fi
}

# refused FILE pos|nopos [TEXT]: run exits 2 having run nothing, validate
# exits 1, both with a FILE:LINE:COL: error: (or FILE: error:) line that
# also holds TEXT when given.
refused() {
	tsi_rc 2 run "$1" --state-dir st --log-dir logs 2>run.err &&
	has_error run.err "$1" "$2" &&
	contains run.err "nothing was run" &&
	{ [ $# -lt 3 ] || contains run.err "$3"; } &&
	test ! -e st/journal.jsonl &&
	test ! -e logs/report.json &&
	test ! -e ran &&
	tsi_rc 1 validate "$1" 2>validate.err &&
	has_error validate.err "$1" "$2" &&
	{ [ $# -lt 3 ] || contains validate.err "$3"; }
}

# feed_fifo FIFO: 100 MB of '#' into FIFO from the background, for at
# most 20 s (so that a tsi that never opens the FIFO cannot hang the test).
feed_fifo() {
	timeout 20 sh -c 'head -c 100000000 /dev/zero | tr "\000" "#" > "$1"' \
	    sh "$1" 2>/dev/null &
}

# A step that would leave ./ran behind if anything ran.
head_steps() {
	printf 'name: bad input\nsteps:\n'
	printf '  - name: leaves a trace\n    type: run_command\n'
	printf '    with:\n      command: touch ran\n'
}

# head_steps, then the given lines (appended after the first step).
step_with() {
	head_steps
	printf '%s\n' "$@"
}

test_expect 'malformed YAML (an unclosed flow list) is refused' '
	{ head_steps; printf "  - name: b\n    type: run_command\n";
	  printf "    with:\n      argv: [/bin/true, x\n"; } > unclosed.yaml &&
	refused unclosed.yaml pos "invalid YAML"
'

test_expect 'a YAML alias bomb (billion laughs) is refused' '
	{ head_steps
	  printf "lol0: &a0 [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
	  i=1
	  while [ $i -le 9 ]; do
		p=$((i - 1))
		printf "lol$i: &a$i [*a$p,*a$p,*a$p,*a$p,*a$p,*a$p,*a$p,*a$p,*a$p]\n"
		i=$((i + 1))
	  done; } > bomb.yaml &&
	refused bomb.yaml pos "YAML anchors" &&
	contains run.err "bomb.yaml:7:7: error:"
'

test_expect 'an alias without its anchor in sight is refused' '
	step_with "description: *x" > alias.yaml &&
	refused alias.yaml pos "YAML"
'

test_expect '100 000 levels of nesting are refused at level 65' '
	awk "BEGIN { for (i = 0; i < 100000; i++) printf \"[\"; print \"\" }" > deep.yaml &&
	refused deep.yaml pos "nesting is deeper than 64 levels" &&
	contains run.err "deep.yaml:1:65: error:"
'

test_expect '100 000 levels of block nesting are refused too' '
	awk "BEGIN { for (i = 0; i < 100000; i++) printf \"- \"; print \"x\" }" > deep2.yaml &&
	refused deep2.yaml pos "nesting is deeper than 64 levels"
'

test_expect 'binary garbage (NUL, 0xff, every byte) is refused' '
	LC_ALL=C awk "BEGIN { for (i = 0; i < 4096; i++) printf \"%c\", (i * 37 + 11) % 256 }" > garbage.yaml &&
	test "$(wc -c < garbage.yaml)" -eq 4096 &&
	test "$(tr -dc "\\000" < garbage.yaml | wc -c)" -eq 16 &&
	test "$(tr -dc "\\377" < garbage.yaml | wc -c)" -eq 16 &&
	refused garbage.yaml pos "invalid YAML"
'

test_expect 'a NUL byte after a valid start is refused' '
	{ head_steps; printf "description: a\\000b\n"; } > nul.yaml &&
	refused nul.yaml pos "invalid YAML"
'

test_expect 'an empty file is refused' '
	: > empty.yaml &&
	refused empty.yaml pos "file is empty"
'

test_expect 'a file of only comments and blank lines is refused' '
	printf "# nothing\n\n# here\n" > comments.yaml &&
	refused comments.yaml pos "file is empty"
'

# Time bounds stretch under valgrind (TSI_WRAP), whose start-up alone takes seconds.
slow=1
[ -n "$TSI_WRAP" ] && slow=10

test_expect 'a 100 MB file is refused at once as too large' '
	head -c 100000000 /dev/zero | tr "\\000" "#" > big.yaml &&
	test "$(wc -c < big.yaml)" -eq 100000000 &&
	start=$(date +%s) &&
	refused big.yaml nopos "file is too large" &&
	end=$(date +%s) &&
	{ [ $((end - start)) -le $((2 * slow)) ] ||
	  { echo "took $((end - start)) s" >&2; false; }; }
'

test_expect 'a 100 MB stream (a FIFO, not a regular file) is cut off as too large' '
	mkfifo fifo.yaml &&
	start=$(date +%s) &&
	feed_fifo fifo.yaml &&
	tsi_rc 2 run fifo.yaml --state-dir st --log-dir logs 2>run.err &&
	wait &&
	has_error run.err fifo.yaml nopos &&
	contains run.err "file is too large" &&
	test ! -e st/journal.jsonl &&
	test ! -e logs/report.json &&
	feed_fifo fifo.yaml &&
	tsi_rc 1 validate fifo.yaml 2>validate.err &&
	wait &&
	end=$(date +%s) &&
	has_error validate.err fifo.yaml nopos &&
	contains validate.err "file is too large" &&
	{ [ $((end - start)) -le $((6 * slow)) ] ||
	  { echo "took $((end - start)) s" >&2; false; }; }
'

test_expect 'duplicate keys are refused, with where the first one is' '
	{ head_steps; printf "name: again\n"; } > dup.yaml &&
	refused dup.yaml pos "duplicate key '\''name'\'' (first defined at line 1)" &&
	contains run.err "dup.yaml:7:1: error:"
'

test_expect 'duplicate keys deep in a step are refused' '
	{ head_steps; printf "      command: rm -rf nothing\n"; } > dup2.yaml &&
	refused dup2.yaml pos "duplicate key '\''command'\''"
'

test_expect 'a YAML tag (!!python/object) is refused' '
	step_with "description: !!python/object:os.system [echo pwned]" > tag.yaml &&
	refused tag.yaml pos "YAML tags" &&
	contains run.err "tag.yaml:7:14: error:"
'

test_expect 'a local YAML tag (!shell) is refused' '
	step_with "variables: !shell {A: b}" > tag2.yaml &&
	refused tag2.yaml pos "YAML tags"
'

test_expect 'an unknown top-level key is refused with a suggestion' '
	step_with "stpes: []" > unknown.yaml &&
	refused unknown.yaml pos "unknown key '\''stpes'\'' in a sequence (did you mean '\''steps'\''?)"
'

test_expect 'an unknown step key is refused with a suggestion' '
	step_with "  - name: b" "    tpye: run_command" "    type: run_command" \
	    "    with: {command: \"true\"}" > unknown2.yaml &&
	refused unknown2.yaml pos "unknown key '\''tpye'\'' in a step (did you mean '\''type'\''?)" &&
	contains run.err "unknown2.yaml:8:5: error:"
'

test_expect 'an unknown parameter is refused with a suggestion' '
	step_with "  - name: b" "    type: run_command" "    with:" \
	    "      comand: echo hi" > unknown3.yaml &&
	refused unknown3.yaml pos "unknown parameter '\''comand'\'' for '\''run_command'\'' (did you mean '\''command'\''?)"
'

test_expect 'an unknown step type is refused with a suggestion' '
	step_with "  - name: b" "    type: run_comand" > unknown4.yaml &&
	refused unknown4.yaml pos "unknown step type '\''run_comand'\'' (did you mean '\''run_command'\''?)"
'

test_expect 'a key far from every known one gets no suggestion' '
	step_with "zzzzzzzz: 1" > unknown5.yaml &&
	refused unknown5.yaml pos "unknown key '\''zzzzzzzz'\'' in a sequence" &&
	lacks run.err "did you mean"
'

test_expect 'wrong type: steps: 5' '
	printf "name: x\nsteps: 5\n" > wt-steps.yaml &&
	refused wt-steps.yaml pos "'\''steps'\'' takes a list of steps, not a scalar" &&
	contains run.err "wt-steps.yaml:2:8: error:"
'

test_expect 'wrong type: timeout: soon' '
	step_with "    timeout: soon" > wt-timeout.yaml &&
	refused wt-timeout.yaml pos "'\''timeout'\'' takes a whole number" &&
	contains run.err "wt-timeout.yaml:7:14: error:"
'

test_expect 'wrong type: continue_on_error: maybe' '
	step_with "    continue_on_error: maybe" > wt-coe.yaml &&
	refused wt-coe.yaml pos "'\''continue_on_error'\'' takes true or false (yes/no, 1/0), not '\''maybe'\''"
'

test_expect 'wrong type: with: [1,2]' '
	step_with "  - name: b" "    type: run_command" "    with: [1,2]" > wt-with.yaml &&
	refused wt-with.yaml pos "'\''with'\'' takes a mapping of parameters, not a list"
'

test_expect 'wrong type: a sequence that is a list' '
	printf -- "- name: a\n  type: restart\n" > wt-root.yaml &&
	refused wt-root.yaml pos "a sequence file is a mapping"
'

test_expect 'wrong type: a step that is a scalar' '
	step_with "  - just a string" > wt-step.yaml &&
	refused wt-step.yaml pos "a step is a mapping"
'

test_expect 'wrong type: a mapping as a map key' '
	step_with "? {a: b}" ": c" > wt-key.yaml &&
	refused wt-key.yaml pos "mapping keys must be scalars"
'

test_expect 'more than one YAML document is refused' '
	{ head_steps; printf -- "---\nname: second\nsteps: []\n"; } > twodocs.yaml &&
	refused twodocs.yaml pos "more than one YAML document"
'

test_expect 'a missing file is refused' '
	tsi_rc 2 run missing.yaml --state-dir st --log-dir logs 2>run.err &&
	contains run.err "missing.yaml" &&
	test ! -e st/journal.jsonl &&
	tsi_rc 1 validate missing.yaml 2>validate.err &&
	has_error validate.err missing.yaml nopos
'

test_done
