#!/bin/sh
# Run as root, tsi refuses sequence files that others could have changed.
. "$TSI_TOP/tests/lib/test-lib.sh"

test_expect ROOT 'a group- or world-writable sequence is refused as root' '
	printf "steps:\n  - { type: run_command, with: { command: \"touch ran\" } }\n" > seq.yaml &&
	chmod 666 seq.yaml &&
	tsi_rc 2 run seq.yaml --state-dir st --log-dir logs 2> err &&
	contains err "refusing '"'"'seq.yaml'"'"': it is writable by group or others, and tsi runs it as root" &&
	test ! -e ran &&
	chmod 644 seq.yaml &&
	tsi_rc 0 run seq.yaml --state-dir st --log-dir logs > /dev/null &&
	test -e ran
'

test_expect ROOT 'a writable child sequence is refused too' '
	printf "steps:\n  - { type: run_sequence, with: { path: child.yaml } }\n" > seq.yaml &&
	printf "steps:\n  - { type: restart }\n" > child.yaml &&
	chmod 664 child.yaml &&
	tsi_rc 1 validate seq.yaml 2> err &&
	contains err "refusing '"'"'$PWD/child.yaml'"'"'"
'

test_done
