#!/bin/sh
# The man pages (man/*.scd, built by make into $TSI_BUILD/man) render
# without a warning and say what the program says: every command and
# option of its --help, every step type, parameter, node key and schema
# property, every rule pack key and shipped pack, every smp.conf key, the
# exit codes and the environment; and their examples are accepted by tsi.
. "$TSI_TOP/tests/lib/test-lib.sh"

: "${TSI_BUILD:=$TSI_TOP/build}"
MAN=$TSI_BUILD/man
PAGES="tsi.1 tsi-sequence.5 tsi-rules.5 tsi-smp.8"
# the Lua steps installed on this computer are not the pages' business
TSI_EXTENSION_DIRS=
export TSI_EXTENSION_DIRS
# tsi as root trusts only files that group and others cannot write
umask 022

test_prereq MANDOC 'command -v mandoc' 'needs mandoc (apt-get install mandoc)'

# page NAME: the path of a built page; fails, saying how to build it, when
# it is missing.
page() {
	if ! [ -s "$MAN/$1" ]; then
		echo "$MAN/$1 is missing: make (or make man) builds it" >&2
		return 1
	fi
	echo "$MAN/$1"
}

# text NAME: NAME.txt, the page as a reader sees it: plain ASCII, no
# hyphenation, each paragraph on one line (a line broken at one of a
# word's own hyphens is joined again); and NAME.ref, the same without its
# EXAMPLES, where the reference must name what it documents.
text() {
	_p=$(page "$1") || return 1
	groff -t -man -Tascii -P-cbou -rLL=2000n -rHY=0 "$_p" > "$1.raw" 2> "$1.err" ||
	    { cat "$1.err" >&2; return 1; }
	sed -e ':a' -e '/[A-Za-z0-9]-$/{N' -e 's/-\n *\([A-Za-z0-9]\)/-\1/' -e 'ba' -e '}' \
	    "$1.raw" > "$1.txt"
	awk '/^[A-Z]/ { skip = $0 == "EXAMPLES" } !skip' "$1.txt" > "$1.ref"
}

# section FILE HEADING: the lines of a rendered page's section.
section() {
	awk -v h="$2" '$0 == h { on = 1; next } /^[A-Z]/ { on = 0 } on' "$1"
}

# lacking FILE: the words (or phrases) on stdin that FILE does not hold
# as whole words.
lacking() {
	while IFS= read -r _w; do
		[ -n "$_w" ] || continue
		_re=$(printf '%s\n' "$_w" | sed 's/[][\\.^$*+?(){}|]/\\&/g')
		grep -qE -- "(^|[^A-Za-z0-9_-])$_re([^A-Za-z0-9_-]|\$)" "$1" || echo "$_w"
	done
}

# must_name FILE WHERE WHAT: fails, naming every one, when FILE (WHERE, for
# the message) lacks words of stdin; WHAT says where the words come from.
must_name() {
	lacking "$1" > "$1.lacks" || return 1
	if [ -s "$1.lacks" ]; then
		echo "$2 does not name, of $3:" $(cat "$1.lacks") >&2
		return 1
	fi
}

# options FILE: the long options (--x) that FILE shows.
options() {
	grep -oE -- '--[a-z][a-z-]*[a-z]' "$1" | sort -u
}

# example FILE FIRST: the literal block of a rendered page that begins
# with a line that starts with FIRST, without its indentation.
example() {
	awk -v first="$2" '
		!on { s = $0; sub(/^ +/, "", s); if (index(s, first) == 1) { on = 1;
		    n = length($0) - length(s) } else next }
		on && $0 != "" && match($0, /^ +/) && RLENGTH < n { exit }
		on && $0 != "" && !match($0, /^ +/) { exit }
		on { print substr($0, n + 1) }' "$1"
}

# json_properties FILE: every name in a "properties" object of a JSON
# Schema, at any depth (a property that is itself named "properties" is a
# schema, not another map of names).
json_properties() {
	python3 -c '
import json, sys
def walk(x):
    if isinstance(x, dict):
        for k, v in x.items():
            if k == "properties" and isinstance(v, dict):
                for name, sub in v.items():
                    print(name)
                    walk(sub)
            else:
                walk(v)
    elif isinstance(x, list):
        for v in x:
            walk(v)
walk(json.load(open(sys.argv[1])))' "$1" | sort -u
}

