#!/bin/sh
# t0540-default-rules.sh - the default rules on a typical desktop profile,
# made where Debian has them by the real programs (git, ssh-keygen, gpg,
# sqlite): what the defaults take comes back to a computer whose users have
# other uids, and each program accepts its state there, run as the user.
#
#   TSI=$PWD/tsi TSI_TOP=$PWD sh tests/t/t0540-default-rules.sh

. "$TSI_TOP/tests/lib/test-lib.sh"

test_prereq DESKTOP_TOOLS 'command -v git && command -v ssh-keygen && command -v gpg && command -v setpriv && command -v pass && command -v dconf && command -v dbus-run-session' \
    'needs git, ssh-keygen, gpg, pass, dconf and setpriv (Debian packages git, openssh-client, gnupg, pass, dconf-cli, dbus, util-linux)'

mkroot() {
	mkdir -p "$1/etc" &&
	printf 'root:x:0:0:root:/root:/bin/sh\nalice:x:%d:%d:Alice:/home/alice:/bin/bash\n' "$2" "$2" > "$1/etc/passwd" &&
	printf 'root:x:0:\nalice:x:%d:\ncrontab:x:%d:\n' "$2" $(($2 + 100)) > "$1/etc/group"
}

# as_alice ROOT UID CMD...: CMD run as alice of that root, her home as
# HOME (the test's folders must let her through: git makes paths absolute)
as_alice() {
	r=$1 u=$2
	shift 2
	env -i PATH=/usr/bin:/bin HOME="$r/home/alice" GNUPGHOME="$r/home/alice/.gnupg" \
	    setpriv --reuid="$u" --regid="$u" --clear-groups "$@"
}

# desktop: src, a typical Debian desktop profile of alice (uid 1001)
desktop() {
	mkroot src 1001 && mkroot dst 2001 && H=src/home/alice &&
	mkdir -p $H/.config/mozilla/firefox/k3x.default-esr/cache2/entries $H/.mozilla/firefox \
	    $H/snap/firefox/common/.mozilla/firefox/p1 $H/snap/firefox/common/.cache \
	    $H/.var/app/org.gnome.Builder/config $H/.var/app/org.gnome.Builder/data \
	    $H/.var/app/org.gnome.Builder/cache $H/Projects/app/src $H/Projects/app/node_modules/lib \
	    $H/src $H/work $H/.password-store $H/.local/bin $H/.config/evolution/sources \
	    $H/.config/libreoffice/4/user $H/.config/Signal $H/.cache/fontconfig $H/.ssh \
	    src/var/spool/cron/crontabs &&
	P=$H/.config/mozilla/firefox/k3x.default-esr &&
	python3 -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute("create table moz_places(url)"); c.execute("insert into moz_places values (?)", ("https://debian.org",)); c.commit()' $P/places.sqlite &&
	echo "{\"logins\":[]}" > $P/logins.json && echo x > $P/.parentlock && echo c > $P/cache2/entries/A1 &&
	printf "[Profile0]\nPath=k3x.default-esr\n" > $H/.config/mozilla/firefox/profiles.ini &&
	echo "user_pref(\"x\", 1);" > $H/snap/firefox/common/.mozilla/firefox/p1/prefs.js &&
	echo junk > $H/snap/firefox/common/.cache/junk &&
	echo cfg > $H/.var/app/org.gnome.Builder/config/settings && echo d > $H/.var/app/org.gnome.Builder/data/db &&
	echo c > $H/.var/app/org.gnome.Builder/cache/c &&
	echo "int main(void) { return 0; }" > $H/Projects/app/src/main.c &&
	echo "module.exports = 1" > $H/Projects/app/node_modules/lib/index.js &&
	echo vault > $H/work/vault.kdbx && echo secret > $H/.password-store/email.gpg &&
	printf "#!/bin/sh\necho hi\n" > $H/.local/bin/hello && chmod 755 $H/.local/bin/hello &&
	echo "set -g mouse on" > $H/.tmux.conf && echo "XTerm*faceSize: 12" > $H/.Xresources &&
	echo s > $H/.config/evolution/sources/system.source &&
	echo r > $H/.config/libreoffice/4/user/registrymodifications.xcu &&
	echo "{}" > $H/.config/Signal/config.json &&
	head -c 200000 /dev/zero > $H/.cache/fontconfig/big &&
	ssh-keygen -q -t ed25519 -N "" -C alice -f $H/.ssh/id_ed25519 &&
	git init -q $H/src/proj && echo "# proj" > $H/src/proj/README.md &&
	git -C $H/src/proj -c user.name=A -c user.email=a@example.org add README.md &&
	git -C $H/src/proj -c user.name=A -c user.email=a@example.org commit -q -m first &&
	mkdir -m 700 $H/.gnupg &&
	gpg --homedir "$PWD/$H/.gnupg" --batch --pinentry-mode loopback --passphrase "" \
	    --quick-gen-key "Alice <alice@example.org>" default default never 2> /dev/null &&
	at_end "gpgconf --homedir \"$PWD/$H/.gnupg\" --kill gpg-agent" &&
	if command -v pass > /dev/null; then
		GNUPGHOME="$PWD/$H/.gnupg" PASSWORD_STORE_DIR="$PWD/$H/.password-store" \
		    pass init alice@example.org > /dev/null &&
		echo "hunter2" | GNUPGHOME="$PWD/$H/.gnupg" PASSWORD_STORE_DIR="$PWD/$H/.password-store" \
		    pass insert -e mail/alice > /dev/null
	fi &&
	if command -v dbus-run-session > /dev/null && command -v dconf > /dev/null; then
		HOME="$PWD/$H" dbus-run-session -- dconf write /org/gnome/desktop/interface/clock-format "'24h'" 2> /dev/null
	fi &&
	echo "0 3 * * * /home/alice/.local/bin/hello" > src/var/spool/cron/crontabs/alice &&
	chown -R 1001:1001 $H && chown 1001:1101 src/var/spool/cron/crontabs/alice &&
	chmod 600 src/var/spool/cron/crontabs/alice &&
	tsi identity init --dir id --name dest > /dev/null
}

