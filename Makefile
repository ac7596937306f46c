# catwalk - value stream management engine.
#
#   make            build ./catwalk
#   make demo       install missing packages, build, generate the demo, run the nightly job
#   make test       install missing packages, build, run every test (also under ASan/UBSan)
#   make bench      build and print throughput figures on a scaled demo
#   make fuzz       libFuzzer harnesses (clang-14) FUZZ_SECONDS each, with final stats
#   make fuzz-smoke each harness a few seconds, and over its regression inputs
#   make install    the binary, man pages, bash completion, templates (PREFIX, DESTDIR)
#   make install-systemd  the units, sysusers.d and tmpfiles.d files (as root)
#
# Sources are picked up by wildcard: a new connector or command is one file.

BUILD    ?= build
CC       ?= cc
PKGS     := sqlite3 libcurl libpcre2-8 jansson yajl inih xlsxwriter libcrypto cairo
WARN     := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wno-unused-parameter
OPT      ?= -O2 -g
SANFLAGS ?=
CFLAGS   += -std=c11 -D_GNU_SOURCE $(OPT) $(WARN) $(SANFLAGS) -I. -I$(BUILD) \
            $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDLIBS   += $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lcsv -lm -pthread
LDFLAGS  += $(SANFLAGS)
# The PostgreSQL engine (load/db_postgresql.c) is built when libpq is there.
ifneq ($(shell pkg-config --exists libpq 2>/dev/null && echo yes),)
CFLAGS   += -DCW_WITH_POSTGRESQL $(shell pkg-config --cflags libpq)
LDLIBS   += $(shell pkg-config --libs libpq)
else
LIB_SKIP := load/db_postgresql.c
endif
# The real-world fixtures the tests read are in the repository (provenance and
# licences in tests/fixtures/SOURCES.md and NOTICE), so a clone needs nothing
# beside it; FIXTURES=DIR points the tests at another copy.
FIXTURES ?= $(abspath tests/fixtures)

