# tsi - plain Makefile.  `make` builds ./tsi; `make test` runs every test;
# `make san` runs the same tests under ASan+UBSan; `make valgrind` under
# valgrind; `make bench`, `make bench-state`, `make bench-smp`,
# `make bench-big` and `make bench-status` run the benchmarks; `make fuzz` builds the fuzzers;
# `make man` builds only the man pages (which `make` builds too).

PKGS	 = yaml-0.1 lua5.4 libarchive libzstd sqlite3 libxml-2.0
CC	?= cc
CFLAGS	?= -O2 -g
CFLAGS	+= -std=c11 -D_GNU_SOURCE -Wall -Wextra -Wshadow -Wstrict-prototypes \
	   -Wmissing-prototypes -Wwrite-strings -Wformat=2 -Wvla -Wno-format-nonliteral \
	   -MMD -MP $(shell pkg-config --cflags $(PKGS) libcurl libmicrohttpd libpq)
# libcurl (tsi.http, the SMP client), libmicrohttpd (tsi smp serve) and libpq
# (a site's database) are dlopen'ed when first used (lib/*-api.c), not linked
LDLIBS	+= $(shell pkg-config --libs $(PKGS)) -lmbedtls -lmbedx509 -lmbedcrypto -ldl -lcrypt -pthread
# only the libraries tsi uses are loaded at start-up
LDFLAGS	+= -Wl,--as-needed -Wl,-O1

ifeq ($(SAN),1)
CFLAGS	+= -O1 -fsanitize=address,undefined -fno-sanitize-recover=all \
	   -fno-omit-frame-pointer
LDFLAGS	+= -fsanitize=address,undefined
BUILD	?= build-san
endif
ifeq ($(DEVELOPER),1)
CFLAGS	+= -Werror
endif
BUILD	?= build

# Where `make install` puts tsi; the binary finds its data relative to
# itself (lib/datadir.h), and falls back on PREFIX's.
PREFIX	?= /usr/local
BINDIR	 = $(PREFIX)/bin
DATADIR	 = $(PREFIX)/share/tsi
DOCDIR	 = $(PREFIX)/share/doc/tsi
MANDIR	 = $(PREFIX)/share/man
UNITDIR	?= $(PREFIX)/lib/systemd/system

