#!/bin/sh
# demo.sh - runs sequences/demo.yaml end to end with ./tsi:
# validate, dry run, run until its restart, resume, and the report.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
tsi="$top/tsi"
demo=/tmp/tsi-demo
rm -rf "$demo"
mkdir -p "$demo/machine/home/alice/Documents" "$demo/machine/home/bob/Desktop"
echo "quarterly numbers" > "$demo/machine/home/alice/Documents/report.txt"
echo "todo: migrate" > "$demo/machine/home/bob/Desktop/notes.txt"

say() { printf '\n==> %s\n' "$*"; }

say "tsi validate sequences/demo.yaml"
"$tsi" validate "$top/sequences/demo.yaml"

say "tsi run --dry-run (changes nothing)"
"$tsi" run "$top/sequences/demo.yaml" --dry-run

say "tsi run (stops with exit code 3 at the restart step)"
set +e
"$tsi" run "$top/sequences/demo.yaml" --state-dir "$demo/state" \
    --log-dir "$demo/logs" --reboot-command "touch $demo/rebooted"
rc=$?
set -e
echo "exit code: $rc (3 = stopped for a restart); reboot command ran: $(test -e "$demo/rebooted" && echo yes)"
[ "$rc" = 3 ]

say "tsi resume (what tsi-resume.service does at boot)"
"$tsi" resume --state-dir "$demo/state"

say "report: $demo/logs/report.json"
grep -E '"(name|result)"' "$demo/logs/report.json" | sed 's/^ *//' | paste - - | head -20
echo
echo "logs: $demo/logs/tsi.log, $demo/logs/events.jsonl"
