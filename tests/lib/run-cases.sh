#!/bin/sh
# run-cases.sh - runs the data-file cases in tests/cases (see README there).
set -u
: "${TSI_TOP:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${TSI:=$TSI_TOP/tsi}"
: "${TSI_WRAP:=}"
export TSI TSI_TOP TSI_WRAP
root=$(mktemp -d "${TMPDIR:-/tmp}/tsi-cases.XXXXXX")
trap 'rm -rf "$root"' EXIT
failed=0

# Splits a case file into DIR/sections/NAME and DIR/work/PATH; the line
# of the case file where a section starts goes to DIR/sections/NAME.at.
split_case() {
	awk -v dir="$2" '
	/^=== / {
		if (out != "") close(out)
		name = substr($0, 5)
		if (name ~ /^file /) {
			out = dir "/work/" substr(name, 6)
			d = out
			sub(/\/[^\/]*$/, "", d)
			system("mkdir -p \"" d "\"")
		} else {
			out = dir "/sections/" name
			print NR + 1 > (out ".at")
			close(out ".at")
		}
		printf "" > out
		next
	}
	out != "" { print > out }
	' "$1"
}

# strict_script SECTION FIRST OUT: writes OUT, a script that runs SECTION's
# commands one complete command at a time (a command may span lines: an
# if, a loop, a quote, a trailing backslash) and stops at the first that
# fails.  Every command counts, not only the last one as with plain sh,
# and (under set -e) every command inside a loop or a block too; tsi_fail
# names the failing command's lines in the case file (the section's first
# line is FIRST).
strict_script() {
	echo 'set -e' > "$3"
	chunk= start=0 n=0 eoh=
	while IFS= read -r line || [ -n "$line" ]; do
		n=$((n + 1))
		if [ -z "$chunk" ]; then
			case "$(printf '%s' "$line" | sed 's/^[[:space:]]*//')" in
			''|'#'*) continue ;;
			esac
			start=$n
		fi
		chunk="$chunk$line
"
		# a here-document runs to its delimiter line, which sh -n
		# would not wait for
		if [ -n "$eoh" ]; then
			[ "$(printf '%s' "$line" | sed 's/^	*//')" = "$eoh" ] || continue
			eoh=
		else
			eoh=$(printf '%s' "$line" | sed -n \
			    "s/.*<<-\{0,1\}[[:space:]]*[\"']\{0,1\}\([A-Za-z_][A-Za-z0-9_]*\).*/\1/p")
			[ -z "$eoh" ] || continue
		fi
		case "$line" in *\\) continue ;; esac
		sh -n -c "$chunk" 2> /dev/null || continue
		{
			printf 'tsi_at="%d %d"\n' $((start + $2 - 1)) $((n + $2 - 1))
			printf '%s' "$chunk"
			printf 'tsi_st=$?; [ "$tsi_st" = 0 ] || tsi_fail $tsi_at "$tsi_st"\n'
		} >> "$3"
		chunk=
	done < "$1"
	if [ -n "$chunk" ]; then
		echo "line $((start + $2 - 1)): a command that never ends (an open quote or block)"
		return 1
	fi
	echo 'tsi_at='  >> "$3"
}

# run_strict CASE SECTION DIR: runs a setup or check section in the case's
# work folder; on a failure, DIR/SECTION.why says which line and why.
run_strict() {
	at=$(cat "$3/sections/$2.at")
	strict_script "$3/sections/$2" "$at" "$3/$2.sh" > "$3/$2.why" || return 1
	(
		cd "$3/work" || exit 99
		tsi_fail() {
			printf 'line %s: %s (exit code %s)\n' "$1" \
			    "$(sed -n "$1,$2p" "$TSI_CASE" | tr '\n\t' '  ' |
			    sed 's/  */ /g; s/ $//' | cut -c1-160)" \
			    "$3" > "$TSI_WHY"
			exit 1
		}
		# a command that exits the shell itself (exit 1 in a loop)
		trap 'st=$?; [ "$st" = 0 ] || [ -s "$TSI_WHY" ] || [ -z "$tsi_at" ] ||
		    tsi_fail $tsi_at "$st"' EXIT
		TSI_CASE=$1 TSI_WHY=$3/$2.why
		. "$3/$2.sh"
	) > "$3/$2.out" 2>&1
}

