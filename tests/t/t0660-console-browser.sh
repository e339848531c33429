#!/bin/sh
# t0660-console-browser.sh - the web console in a real browser: Debian's
# chromium, driven by chromedriver and python3-selenium
# (tests/browser/console.py), after a real capture and restore through the
# SMP.  Screenshots of the main pages go to the test's folder, and to
# $TSI_SCREENSHOTS when it is set (make screenshots: docs/screenshots).
#
#   TSI=$PWD/tsi TSI_TOP=$PWD sh tests/t/t0660-console-browser.sh

. "$TSI_TOP/tests/lib/test-lib.sh"
. "$TSI_TOP/tests/lib/smp-serve.sh"

test_prereq BROWSER '[ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ] &&
    /usr/bin/python3 -c "import selenium"' \
    'needs chromium, chromium-driver and python3-selenium (dist/setup-debian.sh installs them)'

make_root() {
	mkdir -p "$1/etc" "$1/home/alice/Documents" &&
	echo "alice:x:1001:1001::/home/alice:/bin/sh" > "$1/etc/passwd" &&
	echo "alice:x:1001:" > "$1/etc/group" &&
	if [ "${2:-}" = src ]; then
		echo "quarterly report" > "$1/home/alice/Documents/report.txt" &&
		head -c 300000 /dev/urandom > "$1/home/alice/Documents/data.bin"
	fi
}

run_seq() {
	tsi run "$1" --root "$2" --state-dir "st-$4" --log-dir "log-$4" \
	    --var "TSIStateMigrationPoints=https://127.0.0.1:$(cat srv.port)" \
	    --var "TSISMPCACert=$PWD/srv/smp-cert.pem" --var "TSIIdentityDir=$PWD/$3"
}

test_expect BROWSER 'in chromium: log in (a wrong password refused), see the runs, the store released after a real capture, the table refreshed by the script, a CSRF-less form refused, no JavaScript error' '
	tsi smp init --dir srv --name smp1 > /dev/null &&
	printf "correct horse battery\n" > pw &&
	tsi smp admin add --dir srv --name alice --password-file pw > /dev/null &&
	for c in old new; do
		tsi identity init --dir $c --name $c-pc > /dev/null &&
		tsi smp computer add --dir srv --name $c-pc --key $c/identity.pub > /dev/null || exit 1
	done &&
	tsi smp associate --dir srv --source old-pc --dest new-pc > /dev/null &&
	make_root src src && make_root dst &&
	printf "name: Replace, source side\nsteps:\n  - { name: Request state store, type: request_state_store, with: { mode: capture } }\n  - { name: Capture user state, type: capture_user_state }\n  - { name: Release state store, type: release_state_store }\n" > source.yaml &&
	sed "s/capture/restore/g; s/Capture/Restore/g; s/source side/destination side/" source.yaml > dest.yaml &&
	smp_start srv &&
	run_seq source.yaml src old s > out 2>&1 && run_seq dest.yaml dst new d > out2 2>&1 &&
	contains out2 "restored from" && mkdir shots &&
	{ /usr/bin/python3 "$TSI_TOP/tests/browser/console.py" "https://127.0.0.1:$(cat srv.port)" \
	    checks "correct horse battery" - shots > browser.out 2>&1 ||
	    { cat checks browser.out; false; }; } &&
	cat checks && ! grep -q "^FAIL" checks && [ "$(grep -c "^ok" checks)" -ge 15 ] &&
	for p in login overview computers computer associations; do
		[ -s shots/console-$p.png ] || exit 1
	done &&
	if [ -n "${TSI_SCREENSHOTS:-}" ]; then mkdir -p "$TSI_SCREENSHOTS" && cp shots/*.png "$TSI_SCREENSHOTS"/; fi &&
	smp_stop srv
'

test_done