# c_strings FILE ARRAY: the strings of a "static const char *const ARRAY[]"
# of a C file.
c_strings() {
	awk -v a="$2" 'index($0, " " a "[] = {") { on = 1 } on { print } on && /};/ { exit }' \
	    "$1" | grep -oE '"[^"]*"' | tr -d '"'
}

test_expect 'the man sources have no text line that starts with a dot (scdoc drops the dot)' '
	for f in "$TSI_TOP"/man/*.scd; do
		awk "/^\t*\`\`\`/ { lit = !lit; next } !lit && /^\\.[^ ]/ {
		    print FILENAME \":\" NR \": \" \$0; bad = 1 } END { exit bad }" "$f" >&2 ||
		    exit 1
	done
'

test_expect 'every man page is built and renders without a warning (man --warnings, groff -ww)' '
	for p in $PAGES; do
		f=$(page $p) || exit 1
		man --warnings -l -Tutf8 "$f" > out 2> err || { cat err >&2; exit 1; }
		if [ -s err ]; then echo "man --warnings -l $p:" >&2; cat err >&2; exit 1; fi
		groff -t -man -ww -z "$f" 2> err || { cat err >&2; exit 1; }
		if [ -s err ]; then echo "groff -ww $p:" >&2; cat err >&2; exit 1; fi
	done
'

# scdoc 1.11 writes a paragraph macro after every heading and blank line,
# which mandoc skips with a warning that says nothing of the page itself.
test_expect MANDOC 'mandoc -Tlint finds no error or warning in the man pages' '
	for p in $PAGES; do
		f=$(page $p) || exit 1
		mandoc -Tlint -W warning "$f" > lint 2>&1
		grep -v -e "WARNING: skipping paragraph macro: PP after S[HS]$" \
		    -e "WARNING: skipping paragraph macro: PP empty$" lint > left
		if grep -E "(UNSUPP|ERROR|WARNING|BADARG)" left >&2; then exit 1; fi
	done
'

test_expect 'tsi.1 names every command and option of tsi --help and of each command'"'"'s --help' '
	text tsi.1 &&
	tsi --help > help &&
	sed -n "/^commands:/,/^\$/s/^  \\([a-z][a-z]*\\) .*/\\1/p" help > commands &&
	sed -n "s/^	{ \"\\([a-z]*\\)\", cmd_.*/\\1/p" "$TSI_TOP/cli/main.c" >> commands &&
	sort -u commands > all-commands &&
	test "$(wc -l < all-commands)" -ge 9 &&
	must_name tsi.1.ref tsi.1 "the commands of tsi --help and cli/main.c" < all-commands &&
	options help > opts &&
	bad= &&
	for c in $(cat all-commands); do
		test "$c" = smp && continue
		tsi "$c" --help > "help.$c" || exit 1
		options "help.$c" >> opts
		contains "help.$c" "usage: tsi $c" || exit 1
	done &&
	sort -u opts > all-opts &&
	must_name tsi.1.ref tsi.1 "the options of tsi --help and tsi COMMAND --help" < all-opts &&
	grep -oE "tsi (state|identity) [a-z]+" help.state help.identity |
	    sed "s/.* //" | sort -u > subs &&
	test "$(wc -l < subs)" -ge 10 &&
	must_name tsi.1.ref tsi.1 "the subcommands of tsi state --help and tsi identity --help" < subs &&
	sed -n "/^  \\/SWITCH/,/^\$/p" help.state | grep -oE "(^| )/[a-z]+" |
	    tr -d " " | sort -u > switches &&
	test "$(wc -l < switches)" -ge 12 &&
	must_name tsi.1.ref tsi.1 "the USMT switches of tsi state --help" < switches
'

