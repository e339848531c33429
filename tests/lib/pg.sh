# pg.sh - a PostgreSQL server of a test's own, for the site tests (sourced
# after test-lib.sh).  initdb in a temporary folder, as the user "postgres"
# that Debian's package makes when the tests run as root (PostgreSQL will
# not run as root), else as the user running them; it listens on a Unix
# socket in that folder only (no TCP), trusts the connections made there,
# and is stopped by its PID.
#
#   pg_start            starts it; $PG_URL is a database "site" on it
#   pg_stop / pg_start_again   the same server stopped and started again
#   pg_url DB           a URI for another database on it (pg_createdb DB)

PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2> /dev/null | sort -V | tail -n 1)
test_prereq POSTGRES '[ -x "$PG_BIN/initdb" ] && { [ "$(id -u)" != 0 ] || id postgres; }' \
    'needs PostgreSQL (Debian package postgresql; dist/setup-debian.sh installs it)'

# pg_as COMMAND...: as the server's user
pg_as() {
	if [ "$(id -u)" = 0 ]; then
		(cd / && PATH="$PATH:/usr/sbin:/sbin" runuser -u postgres -- "$@")
	else
		"$@"
	fi
}

pg_url() {
	echo "postgresql:///$1?host=$PG_DIR&user=tsi"
}

pg_createdb() {
	pg_as "$PG_BIN/createdb" -h "$PG_DIR" -U tsi "$1"
}

pg_start_again() {
	pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/log" -w -t 30 \
	    -o "-k $PG_DIR -c listen_addresses= -c fsync=off" start > /dev/null &&
	PG_PID=$(head -n 1 "$PG_DIR/data/postmaster.pid") &&
	started "$PG_PID"
}

# a fast shutdown (SIGINT), waited for: sessions are cut, nothing is lost
pg_stop() {
	kill -INT "$PG_PID" &&
	i=0 &&
	while alive "$PG_PID" && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done &&
	! alive "$PG_PID"
}

pg_start() {
	PG_DIR=$(mktemp -d "${TMPDIR:-/tmp}/tsi-pg.XXXXXX") &&
	chmod 700 "$PG_DIR" &&
	if [ "$(id -u)" = 0 ]; then chown postgres: "$PG_DIR"; fi &&
	pg_as "$PG_BIN/initdb" -D "$PG_DIR/data" -U tsi --auth=trust -E UTF8 \
	    --no-instructions > "$PG_DIR/initdb.log" 2>&1 &&
	at_end "kill -INT \$(head -n 1 '$PG_DIR/data/postmaster.pid') 2>/dev/null; sleep 1; rm -rf '$PG_DIR'" &&
	pg_start_again &&
	pg_createdb site &&
	PG_URL=$(pg_url site)
}