# The floors, ground first (docs/development.md, "Layout"); cli/main.c is the program.
LIB_SRCS  = $(wildcard lib/*.c) $(wildcard interp/*.c) $(wildcard store/*.c) \
	    $(wildcard migrate/*.c) $(wildcard smp/*.c) $(wildcard steps/*.c) \
	    $(wildcard import/*.c) $(filter-out cli/main.c,$(wildcard cli/*.c))
LIB_OBJS  = $(LIB_SRCS:%.c=$(BUILD)/%.o)
UNIT_SRCS = $(wildcard tests/unit/*.c)
UNIT_OBJS = $(UNIT_SRCS:%.c=$(BUILD)/%.o)

TSI	= $(if $(filter 1,$(SAN)),tsi-san,tsi)

# The test build (lib/faults.h): the files that hold a FAULT point compiled
# again with -DTSI_FAULTS, linked with everything else into tsi-faults.
# tsi itself holds no fault injection, not even its names.
FAULT_SRCS = lib/faults.c $(shell grep -lE 'FAULT_(SLEEP|KILL_AT|VALUE)' $(LIB_SRCS))
FAULT_OBJS = $(FAULT_SRCS:%.c=$(BUILD)/faults/%.o)
TSI_FAULTS = $(BUILD)/tsi-faults

# The man pages, from their scdoc(5) sources in man/ (scdoc, a Debian
# package); tests/t/t0130-man.sh checks them against the program.
MAN_PAGES = $(BUILD)/man/tsi.1 $(BUILD)/man/tsi-sequence.5 \
	    $(BUILD)/man/tsi-rules.5 $(BUILD)/man/tsi-smp.8
SCDOC	?= scdoc

all: $(TSI) $(MAN_PAGES)

man: $(MAN_PAGES)

# written to a temporary name and renamed: a failed scdoc leaves no page
$(BUILD)/man/%: man/%.scd
	@mkdir -p $(dir $@)
	$(SCDOC) < $< > $@.tmp || { rm -f $@.tmp; exit 1; }
	mv $@.tmp $@

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

# made anew each time: ar keeps members by base name, and a file that
# moved or went away must not linger in the archive
$(BUILD)/libtsi.a: $(LIB_OBJS)
	@rm -f $@
	$(AR) rcs $@ $^

# lib/datadir.c knows PREFIX: compiled again when PREFIX changes
$(BUILD)/prefix: FORCE
	@mkdir -p $(BUILD)
	@echo '$(PREFIX)' | cmp -s - $@ || echo '$(PREFIX)' > $@
$(BUILD)/lib/datadir.o $(BUILD)/faults/lib/datadir.o: $(BUILD)/prefix
$(BUILD)/lib/datadir.o $(BUILD)/faults/lib/datadir.o: CFLAGS += -DTSI_DATADIR='"$(DATADIR)"'

$(TSI): $(BUILD)/cli/main.o $(BUILD)/libtsi.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/faults/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -DTSI_FAULTS -c -o $@ $<

$(BUILD)/libtsi-faults.a: $(filter-out $(FAULT_SRCS:%.c=$(BUILD)/%.o),$(LIB_OBJS)) $(FAULT_OBJS)
	@rm -f $@
	$(AR) rcs $@ $^

$(TSI_FAULTS): $(BUILD)/cli/main.o $(BUILD)/libtsi-faults.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/unit-tests: $(UNIT_OBJS) $(BUILD)/libtsi.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# Every test; ends with "N passed, N failed".
test: $(TSI) $(TSI_FAULTS) $(BUILD)/unit-tests $(MAN_PAGES)
	@TSI=$(abspath $(TSI)) TSI_FAULTS=$(abspath $(TSI_FAULTS)) \
	    TSI_BUILD=$(abspath $(BUILD)) UNIT=$(abspath $(BUILD)/unit-tests) \
	    sh tests/lib/run-all.sh

san:
	@$(MAKE) --no-print-directory SAN=1 test

valgrind: all $(TSI_FAULTS) $(BUILD)/unit-tests
	@TSI=$(abspath $(TSI)) TSI_FAULTS=$(abspath $(TSI_FAULTS)) \
	    TSI_BUILD=$(abspath $(BUILD)) UNIT=$(abspath $(BUILD)/unit-tests) \
	    TSI_WRAP="valgrind -q --leak-check=full --errors-for-leak-kinds=definite \
	    --error-exitcode=99" sh tests/lib/run-all.sh

schemas: $(TSI)
	TSI_EXTENSION_DIRS= ./$(TSI) schema > schemas/sequence.schema.json

# libFuzzer targets (clang); see tests/fuzz/README.md.
FUZZ_CFLAGS = -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	      -std=c11 -D_GNU_SOURCE $(shell pkg-config --cflags $(PKGS) libcurl libmicrohttpd libpq)
FUZZERS = fuzz-sequence fuzz-journal fuzz-extension fuzz-store fuzz-rules fuzz-smp fuzz-xml fuzz-import \
	  fuzz-events
fuzz: $(FUZZERS:%=build-fuzz/%)

build-fuzz/%: tests/fuzz/%.c $(LIB_SRCS)
	@mkdir -p build-fuzz
	clang $(FUZZ_CFLAGS) -o $@ $< $(LIB_SRCS) $(LDLIBS)

bench: all
	sh bench/run.sh

# capture and restore against tar | zstd, restic, borg and cp -al (minutes)
bench-state: all
	sh bench/state.sh

# 16 captures at once to one SMP over HTTPS against local stores; requests
# with 10 000 stores in the database
bench-smp: all
	sh bench/smp.sh

bench-big: all
	sh bench/big-files.sh

# what reporting a run's status to its site adds to each of 2,000 steps
bench-status: all
	sh bench/status.sh

# tsi import of task sequences of 20,000 steps and of 16 MiB
bench-import: all
	sh bench/import.sh

# the console's main pages in chromium, saved into docs/screenshots
screenshots: all
	TSI_SCREENSHOTS=$(CURDIR)/docs/screenshots TSI=$(CURDIR)/tsi TSI_TOP=$(CURDIR) \
	    sh tests/t/t0660-console-browser.sh

# a wave of endpoints against two nodes on PostgreSQL and one on SQLite
bench-site: all
	sh bench/site.sh

# The systemd units, with the place of the binary written in.
UNITS = $(BUILD)/dist/tsi-resume.service $(BUILD)/dist/tsi-smp.service
$(BUILD)/dist/%.service: dist/%.service.in $(BUILD)/prefix
	@mkdir -p $(dir $@)
	sed 's|@BINDIR@|$(BINDIR)|g' $< > $@.tmp && mv $@.tmp $@

EXAMPLES = sequences/refresh.yaml sequences/replace-source.yaml \
	   sequences/replace-destination.yaml sequences/lua-examples.yaml

install: all $(UNITS)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(DATADIR)/rules \
	    $(DESTDIR)$(DOCDIR)/examples/extensions $(DESTDIR)$(DOCDIR)/docs $(DESTDIR)$(UNITDIR) \
	    $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8
	install -m 755 $(TSI) $(DESTDIR)$(BINDIR)/tsi
	install -m 644 rules/*.yaml $(DESTDIR)$(DATADIR)/rules/
	install -m 644 README.md $(DESTDIR)$(DOCDIR)/
	install -m 644 docs/*.md $(DESTDIR)$(DOCDIR)/docs/
	install -m 644 $(EXAMPLES) $(DESTDIR)$(DOCDIR)/examples/
	install -m 644 sequences/extensions/*.lua $(DESTDIR)$(DOCDIR)/examples/extensions/
	install -m 644 $(UNITS) $(DESTDIR)$(UNITDIR)/
	for m in $(MAN_PAGES); do \
	    install -m 644 $$m $(DESTDIR)$(MANDIR)/man$${m##*.}/ || exit 1; done

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/tsi $(DESTDIR)$(DATADIR)/rules/*.yaml \
	    $(DESTDIR)$(DOCDIR)/examples/extensions/*.lua \
	    $(DESTDIR)$(DOCDIR)/README.md $(DESTDIR)$(DOCDIR)/docs/*.md \
	    $(addprefix $(DESTDIR)$(DOCDIR)/examples/,$(notdir $(EXAMPLES))) \
	    $(addprefix $(DESTDIR)$(UNITDIR)/,$(notdir $(UNITS))) \
	    $(foreach m,$(MAN_PAGES),$(DESTDIR)$(MANDIR)/man$(subst .,,$(suffix $(m)))/$(notdir $(m)))
	-rmdir $(DESTDIR)$(DATADIR)/rules $(DESTDIR)$(DATADIR) \
	    $(DESTDIR)$(DOCDIR)/examples/extensions $(DESTDIR)$(DOCDIR)/examples \
	    $(DESTDIR)$(DOCDIR)/docs $(DESTDIR)$(DOCDIR) 2> /dev/null

# Debian packages tsi and tsi-smp (debian/) into build/deb/, built with
# dpkg-buildpackage from a copy of this tree without its builds.
deb:
	rm -rf build/deb
	mkdir -p build/deb/src
	tar -c --exclude=./.git --exclude=./build --exclude=./build-san \
	    --exclude=./build-fuzz --exclude=./tsi --exclude=./tsi-san . | \
	    tar -x -C build/deb/src
	cd build/deb/src && dpkg-buildpackage -b -us -uc
	rm -rf build/deb/src
	@ls build/deb/*.deb

clean:
	rm -rf build build-san build-fuzz tsi tsi-san


-include $(LIB_OBJS:.o=.d) $(UNIT_OBJS:.o=.d) $(FAULT_OBJS:.o=.d) $(BUILD)/cli/main.d

FORCE:
.PHONY: all man test san valgrind schemas fuzz bench bench-state bench-smp bench-big bench-import bench-site \
	bench-status screenshots install uninstall deb clean FORCE
