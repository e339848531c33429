#!/bin/sh
# demo.sh - the replace scenario end to end with ./tsi, on demo systems
# under /tmp/tsi-demo (never this machine's own users):
#   a State Migration Point on loopback (HTTPS), three computers with
#   identities, old-pc associated with new-pc; old-pc runs
#   replace-source.yaml, new-pc runs replace-destination.yaml, the users'
#   state arrives, third-pc is refused; then new-pc is refreshed with
#   refresh.yaml (hard links, a restart, tsi resume); the SMP stops.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
tsi="$top/tsi"
demo=/tmp/tsi-demo
say() { printf '\n==> %s\n' "$*"; }

if [ -s "$demo/smp.pid" ]; then kill "$(cat "$demo/smp.pid")" 2> /dev/null || true; fi
rm -rf "$demo"
mkdir -p "$demo"

# computer ROOT: a system with /etc/passwd and /etc/group (users alice, bob)
computer() {
	mkdir -p "$1/etc" "$1/home"
	printf 'root:x:0:0:root:/root:/bin/sh\nalice:x:1001:1001:Alice:/home/alice:/bin/bash\nbob:x:1002:1002:Bob:/home/bob:/bin/bash\n' > "$1/etc/passwd"
	printf 'root:x:0:\nalice:x:1001:\nbob:x:1002:\n' > "$1/etc/group"
}

# profiles ROOT: realistic homes - documents, photos, settings, a browser
# profile, ssh config, and what the rules leave out (caches, trash)
profiles() {
	h="$1/home/alice"
	mkdir -p "$h/Documents/Projects/budget" "$h/Pictures/2026" "$h/.config/git" \
	    "$h/.mozilla/firefox/abcd.default" "$h/.cache/thumbnails" "$h/.local/share/Trash/files" \
	    "$h/.ssh"
	echo "Quarterly numbers: revenue up 4%" > "$h/Documents/report.txt"
	seq 1 20000 | sed 's/$/,budget line/' > "$h/Documents/Projects/budget/2027.csv"
	for i in 1 2 3 4 5; do head -c 400000 /dev/urandom > "$h/Pictures/2026/IMG_000$i.jpg"; done
	printf '[user]\n\tname = Alice\n\temail = alice@example.org\n' > "$h/.config/git/config"
	echo "alias ll='ls -l'" > "$h/.bashrc"
	echo 'user_pref("browser.startup.homepage", "https://intranet");' > "$h/.mozilla/firefox/abcd.default/prefs.js"
	printf 'Host build\n\tHostName build.example.org\n' > "$h/.ssh/config"
	head -c 2000000 /dev/urandom > "$h/.cache/thumbnails/big.png"
	echo "deleted draft" > "$h/.local/share/Trash/files/old.txt"
	h="$1/home/bob"
	mkdir -p "$h/Desktop" "$h/Music" "$h/.config/Code/User"
	echo "todo: migrate" > "$h/Desktop/notes.txt"
	head -c 3000000 /dev/urandom > "$h/Music/demo.flac"
	echo '{ "editor.fontSize": 14 }' > "$h/.config/Code/User/settings.json"
	if [ "$(id -u)" = 0 ]; then
		chown -R 1001:1001 "$1/home/alice"
		chown -R 1002:1002 "$1/home/bob"
	fi
}

say "a State Migration Point in $demo/smp, three computers, old-pc -> new-pc"
"$tsi" smp init --dir "$demo/smp" --name localhost
for pc in old-pc new-pc third-pc; do
	computer "$demo/$pc"
	"$tsi" identity init --dir "$demo/$pc/var/lib/tsi/identity" --name "$pc" > /dev/null
	"$tsi" smp computer add --dir "$demo/smp" --name "$pc" \
	    --key "$demo/$pc/var/lib/tsi/identity/identity.pub"
done
profiles "$demo/old-pc"
"$tsi" smp associate --dir "$demo/smp" --source old-pc --dest new-pc

say "tsi smp serve on 127.0.0.1 (HTTPS; log: $demo/smp.log)"
"$tsi" smp serve --dir "$demo/smp" --listen 127.0.0.1:0 --port-file "$demo/smp.port" \
    > "$demo/smp.log" 2>&1 &