test_expect 'tsi-smp.8 names every subcommand, option and behavior of tsi smp --help' '
	text tsi-smp.8 &&
	tsi smp --help > help &&
	options help > opts &&
	test "$(wc -l < opts)" -ge 10 &&
	must_name tsi-smp.8.ref tsi-smp.8 "the options of tsi smp --help" < opts &&
	grep -oE "tsi smp [a-z]+( (add|list))?" help | sed "s/^tsi smp //" | sort -u > subs &&
	test "$(wc -l < subs)" -ge 8 &&
	must_name tsi-smp.8.ref tsi-smp.8 "the subcommands of tsi smp --help" < subs &&
	grep -oE "capture-[a-z-]*[a-z]" help | sort -u > behaviors &&
	test "$(wc -l < behaviors)" = 3 &&
	must_name tsi-smp.8.ref tsi-smp.8 "the behaviors of tsi smp --help" < behaviors
'

test_expect 'tsi-sequence.5 names every step type, parameter, node key and typed variable of tsi steps' '
	text tsi-sequence.5 &&
	tsi steps > steps.txt &&
	tsi steps --json > steps.json &&
	sed -n -e "s/^\\([a-z_][a-z0-9_]*\\)\$/\\1/p" \
	    -e "s/^ \\{4,\\}\\([A-Za-z_][A-Za-z0-9_]*\\) .*/\\1/p" steps.txt > words &&
	sed -n "s/.*(variable: \\([A-Za-z_][A-Za-z0-9_]*\\)).*/\\1/p" steps.txt >> words &&
	sed -n "s/^ *\"name\": \"\\([A-Za-z_][A-Za-z0-9_]*\\)\",\$/\\1/p" steps.json > json-names &&
	test "$(wc -l < json-names)" -ge 40 &&
	cat json-names >> words &&
	for w in run_command release_state_store continue_on_error lua_limits memory_mb \
	    OSDStateStorePath OSDDoNotLogCommand; do
		grep -qx "$w" words || { echo "the parse of tsi steps missed $w" >&2; exit 1; }
	done &&
	sort -u words > all-words &&
	must_name tsi-sequence.5.ref tsi-sequence.5 "the step types, parameters, node keys and variables of tsi steps" < all-words
'

test_expect 'tsi-sequence.5 names every property of the JSON Schema that tsi schema prints' '
	text tsi-sequence.5 &&
	tsi schema > schema.json &&
	json_properties schema.json > props &&
	for w in extensions variables with retry count lua_limits instructions not_equals \
	    version_at_least store_path; do
		grep -qx "$w" props || { echo "the walk of tsi schema missed $w" >&2; exit 1; }
	done &&
	must_name tsi-sequence.5.ref tsi-sequence.5 "the properties of tsi schema" < props
'

test_expect 'tsi-rules.5 names every key of the rule pack format and every shipped pack and component' '
	text tsi-rules.5 &&
	json_properties "$TSI_TOP/schemas/rules.schema.json" > keys &&
	c_strings "$TSI_TOP/migrate/rules.c" pack_keys >> keys &&
	c_strings "$TSI_TOP/migrate/rules.c" component_keys >> keys &&
	sort -u keys > all-keys &&
	test "$(wc -l < all-keys)" = 6 &&
	must_name tsi-rules.5.ref tsi-rules.5 "the keys of schemas/rules.schema.json and migrate/rules.c" < all-keys &&
	for f in "$TSI_TOP"/rules/*.yaml; do
		basename "$f" .yaml
		sed -n "s/^name: *//p" "$f"
	done | sort -u > packs &&
	test "$(wc -l < packs)" -ge 9 &&
	must_name tsi-rules.5.ref tsi-rules.5 "the packs in rules/" < packs &&
	sed -n "s/^  - name: *//p" "$TSI_TOP"/rules/*.yaml | sed "s/ *#.*//" | sort -u > components &&
	test "$(wc -l < components)" -ge 30 &&
	must_name tsi-rules.5.ref tsi-rules.5 "the components of the packs in rules/" < components
'

