# SPDX-License-Identifier: MIT
# fanout — gossip fanout calculator: core library, fanoutd, fanout-node, fanout, tests.
#
#   make            build everything (installs missing Debian packages first)
#   make run        build the three programs and start fanoutd on 127.0.0.1:8080 (ARGS=... for more flags)
#   make examples   write the example outputs of README.md, docs/ and the man pages again,
#                   and the lists openapi.yaml and the man pages take from the tables
#                   (make docs and make lint check them; make test runs both)
#   make unit       the Check suites; SUITE=name, CASE=name for one (docs/TESTING.md)
#   make test       lint, unit, rational, protocol, HTTP, contract (Dredd), browser, fanout
#                   (CLI) and example-output tests, normal and ASan+UBSan builds, and make install
#                   into a temporary directory (needs Node.js >= 20.19: README.md, Quick start)
#   make slurm      a 4-task Slurm job array of fanout shards on a one-node Slurm
#   make load       load test of fanoutd beside nginx (wrk on loopback, ~30 s)
#   make bench      simulators and calculators side by side, with Python and numpy, and
#                   make bench-http; rewrites docs/PERFORMANCE.md's table (~5 min)
#   make bench-http fanoutd's GET /calc_fanout beside nginx serving the same bytes (wrk, ~40 s)
#   make validate   the large-N method against exact and simulation over a grid (~15 min)
#   make validate-beyond  the same at N = 10^5 and 10^6 (72 cases, ~20 min under load)
#   make validate-limits  transmit limits (memberlist presets) against simulation, 10^4 to 10^6
#   make validate-solve  solve_for transmit_limit and interval against simulation, 30 to 10^5
#   make validate-timers  large_n under independent timers against the agent simulator, 10^3 to 10^6
#   make validate-split  where large_n's 1 - P comes from (early deaths or the late phase), memberlist presets
#   make validate-fleet  tradeoff with the memberlist presets at N = 30 to 10^6: estimate and CPU time,
#                   and memberlist-lan's rows at N = 10^4 against calc_fanout at each K and R
#   make validate-intervals  simulate_gossip's 95% intervals over 1000 seeds a case (also in validate)
#   make validate-windows  calc_fanout with push windows of 4 to 8 rounds against simulation (also in validate)
#   make validate-sync  memberlist-local with a 15 s sync_interval, N = 30 to 10^4, fast vs agent (also in validate)
#   make validate-memberlist  real HashiCorp memberlist on loopback beside the memberlist
#                   presets (Go and memberlist from Debian; ~25 min; ML_NODES, ML_BROADCASTS)
#   make validate-memberlist-smoke  the same at N = 16, LAN, about 25 s, with sanity checks
#   make fuzz       libFuzzer targets, FUZZ_SECONDS each (default 600; make test runs 30)
#   make identity BEFORE=DIR  every door's answers byte for byte against DIR's binaries
#   make soak       mixed valid, malformed, slow and leaving clients on loopback (SOAK_SECONDS)
#   make install    PREFIX=/usr/local DESTDIR= ; make clean
#
# make deps installs the Debian packages building and testing need (apt-get, as
# root or via sudo) and the npm test tools; it is the only target that installs.
# Every other make run checks, once and before anything else, that what its
# goals need is installed, and runs the same install if not.

PREFIX  ?= /usr/local
DESTDIR ?=
BINDIR  ?= $(PREFIX)/bin
MANDIR  ?= $(PREFIX)/share/man
DOCDIR  ?= $(PREFIX)/share/doc/fanout
UNITDIR ?= $(PREFIX)/lib/systemd/system
BUILD   ?= build/release
SAN     ?= 0
CC      ?= cc

# What building needs (the Dockerfile installs the same), and what testing adds.
BUILD_PACKAGES = build-essential pkg-config libcjson-dev libmicrohttpd-dev libjs-chart.js libcurl4-openssl-dev
TEST_PACKAGES  = check python3 python3-yaml cppcheck curl yamllint chromium clang libclang-rt-dev mandoc \
		 man-db strace
# apt-get install of the packages named after it, as root or through sudo.
APT_INSTALL = sudo=""; [ "$$(id -u)" -eq 0 ] || sudo=sudo; \
	$$sudo apt-get update -qq && \
	DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq --no-install-recommends

