# Celer build. Libraries are found with pkg-config; every warning is an error.
#
#   make            release build in build/ (-O2 -g)
#   make asan       ASan + UBSan build in build-asan/ (arena debug mode: one malloc per object)
#   make unit       build and run the cmocka unit tests (quick loop, no services)
#   make test       dependencies, build, unit tests, then the black-box suites on every database
#   make run        dependencies, build, SQLite database under ./var, nginx on 127.0.0.1:$PORT
#   make bench      wrk through nginx against the FastCGI ceiling; writes BENCHMARKS.md
#   make conformance DB=sqlite|pg|mysql   the shared conformance corpus against a fresh stack

BUILD   ?= build
CC      ?= cc
PKGS    := fcgi json-c openssl sqlite3 libpq libmariadb libargon2 libjwt libcurl hiredis
WARN    := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
           -Wno-missing-field-initializers
CFLAGS  ?= -O2 -g
CFLAGS  += -std=c11 -D_GNU_SOURCE -fno-strict-aliasing $(WARN) -I. \
           $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDLIBS  += $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lm

# libFuzzer build (clang): the library instrumented for coverage, ASan and UBSan.
ifeq ($(SANITIZE),fuzz)
CFLAGS  += -O1 -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all \
           -fno-omit-frame-pointer -DARENA_DEBUG
LDFLAGS += -fsanitize=address,undefined
endif

ifeq ($(SANITIZE),1)
CFLAGS  += -O1 -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer \
           -DARENA_DEBUG
LDFLAGS += -fsanitize=address,undefined
endif

LIB_SRC   := $(sort $(wildcard lib/*/*.c))
LIB_OBJ   := $(LIB_SRC:%.c=$(BUILD)/%.o)
APP_SRC   := $(sort $(wildcard fcgi-app/*.c))
APP_OBJ   := $(APP_SRC:%.c=$(BUILD)/%.o)
UNIT_SRC  := $(sort $(wildcard tests/unit/*/test_*.c))
UNIT_BIN  := $(UNIT_SRC:%.c=$(BUILD)/%)
HEADERS   := $(sort $(wildcard lib/*/*.h fcgi-app/*.h))
FUZZ_SRC  := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_NAME := $(FUZZ_SRC:tests/fuzz/fuzz_%.c=%)
REPLAY_BIN:= $(FUZZ_NAME:%=$(BUILD)/tests/fuzz/replay_%)
FUZZ_SECONDS ?= 60

# Compiler lines are long: show them only with V=1.
ifndef V
.SILENT:
endif

.PHONY: all asan unit check-headers test run bench conformance deps clean check-asan fmt fuzz

all: $(BUILD)/celer-fcgi $(BUILD)/tests/bench/fcgi-ceiling

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/libceler.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/celer-fcgi: $(APP_OBJ) $(BUILD)/libceler.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# The FastCGI ceiling for `make bench`: the smallest libfcgi responder, same pool shape.
$(BUILD)/tests/bench/fcgi-ceiling: tests/bench/fcgi-ceiling.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LDLIBS)

# A unit test may #include the .c it tests to reach its statics, so it links against the
# library with --allow-multiple-definition semantics avoided: the archive only supplies what is
# still undefined.
$(BUILD)/tests/unit/%: tests/unit/%.c $(BUILD)/libceler.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Wno-missing-prototypes $(LDFLAGS) -MMD -MP -o $@ $< $(BUILD)/libceler.a \
	    -DSOURCE_ROOT=\"$(CURDIR)\" $(LDLIBS) -lcmocka

# The fuzz targets' inputs replayed with the ordinary compiler (no libFuzzer needed): saved
# crashers in tests/fuzz/regress/<target>/ and the seed corpus stay fixed.
$(BUILD)/tests/fuzz/replay_%: tests/fuzz/fuzz_%.c tests/fuzz/replay.c $(BUILD)/libceler.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ tests/fuzz/fuzz_$*.c tests/fuzz/replay.c $(BUILD)/libceler.a \
	    $(LDLIBS)

$(BUILD)/tests/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(BUILD)/libceler.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -fsanitize=fuzzer $(LDFLAGS) -o $@ $< $(BUILD)/libceler.a $(LDLIBS)

asan:
	$(MAKE) BUILD=build-asan SANITIZE=1 all $(addprefix build-asan/,$(UNIT_SRC:%.c=%)) \
	    $(addprefix build-asan/tests/fuzz/replay_,$(FUZZ_NAME))

unit: $(UNIT_BIN) $(REPLAY_BIN)
	@set -e; for t in $(UNIT_BIN); do echo "== $$t"; $$t; done
	@set -e; for n in $(FUZZ_NAME); do \
	    echo "== fuzz replay $$n"; \
	    $(BUILD)/tests/fuzz/replay_$$n $$(find tests/fuzz/corpus/$$n tests/fuzz/regress/$$n \
	        -type f 2>/dev/null); \
	done

# libFuzzer on every target for FUZZ_SECONDS each; crashers land in tests/fuzz/regress/<target>/
# (commit them with the fix: `make unit` replays them). New coverage goes to build-fuzz/corpus/;
# the seeds in tests/fuzz/corpus/ are only read (merge good finds in by hand with -merge=1).
fuzz:
	@scripts/deps --test
	$(MAKE) BUILD=build-fuzz CC=clang SANITIZE=fuzz $(FUZZ_NAME:%=build-fuzz/tests/fuzz/fuzz_%)
	@set -e; for n in $(FUZZ_NAME); do \
	    mkdir -p build-fuzz/corpus/$$n tests/fuzz/corpus/$$n tests/fuzz/regress/$$n; \
	    echo "== fuzz $$n ($(FUZZ_SECONDS) s)"; \
	    build-fuzz/tests/fuzz/fuzz_$$n -max_total_time=$(FUZZ_SECONDS) -max_len=65536 \
	        -artifact_prefix=tests/fuzz/regress/$$n/ build-fuzz/corpus/$$n tests/fuzz/corpus/$$n \
	        >build-fuzz/fuzz_$$n.log 2>&1 || { tail -60 build-fuzz/fuzz_$$n.log; exit 1; }; \
	    tail -1 build-fuzz/fuzz_$$n.log; \
	done

# Each public header compiles on its own.
check-headers:
	@set -e; for h in $(HEADERS); do \
	    echo "#include \"$$h\"" | $(CC) $(CFLAGS) -x c -fsyntax-only - || { echo "$$h"; exit 1; }; \
	done; echo "headers: $(words $(HEADERS)) compile alone"

deps:
	@scripts/deps

test:
	@scripts/deps --test
	@scripts/test

check-asan:
	@scripts/deps --test
	@scripts/test --asan

run:
	@scripts/deps
	@$(MAKE) --no-print-directory all
	@scripts/run

# Dependencies come first, so these targets work on a machine that has nothing yet.
bench:
	@scripts/deps --test
	@$(MAKE) --no-print-directory all
	@tests/bench/run
	@tests/bench/startup
	@tests/bench/reads
	@tests/bench/writes

DB ?= sqlite
conformance:
	@scripts/deps --test
	@$(MAKE) --no-print-directory all
	@tests/conformance/run --db=$(DB)

fmt:
	clang-format -i $(LIB_SRC) $(APP_SRC) $(HEADERS) $(UNIT_SRC)

clean:
	rm -rf build build-asan build-fuzz

-include $(LIB_OBJ:.o=.d) $(APP_OBJ:.o=.d) $(UNIT_BIN:=.d)