test_expect 'tsi-smp.8 names every smp.conf key of tsi smp --help and smp/conf.c' '
	text tsi-smp.8 &&
	tsi smp --help > help &&
	sed -n "/^smp.conf (YAML):/,\$p" help | sed "s/^smp.conf (YAML)://" |
	    tr "{}:;,\n" "\n\n\n\n\n " | sed "s/^ *//; s/ *\$//" |
	    grep -E "^[a-z_]+\$" > keys &&
	test "$(wc -l < keys)" -ge 14 &&
	for a in top_keys folder_keys limit_keys; do
		c_strings "$TSI_TOP/smp/conf.c" $a > "c.$a" && test -s "c.$a" || exit 1
		cat "c.$a" >> keys
	done &&
	sort -u keys > all-keys &&
	section tsi-smp.8.txt CONFIGURATION > conf.txt &&
	must_name conf.txt "tsi-smp.8, CONFIGURATION," "the smp.conf keys of tsi smp --help and smp/conf.c" < all-keys
'

test_expect 'tsi.1 gives every exit code of lib/defaults.h and every variable of the environment tsi reads' '
	text tsi.1 &&
	sed -n "s/^#define EXIT_[A-Z_]*[[:space:]]*\\([0-9][0-9]*\\).*/\\1/p" \
	    "$TSI_TOP/lib/defaults.h" > codes &&
	test "$(wc -l < codes)" -ge 6 &&
	section tsi.1.txt "EXIT STATUS" > exit.txt &&
	must_name exit.txt "tsi.1, EXIT STATUS," "the exit codes of lib/defaults.h" < codes &&
	(cd "$TSI_TOP" && grep -rhoE "getenv\\(\"[A-Za-z_]+\"\\)" lib interp store migrate smp steps cli) |
	    sed "s/getenv(\"\\(.*\\)\")/\\1/" | sort -u > env &&
	grep -qx TSI_RULES_DIR env &&
	section tsi.1.txt ENVIRONMENT > env.txt &&
	must_name env.txt "tsi.1, ENVIRONMENT," "the variables that the C sources getenv" < env
'

test_expect 'the sequence of tsi-sequence.5 EXAMPLES validates without a warning' '
	text tsi-sequence.5 &&
	section tsi-sequence.5.txt EXAMPLES > examples.txt &&
	example examples.txt "# refresh.yaml" > refresh.yaml &&
	contains refresh.yaml "steps:" &&
	contains refresh.yaml "tsi.log(" &&
	if ! tsi validate refresh.yaml 2> err; then cat err >&2; false; fi &&
	contains err "0 errors, 0 warnings" &&
	if ! tsi run --dry-run refresh.yaml > out 2>&1; then cat out >&2; false; fi &&
	contains out "nothing was changed"
'

test_expect 'the rule pack of tsi-rules.5 EXAMPLES validates without a warning' '
	text tsi-rules.5 &&
	section tsi-rules.5.txt EXAMPLES > examples.txt &&
	example examples.txt "name: engineering" > engineering.yaml &&
	contains engineering.yaml "unconditional_exclude:" &&
	if ! tsi validate engineering.yaml 2> err; then cat err >&2; false; fi &&
	contains err "0 errors, 0 warnings"
'

test_expect 'tsi smp serve takes the smp.conf of tsi-smp.8 EXAMPLES' '
	text tsi-smp.8 &&
	section tsi-smp.8.txt EXAMPLES > examples.txt &&
	example examples.txt "listen: \"0.0.0.0:8443\"" > conf &&
	contains conf "limits:" &&
	tsi smp init --dir smp --name smp.test > /dev/null &&
	sed "s|/srv/|$PWD/srv/|" conf > smp/smp.conf &&
	chmod 600 smp/smp.conf &&
	tsi_bg smp serve --dir smp --listen 127.0.0.1:0 --port-file port &&
	wait_until "grep -q serving bg.out || ! alive \$(cat pid)" &&
	contains bg.out "2 storage folders, retention 604800s" &&
	test -s port &&
	test -d srv/smp1 && test -d srv/smp2 &&
	kill -TERM $(cat pid) &&
	wait_until "! alive \$(cat pid)" &&
	contains bg.out "stopping"
'

test_done