echo $! > "$demo/smp.pid"
trap 'kill "$(cat "$demo/smp.pid")" 2> /dev/null || true' EXIT
i=0
while ! [ -s "$demo/smp.port" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
port=$(cat "$demo/smp.port")
cat > "$demo/smp-vars.yaml" <<EOF
TSIStateMigrationPoints: "https://127.0.0.1:$port"
TSISMPCACert: $demo/smp/smp-cert.pem
OSDStateSMPRetryCount: 3
OSDStateSMPRetryTime: 2
EOF
echo "listening on port $port; clients pin $demo/smp/smp-cert.pem"

# run PC SEQUENCE [ARGS]: tsi run on the computer's system, as that computer
run() {
	pc=$1 seq=$2
	shift 2
	"$tsi" run "$top/sequences/$seq" --root "$demo/$pc" --state-dir "$demo/$pc/var/lib/tsi/state" \
	    --log-dir "$demo/$pc/var/log/tsi" --vars-file "$demo/smp-vars.yaml" \
	    --var "TSIIdentityDir=$demo/$pc/var/lib/tsi/identity" "$@"
}

say "tsi validate the reference sequences"
"$tsi" validate "$top/sequences/replace-source.yaml" "$top/sequences/replace-destination.yaml" \
    "$top/sequences/refresh.yaml"

say "tsi state estimate on old-pc: what the rules would capture"
"$tsi" state estimate --root "$demo/old-pc"

say "old-pc: replace-source.yaml (request, capture to the SMP, release)"
run old-pc replace-source.yaml

say "tsi smp list: the store is complete, readable by new-pc only"
"$tsi" smp list --dir "$demo/smp"

say "new-pc: replace-destination.yaml (request, restore from the SMP, release)"
computer "$demo/new-pc"
run new-pc replace-destination.yaml

say "the users' state arrived on new-pc (caches and trash were left out by the rules)"
(cd "$demo/new-pc/home" && find . -type f | sort)
for f in alice/Documents/report.txt alice/Pictures/2026/IMG_0003.jpg alice/.ssh/config bob/Music/demo.flac; do
	cmp "$demo/old-pc/home/$f" "$demo/new-pc/home/$f"
done
echo "byte for byte the same as on old-pc"

say "third-pc asks for the store: refused"
computer "$demo/third-pc"
set +e
run third-pc replace-destination.yaml --var OSDStateSMPRetryCount=0 > "$demo/third-pc.out" 2>&1
rc=$?
set -e
grep -E "error|warning: SMP" "$demo/third-pc.out" | head -4
echo "exit code $rc; third-pc's home: $(find "$demo/third-pc/home" -type f | wc -l) files"
[ "$rc" != 0 ]
store=$(sed -n 's/.*store for restore: //p' "$demo/new-pc/var/log/tsi/tsi.log" | head -1)
printf 'name: read it anyway\nsteps:\n  - name: Restore from the URL\n    type: restore_user_state\n' \
    > "$demo/read.yaml"
set +e
"$tsi" run "$demo/read.yaml" --root "$demo/third-pc" --state-dir "$demo/third-pc/state2" \
    --log-dir "$demo/third-pc/log2" --vars-file "$demo/smp-vars.yaml" \
    --var "TSIIdentityDir=$demo/third-pc/var/lib/tsi/identity" \
    --var "OSDStateStorePath=$store" 2>&1 | grep error | head -1
set -e

say "new-pc: refresh.yaml with hard links (capture, restart, install, tsi resume, restore)"
set +e
run new-pc refresh.yaml --var "TSIHardlinkStorePath=$demo/new-pc/var/lib/tsi/state-store" \
    --var "TSIInstallCommand=rm -rf $demo/new-pc/home/*" \
    --reboot-command "touch $demo/rebooted" > "$demo/refresh.out" 2>&1
rc=$?
set -e
tail -n 3 "$demo/refresh.out"
echo "exit code: $rc (3 = stopped for a restart)"
[ "$rc" = 3 ]
"$tsi" resume --state-dir "$demo/new-pc/var/lib/tsi/state" | tail -n 8
cmp "$demo/old-pc/home/bob/Music/demo.flac" "$demo/new-pc/home/bob/Music/demo.flac"
echo "the homes were wiped by the install and are back"

say "stopping the SMP (SIGTERM)"
kill "$(cat "$demo/smp.pid")"
i=0
while kill -0 "$(cat "$demo/smp.pid")" 2> /dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
tail -n 6 "$demo/smp.log"
echo
echo "logs: $demo/*/var/log/tsi/tsi.log, $demo/smp.log"