CFLAGS  ?= -O2 -g
# SAN=1 comes after the user's CFLAGS and LDFLAGS (its -O1 wins over -O2).
# Sanitized code runs several times slower than the work estimates assume.
ifeq ($(SAN),1)
SAN_CFLAGS  = -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all \
	      -DFO_OVERRUN_FACTOR=8
SAN_LDFLAGS = -fsanitize=address,undefined
endif
ALL_CFLAGS = -std=c11 -Wall -Wextra -Werror -D_POSIX_C_SOURCE=200809L -Iinclude \
	     -MMD -MP $(CFLAGS) $(SAN_CFLAGS)
ALL_LDFLAGS = $(LDFLAGS) $(SAN_LDFLAGS)
# Recursive (=) so that pkg-config runs after the packages are installed.
CHECK_LIBS = $(shell pkg-config --libs check)
CJSON_LIBS = $(shell pkg-config --libs libcjson)

CORE_SRC   = $(wildcard core/*.c)
CORE_OBJ   = $(CORE_SRC:%.c=$(BUILD)/%.o)
LIB        = $(BUILD)/libfanout.a
SHARED_OBJ = $(BUILD)/server/common/request.o $(BUILD)/server/common/parse.o $(BUILD)/server/common/plan.o \
	     $(BUILD)/server/common/execute.o $(BUILD)/server/common/render.o $(BUILD)/server/common/workpool.o \
	     $(BUILD)/server/common/options.o $(BUILD)/server/common/guard.o \
	     $(BUILD)/server/common/strbuf.o $(BUILD)/server/common/anscache.o
NODE       = $(BUILD)/fanout-node
FANOUTD    = $(BUILD)/fanoutd
FANOUT     = $(BUILD)/fanout
HTTP_OBJ   = $(BUILD)/server/fanoutd/fanoutd.o $(BUILD)/server/fanoutd/http.o $(BUILD)/server/fanoutd/metrics.o \
	     $(BUILD)/server/common/log.o $(BUILD)/server/fanoutd/probe.o $(BUILD)/gen/assets.o
MHD_LIBS   = $(shell pkg-config --libs libmicrohttpd)
UNIT       = $(BUILD)/unit-tests
UNIT_OBJ   = $(patsubst %.c,$(BUILD)/%.o,$(wildcard tests/unit/*.c))
PROGRAMS   = fanoutd fanout-node fanout
MANPAGES   = $(PROGRAMS:%=docs/man/%.1)
DEPS_STAMP = build/.deps-installed
TEST_DEPS_STAMP = build/.test-deps-installed
NPM_STAMP  = tests/node_modules/.installed

.PHONY: docs examples all run test unit rational protocol http contract browser cli lint load bench bench-http validate validate-beyond validate-limits validate-solve validate-timers validate-split validate-sync validate-quick lighthouse \
	validate-intervals validate-windows validate-fleet validate-memberlist validate-memberlist-smoke install install-check slurm clean deps fuzz soak fuzzers fuzz-regress estimates identity
all: $(NODE) $(FANOUTD) $(FANOUT)

# Each stamp records that its packages were present (or installed) once,
# and is redone when the Makefile (and so perhaps a package list) changes.
# The stamps are also included as makefiles (at the end), so make brings them
# up to date before it builds anything: the build's always, the tests' when a
# goal tests.
deps: $(DEPS_STAMP) $(TEST_DEPS_STAMP) $(NPM_STAMP)
$(DEPS_STAMP): PACKAGES = $(BUILD_PACKAGES)
$(TEST_DEPS_STAMP): PACKAGES = $(TEST_PACKAGES)
$(DEPS_STAMP) $(TEST_DEPS_STAMP): Makefile
	@missing=""; for p in $(PACKAGES); do \
	  dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing missing packages:$$missing"; \
	  $(APT_INSTALL) $$missing; \
	fi
	@mkdir -p $(@D) && touch $@

# The test tooling from npm (redocly, Dredd, playwright-core; pinned in
# tests/package-lock.json).  It needs Node.js >= NODE_MIN, newer than Debian 12's
# own nodejs (18), so it is checked here rather than installed (README.md, Quick start).
NODE_MIN = 20.19
$(NPM_STAMP): tests/package-lock.json | $(TEST_DEPS_STAMP)
	@v=$$(node --version 2>/dev/null | sed 's/^v//'); \
	if [ -z "$$v" ] || [ "$$(printf '%s\n%s\n' $(NODE_MIN) "$$v" | sort -V | head -1)" != $(NODE_MIN) ] || \
	   ! command -v npm >/dev/null; then \
	  echo "make: the tests need Node.js >= $(NODE_MIN) with npm; found $${v:-no node}$$(command -v npm >/dev/null || echo ', no npm')." >&2; \
	  echo "      Debian 12's nodejs is 18: install a newer Node.js (for example from NodeSource's Debian" >&2; \
	  echo "      repository, see README.md, Quick start), then run make test again." >&2; \
	  exit 1; \
	fi
	cd tests && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

# openapi.yaml as JSON, for the contract tests' stdlib-only schema checks.
$(BUILD)/openapi.json: openapi.yaml
	@mkdir -p $(@D)
	cd tests && npx --no-install redocly bundle ../openapi.yaml --ext json -o ../$@ >/dev/null

$(BUILD)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

# The exact chain's sender steps are contiguous multiply-adds: vectorised,
# push_pull runs about 1.3 times faster (each operation rounds as before).
$(BUILD)/core/exact.o: ALL_CFLAGS += -ftree-vectorize

# largen_timers' late phase drains every budget column each slot, a multiply-add
# over the cells: vectorised (each operation rounds as before).
$(BUILD)/core/largen_timers.o: ALL_CFLAGS += -ftree-vectorize

# The programs, and the tests that reach into them, include what they share
# from server/common/ (nothing there includes a program's folder).
$(BUILD)/server/%.o: ALL_CFLAGS += -Iserver/common
$(UNIT_OBJ): ALL_CFLAGS += -Iserver/common

# Test tables list the round model's parameters of struct gossip_params
# positionally; the fields after them (timers, probe_interval, horizon,
# failed_known) are left zero, which is the model as before them.
$(BUILD)/tests/%.o: ALL_CFLAGS += -Wno-missing-field-initializers

# Files fanoutd serves as they are, compiled in as byte arrays with their
# Content-Type, Cache-Control and ETag: URL path|file|type|caching.  Chart.js
# comes from Debian's libjs-chart.js, so building needs only apt.
CHARTJS = /usr/share/javascript/chart.js/chart.min.js
ASSETS  = '/|$(BUILD)/gen/page.html|text/html; charset=utf-8|no-cache' \
	  '/page.js|server/fanoutd/page.js|text/javascript; charset=utf-8|no-cache' \
	  '/page.css|server/fanoutd/page.css|text/css; charset=utf-8|no-cache' \
	  '/favicon.svg|server/fanoutd/favicon.svg|image/svg+xml|public, max-age=86400' \
	  '/chart.js|$(CHARTJS)|text/javascript; charset=utf-8|public, max-age=86400' \
	  '/openapi.yaml|openapi.yaml|application/yaml|no-cache'
ASSET_FILES = $(BUILD)/gen/page.html server/fanoutd/page.js server/fanoutd/page.css server/fanoutd/favicon.svg \
	      $(CHARTJS) openapi.yaml
# The page's preset select comes from the presets' table, through a build-time tool
# (which also gives tests/lint/ the tables, and tests/lint/blocks.py openapi.yaml's enums).
TABLES = $(BUILD)/gen/tables
$(TABLES): $(BUILD)/server/fanoutd/tables.o $(SHARED_OBJ) $(LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(CJSON_LIBS) -lm -pthread
$(BUILD)/gen/page.html: server/fanoutd/page.html $(TABLES)
	$(TABLES) page < $< > $@.tmp && mv $@.tmp $@

$(BUILD)/gen/assets.c: server/fanoutd/assets.sh $(ASSET_FILES)
	@mkdir -p $(@D)
	sh server/fanoutd/assets.sh $(ASSETS) > $@.tmp && mv $@.tmp $@

$(BUILD)/gen/assets.o: $(BUILD)/gen/assets.c
	$(CC) $(ALL_CFLAGS) -Iserver/fanoutd -c $< -o $@

$(LIB): $(CORE_OBJ)
	$(AR) rcs $@ $^

$(NODE): $(BUILD)/server/node/node.o $(SHARED_OBJ) $(LIB)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(CJSON_LIBS) -lm -pthread

$(FANOUTD): $(HTTP_OBJ) $(SHARED_OBJ) $(LIB)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(MHD_LIBS) $(CJSON_LIBS) -lm -pthread

CURL_LIBS  = $(shell pkg-config --libs libcurl)
CLI_OBJ    = $(patsubst %.c,$(BUILD)/%.o,$(wildcard server/cli/*.c))
$(FANOUT): $(CLI_OBJ) $(SHARED_OBJ) $(LIB)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(CURL_LIBS) $(CJSON_LIBS) -lm -pthread

# All three programs, since the README's next examples use fanout and fanout-node too.
run: $(FANOUTD) $(NODE) $(FANOUT)
	$(FANOUTD) $(ARGS)

$(UNIT): $(UNIT_OBJ) $(SHARED_OBJ) $(LIB)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(CHECK_LIBS) $(CJSON_LIBS) -lm -pthread

# SUITE=name and CASE=name run one suite or one case of it (tests/unit/suites.h).
unit: $(UNIT)
	$(if $(SUITE),CK_RUN_SUITE=$(SUITE)) $(if $(CASE),CK_RUN_CASE=$(CASE)) $(UNIT)

# The exact chain's figures against Python fractions (tests/rational/).
$(BUILD)/rational-dump: $(BUILD)/tests/rational/dump.o $(LIB)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ -lm

rational: $(BUILD)/rational-dump
	python3 tests/rational/test_rational.py $(BUILD)/rational-dump

protocol: $(NODE)
	python3 tests/protocol/test_node.py $(NODE)

http: $(FANOUTD) $(NODE) $(BUILD)/openapi.json $(BUILD)/stop-test $(BUILD)/fanoutd-test-hooks
	python3 tests/http/test_http.py $(FANOUTD) $(NODE) $(BUILD)/openapi.json
	python3 tests/http/test_faults.py $(FANOUTD) $(NODE) $(BUILD)/openapi.json
	$(BUILD)/stop-test

# fanoutd with test hooks (FO_TEST_HOOKS: FANOUTD_TEST_PLAN_DELAY_MS slows planning), for
# test_faults.py, which finds it beside fanoutd; never installed.
$(BUILD)/testhooks/http.o: server/fanoutd/http.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -DFO_TEST_HOOKS -Iserver/common -Iserver/fanoutd -c $< -o $@

$(BUILD)/fanoutd-test-hooks: $(BUILD)/testhooks/http.o $(filter-out $(BUILD)/server/fanoutd/http.o,$(HTTP_OBJ)) \
		$(SHARED_OBJ) $(LIB)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(MHD_LIBS) $(CJSON_LIBS) -lm -pthread

# http_stop with a connection still suspended: http.c built to give up after 1 s, not 30.
$(BUILD)/stoptest/http.o: server/fanoutd/http.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -DFO_HTTP_CANCEL_WAIT=1 -Iserver/common -Iserver/fanoutd -c $< -o $@
$(BUILD)/stop-test: $(BUILD)/tests/stop/stop_test.o $(BUILD)/stoptest/http.o \
		$(filter-out $(BUILD)/server/fanoutd/fanoutd.o $(BUILD)/server/fanoutd/http.o,$(HTTP_OBJ)) $(SHARED_OBJ) $(LIB)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(MHD_LIBS) $(CJSON_LIBS) -lm -pthread
$(BUILD)/tests/stop/%.o: ALL_CFLAGS += -Iserver/common -Iserver/fanoutd

# openapi.yaml against the running server, by Dredd (pinned in tests/package-lock.json).
contract: $(FANOUTD)
	sh tests/contract/dredd.sh $(abspath $(FANOUTD))

# Every marked example in README.md, docs/*.md and docs/man/*.1 run and compared
# (tests/docs/examples.py); `make examples` writes their outputs instead.
docs: $(FANOUTD) $(NODE) $(FANOUT)
	python3 tests/docs/examples.py check $(BUILD)
	python3 tests/bench/test_perf_table.py
examples: $(FANOUTD) $(NODE) $(FANOUT) $(TABLES)
	python3 tests/docs/examples.py write $(BUILD)
	python3 tests/lint/blocks.py write $(TABLES)

# fanout: in-process answers, shard + merge, 4 fanoutd on loopback with one killed, sweeps.
cli: $(FANOUT) $(FANOUTD)
	python3 tests/cli/test_cli.py $(FANOUT) $(FANOUTD)

# A single-node Slurm (Debian's slurm-wlm and munge, run from a temporary
# directory as nobody, bound to 127.0.0.1 only) runs deploy/slurm-study.sh as a
# 4-task array; the merged shards must equal the in-process run.  Not part of
# `make test`: it installs and starts daemons.
slurm: $(FANOUT)
	@command -v slurmctld >/dev/null && command -v munged >/dev/null || \
	  { echo "installing slurm and munge"; $(APT_INSTALL) slurmctld slurmd slurm-client munge; }
	bash tests/slurm/test_slurm.sh $(abspath $(FANOUT))

# The page at / in Debian's chromium, driven by playwright-core (no browser download).
browser: $(FANOUTD)
	FANOUTD=$(abspath $(FANOUTD)) SHOTS=$(abspath $(BUILD)) node --test tests/browser/

# Lighthouse on the page, desktop and mobile (reports under $(BUILD)/; about a minute, not in make test).
lighthouse: $(FANOUTD)
	sh tests/browser/lighthouse.sh $(abspath $(FANOUTD)) $(abspath $(BUILD))

# Static analysis; the OpenAPI contract against redocly's recommended rules and
# its enums against the code's tables (tests/lint/tables.py); the lists that
# openapi.yaml and the man pages take from the tables written as the tables say
# (tests/lint/blocks.py; make examples writes them).
# Table members read only inside Check's START_TEST macros look unused to
# cppcheck, hence the one suppression for tests/; a call through a function
# pointer looks to it as if it might return its argument, hence the one inline
# suppression in execute.c.
lint: $(FANOUTD) $(NODE) $(FANOUT) $(TABLES)
	python3 tests/lint/links.py
	python3 tests/lint/tables.py $(TABLES) $(FANOUT)
	python3 tests/lint/test_blocks.py
	python3 tests/lint/blocks.py check $(TABLES)
	cppcheck --std=c11 --enable=warning,style,performance,portability --error-exitcode=1 -q --inline-suppr \
	  -Iinclude -Iserver/common --suppress=unusedStructMember:tests/unit/* core server tests/unit tests/bench \
	  tests/rational tests/validate tests/fuzz tests/stop
	cd tests && npx --no-install redocly lint ../openapi.yaml --config redocly.yaml
	yamllint -d '{extends: default, rules: {line-length: {max: 120}}}' deploy/*.yaml
	mandoc -Tlint -Wwarning $(MANPAGES)
	@# The unit as installed, but pointing at the binary just built and with
	@# the man pages where its Documentation= line finds them.
	sed 's|@BINDIR@|$(abspath $(BUILD))|g' deploy/fanoutd.service.in > $(BUILD)/fanoutd.service
	@mkdir -p $(BUILD)/man/man1 && cp $(MANPAGES) $(BUILD)/man/man1/
	MANPATH=$(abspath $(BUILD))/man systemd-analyze verify $(BUILD)/fanoutd.service
	@# Hardening: the exposure score must stay at 2.0 or below (20 in tenths).
	systemd-analyze security --offline=true --threshold=20 $(BUILD)/fanoutd.service | tail -1
	@# Manifests, Dockerfile, Slurm script and man pages against the binaries.
	python3 tests/deploy/check_deploy.py $(FANOUTD) $(NODE) $(FANOUT)

# Lint, then the whole suite twice: optimised, then under AddressSanitizer + UBSan;
# then each fuzz target for 30 s from a fixed seed (make fuzz: a random one).
test: lint
	@# The benchmark programs are not run here, but they must keep compiling.
	$(MAKE) BUILD=build/release build/release/bench build/release/estimates
	$(MAKE) BUILD=build/release unit rational protocol http contract browser cli docs validate-quick install-check
	$(MAKE) BUILD=build/san SAN=1 unit rational protocol http contract browser cli validate-quick
	rm -rf build/fuzz/short
	FUZZ_SEED=1 $(MAKE) fuzz FUZZ_SECONDS=30 FUZZ_TARGETS="$(FUZZ_TEST_TARGETS)" FUZZ_CORPUS=short

# libFuzzer targets (tests/fuzz), built with Debian's clang under ASan + UBSan:
# the request layer, the node's line loop, the core's entry points; each runs
# FUZZ_SECONDS after its regression inputs (tests/fuzz/run.sh says where the
# corpora are and what a finding leaves).  make test starts its corpus afresh.
FUZZ_SECONDS ?= 600
FUZZ_CORPUS  ?= corpus
FUZZ_TARGETS = request node core
FUZZ_TEST_TARGETS = $(FUZZ_TARGETS)
fuzz-regress: fuzzers
	sh tests/fuzz/run.sh 0 $(FUZZ_CORPUS) $(FUZZ_TARGETS)
FUZZ_CFLAGS  = -O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined \
	       -fno-sanitize-recover=all -DFO_OVERRUN_FACTOR=8
fuzzers:
	$(MAKE) BUILD=build/fuzz CC=clang CFLAGS="$(FUZZ_CFLAGS)" \
	  LDFLAGS="-fsanitize=fuzzer,address,undefined" $(FUZZ_TARGETS:%=build/fuzz/fuzz_%)

$(BUILD)/fuzz_request: $(BUILD)/tests/fuzz/fuzz_request.o $(SHARED_OBJ) $(LIB)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(CJSON_LIBS) -lm -pthread
$(BUILD)/fuzz_node: $(BUILD)/tests/fuzz/fuzz_node.o $(SHARED_OBJ) $(LIB)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(CJSON_LIBS) -lm -pthread
$(BUILD)/fuzz_core: $(BUILD)/tests/fuzz/fuzz_core.o $(SHARED_OBJ) $(LIB)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(CJSON_LIBS) -lm -pthread
$(BUILD)/tests/fuzz/%.o: ALL_CFLAGS += -Iserver/common

fuzz: fuzzers
	sh tests/fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_CORPUS) $(FUZZ_TARGETS)

# Byte identity: the corpus of tests/identity through BEFORE's binaries (a build
# directory of an earlier tree) and this build's, compared answer by answer.
BEFORE ?=
identity: $(FANOUTD) $(NODE) $(FANOUT)
	@[ -n "$(BEFORE)" ] || { echo "usage: make identity BEFORE=path/to/an/earlier/build"; exit 2; }
	@mkdir -p build/identity
	python3 tests/identity/corpus.py run $(BEFORE) build/identity/before.txt
	python3 tests/identity/corpus.py run $(BUILD) build/identity/after.txt
	python3 tests/identity/corpus.py compare build/identity/before.txt build/identity/after.txt

# Mixed clients against fanoutd and a mixed stream through fanout-node, on loopback.
SOAK_SECONDS ?= 300
soak: $(FANOUTD) $(NODE)
	python3 tests/soak/soak.py $(FANOUTD) $(NODE) $(SOAK_SECONDS)

load: $(FANOUTD)
	bash tests/load/load.sh $(FANOUTD)

$(BUILD)/bench: $(BUILD)/tests/bench/bench.o $(LIB)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ -lm -pthread

# The numpy anchor runs under a python3 that has numpy (Debian's python3-numpy,
# installed here if missing); the HTTP row is make bench-http's, when there is
# such a target.  perf_table.py rewrites docs/PERFORMANCE.md's table block.
bench: $(BUILD)/bench $(FANOUTD)
	@dpkg -s python3-numpy >/dev/null 2>&1 || { $(APT_INSTALL) python3-numpy; }
	@mkdir -p $(BUILD)/bench-out
	np=$$(for p in python3 /usr/bin/python3; do $$p -c 'import numpy' 2>/dev/null && echo $$p && break; done); \
	$(BUILD)/bench $(FANOUTD) tests/bench/gossip_sim.py "$${np:+$$np tests/bench/gossip_numpy.py}" \
	  | tee $(BUILD)/bench-out/bench.txt
	@if $(MAKE) -n bench-http >/dev/null 2>&1; then \
	  $(MAKE) --no-print-directory bench-http | tee $(BUILD)/bench-out/http.txt; \
	else echo "not measured here" > $(BUILD)/bench-out/http.txt; fi
	python3 tests/bench/perf_table.py $(BUILD)/bench-out/bench.txt $(BUILD)/bench-out/http.txt docs/PERFORMANCE.md

# fanoutd's GET /calc_fanout against nginx serving the same bytes, wrk side by side (~40 s);
# BEFORE=path/to/fanoutd runs an older build in the same rotation.
bench-http: $(FANOUTD)
	bash tests/bench/http.sh $(FANOUTD) $(BEFORE)

$(BUILD)/validate: $(BUILD)/tests/validate/validate.o $(BUILD)/tests/validate/intervals.o $(BUILD)/tests/validate/windows.o \
		  $(BUILD)/tests/validate/sync.o $(BUILD)/tests/validate/split.o $(LIB)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ -lm -pthread

# The whole grid (docs/VALIDATION.md's large-N table); a three-case subset runs in make test.
validate: $(BUILD)/validate
	nice $(BUILD)/validate
	nice $(BUILD)/validate intervals
	nice $(BUILD)/validate windows
	nice $(BUILD)/validate sync

# memberlist-local with a 15 s sync_interval, N = 30 to 10^4, and fast vs agent (docs/MODEL.md, Anti-entropy).
validate-sync: $(BUILD)/validate
	nice $(BUILD)/validate sync

# calc_fanout (auto) with push windows of 4 to 8 rounds against simulation (docs/VALIDATION.md).
validate-windows: $(BUILD)/validate
	nice $(BUILD)/validate windows

# simulate_gossip's 95% intervals over 1000 seeds a case (docs/VALIDATION.md).
validate-intervals: $(BUILD)/validate
	nice $(BUILD)/validate intervals

validate-beyond: $(BUILD)/validate
	nice $(BUILD)/validate beyond

validate-limits: $(BUILD)/validate
	nice $(BUILD)/validate limits

# Where large_n's 1 - P comes from under independent timers, memberlist presets (docs/VALIDATION.md, issue 19).
validate-split: $(BUILD)/validate
	nice $(BUILD)/validate split

# large_n under independent timers against the agent-based simulator (docs/VALIDATION.md).
validate-timers: $(BUILD)/validate
	nice $(BUILD)/validate timers

validate-quick: $(BUILD)/validate
	$(BUILD)/validate quick
	$(BUILD)/validate solve quick

# Real HashiCorp memberlist (Debian's golang-github-hashicorp-memberlist-dev,
# built offline in GOPATH mode with Debian's Go) on 127.0.0.1: N nodes in one
# process, one broadcast at a time (tests/memberlist/mlcheck.go), then the
# same presets from this service beside it (tests/memberlist/compare.py).
# The configurations run side by side; each stops at ML_DEADLINE.
ML_NODES      ?= 16,32,64,128,256
ML_BROADCASTS ?= 200
ML_CONFIGS    ?= lan local
ML_DEADLINE   ?= 25m
ML_PACKAGES    = golang-go golang-github-hashicorp-memberlist-dev
ML_STAMP       = build/.memberlist-deps-installed
ML_GOENV       = GO111MODULE=off GOPROXY=off GOFLAGS= GOPATH=$(abspath build/gopath):/usr/share/gocode \
		 GOCACHE=$(abspath build/gocache)
$(ML_STAMP): PACKAGES = $(ML_PACKAGES) python3
$(ML_STAMP): Makefile
	@missing=""; for p in $(PACKAGES); do \
	  dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing missing packages:$$missing"; \
	  $(APT_INSTALL) $$missing; \
	fi
	@mkdir -p $(@D) && touch $@

build/mlcheck: tests/memberlist/mlcheck.go | $(ML_STAMP)
	$(ML_GOENV) go build -o $@ ./tests/memberlist

validate-memberlist: build/mlcheck $(FANOUT)
	@mkdir -p build/memberlist
	@dpkg-query -W golang-github-hashicorp-memberlist-dev golang-go
	@pids=""; for c in $(ML_CONFIGS); do \
	  nice build/mlcheck -config $$c -nodes $(ML_NODES) -broadcasts $(ML_BROADCASTS) -detail \
	    -deadline $(ML_DEADLINE) > build/memberlist/real-$$c.jsonl & pids="$$pids $$!"; done; \
	rc=0; for p in $$pids; do wait $$p || rc=1; done; \
	python3 tests/memberlist/compare.py --md build/memberlist/compare.md $(FANOUT) \
	  $(ML_CONFIGS:%=build/memberlist/real-%.jsonl); exit $$rc

validate-memberlist-smoke: build/mlcheck
	@mkdir -p build/memberlist
	nice build/mlcheck -config lan -nodes 16 -broadcasts 15 -timeout 5s -deadline 60s -detail \
	  > build/memberlist/smoke.jsonl
	python3 tests/memberlist/compare.py --smoke build/memberlist/smoke.jsonl

# solve_for (transmit_limit, interval) against the simulator (docs/VALIDATION.md, "solve_for").
validate-solve: $(BUILD)/validate
	nice $(BUILD)/validate solve

# Work estimates against measured CPU time over a randomized grid (fixed seed, ~1 min),
# then whole requests with curves and long rounds through the request layer.
$(BUILD)/estimates: $(BUILD)/tests/bench/estimates.o $(SHARED_OBJ) $(LIB)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(CJSON_LIBS) -lm -pthread
$(BUILD)/tests/bench/estimates.o: ALL_CFLAGS += -Iserver/common

estimates: $(BUILD)/estimates
	$(BUILD)/estimates $(CASES)

# Issue 19's table: tradeoff with each memberlist preset at N = 30 … 10^6, targets
# 0.99 and 0.9999, estimate beside CPU time (~15 min under load; docs/PERFORMANCE.md).
validate-fleet: $(BUILD)/estimates $(UNIT)
	FANOUT_VALIDATE_FLEET=1 CK_RUN_SUITE=largen_timers CK_RUN_CASE=tradeoff_preset_rows nice $(UNIT)
	nice $(BUILD)/estimates fleet

# The binaries, the systemd unit (its ExecStart pointing into BINDIR), the
# man pages and the license.  Paths follow PREFIX; DESTDIR stages them for a package.
install: $(NODE) $(FANOUTD) $(FANOUT)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(UNITDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(DOCDIR)
	install -m 755 $(NODE) $(DESTDIR)$(BINDIR)/fanout-node
	install -m 755 $(FANOUTD) $(DESTDIR)$(BINDIR)/fanoutd
	install -m 755 $(FANOUT) $(DESTDIR)$(BINDIR)/fanout
	sed 's|@BINDIR@|$(BINDIR)|g' deploy/fanoutd.service.in > $(DESTDIR)$(UNITDIR)/fanoutd.service
	chmod 644 $(DESTDIR)$(UNITDIR)/fanoutd.service
	install -m 644 $(MANPAGES) $(DESTDIR)$(MANDIR)/man1/
	install -m 644 LICENSE $(DESTDIR)$(DOCDIR)/LICENSE

# make install into a temporary DESTDIR, checked file by file.
install-check: $(NODE) $(FANOUTD) $(FANOUT)
	bash tests/deploy/test_install.sh $(BUILD)

clean:
	rm -rf build/release build/san build/fuzz

# What the goals need, installed (by the rules under `deps`) before anything is built.
TEST_GOALS = test unit rational protocol http contract browser cli docs examples lint fuzz fuzzers fuzz-regress \
	     install-check identity soak
ifneq ($(filter-out clean,$(or $(MAKECMDGOALS),all)),)
-include $(DEPS_STAMP)
endif
ifneq ($(filter $(TEST_GOALS),$(MAKECMDGOALS)),)
-include $(TEST_DEPS_STAMP) $(NPM_STAMP)
endif

-include $(wildcard $(BUILD)/*/*.d $(BUILD)/*/*/*.d $(BUILD)/*/*/*/*.d)
