# fanout — gossip fanout calculator: core library, fanout-node, tests.
#
#   make            build everything (installs missing Debian packages first)
#   make test       unit + protocol tests, in a normal and an ASan+UBSan build
#   make install    PREFIX=/usr/local DESTDIR= ; make clean
#
# Every target that compiles first makes sure the Debian packages it needs are
# present and installs the missing ones with apt-get (as root, or via sudo).

PREFIX  ?= /usr/local
DESTDIR ?=
BUILD   ?= build/release
SAN     ?= 0
CC      ?= cc

APT_PACKAGES = build-essential pkg-config libcjson-dev libmicrohttpd-dev check python3 cppcheck

CFLAGS  ?= -O2 -g
ifeq ($(SAN),1)
CFLAGS  = -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
LDFLAGS += -fsanitize=address,undefined
endif
ALL_CFLAGS = -std=c11 -Wall -Wextra -Werror -D_POSIX_C_SOURCE=200809L -Iinclude -Icore \
	     -MMD -MP $(CFLAGS)
# Recursive (=) so that pkg-config runs after the packages are installed.
CHECK_LIBS = $(shell pkg-config --libs check)
CJSON_LIBS = $(shell pkg-config --libs libcjson)

CORE_SRC   = $(wildcard core/*.c)
CORE_OBJ   = $(CORE_SRC:%.c=$(BUILD)/%.o)
LIB        = $(BUILD)/libfanout.a
SHARED_OBJ = $(BUILD)/server/request.o $(BUILD)/server/workpool.o
NODE       = $(BUILD)/fanout-node
UNIT       = $(BUILD)/unit-tests
UNIT_OBJ   = $(patsubst %.c,$(BUILD)/%.o,$(wildcard tests/unit/*.c))
DEPS_STAMP = build/.deps-installed

.PHONY: all test unit protocol lint install clean deps
all: $(NODE)

deps: $(DEPS_STAMP)
$(DEPS_STAMP):
	@missing=""; for p in $(APT_PACKAGES); do \
	  dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing missing packages:$$missing"; \
	  sudo=""; [ "$$(id -u)" -eq 0 ] || sudo=sudo; \
	  $$sudo apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq --no-install-recommends $$missing; \
	fi
	@mkdir -p $(@D) && touch $@

$(BUILD)/%.o: %.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

$(LIB): $(CORE_OBJ)
	$(AR) rcs $@ $^

$(NODE): $(BUILD)/server/node.o $(SHARED_OBJ) $(LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(CJSON_LIBS) -lm -pthread

$(UNIT): $(UNIT_OBJ) $(SHARED_OBJ) $(LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(CHECK_LIBS) $(CJSON_LIBS) -lm -pthread

unit: $(UNIT)
	$(UNIT)

protocol: $(NODE)
	python3 tests/protocol/test_node.py $(NODE)

# Static analysis.  Table members read only inside Check's START_TEST macros
# look unused to cppcheck, hence the one suppression for tests/.
lint: | $(DEPS_STAMP)
	cppcheck --std=c11 --enable=warning,style,performance,portability --error-exitcode=1 -q \
	  -Iinclude -Icore --suppress=unusedStructMember:tests/unit/* core server tests/unit

# Lint, then the whole suite twice: optimised, then under AddressSanitizer + UBSan.
test: lint
	$(MAKE) BUILD=build/release unit protocol
	$(MAKE) BUILD=build/san SAN=1 unit protocol

install: $(NODE)
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 755 $(NODE) $(DESTDIR)$(PREFIX)/bin/fanout-node

clean:
	rm -rf build/release build/san

-include $(wildcard $(BUILD)/*/*.d $(BUILD)/*/*/*.d)
