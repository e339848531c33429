# smp-serve.sh - a State Migration Point for a test (sourced after
# test-lib.sh): started on loopback, stopped by its PID.
#
#   smp_start DIR [PORT [ARGS...]]   serves DIR (port 0: any free one) with
#                                    ARGS; DIR.port, DIR.pid, DIR.log;
#                                    SMP_TSI names another binary
#   smp_stop DIR                     SIGTERM, waited for; under the
#                                    sanitizers, the server's log must not
#                                    hold their report (a leak is found at
#                                    exit)

smp_start() {
	_d=$1
	_port=${2:-0}
	shift
	[ $# -gt 0 ] && shift
	rm -f "$_d.port"
	# shellcheck disable=SC2086
	$TSI_WRAP "${SMP_TSI:-$TSI}" smp serve --dir "$_d" --listen "127.0.0.1:$_port" \
	    --port-file "$_d.port" "$@" >> "$_d.log" 2>&1 &
	echo $! > "$_d.pid"
	started $!
	wait_for "$_d.port"
}

smp_stop() {
	kill "$(cat "$1.pid")" 2> /dev/null
	i=0
	while alive "$(cat "$1.pid")" && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	! alive "$(cat "$1.pid")" &&
	if grep -q "Sanitizer" "$1.log"; then grep -A20 "Sanitizer" "$1.log" >&2; false; fi
}
