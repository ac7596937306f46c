# catwalk - value stream management engine.
#
#   make            build ./catwalk
#   make demo       install missing packages, build, generate the demo, run the nightly job
#   make test       install missing packages, build, run every test (also under ASan/UBSan)
#   make bench      build and print throughput figures on a scaled demo
#
# Sources are picked up by wildcard: a new connector or command is one file.

BUILD    ?= build
CC       ?= cc
PKGS     := sqlite3 libcurl libpcre2-8 jansson inih xlsxwriter
WARN     := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wno-unused-parameter
OPT      ?= -O2 -g
SANFLAGS ?=
CFLAGS   += -std=c11 -D_GNU_SOURCE $(OPT) $(WARN) $(SANFLAGS) -I. -I$(BUILD) \
            $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDLIBS   += $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lcsv -lm -pthread
LDFLAGS  += $(SANFLAGS)
# The real fixtures live in shared/ beside the checkout (as CI lays it out), or
# beside the repository this checkout was cloned from.
ORIGIN   := $(shell git config --get remote.origin.url 2>/dev/null)
FIXTURES ?= $(firstword $(wildcard $(abspath ../shared/fixtures/real) \
              $(if $(filter /%,$(ORIGIN)),$(dir $(ORIGIN))shared/fixtures/real)) \
              $(abspath ../shared/fixtures/real))

LIB_SRC  := $(sort $(wildcard core/*.c extract/*.c transform/*.c load/*.c reports/*.c cmd/*.c))
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o) $(BUILD)/embedded.o
EMBED    := $(sort $(wildcard load/*.sql transform/sql/*.sql reports/sql/*.sql templates/*))
TESTS    := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(sort $(wildcard tests/unit/test_*.c)))
TEST_SUPPORT := $(wildcard tests/unit/support.c)

.PHONY: all deps demo test unit e2e asan bench clean
all: catwalk

catwalk: $(BUILD)/catwalk
	cp $< $@

$(BUILD)/catwalk: $(BUILD)/catwalk.o $(BUILD)/libcatwalk.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/libcatwalk.a: $(LIB_OBJ)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/%.o: %.c $(wildcard */*.h) | $(BUILD)/dirs
	$(CC) $(CFLAGS) -c -o $@ $<

$(BUILD)/embedded.c: $(EMBED) $(BUILD)/embed
	$(BUILD)/embed $@ $(EMBED)

$(BUILD)/embedded.o: $(BUILD)/embedded.c
	$(CC) $(CFLAGS) -c -o $@ $<

$(BUILD)/embed: tools/embed.c | $(BUILD)/dirs
	$(CC) -O1 -o $@ $<

$(BUILD)/dirs:
	mkdir -p $(BUILD)/core $(BUILD)/extract $(BUILD)/transform $(BUILD)/load \
	         $(BUILD)/reports $(BUILD)/cmd $(BUILD)/tests
	touch $@

$(BUILD)/tests/%: tests/unit/%.c $(TEST_SUPPORT) $(BUILD)/libcatwalk.a tests/unit/support.h
	$(CC) $(CFLAGS) -o $@ $< $(TEST_SUPPORT) $(BUILD)/libcatwalk.a $(LDFLAGS) $(LDLIBS) -lcmocka

deps:
	@scripts/install-deps.sh

# Unit tests of the build in $(BUILD).
unit: $(TESTS) $(BUILD)/catwalk
	@CW_FIXTURES=$(FIXTURES) CW_BIN=$(abspath $(BUILD)/catwalk) CW_COUNTS=$(abspath $(BUILD)/counts) \
	  tests/run-unit.sh $(TESTS)

# End-to-end tests against a built binary.
e2e: $(BUILD)/catwalk
	@CW_FIXTURES=$(FIXTURES) CW_BIN=$(abspath $(BUILD)/catwalk) CW_COUNTS=$(abspath $(BUILD)/counts) \
	  tests/run-e2e.sh

# Everything again under AddressSanitizer and UndefinedBehaviorSanitizer.
asan:
	$(MAKE) BUILD=build-asan OPT="-O1 -g" \
	  SANFLAGS="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" unit e2e

test: deps
	@if [ ! -d "$(FIXTURES)" ]; then echo "make test: real fixtures not found at $(FIXTURES) (set FIXTURES=)"; exit 1; fi
	rm -f build/counts build-asan/counts
	$(MAKE) all
	$(MAKE) unit e2e
	$(MAKE) asan
	@tests/summary.sh build/counts build-asan/counts

demo: deps
	$(MAKE) all
	rm -rf demo
	./catwalk demo demo
	./catwalk run -c demo/catwalk.ini
	@echo "reports: $$(pwd)/demo/reports"

bench: deps
	$(MAKE) all
	scripts/bench.sh

clean:
	rm -rf build build-asan catwalk demo
