#!/bin/sh
# demo.sh - runs sequences/demo.yaml end to end with ./tsi:
# validate, dry run, run until its restart, resume, and the report.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
tsi="$top/tsi"
demo=/tmp/tsi-demo
rm -rf "$demo"
# the demo "computer": users alice and bob with a few files each
m="$demo/machine"
mkdir -p "$m/etc" "$m/home/alice/Documents" "$m/home/alice/.cache" \
    "$m/home/bob/Desktop" "$m/home/bob/.config/git"
printf 'root:x:0:0:root:/root:/bin/sh\nalice:x:1001:1001:Alice:/home/alice:/bin/bash\nbob:x:1002:1002:Bob:/home/bob:/bin/bash\n' > "$m/etc/passwd"
printf 'root:x:0:\nalice:x:1001:\nbob:x:1002:\n' > "$m/etc/group"
echo "quarterly numbers" > "$m/home/alice/Documents/report.txt"
echo "thumbnail junk" > "$m/home/alice/.cache/junk"
echo "alias ll='ls -l'" > "$m/home/alice/.bashrc"
echo "todo: migrate" > "$m/home/bob/Desktop/notes.txt"
printf '[user]\n\tname = Bob\n' > "$m/home/bob/.config/git/config"
if [ "$(id -u)" = 0 ]; then
	chown -R 1001:1001 "$m/home/alice"
	chown -R 1002:1002 "$m/home/bob"
fi
run="--root $m --state-dir $demo/state --log-dir $demo/logs"

say() { printf '\n==> %s\n' "$*"; }

say "tsi validate sequences/demo.yaml"
"$tsi" validate "$top/sequences/demo.yaml"

say "tsi state estimate: what the rules would capture"
"$tsi" state estimate --root "$m"

say "tsi run --dry-run (changes nothing)"
"$tsi" run "$top/sequences/demo.yaml" --dry-run --root "$m"

say "tsi run (stops with exit code 3 at the restart step)"
set +e
# shellcheck disable=SC2086
"$tsi" run "$top/sequences/demo.yaml" $run --reboot-command "touch $demo/rebooted"
rc=$?
set -e
echo "exit code: $rc (3 = stopped for a restart); reboot command ran: $(test -e "$demo/rebooted" && echo yes)"
[ "$rc" = 3 ]

say "tsi resume (what tsi-resume.service does at boot)"
"$tsi" resume --state-dir "$demo/state"

say "the users' files are back (the cache was left out by the rules)"
find "$m/home" -type f | sort

say "report: $demo/logs/report.json"
grep -E '"(name|result)"' "$demo/logs/report.json" | sed 's/^ *//' | paste - - | head -20
echo
echo "logs: $demo/logs/tsi.log, $demo/logs/events.jsonl"
