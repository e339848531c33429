#!/bin/sh
# setup-debian.sh - installs what building, testing and packaging tsi need
# on Debian 12, from Debian's own packages.  Run it as root, or as a user
# who may use sudo: it calls sudo only when it is not root.
#
#   sh dist/setup-debian.sh              build, the demo and the test suite
#   sh dist/setup-debian.sh --packaging  and `make deb` (debhelper, lintian)
#
# Safe to run again: apt-get installs only what is missing.
set -eu
export DEBIAN_FRONTEND=noninteractive

packaging=
case "${1:-}" in
"") ;;
--packaging) packaging=1 ;;
*)	echo "usage: sh dist/setup-debian.sh [--packaging]" >&2
	exit 2 ;;
esac

if [ "$(id -u)" = 0 ]; then
	as_root=
elif command -v sudo > /dev/null; then
	as_root=sudo
	echo "setup: not root: installing with sudo"
else
	echo "setup: error: installing packages needs root: run this as root, or install sudo" >&2
	exit 1
fi
if ! [ -r /etc/debian_version ]; then
	echo "setup: error: this is not Debian (no /etc/debian_version)" >&2
	exit 1
fi
case "$(cat /etc/debian_version)" in
12*|bookworm*) ;;
*)	echo "setup: warning: made for Debian 12; this is Debian $(cat /etc/debian_version)" >&2 ;;
esac

# the build: a C compiler and the libraries tsi uses; scdoc for the man pages
build="build-essential pkg-config liblua5.4-dev libyaml-dev libcurl4-openssl-dev
    libmbedtls-dev libarchive-dev libzstd-dev libmicrohttpd-dev libsqlite3-dev libxml2-dev
    libpq-dev scdoc"
# the tests and the demo: the programs whose files the user-state tests
# restore and check (git, gpg, pass, dconf, sqlite, Firefox ESR), and the
# tools the scripts use
tests="procps python3 passwd util-linux acl attr git openssh-client gnupg pass
    dconf-cli dbus firefox-esr groff-base man-db mandoc
    chromium chromium-driver python3-selenium"
deb="debhelper dpkg-dev lintian fakeroot"

# shellcheck disable=SC2086
$as_root apt-get update -qq
# shellcheck disable=SC2086
$as_root apt-get install -y -qq $build $tests ${packaging:+$deb} > /dev/null

# install_quiet PACKAGE: installs a server package whose service must not
# start (policy-rc.d says no while it is installed): the tests start their
# own server, on loopback or a socket in a temporary folder.
install_quiet() {
	if [ -e /usr/sbin/policy-rc.d ]; then
		$as_root apt-get install -y -qq "$1" > /dev/null
	else
		$as_root sh -c 'printf "#!/bin/sh\nexit 101\n" > /usr/sbin/policy-rc.d &&
		    chmod 755 /usr/sbin/policy-rc.d'
		$as_root apt-get install -y -qq "$1" > /dev/null || {
			$as_root rm -f /usr/sbin/policy-rc.d
			exit 1
		}
		$as_root rm -f /usr/sbin/policy-rc.d
	fi
}

# The SSH test starts its own sshd on loopback and needs the program only:
# the package must neither start the system's sshd nor enable it at boot.
if ! [ -x /usr/sbin/sshd ]; then
	install_quiet openssh-server
	$as_root systemctl disable --quiet ssh.service ssh.socket > /dev/null 2>&1 || true
	echo "setup: installed openssh-server for the SSH test; its service was not started and is disabled at boot"
fi

# The site tests start their own PostgreSQL (initdb in a temporary folder,
# as the user postgres when run as root); the system's cluster is neither
# started nor enabled.
if ! ls /usr/lib/postgresql/*/bin/initdb > /dev/null 2>&1; then
	install_quiet postgresql
	$as_root systemctl disable --quiet postgresql.service > /dev/null 2>&1 || true
	echo "setup: installed postgresql for the site tests; its service was not started and is disabled at boot"
fi
echo "setup: done: the build and test dependencies are installed${packaging:+, and the packaging tools}"