normalize() {
	sed -e 's/[0-9][0-9]*\.[0-9][0-9][0-9] s)/N s)/' \
	    -e "s|$1|\$WORK|g" -e "s|$TSI_TOP|\$TOP|g" "$2"
}

for case in "${TSI_CASES:-$TSI_TOP/tests/cases}"/*.t; do
	[ -e "$case" ] || continue
	name=$(basename "$case" .t)
	dir="$root/$name"
	mkdir -p "$dir/sections" "$dir/work"
	split_case "$case" "$dir"
	work="$dir/work"
	if [ -f "$dir/sections/sequence" ]; then
		cp "$dir/sections/sequence" "$work/seq.yaml"
	fi
	setup_failed=
	if [ -f "$dir/sections/setup" ] &&
	    ! run_strict "$case" setup "$dir"; then
		setup_failed="$(cat "$dir/setup.why");"
	fi
	args=$(cat "$dir/sections/args")
	(
		cd "$work" || exit 99
		eval "set -- $args"
		# shellcheck disable=SC2086
		$TSI_WRAP "$TSI" "$@" > "$dir/stdout" 2> "$dir/stderr"
	)
	rc=$?
	problems=""
	[ -z "$setup_failed" ] || problems=" setup failed at $setup_failed"
	want_rc=0
	[ -f "$dir/sections/rc" ] && want_rc=$(tr -d ' \n' < "$dir/sections/rc")
	[ "$rc" = "$want_rc" ] || problems="$problems exit code $rc, expected $want_rc;"
	for s in stdout stderr; do
		if [ -f "$dir/sections/$s" ]; then
			normalize "$work" "$dir/$s" > "$dir/$s.norm"
			if ! cmp -s "$dir/sections/$s" "$dir/$s.norm"; then
				problems="$problems $s differs;"
				diff -u "$dir/sections/$s" "$dir/$s.norm" > "$dir/$s.diff"
			fi
		fi
		if [ -f "$dir/sections/$s-contains" ]; then
			normalize "$work" "$dir/$s" > "$dir/$s.norm"
			while IFS= read -r line; do
				[ -n "$line" ] || continue
				grep -qF -- "$line" "$dir/$s.norm" ||
				    problems="$problems $s lacks '$line';"
			done < "$dir/sections/$s-contains"
		fi
		if [ -f "$dir/sections/$s-lacks" ]; then
			normalize "$work" "$dir/$s" > "$dir/$s.norm"
			while IFS= read -r line; do
				[ -n "$line" ] || continue
				grep -qF -- "$line" "$dir/$s.norm" &&
				    problems="$problems $s holds '$line';"
			done < "$dir/sections/$s-lacks"
		fi
	done
	if [ -f "$dir/sections/check" ] && ! run_strict "$case" check "$dir"; then
		problems="$problems check failed at $(cat "$dir/check.why");"
	fi
	if [ -z "$problems" ]; then
		echo "ok - case $name"
	else
		failed=$((failed + 1))
		echo "not ok - case $name:$problems"
		for f in "$dir"/stdout.diff "$dir"/stderr.diff "$dir/setup.out" \
		    "$dir/check.out"; do
			[ -s "$f" ] && sed 's/^/    # /' "$f"
		done
		for s in stdout stderr; do
			[ -f "$dir/$s.diff" ] && continue
			[ -s "$dir/$s" ] && { echo "    # $s:"; sed 's/^/    #   /' "$dir/$s"; }
		done
	fi
done
echo "# run-cases: done"
[ "$failed" = 0 ]