LIB_SRC  := $(filter-out $(LIB_SKIP),$(sort $(wildcard core/*.c extract/*.c transform/*.c load/*.c reports/*.c pipeline/*.c cmd/*.c)))
# The demo generator (`catwalk demo`) is a tool beside the product: its own
# folder, linked in for the one command that calls it.
LIB_SRC  += $(sort $(wildcard demogen/*.c))
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o) $(BUILD)/embedded.o
# templates/ with its subfolders (queries, partials): files only
EMBED    := $(sort $(wildcard load/sql/*.sql load/sql/*/*.sql transform/sql/*.sql reports/sql/*.sql) \
              $(shell find templates -type f -not -name '.*'))
TESTS    := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(sort $(wildcard tests/unit/test_*.c)))
TEST_SUPPORT := $(wildcard tests/unit/support.c)

.PHONY: all deps demo test unit e2e asan bench clean pg fuzz fuzz-smoke fuzz-build fuzz-bins layers \
        install install-systemd uninstall
all: catwalk

catwalk: $(BUILD)/catwalk
	cp $< $@

$(BUILD)/catwalk: $(BUILD)/catwalk.o $(BUILD)/libcatwalk.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/libcatwalk.a: $(LIB_OBJ)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/%.o: %.c $(wildcard */*.h) | $(BUILD)/dirs
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c -o $@ $<

$(BUILD)/embedded.c: $(EMBED) $(BUILD)/embed
	$(BUILD)/embed $@ $(EMBED)

$(BUILD)/embedded.o: $(BUILD)/embedded.c
	$(CC) $(CFLAGS) -c -o $@ $<

$(BUILD)/embed: tools/embed.c | $(BUILD)/dirs
	$(CC) -O1 -o $@ $<

$(BUILD)/dirs: Makefile
	mkdir -p $(BUILD)/core $(BUILD)/extract $(BUILD)/transform $(BUILD)/load \
	         $(BUILD)/reports $(BUILD)/cmd $(BUILD)/tests $(BUILD)/demogen
	touch $@

$(BUILD)/tests/%: tests/unit/%.c $(TEST_SUPPORT) $(BUILD)/libcatwalk.a tests/unit/support.h
	$(CC) $(CFLAGS) -o $@ $< $(TEST_SUPPORT) $(BUILD)/libcatwalk.a $(LDFLAGS) $(LDLIBS) -lcmocka

deps:
	@scripts/install-deps.sh

# The folders' includes point one way (tests/check-layers.sh).
layers:
	@tests/check-layers.sh

# Unit tests of the build in $(BUILD), with a throwaway PostgreSQL 15 for
# the engine tests (CW_PG_URI): when it cannot start, they fail, never skip.
# (one server per build folder: helpers and CI jobs on one machine never share it)
PGDIR    := /tmp/catwalk-pg.$(shell printf %s '$(abspath $(BUILD))' | cksum | cut -d' ' -f1)
unit: layers $(TESTS) $(BUILD)/catwalk
	@tests/pg/pg.sh stop $(PGDIR); \
	uri=$$(tests/pg/pg.sh start $(PGDIR)) || uri=postgresql://failed-to-start/; \
	CW_PG_URI=$$uri CW_PG_REQUIRED=1 CW_FIXTURES=$(FIXTURES) CW_BIN=$(abspath $(BUILD)/catwalk) \
	  CW_COUNTS=$(abspath $(BUILD)/counts) tests/run-unit.sh $(TESTS); rc=$$?; \
	tests/pg/pg.sh stop $(PGDIR); exit $$rc

# A throwaway PostgreSQL for trying things by hand: prints its URI.
#   make pg            start it (stop: make pg PG=stop)
PG       ?= start
pg:
	@tests/pg/pg.sh $(PG) /tmp/catwalk-pg.manual

# End-to-end tests against a built binary; tests/e2e/test_engines.py loads the
# same data into SQLite and a throwaway PostgreSQL (its own PGDIR, so `make -j2
# unit e2e` does not share a server) and fails when that server cannot start.
e2e: $(BUILD)/catwalk
	@tests/pg/pg.sh stop $(PGDIR).e2e; \
	uri=$$(tests/pg/pg.sh start $(PGDIR).e2e) || uri=postgresql://failed-to-start/; \
	CW_PG_URI=$$uri CW_FIXTURES=$(FIXTURES) CW_BIN=$(abspath $(BUILD)/catwalk) \
	  CW_COUNTS=$(abspath $(BUILD)/counts) tests/run-e2e.sh; rc=$$?; \
	tests/pg/pg.sh stop $(PGDIR).e2e; exit $$rc

# Everything again under AddressSanitizer and UndefinedBehaviorSanitizer.
asan:
	$(MAKE) BUILD=build-asan OPT="-O1 -g" \
	  SANFLAGS="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" unit e2e

test: deps
	rm -f build/counts build-asan/counts
	$(MAKE) all
	$(MAKE) unit e2e
	$(MAKE) asan
	CW_COUNTS=$(abspath build/counts) $(MAKE) fuzz-smoke
	@tests/summary.sh build/counts build-asan/counts

demo: deps
	$(MAKE) all
	rm -rf demo
	./catwalk demo demo
	./catwalk run -c demo/catwalk.ini
	@echo "reports: $$(pwd)/demo/reports"

# make bench            demo scales 1 4 8 (CW_BENCH_SCALES)
# make bench BENCH=L    enterprise-L: full night, no-change night, one-day delta,
#                       report, and the floor (CW_BENCH_L_APPS/WEEKS/SCALE shrink it)
BENCH    ?=
bench: deps
	$(MAKE) all $(BUILD)/floor
	@tests/pg/pg.sh stop $(PGDIR).bench; \
	uri=$$(tests/pg/pg.sh start $(PGDIR).bench) || { echo "bench: PostgreSQL did not start"; exit 1; }; \
	CW_PG_URI=$$uri CW_BENCH=$(BENCH) CW_FLOOR=$(abspath $(BUILD)/floor) scripts/bench.sh; rc=$$?; \
	tests/pg/pg.sh stop $(PGDIR).bench; exit $$rc

# The floor of `make bench BENCH=L`: read and parse the input, nothing else.
$(BUILD)/floor: tools/floor.c | $(BUILD)/dirs
	$(CC) -std=c11 -O2 $(WARN) -o $@ $< $(shell pkg-config --cflags --libs jansson)

# Fuzzing: libFuzzer harnesses (tests/fuzz/) built with clang under ASan and
# UBSan in their own build folder, one per connector parse entry point, the
# timestamp parsers, key extraction and the config loader.
FUZZ_CC       ?= clang-14
FUZZ_BUILD    ?= build-fuzz
FUZZ_SECONDS  ?= 600
FUZZ_SMOKE_SECONDS ?= 3
FUZZ_JOBS     ?= 1
FUZZ_SAN      := -fsanitize=address,undefined,fuzzer-no-link -fno-sanitize-recover=all \
                 -fno-omit-frame-pointer
FUZZ_CONNECTORS := jira jira-csv git jenkins pagerduty servicenow github gitlab opsgenie csv
FUZZ_HARNESSES  := $(FUZZ_CONNECTORS) time keys config json
FUZZ_SUPPORT  := tests/fuzz/fuzz_support.c

fuzz-build:
	$(MAKE) BUILD=$(FUZZ_BUILD) CC=$(FUZZ_CC) OPT="-O1 -g" SANFLAGS="$(FUZZ_SAN)" fuzz-bins

fuzz-bins: $(FUZZ_HARNESSES:%=$(BUILD)/fuzz/fuzz-%)

$(FUZZ_CONNECTORS:%=$(BUILD)/fuzz/fuzz-%): $(BUILD)/fuzz/fuzz-%: tests/fuzz/fuzz_connector.c \
                $(FUZZ_SUPPORT) tests/fuzz/fuzz.h $(BUILD)/libcatwalk.a
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -DFUZZ_TYPE='"$*"' -o $@ $< $(FUZZ_SUPPORT) $(BUILD)/libcatwalk.a \
	  $(LDFLAGS) -fsanitize=fuzzer $(LDLIBS)

$(patsubst %,$(BUILD)/fuzz/fuzz-%,time keys config json): $(BUILD)/fuzz/fuzz-%: tests/fuzz/fuzz_%.c \
                $(FUZZ_SUPPORT) tests/fuzz/fuzz.h $(BUILD)/libcatwalk.a
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -o $@ $< $(FUZZ_SUPPORT) $(BUILD)/libcatwalk.a $(LDFLAGS) -fsanitize=fuzzer $(LDLIBS)

# FUZZ_SECONDS per harness (FUZZ_JOBS at a time); prints execs and coverage.
fuzz: fuzz-build
	@tests/fuzz/run.sh $(FUZZ_BUILD) $(FUZZ_SECONDS) $(FUZZ_JOBS) $(FUZZ_HARNESSES)

# A few seconds per harness plus every regression input: part of `make test`.
fuzz-smoke: fuzz-build
	@tests/fuzz/run.sh --smoke $(FUZZ_BUILD) $(FUZZ_SMOKE_SECONDS) 1 $(FUZZ_HARNESSES)

# ---------------------------------------------------------------- install
# GNU conventions: PREFIX (default /usr/local), DESTDIR for staged installs
# (packaging).  The templates are built into the binary; the copy under
# share/catwalk/templates is for analysts to copy, edit and point
# `[report] templates` at.
PREFIX      ?= /usr/local
BINDIR      ?= $(PREFIX)/bin
MANDIR      ?= $(PREFIX)/share/man
DATADIR     ?= $(PREFIX)/share/catwalk
LIBEXECDIR  ?= $(PREFIX)/libexec/catwalk
COMPLETIONDIR ?= $(PREFIX)/share/bash-completion/completions
UNITDIR     ?= $(PREFIX)/lib/systemd/system
SYSUSERSDIR ?= $(PREFIX)/lib/sysusers.d
TMPFILESDIR ?= $(PREFIX)/lib/tmpfiles.d
INSTALL     ?= install

install: catwalk
	$(INSTALL) -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 \
	    $(DESTDIR)$(COMPLETIONDIR) $(DESTDIR)$(DATADIR)/templates
	$(INSTALL) -m 0755 catwalk $(DESTDIR)$(BINDIR)/catwalk
	$(INSTALL) -m 0644 doc/catwalk.1 $(DESTDIR)$(MANDIR)/man1/catwalk.1
	$(INSTALL) -m 0644 doc/catwalk.ini.5 $(DESTDIR)$(MANDIR)/man5/catwalk.ini.5
	$(INSTALL) -m 0644 contrib/bash-completion/catwalk $(DESTDIR)$(COMPLETIONDIR)/catwalk
	cp -R templates/. $(DESTDIR)$(DATADIR)/templates/
	chmod -R u+rwX,go+rX,go-w $(DESTDIR)$(DATADIR)/templates

install-systemd:
	$(INSTALL) -d $(DESTDIR)$(UNITDIR) $(DESTDIR)$(SYSUSERSDIR) $(DESTDIR)$(TMPFILESDIR) \
	    $(DESTDIR)$(LIBEXECDIR)
	for u in catwalk.service catwalk-mail.service catwalk-notify@.service; do \
	    sed -e 's|@BINDIR@|$(BINDIR)|g' -e 's|@LIBEXECDIR@|$(LIBEXECDIR)|g' \
	        contrib/systemd/$$u.in > $(DESTDIR)$(UNITDIR)/$$u && \
	    chmod 0644 $(DESTDIR)$(UNITDIR)/$$u || exit 1; \
	done
	$(INSTALL) -m 0644 contrib/systemd/catwalk.timer contrib/systemd/catwalk-mail.timer \
	    $(DESTDIR)$(UNITDIR)/
	$(INSTALL) -m 0755 contrib/systemd/catwalk-notify $(DESTDIR)$(LIBEXECDIR)/catwalk-notify
	$(INSTALL) -m 0644 contrib/systemd/catwalk.sysusers $(DESTDIR)$(SYSUSERSDIR)/catwalk.conf
	$(INSTALL) -m 0644 contrib/systemd/catwalk.tmpfiles $(DESTDIR)$(TMPFILESDIR)/catwalk.conf

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/catwalk $(DESTDIR)$(MANDIR)/man1/catwalk.1 \
	    $(DESTDIR)$(MANDIR)/man5/catwalk.ini.5 $(DESTDIR)$(COMPLETIONDIR)/catwalk
	rm -rf $(DESTDIR)$(DATADIR)

clean:
	rm -rf build build-asan build-fuzz catwalk demo
