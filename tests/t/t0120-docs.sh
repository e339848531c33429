#!/bin/sh
# The documentation is tested: every ```yaml block of README.md and docs/
# is checked as what it is (a sequence, a rule pack, a vars file, an
# smp.conf), every ```lua block loads as an extension, and README's first
# sequence runs as written.
#
# A block's kind: its first line "# smp.conf" or "# vars file", else a
# top-level steps: (a sequence) or components: / unconditional_exclude: (a
# rule pack); any other block fails, so that no example goes unchecked.  A
# first line "# NAME.yaml ..." writes the block under NAME, for the blocks
# that use it (run_sequence, config_files); the others are written as
# example-N.yaml.  They are all written into one folder that also holds
# the files of sequences/ (extensions/, the reference sequences), then
# checked.
. "$TSI_TOP/tests/lib/test-lib.sh"
umask 022
# system extension folders would change what the examples validate against
TSI_EXTENSION_DIRS=
export TSI_EXTENSION_DIRS

# extract_blocks OUT FILE...: each ```yaml (or ```yml) and ```lua block of
# the FILEs goes to OUT/N.yaml or OUT/N.lua; OUT/list gets "N KIND
# FILE:LINE" (the line of the opening fence; FILE as given).  A fence that
# is indented, or a block never closed, is an error.
extract_blocks() {
	_out=$1
	shift
	mkdir -p "$_out" && : > "$_out/list" || return 1
	awk -v out="$_out" '
	function open_block(kind) {
		n++; inb = 1; opened = FILENAME ":" FNR
		f = sprintf("%s/%d.%s", out, n, kind); printf "" > f
		print n, kind, opened >> (out "/list")
	}
	FNR == 1 && inb { print opened ": the block is never closed" > "/dev/stderr"; bad = 1; inb = 0 }
	FNR == 1 { other = 0 }
	other && /^```[ \t]*$/ { other = 0; next }
	other { next }
	!inb && /^[ \t]+```[ \t]*(yaml|yml|lua)[ \t]*$/ {
		print FILENAME ":" FNR ": an indented fence: this checker would miss the block" > "/dev/stderr"
		bad = 1; next
	}
	!inb && /^```(yaml|yml)[ \t]*$/ { open_block("yaml"); next }
	!inb && /^```lua[ \t]*$/ { open_block("lua"); next }
	!inb && /^```/ { other = 1; next }
	inb && /^```[ \t]*$/ { inb = 0; close(f); next }
	inb { print > f }
	END {
		if (inb) { print opened ": the block is never closed" > "/dev/stderr"; bad = 1 }
		exit bad
	}' "$@"
}

# block_kind FILE: sequence, rules, vars, smpconf or unknown.
block_kind() {
	case "$(head -n 1 "$1")" in
	"# smp.conf"*) echo smpconf; return 0 ;;
	"# vars file"*) echo vars; return 0 ;;
	esac
	if grep -q "^steps:" "$1"; then
		echo sequence
	elif grep -q -e "^components:" -e "^unconditional_exclude:" "$1"; then
		echo rules
	else
		echo unknown
	fi
}

# block_name FILE: the NAME.yaml its first line gives, or nothing.
block_name() {
	head -n 1 "$1" | sed -n 's/^# \([A-Za-z0-9_.-]*\.yaml\)\( .*\)\{0,1\}$/\1/p'
}

# serve_conf CONF: an SMP whose smp.conf is CONF starts (and is stopped);
# 30 s at most, for valgrind.
serve_conf() {
	if grep -E -q "path: *[\"']?/" "$1"; then
		echo "a storage path outside the server folder: serve would make it on this machine"
		return 1
	fi
	rm -rf smp && tsi smp init --dir smp --name localhost > /dev/null 2>&1 &&
	cat "$1" > smp/smp.conf || return 1
	$TSI_WRAP "$TSI" smp serve --dir smp --listen 127.0.0.1:0 --port-file smp/port \
	    > smp/serve.out 2>&1 &
	_pid=$!
	started $_pid
	_i=0
	while ! [ -s smp/port ] && alive $_pid && [ $_i -lt 600 ]; do
		sleep 0.05
		_i=$((_i + 1))
	done
	if [ -s smp/port ]; then
		kill $_pid
		wait $_pid
		return 0
	fi
	cat smp/serve.out
	kill $_pid 2> /dev/null
	wait $_pid
	return 1
}