test_expect ROOT 'estimate shows what the default rules take of a typical desktop profile, and what they leave out' '
	desktop && tsi state estimate --root src > est &&
	contains est "home/Home" &&
	contains est "unconditional exclude '"'"'~/.cache/**'"'"'" &&
	contains est "exclude '"'"'~/**/node_modules/**'"'"' (pack '"'"'home'"'"', component '"'"'Home'"'"')" &&
	contains est "exclude '"'"'~/.var/app/*/cache/**'"'"'" &&
	contains est "~/Projects/app: 1 files" && contains est "~/snap/firefox: 1 files"
'

test_expect ROOT,DESKTOP_TOOLS 'the defaults take a desktop profile to other uids, and git, gpg, pass, dconf and sqlite accept it as the user, ssh-keygen its key' '
	chmod 711 "$TEST_ROOT" && desktop &&
	tsi state capture --root src --store s.tsi --recipient id/identity.pub 2> cap.err &&
	contains cap.err "captured the crontab of '"'"'alice'"'"'" &&
	tsi state restore --root dst --store s.tsi --identity id 2> res.err &&
	D=dst/home/alice && P=$D/.config/mozilla/firefox/k3x.default-esr &&
	for f in $P/places.sqlite $P/logins.json $D/snap/firefox/common/.mozilla/firefox/p1/prefs.js \
	    $D/.var/app/org.gnome.Builder/config/settings $D/.var/app/org.gnome.Builder/data/db \
	    $D/Projects/app/src/main.c $D/work/vault.kdbx $D/.password-store/email.gpg \
	    $D/.local/bin/hello $D/.tmux.conf $D/.Xresources $D/.config/evolution/sources/system.source \
	    $D/.config/libreoffice/4/user/registrymodifications.xcu $D/.config/Signal/config.json; do
		[ -f "$f" ] || { echo "not restored: $f"; exit 1; }
	done &&
	! [ -e $P/.parentlock ] && ! [ -e $P/cache2 ] && ! [ -e $D/.cache ] &&
	! [ -e $D/Projects/app/node_modules ] && ! [ -e $D/.var/app/org.gnome.Builder/cache ] &&
	! [ -e $D/snap/firefox/common/.cache ] &&
	[ "$(stat -c %u:%g:%a dst/var/spool/cron/crontabs/alice)" = 2001:2101:600 ] &&
	cmp src/var/spool/cron/crontabs/alice dst/var/spool/cron/crontabs/alice &&
	as_alice dst 2001 git -C "$D/src/proj" fsck --no-progress 2> fsck.err &&
	as_alice dst 2001 git -C "$D/src/proj" log --oneline > log && contains log first &&
	[ "$(stat -c %u:%a $D/.ssh/id_ed25519)" = 2001:600 ] &&
	ssh-keygen -y -f "$PWD/$D/.ssh/id_ed25519" > pub &&
	[ "$(cut -d" " -f2 pub)" = "$(cut -d" " -f2 $D/.ssh/id_ed25519.pub)" ] &&
	as_alice dst 2001 gpg --batch --list-secret-keys > keys 2> /dev/null &&
	at_end "gpgconf --homedir \"$PWD/$D/.gnupg\" --kill gpg-agent" &&
	contains keys "alice@example.org" &&
	as_alice dst 2001 env PASSWORD_STORE_DIR="$D/.password-store" pass show mail/alice > pw 2> /dev/null &&
	contains pw hunter2 &&
	as_alice dst 2001 dconf read /org/gnome/desktop/interface/clock-format > clock &&
	contains clock 24h &&
	as_alice dst 2001 python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(\"pragma integrity_check\").fetchone()[0])" "$P/places.sqlite" > ic &&
	contains ic ok
'

test_expect ROOT 'a crontab travels in a hard-link store too, and a crontab already here is kept, the user'"'"'s beside it with a finding' '
	mkroot src 1001 && mkroot dst 2001 && mkdir -p src/home/alice src/var/spool/cron/crontabs dst/var/spool/cron/crontabs &&
	echo "@daily backup" > src/var/spool/cron/crontabs/alice && chown -R 1001:1001 src/home/alice &&
	echo "@hourly theirs" > dst/var/spool/cron/crontabs/alice &&
	tsi state capture --root src --store src/hl --hardlink 2> cap.err &&
	contains cap.err "captured the crontab" &&
	tsi_rc 4 state restore --root dst --store src/hl 2> res.err &&
	contains res.err "a crontab was already here" &&
	contains dst/var/spool/cron/crontabs/alice theirs &&
	contains "dst/var/spool/cron/crontabs/alice (1)" backup
'

test_prereq FIREFOX 'command -v firefox-esr' 'needs firefox-esr (Debian package firefox-esr)'

test_expect ROOT,FIREFOX 'a profile Firefox ESR made in ~/.config/mozilla travels with the defaults, without its lock and caches, and Firefox opens it again' '
	# Firefox opens it as root (there is no alice here), in a copy it owns
	mkroot src 1001 && mkroot dst 2001 && mkdir -p src/home/alice &&
	HOME="$PWD/src/home/alice" timeout 120 firefox-esr --headless --screenshot "$PWD/shot.png" about:blank > ff.log 2>&1 &&
	F=src/home/alice/.config/mozilla/firefox && ls $F/*.default-esr/cookies.sqlite > /dev/null &&
	profile=$(sed -n "s/^Default=\(.*default-esr\)$/\1/p" $F/installs.ini | head -n 1) && [ -n "$profile" ] &&
	python3 -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute(\"create table if not exists moz_places(url)\"); c.execute(\"insert into moz_places values (?)\", (\"https://www.debian.org/\",)); c.commit()" $F/$profile/places.sqlite &&
	chown -R 1001:1001 src/home/alice && tsi identity init --dir id --name dest > /dev/null &&
	tsi state capture --root src --store s.tsi --recipient id/identity.pub 2> cap.err &&
	tsi state restore --root dst --store s.tsi --identity id 2> res.err &&
	G=dst/home/alice/.config/mozilla/firefox &&
	cmp $F/profiles.ini $G/profiles.ini && cmp $F/$profile/key4.db $G/$profile/key4.db &&
	! [ -e $G/$profile/lock ] && ! [ -e dst/home/alice/.cache ] &&
	for db in places cookies; do
		python3 -c "import sqlite3,sys; assert sqlite3.connect(sys.argv[1]).execute(\"pragma integrity_check\").fetchone()[0] == \"ok\"" $G/$profile/$db.sqlite || exit 1
	done &&
	ls $G > before && cp -a dst/home/alice opened && chown -R 0:0 opened &&
	HOME="$PWD/opened" timeout 120 firefox-esr --headless --screenshot "$PWD/shot2.png" about:blank > ff2.log 2>&1 &&
	ls opened/.config/mozilla/firefox > after && cmp before after &&
	python3 -c "import sqlite3,sys; assert sqlite3.connect(sys.argv[1]).execute(\"select count(*) from moz_places\").fetchone()[0] >= 1" opened/.config/mozilla/firefox/$profile/places.sqlite
'

test_prereq SSHD '[ -x /usr/sbin/sshd ] && command -v ssh' 'needs sshd and ssh (Debian packages openssh-server, openssh-client)'

test_expect ROOT,SSHD 'an SSH key and authorized_keys that travel with the defaults let a real sshd on loopback accept the key' '
	mkroot src 1001 && mkroot dst 2001 && mkdir -p src/home/alice/.ssh && chmod 700 src/home/alice/.ssh &&
	ssh-keygen -q -t ed25519 -N "" -C alice -f src/home/alice/.ssh/id_ed25519 &&
	cp src/home/alice/.ssh/id_ed25519.pub src/home/alice/.ssh/authorized_keys &&
	chown -R 1001:1001 src/home/alice && tsi identity init --dir id --name dest > /dev/null &&
	tsi state capture --root src --store s.tsi --recipient id/identity.pub 2> /dev/null &&
	tsi state restore --root dst --store s.tsi --identity id 2> /dev/null &&
	[ "$(stat -c %u:%a dst/home/alice/.ssh/id_ed25519)" = 2001:600 ] &&
	[ "$(stat -c %a dst/home/alice/.ssh)" = 700 ] &&
	ssh-keygen -q -t ed25519 -N "" -f hostkey &&
	port=$(python3 -c "import socket; s=socket.socket(); s.bind((\"127.0.0.1\", 0)); print(s.getsockname()[1])") &&
	printf "ListenAddress 127.0.0.1\nPort %s\nHostKey %s/hostkey\nPidFile %s/sshd.pid\nAuthorizedKeysFile %s/dst/home/alice/.ssh/authorized_keys\nStrictModes no\nPermitRootLogin prohibit-password\nPasswordAuthentication no\nKbdInteractiveAuthentication no\nUsePAM no\n" \
	    "$port" "$PWD" "$PWD" "$PWD" > sshd_config &&
	if ! [ -d /run/sshd ]; then mkdir -p /run/sshd && at_end "rmdir /run/sshd"; fi &&
	{ /usr/sbin/sshd -D -e -f "$PWD/sshd_config" > sshd.log 2>&1 & } && started $! &&
	wait_until "grep -q \"Server listening\" sshd.log" &&
	ssh -F /dev/null -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o BatchMode=yes \
	    -o IdentitiesOnly=yes -i dst/home/alice/.ssh/id_ed25519 -p "$port" root@127.0.0.1 echo logged-in > ssh.out 2> ssh.err &&
	contains ssh.out logged-in
'

test_done
