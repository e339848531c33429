#!/bin/sh
# check-installed.sh - checks the Debian packages tsi and tsi-smp once they
# are installed (CI: `make deb`, `apt-get install ./build/deb/*.deb`, this,
# then `apt-get purge`).  Runs as root; prints "ok - " or "not ok - " per
# check and exits 1 if any failed.  It uses the installed /usr/bin/tsi only.
set -u
failed=0
scratch=$(mktemp -d)
# the server the last check starts: its PID in a file, for check() runs
# each check in a subshell
stop_smp() {
	[ -s "$scratch/smp.pid" ] && kill "$(cat "$scratch/smp.pid")" 2> /dev/null
	rm -f "$scratch/smp.pid"
}
trap 'stop_smp; rm -rf "$scratch"' EXIT

check() {
	what=$1
	shift
	if out=$("$@" 2>&1); then
		echo "ok - $what"
	else
		echo "not ok - $what"
		printf '%s\n' "$out" | sed 's/^/    # /'
		failed=1
	fi
}

no_missing_library() {
	! ldd /usr/bin/tsi | grep 'not found' &&
	# libcurl, libmicrohttpd and libpq are loaded when first used (dlopen)
	ldconfig -p | grep -q 'libcurl.so.4 ' &&
	ldconfig -p | grep -q 'libmicrohttpd.so.12 ' &&
	ldconfig -p | grep -q 'libpq.so.5 '
}

finds_its_rules() {
	mkdir -p "$scratch/sys/etc" "$scratch/sys/home/alice/Documents" &&
	printf 'alice:x:1001:1001::/home/alice:/bin/sh\n' > "$scratch/sys/etc/passwd" &&
	echo minutes > "$scratch/sys/home/alice/Documents/minutes.txt" &&
	tsi state explain --root "$scratch/sys" /home/alice/Documents/minutes.txt \
	    --rules documents | grep -F '/usr/share/tsi/rules/documents.yaml:'
}

examples_validate() {
	n=0
	for f in /usr/share/doc/tsi/examples/*.yaml; do
		tsi validate "$f" || return 1
		n=$((n + 1))
	done
	[ "$n" -ge 4 ] || { echo "only $n examples"; return 1; }
}

man_pages() {
	for page in 1/tsi 5/tsi-sequence 5/tsi-rules 8/tsi-smp; do
		man -w "${page#*/}" | grep -q "man${page%/*}/${page#*/}" || return 1
		man "${page%/*}" "${page#*/}" > /dev/null || return 1
	done
}

units() {
	[ -f /lib/systemd/system/tsi-resume.service ] &&
	[ -f /lib/systemd/system/tsi-smp.service ] &&
	grep -qx 'ExecStart=/usr/bin/tsi resume' /lib/systemd/system/tsi-resume.service &&
	grep -qx 'User=_tsi-smp' /lib/systemd/system/tsi-smp.service &&
	grep -qx 'CapabilityBoundingSet=' /lib/systemd/system/tsi-smp.service &&
	if command -v systemd-analyze > /dev/null; then
		systemd-analyze verify /lib/systemd/system/tsi-smp.service \
		    /lib/systemd/system/tsi-resume.service
	else
		echo "(systemd-analyze is not installed: the units' syntax is not verified)"
	fi
}

smp_user() {
	getent passwd _tsi-smp | grep -q ':/var/lib/tsi-smp:' &&
	[ "$(stat -c '%U %a' /var/lib/tsi-smp)" = "_tsi-smp 700" ]
}

# the server as its user, as the unit runs it: init, serve, a TLS handshake
smp_serves() {
	setpriv --reuid=_tsi-smp --regid=_tsi-smp --clear-groups tsi smp init --dir /var/lib/tsi-smp --name localhost > /dev/null &&
	setpriv --reuid=_tsi-smp --regid=_tsi-smp --clear-groups tsi smp serve --dir /var/lib/tsi-smp --listen 127.0.0.1:0 \
	    --port-file /var/lib/tsi-smp/port > "$scratch/smp.log" 2>&1 &
	echo $! > "$scratch/smp.pid"
	i=0
	while ! [ -s /var/lib/tsi-smp/port ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	[ -s /var/lib/tsi-smp/port ] || { cat "$scratch/smp.log"; return 1; }
	python3 -c '
import socket, ssl, sys
ctx = ssl.create_default_context(cafile="/var/lib/tsi-smp/smp-cert.pem")
ctx.check_hostname = False
with socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5) as s:
    with ctx.wrap_socket(s) as t:
        print("TLS", t.version())
' "$(cat /var/lib/tsi-smp/port)"
}

check "tsi runs and says its version" tsi --version
check "no library is missing (linked or loaded later)" no_missing_library
check "tsi finds its rule packs in /usr/share/tsi/rules" finds_its_rules
check "every shipped example validates" examples_validate
check "the four man pages are installed and render" man_pages
check "the systemd units name /usr/bin/tsi and the hardening" units
check "tsi-smp made its system user and a 0700 folder" smp_user
check "the State Migration Point serves TLS as _tsi-smp" smp_serves
stop_smp
exit $failed