# check_docs TOP MIN: checks every block of TOP/README.md and TOP/docs/*.md
# in the folder "work" (the blocks, beside a copy of sequences/, with a copy
# of rules/); prints what it checked and where each failure is; fails on
# any failure, or when it found fewer than MIN yaml blocks.
check_docs() {
	_top=$1 _min=$2
	rm -rf blocks work empty &&
	mkdir -p work empty/etc empty/home && : > empty/etc/passwd && : > empty/etc/group &&
	cp -R "$TSI_TOP/sequences/." work/ &&
	rm -rf rules && cp -R "$TSI_TOP/rules" rules &&
	printf 'name: Nothing\nsteps:\n  - { type: run_command, with: { command: "true" } }\n' \
	    > nothing.yaml || return 1
	_here=$PWD
	(cd "$_top" && extract_blocks "$_here/blocks" README.md docs/*.md) || return 1
	# as root, tsi reads rule packs only in folders that are root's alone,
	# which the checkout need not be: the packs are copied with the rest
	TSI_RULES_DIR=$PWD/rules
	export TSI_RULES_DIR
	_failed=0 _named=" "
	# first every block is written, so that one can use another
	while read -r n kind where; do
		if [ "$kind" = yaml ]; then
			name=$(block_name "blocks/$n.yaml")
			if [ -z "$name" ]; then
				name=example-$n.yaml
			fi
			case "$_named" in *" $name "*)
				echo "$where: a second block named $name"
				_failed=$((_failed + 1)) ;;
			esac
			_named="$_named$name "
			echo "$name" > "blocks/$n.name"
			cp "blocks/$n.yaml" "work/$name"
		fi
	done < blocks/list
	_yaml=0 _lua=0 _seq=0 _rules=0 _vars=0 _conf=0
	while read -r n kind where; do
		ok=1
		if [ "$kind" = lua ]; then
			_lua=$((_lua + 1))
			tsi steps --extension "blocks/$n.lua" < /dev/null > out 2>&1 || ok=0
		else
			_yaml=$((_yaml + 1))
			f=work/$(cat "blocks/$n.name")
			k=$(block_kind "$f")
			case "$k" in
			sequence)
				_seq=$((_seq + 1))
				(cd work && tsi validate "${f#work/}") < /dev/null > out 2>&1 || ok=0 ;;
			rules)
				_rules=$((_rules + 1))
				{ (cd work && tsi validate "${f#work/}") &&
				    tsi state estimate --root empty --rules "$PWD/$f"; } < /dev/null > out 2>&1 ||
				    ok=0 ;;
			vars)
				_vars=$((_vars + 1))
				tsi validate nothing.yaml --vars-file "$f" < /dev/null > out 2>&1 || ok=0 ;;
			smpconf)
				_conf=$((_conf + 1))
				serve_conf "$f" < /dev/null > out 2>&1 || ok=0 ;;
			*)
				echo "neither a sequence (steps:), a rule pack (components:), nor marked" \
				    "'# smp.conf' or '# vars file' on its first line" > out
				ok=0 ;;
			esac
		fi
		if [ $ok = 0 ]; then
			_failed=$((_failed + 1))
			echo "$where: this $kind block fails its check:"
			sed 's/^/    /' out
		fi
	done < blocks/list
	echo "checked $_yaml yaml blocks ($_seq sequences, $_rules rule packs, $_vars vars files," \
	    "$_conf smp.conf) and $_lua lua blocks; $_failed failed"
	if [ "$_yaml" -lt "$_min" ]; then
		echo "fewer than $_min yaml blocks: is the extraction broken?"
		return 1
	fi
	[ $_failed = 0 ]
}

# first_sequence README: the section "Your first sequence": its yaml block
# goes to tsi-first/hello.yaml, its ./tsi command lines (one a line, or
# continued with \) to as-written, and to commands with /tmp/tsi-first
# made this folder's tsi-first and ./tsi the tsi under test.
first_sequence() {
	sed -n '/^## Your first sequence/,/^## /p' "$1" > section &&
	extract_blocks fs section > /dev/null &&
	test "$(grep -c " yaml " fs/list)" = 1 &&
	mkdir -p tsi-first &&
	cp fs/1.yaml tsi-first/hello.yaml &&
	awk '/^```sh[ \t]*$/ { insh = 1; next } /^```/ { insh = 0; next }
	    insh { line = line $0; if (line ~ /\\$/) { sub(/\\$/, "", line); next }
	           print line; line = "" }' section > all-commands &&
	grep "^\./tsi " all-commands > as-written &&
	test "$(wc -l < as-written)" = "$(grep -c . all-commands)" &&
	sed "s|/tmp/tsi-first|$PWD/tsi-first|g; s|^\./tsi |tsi |" as-written > commands
}

test_expect 'every yaml block of README.md and docs/ validates as what it is, every lua block loads' '
	if ! check_docs "$TSI_TOP" 20 > report 2>&1; then
		cat report; false
	fi &&
	tail -n 1 report > "$TEST_ROOT/summary"
'
# how many blocks were checked, shown by make test too
[ -s "$TEST_ROOT/summary" ] && echo "# $TEST_NAME: $(cat "$TEST_ROOT/summary")"

test_expect 'the docs check can fail: a broken example is named by file and line, an unknown kind fails' '
	mkdir -p top/docs &&
	printf "# t\n\n\`\`\`yaml\nname: Fine\nsteps:\n  - { type: run_command, with: { command: \"true\" } }\n\`\`\`\n" > top/README.md &&
	printf "# d\n\ntext\n\n\`\`\`yaml\nname: Bad\nsteps:\n  - { type: run_comand, with: { command: \"true\" } }\n\`\`\`\n\n\`\`\`yaml\nfoo: bar\n\`\`\`\n" > top/docs/a.md &&
	! check_docs "$PWD/top" 2 > report 2>&1 &&
	contains report "docs/a.md:5: this yaml block fails its check:" &&
	contains report "unknown step type" &&
	contains report "docs/a.md:11: this yaml block fails its check:" &&
	contains report "neither a sequence" &&
	lacks report "README.md:3:" &&
	contains report "checked 3 yaml blocks" &&
	! check_docs "$PWD/top" 4 > report 2>&1 &&
	contains report "fewer than 4 yaml blocks" &&
	printf "\`\`\`yaml\nname: x\n" > top/docs/a.md &&
	! check_docs "$PWD/top" 1 > report 2>&1 &&
	contains report "docs/a.md:1: the block is never closed" &&
	printf "# smp.conf\nstorage:\n  - { path: stores, max_clients: 0 }\n" > bad.conf &&
	! serve_conf bad.conf > out 2>&1 &&
	contains out "max_clients"
'

test_expect "README's first sequence runs as written: validate, dry run, a run that stops for a restart, tsi resume" '
	first_sequence "$TSI_TOP/README.md" &&
	cat commands &&
	test "$(wc -l < commands)" = 4 &&
	sed -n 1p commands | grep -q "^tsi validate " &&
	sed -n 2p commands | grep -q "^tsi run .* --dry-run" &&
	sed -n 3p commands > run && grep -q "^tsi run " run &&
	for o in --state-dir --log-dir --reboot-command; do
		contains run "$o" || exit 1
	done &&
	sed -n 4p commands > resume && grep -q "^tsi resume .*--state-dir .*--log-dir " resume &&
	tr " " "\n" < as-written | grep "^/" > paths &&
	! grep -v "^/tmp/tsi-first/" paths &&
	n=0 &&
	while read -r cmd; do
		n=$((n + 1))
		want=0
		[ $n != 3 ] || want=3
		rc=0
		eval "$cmd" < /dev/null > out.$n 2>&1 || rc=$?
		sed "s/^/    /" out.$n
		test $rc = $want || { echo "command $n exited $rc, not $want: $cmd"; exit 1; }
	done < commands &&
	contains out.2 "nothing was changed" &&
	contains out.3 "the computer would restart now" &&
	lacks out.3 "back after the restart" &&
	contains out.4 "back after the restart" &&
	contains tsi-first/logs/tsi.log "After the restart: succeeded" &&
	test ! -e tsi-first/state/journal.jsonl
'

test_done
