#!/bin/sh
# t0650-console.sh - the web console over HTTPS without a browser
# (tests/lib/console.py keeps the cookies): admins and their yescrypt
# hashes, the login (one answer for an unknown name and a wrong password,
# rate-limited), the session cookie's flags, logout, the security headers,
# CSRF refusals, the pages after a real capture and restore, and the
# actions (associate, delete after a confirmation, restore-only).
#
#   TSI=$PWD/tsi TSI_TOP=$PWD sh tests/t/t0650-console.sh

. "$TSI_TOP/tests/lib/test-lib.sh"
. "$TSI_TOP/tests/lib/smp-serve.sh"

# web METHOD PATH [ARGS]: the console as the cookie jar "jar" sees it;
# the status in web.status, the headers in web.head, the body in web.body
web() {
	python3 "$TSI_TOP/tests/lib/console.py" "$(cat srv.port)" srv/smp-cert.pem \
	    "${JAR:-jar}" "$@" > web.out &&
	head -n 1 web.out > web.status &&
	sed -n '2,/^$/p' web.out > web.head &&
	sed '1,/^$/d' web.out > web.body
}

status_is() {
	[ "$(cat web.status)" = "$1" ] || { echo "status $(cat web.status), not $1" >&2; false; }
}

# console_world: an SMP with an admin (alice, password in pw) and two
# computers associated, serving
console_world() {
	tsi smp init --dir srv --name smp1 > /dev/null &&
	printf 'correct horse battery\n' > pw &&
	tsi smp admin add --dir srv --name alice --password-file pw > /dev/null &&
	for c in old new; do
		tsi identity init --dir $c --name $c-pc > /dev/null &&
		tsi smp computer add --dir srv --name $c-pc --key $c/identity.pub > /dev/null ||
		return 1
	done &&
	smp_start srv
}

log_in_as() {
	web GET /console/login && web POST /console/login "name=$1" "password=$2" --login-form &&
	status_is 303
}

log_in() {
	web GET /console/login && web POST /console/login name=alice \
	    "password=correct horse battery" --login-form && status_is 303
}

test_expect 'admins: a yescrypt hash in the database, never the password; short or twice refused; removed with their sessions' '
	console_world &&
	python3 -c "import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute(\"select hash from admins\").fetchone()[0])" srv/smp.db > h &&
	grep -q "^\\\$y\\\$" h && ! grep -rq "correct horse" srv &&
	tsi smp admin list --dir srv > l && grep -q "^alice .* never$" l &&
	printf "short\n" > pw2 &&
	tsi_rc 1 smp admin add --dir srv --name bob --password-file pw2 2> e1 && contains e1 "8 to 1024 bytes" &&
	tsi_rc 1 smp admin add --dir srv --name alice --password-file pw 2> e2 && contains e2 "exists already" &&
	printf "another fine password\n" | tsi smp admin add --dir srv --name bob --password-file - > /dev/null &&
	log_in && tsi smp admin list --dir srv > l2 && grep "^alice " l2 > l3 && lacks l3 "never" &&
	tsi smp admin remove --dir srv --name alice > /dev/null &&
	web GET /console/ && status_is 303 && contains web.head "Location: /console/login" &&
	tsi_rc 1 smp admin remove --dir srv --name alice 2> e3 && contains e3 "no admin" &&
	smp_stop srv
'

test_expect 'login: a wrong password and an unknown name get the same answer; the session cookie is Secure, HttpOnly, SameSite=Strict and expires; logout ends it' '
	console_world &&
	web GET /console/login && web POST /console/login name=alice password=wrong-password --login-form &&
	status_is 401 && grep -o "<p class=\"error\" id=\"login-error\">[^<]*</p>" web.body > a1 &&
	web GET /console/login && web POST /console/login name=nobody password=wrong-password --login-form &&
	status_is 401 && grep -o "<p class=\"error\" id=\"login-error\">[^<]*</p>" web.body > a2 && cmp a1 a2 &&
	contains a1 "Wrong name or password." &&
	web GET /console/login && web POST /console/login name=alice "password=correct horse battery" &&
	status_is 403 && contains web.body "stale" &&
	log_in && grep "^Set-Cookie: __Host-tsi_session=" web.head > c &&
	contains c "Secure" && contains c "HttpOnly" && contains c "SameSite=Strict" &&
	contains c "Max-Age=28800" && contains c "Path=/;" &&
	web GET /console/ && status_is 200 && contains web.body "alice" &&
	web POST /console/logout --csrf && status_is 303 && contains web.head "Max-Age=0" &&
	cp jar jar.old && web GET /console/ && status_is 303 &&
	contains srv.log "admin '"'"'alice'"'"' logged in" && lacks srv.log "correct horse" &&
	smp_stop srv
'

