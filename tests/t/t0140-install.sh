#!/bin/sh
# Installing: `make install` and `make uninstall` with DESTDIR, and tsi
# finding its data relative to where it is (lib/datadir.h).
. "$TSI_TOP/tests/lib/test-lib.sh"

test_prereq MAKE 'command -v make' 'needs make'

# the prefix the binary under test was built for (the Makefile's PREFIX)
prefix=$(cat "${TSI_BUILD:-$TSI_TOP/build}/prefix" 2> /dev/null || echo /usr/local)
top_phys=$(cd "$TSI_TOP" && pwd -P)

# install_here: make install into ./d; the sub-make builds nothing new
install_here() {
	make -s --no-print-directory -C "$TSI_TOP" install DESTDIR="$PWD/d" > install.out 2>&1 ||
	    { cat install.out; return 1; }
}

# a system with one user and one document, for the rule packs
system() {
	mkdir -p sys/etc sys/home/alice/Documents &&
	printf "alice:x:1001:1001::/home/alice:/bin/sh\n" > sys/etc/passwd &&
	echo "minutes of the meeting" > sys/home/alice/Documents/minutes.txt
}

test_expect MAKE 'make install with DESTDIR puts the binary, rule packs, examples, man pages and units under PREFIX' '
	install_here &&
	[ -x "d$prefix/bin/tsi" ] &&
	[ "$(ls d$prefix/share/tsi/rules | wc -l)" = "$(ls "$TSI_TOP"/rules/*.yaml | wc -l)" ] &&
	[ -f "d$prefix/share/tsi/rules/documents.yaml" ] &&
	[ -f "d$prefix/share/doc/tsi/examples/refresh.yaml" ] &&
	[ -f "d$prefix/share/doc/tsi/examples/extensions/check-disk-space.lua" ] &&
	for page in man1/tsi.1 man5/tsi-sequence.5 man5/tsi-rules.5 man8/tsi-smp.8; do
		[ -s "d$prefix/share/man/$page" ] || { echo "missing $page"; exit 1; }
	done &&
	grep -qx "ExecStart=$prefix/bin/tsi resume" "d$prefix/lib/systemd/system/tsi-resume.service" &&
	grep -qx "ExecStart=$prefix/bin/tsi smp serve --dir /var/lib/tsi-smp" "d$prefix/lib/systemd/system/tsi-smp.service" &&
	! grep -q @BINDIR@ d$prefix/lib/systemd/system/*.service
'

test_expect MAKE 'the installed tsi takes its rule packs from its own prefix, not from the checkout' '
	install_here && system &&
	"d$prefix/bin/tsi" state explain --root sys /home/alice/Documents/minutes.txt --rules documents > out &&
	contains out "captured by include" &&
	contains out ", d$prefix/share/tsi/rules/documents.yaml:"
'

test_expect MAKE 'every installed example sequence validates with the installed tsi' '
	install_here &&
	n=0 &&
	for f in d$prefix/share/doc/tsi/examples/*.yaml; do
		"d$prefix/bin/tsi" validate "$f" > v.out 2>&1 || { cat v.out; exit 1; }
		n=$((n + 1))
	done &&
	[ "$n" -ge 4 ]
'

test_expect MAKE 'make uninstall removes every file make install put there' '
	install_here &&
	[ "$(find d -type f | wc -l)" -ge 19 ] &&
	make -s --no-print-directory -C "$TSI_TOP" uninstall DESTDIR="$PWD/d" &&
	find d -type f > left &&
	[ ! -s left ] && ! [ -e "d$prefix/share/tsi" ]
'

test_prereq NO_INSTALLED_RULES "! [ -d '$prefix/share/tsi/rules' ]" \
    "needs a machine where tsi is not installed under $prefix (a lone tsi would find its packs)"

test_expect NO_INSTALLED_RULES 'a tsi that finds no rule pack folder says every place it looked' '
	system && mkdir lone && cp "$TSI" lone/tsi &&
	here=$(pwd -P) &&
	! lone/tsi state estimate --root sys --rules documents 2> err &&
	contains err "rule pack '"'"'documents'"'"': no rule pack folder found (tsi looked in $here/share/tsi/rules, $here/lone/rules, $here/rules, $prefix/share/tsi/rules; TSI_RULES_DIR names another)"
'

test_expect 'a pack that is not shipped is named with the folder tsi looked in, and a near name is suggested' '
	system &&
	! tsi state estimate --root sys --rules documentz 2> err &&
	contains err "unknown rule pack '"'"'documentz'"'"' (did you mean '"'"'documents'"'"'?) (tsi looked in $top_phys/rules)"
'

test_expect 'TSI_RULES_DIR beats the shipped packs' '
	system && mkdir myrules &&
	printf "name: documents\ndescription: only text files\ncomponents:\n  - name: Text\n    include: [\"~/Documents/*.txt\"]\n" > myrules/documents.yaml &&
	cp "$TSI_TOP/rules/exclusions.yaml" myrules/ &&
	TSI_RULES_DIR=$PWD/myrules tsi state explain --root sys /home/alice/Documents/minutes.txt --rules documents > out &&
	contains out ", myrules/documents.yaml:"
'

test_done
