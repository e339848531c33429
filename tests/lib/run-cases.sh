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

# Splits a case file into DIR/sections/NAME and DIR/files/NAME.
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
		} else
			out = dir "/sections/" name
		printf "" > out
		next
	}
	out != "" { print > out }
	' "$1"
}

normalize() {
	sed -e 's/[0-9][0-9]*\.[0-9][0-9][0-9] s)/N s)/' \
	    -e "s|$1|\$WORK|g" -e "s|$TSI_TOP|\$TOP|g" "$2"
}

for case in "$TSI_TOP"/tests/cases/*.t; do
	name=$(basename "$case" .t)
	dir="$root/$name"
	mkdir -p "$dir/sections" "$dir/work"
	split_case "$case" "$dir"
	work="$dir/work"
	if [ -f "$dir/sections/sequence" ]; then
		cp "$dir/sections/sequence" "$work/seq.yaml"
	fi
	if [ -f "$dir/sections/setup" ]; then
		(cd "$work" && sh "$dir/sections/setup") > "$dir/setup.out" 2>&1
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
	if [ -f "$dir/sections/check" ]; then
		(cd "$work" && sh "$dir/sections/check") > "$dir/check.out" 2>&1 ||
		    problems="$problems check failed;"
	fi
	if [ -z "$problems" ]; then
		echo "ok - case $name"
	else
		failed=$((failed + 1))
		echo "not ok - case $name:$problems"
		for f in "$dir"/stdout.diff "$dir"/stderr.diff "$dir/check.out"; do
			[ -s "$f" ] && sed 's/^/    # /' "$f"
		done
		for s in stdout stderr; do
			[ -f "$dir/$s.diff" ] && continue
			[ -s "$dir/$s" ] && { echo "    # $s:"; sed 's/^/    #   /' "$dir/$s"; }
		done
	fi
done
[ "$failed" = 0 ]
