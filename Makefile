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
PKGS    := fcgi json-c openssl sqlite3 libpq libmariadb libargon2
WARN    := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
           -Wno-missing-field-initializers
CFLAGS  ?= -O2 -g
CFLAGS  += -std=c11 -D_GNU_SOURCE -fno-strict-aliasing $(WARN) -I. \
           $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDLIBS  += $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lm

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

# Compiler lines are long: show them only with V=1.
ifndef V
.SILENT:
endif

.PHONY: all asan unit check-headers test run bench conformance deps clean check-asan fmt

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

asan:
	$(MAKE) BUILD=build-asan SANITIZE=1 all $(addprefix build-asan/,$(UNIT_SRC:%.c=%))

unit: $(UNIT_BIN)
	@set -e; for t in $(UNIT_BIN); do echo "== $$t"; $$t; done

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

DB ?= sqlite
conformance:
	@scripts/deps --test
	@$(MAKE) --no-print-directory all
	@tests/conformance/run --db=$(DB)

fmt:
	clang-format -i $(LIB_SRC) $(APP_SRC) $(HEADERS) $(UNIT_SRC)

clean:
	rm -rf build build-asan

-include $(LIB_OBJ:.o=.d) $(APP_OBJ:.o=.d) $(UNIT_BIN:=.d)