test_expect 'login is rate-limited: after 5 failures the right password waits too' '
	console_world &&
	for i in 1 2 3 4 5; do
		web GET /console/login && web POST /console/login name=alice password=nope$i --login-form &&
		status_is 401 || exit 1
	done &&
	web GET /console/login && web POST /console/login name=alice "password=correct horse battery" --login-form &&
	status_is 429 && contains web.body "Too many failed logins" && smp_stop srv
'

test_expect 'every page carries the security headers; no inline script, no resource from elsewhere' '
	console_world && log_in &&
	for p in / /computers /associations /computers/old-pc /login; do
		web GET /console$p && status_is 200 &&
		grep -q "^Content-Security-Policy: default-src '"'"'none'"'"'; script-src '"'"'self'"'"';" web.head &&
		contains web.head "X-Frame-Options: DENY" && contains web.head "Cache-Control: no-store" &&
		! grep -q "<script>" web.body && ! grep -q "<script[^>]*>[^<]" web.body &&
		! grep -qE "(src|href)=\"(https?:)?//" web.body || exit 1
	done &&
	web GET /console/static/console.js && status_is 200 && contains web.head "text/javascript" &&
	smp_stop srv
'

test_expect 'a form without its CSRF token, or with another session'"'"'s, is refused and changes nothing' '
	console_world && log_in && web GET /console/associations &&
	web POST /console/associations source=old-pc dest=new-pc && status_is 403 &&
	contains web.body "no valid CSRF token" &&
	web POST /console/associations source=old-pc dest=new-pc csrf=0000000000000000000000000000000000000000000000000000000000000000 &&
	status_is 403 && tsi smp list --dir srv > l && lacks l "old-pc" &&
	JAR=jar2 log_in && JAR=jar2 web GET /console/associations && cp jar2.page jar.page &&
	web POST /console/associations source=old-pc dest=new-pc --csrf && status_is 403 &&
	tsi smp list --dir srv > l2 && lacks l2 "old-pc" &&
	web POST /console/associations source=old-pc dest=new-pc --no-cookies && status_is 403 &&
	contains srv.log "a form without its CSRF token was refused" && smp_stop srv
'

test_expect 'associate through the console, delete after a confirmation page; a node set restore-only shows it' '
	console_world && log_in && web GET /console/associations &&
	web POST /console/associations source=old-pc dest=new-pc --csrf && status_is 303 &&
	tsi smp list --dir srv > l && grep -q "old-pc .*new-pc" l &&
	web GET /console/associations && contains web.body "old-pc &rarr; new-pc" &&
	web POST /console/associations source=old-pc dest=nobody-pc --csrf && status_is 400 &&
	contains web.body "Both computers must be registered" &&
	web GET /console/associations/1/delete && status_is 200 && contains web.body "Delete association 1?" &&
	web POST /console/associations/1/delete --csrf && status_is 303 &&
	tsi smp list --dir srv > l2 && lacks l2 "old-pc" &&
	web GET /console/ && web POST /console/nodes/smp1/restore-only on=yes --csrf && status_is 303 &&
	wait_until "grep -q \"an admin set this node restore-only\" srv.log" &&
	web GET /console/ && contains web.body "Take captures again" && contains web.body "<td>restore-only</td>" &&
	contains srv.log "admin '"'"'alice'"'"' set node smp1 restore-only" && smp_stop srv
'

test_expect 'deleting an association that is not there says so; over --plain-http the console serves nothing' '
	console_world && log_in && web GET /console/associations &&
	web POST /console/associations/99/delete --csrf && status_is 404 &&
	contains web.body "There is no such association" && lacks srv.log "deleted association 99" &&
	smp_stop srv &&
	smp_start srv 0 --plain-http &&
	python3 -c "import http.client, sys
c = http.client.HTTPConnection(\"127.0.0.1\", int(sys.argv[1]), timeout=10)
c.request(\"GET\", \"/console/login\")
r = c.getresponse()
print(r.status, r.read().decode())" "$(cat srv.port)" > p.out &&
	contains p.out "403" && contains p.out "HTTPS only" && lacks p.out "password" &&
	smp_stop srv
'

test_expect 'the login limit keeps names and addresses apart: failures for one name do not lock out another' '
	console_world && printf "another fine password\n" > pw2 &&
	tsi smp admin add --dir srv --name bob --password-file pw2 > /dev/null &&
	for i in 1 2 3 4; do
		web GET /console/login && web POST /console/login name=mallory password=nope$i --login-form &&
		status_is 401 || exit 1
	done &&
	JAR=jb log_in_as bob "another fine password" &&
	web GET /console/login && web POST /console/login name=a:00000000000000000000ffff7f000001 password=x --login-form &&
	status_is 401 && smp_stop srv
'

test_done
