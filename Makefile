# perfkit — one GNU Makefile (redis/Lua scale).
#   make            libperfkit.a, libperfkit.so, perfkit, perfkit.pc (builds only)
#   make deps       install missing Debian packages (tools/deps.sh)
#   make test       unit tests (Criterion) + CLI integration tests
#   make sanitize   the whole suite again under ASan + UBSan (separate build dir)
#   make check      deps, then checksrc + layers + exports + clang-tidy + test +
#                   installcheck + sanitize + fuzz: what CI runs
#   make layers     lib/ keeps to the dependency graph of tools/layers.conf
#   make exports    libperfkit.so exports pk_ names only
#   make fuzz       libFuzzer on every parser, FUZZ_SECONDS (8) each
#   make tsan       the lock-free parts under ThreadSanitizer (tests/tsan/*.c)
#   make example    deps, then build and run the main job on the bundled example
#   make install    PREFIX=/usr/local (bin, lib, include, pkg-config, man pages,
#                   bash and zsh completions)
#   make doccheck   every `<!-- runnable -->` block of README.md and docs/*.md,
#                   in a fresh clone (tools/doccheck.sh)
# Only the README's two commands (`make example`, `make check`) install missing
# packages; every other target only builds or runs.

VERSION   := 0.1.0
PREFIX    ?= /usr/local
BUILD     ?= build
CC        ?= cc
SAN       ?=
OPT       ?= -O2 -g

WARN      := -Wall -Wextra -Wpedantic -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes
CPPFLAGS  += -Iinclude -Ilib -D_GNU_SOURCE -DPK_VERSION='"$(VERSION)"'
BASEFLAGS := -std=c17 $(WARN) -MMD -MP
CFLAGS    += $(BASEFLAGS) $(OPT) -fPIC -fvisibility=hidden $(SAN)
LDFLAGS   += $(SAN)
LIBS      := -lyaml -lsqlite3 -ljansson -lz -lbrotlienc -lzstd -lmicrohttpd -ldw -lelf -lxxhash -lpthread -lm
# PostgreSQL history (lib/store/pg*.c): libpq, its header outside /usr/include
LIBS      += -lpq
CPPFLAGS  += $(shell pkg-config --cflags-only-I libpq 2>/dev/null || echo -I/usr/include/postgresql)

ifneq ($(SAN),)
  export ASAN_OPTIONS ?= detect_leaks=1:abort_on_error=0
  export UBSAN_OPTIONS ?= print_stacktrace=1:halt_on_error=1
endif

LIB_SRC   := $(sort $(wildcard lib/*/*.c))
CLI_SRC   := $(sort $(wildcard cli/*.c))
TEST_SRC  := $(sort $(wildcard tests/unit/test_*.c))
HELPER_SRC:= $(sort $(wildcard tests/helpers/*.c tests/helpers/*.cc))

LIB_OBJ   := $(LIB_SRC:%.c=$(BUILD)/%.o)
CLI_OBJ   := $(CLI_SRC:%.c=$(BUILD)/%.o)
TEST_BIN  := $(TEST_SRC:tests/unit/%.c=$(BUILD)/tests/%)
HELPER_BIN:= $(patsubst tests/helpers/%.cc,$(BUILD)/helpers/%,$(HELPER_SRC:tests/helpers/%.c=$(BUILD)/helpers/%))

.PHONY: all deps test check sanitize example install installcheck clean tidy checksrc fuzz \
        layers exports doccheck tsan tsan-run
all: $(BUILD)/libperfkit.a $(BUILD)/libperfkit.so $(BUILD)/perfkit $(BUILD)/perfkit.pc \
     $(BUILD)/libperfkit-alloccount.a $(BUILD)/libperfkit-mem.so $(BUILD)/man/perfkit.1 \
     $(BUILD)/examples/memdemo $(BUILD)/examples/cache_metrics
all: $(BUILD)/examples/startup_demo $(BUILD)/examples/debounce_demo $(BUILD)/examples/batch_demo \
     $(BUILD)/examples/pool_demo $(BUILD)/examples/workers_demo

deps:
	@sh tools/deps.sh

$(BUILD)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

$(BUILD)/libperfkit.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/libperfkit.so: $(LIB_OBJ)
	$(CC) -shared -Wl,-soname,libperfkit.so.0 $(LDFLAGS) -o $@ $^ $(LIBS)

# Allocation counting for microbenchmarks: a malloc interposer users link on
# purpose, never part of libperfkit (preload/alloc_count.c). No sanitizer:
# ASan brings its own malloc.
$(BUILD)/preload/alloc_count.o: preload/alloc_count.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(BASEFLAGS) $(OPT) -fPIC -c $< -o $@

$(BUILD)/libperfkit-alloccount.a: $(BUILD)/preload/alloc_count.o
	@rm -f $@
	ar rcs $@ $^

# perfkit mem's recorder: an LD_PRELOAD interposer (preload/mem/), never
# part of libperfkit and never through pk_malloc. Frame pointers of its own
# (the stack walk starts in the hook's frame); only libc, -ldl, -lpthread;
# no sanitizer (ASan brings its own malloc).
MEMP_SRC  := $(sort $(wildcard preload/mem/*.c))
MEMP_OBJ  := $(MEMP_SRC:%.c=$(BUILD)/%.o)
$(BUILD)/preload/mem/%.o: preload/mem/%.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(BASEFLAGS) -O2 -g -fPIC -fno-omit-frame-pointer -fvisibility=hidden \
	    -ftls-model=initial-exec -c $< -o $@

$(BUILD)/libperfkit-mem.so: $(MEMP_OBJ)
	$(CC) -shared -Wl,-soname,libperfkit-mem.so -Wl,-z,nodelete -o $@ $^ -ldl -lpthread

$(BUILD)/perfkit: $(CLI_OBJ) $(BUILD)/libperfkit.a
	$(CC) $(LDFLAGS) -o $@ $(CLI_OBJ) $(BUILD)/libperfkit.a $(LIBS)

# pkg-config file. Outside /usr the libdir is not on the dynamic linker's
# path (and /usr/local/lib only after ldconfig), so Libs carries an rpath:
# a program built with `pkg-config --libs perfkit` finds libperfkit.so.0 at
# run time wherever PREFIX is.
comma     := ,
pkgconfig = printf 'prefix=%s\nlibdir=$${prefix}/lib\nincludedir=$${prefix}/include\n\nName: perfkit\nDescription: performance-engineering toolkit for native software\nVersion: %s\nRequires.private: jansson yaml-0.1 sqlite3 zlib libbrotlienc libzstd libmicrohttpd libdw libelf libxxhash libpq\nLibs: -L$${libdir} %s-lperfkit\nLibs.private: -lpthread -lm\nCflags: -I$${includedir}\n' '$(1)' '$(VERSION)' '$(if $(filter /usr /usr/,$(1)),,-Wl$(comma)-rpath$(comma)$${libdir} )'

$(BUILD)/perfkit.pc: Makefile
	@mkdir -p $(@D)
	@$(call pkgconfig,$(PREFIX)) > $@

# Man pages and completions from the binary's own --help (tools/helpgen.py):
# the usage text in cli/<command>.c is their one source.
$(BUILD)/man/perfkit.1: $(BUILD)/perfkit tools/helpgen.py
	python3 tools/helpgen.py $(BUILD)/perfkit $(BUILD)

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libperfkit.a
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -Wno-missing-prototypes -o $@ $< $(BUILD)/libperfkit.a $(LIBS) -lcriterion $(LDFLAGS)

# Helpers are measured, not tested: built without sanitizers (they also run
# under valgrind in instructions mode).
$(BUILD)/helpers/%: tests/helpers/%.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(BASEFLAGS) -O2 -o $@ $< -lm

# perfkit record's test program: a known profile (70% hot_a, 30% hot_b),
# with frame pointers (fp mode) and without (DWARF mode must still unwind).
$(BUILD)/helpers/profhot: tests/helpers/profhot.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(BASEFLAGS) -O1 -g -fno-omit-frame-pointer -o $@ $<

$(BUILD)/helpers/profhot-nofp: tests/helpers/profhot.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(BASEFLAGS) -O1 -g -fomit-frame-pointer -o $@ $<

HELPER_BIN += $(BUILD)/helpers/profhot-nofp

# Its C++ twin: mangled names (a template in a namespace, a method) that
# perfkit record demangles. An explicit rule: no Google Benchmark here.
$(BUILD)/helpers/profcpp: tests/helpers/profcpp.cc
	@mkdir -p $(@D)
	$(CXX) -std=c++17 -O1 -g -fno-omit-frame-pointer -o $@ $<

# perfkit mem's test programs (tests/helpers/mem_*.c): known allocation
# patterns, frame pointers so that the recorder's stacks reach main.
$(BUILD)/helpers/mem_%: tests/helpers/mem_%.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(BASEFLAGS) -O1 -g -fno-omit-frame-pointer -pthread -o $@ $< -ldl

# perfkit mem's test program: a known leak, peak and temporaries, with frame
# pointers (the interposer's default unwinding).
$(BUILD)/helpers/memknown: tests/helpers/memknown.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(BASEFLAGS) -O1 -g -fno-omit-frame-pointer -fno-inline -o $@ $<

# perfkit report's known history (tests/cli/t_report*.sh, bench/report.sh):
# a helper that writes a history through libperfkit.
$(BUILD)/helpers/mkhistory: tests/helpers/mkhistory.c $(BUILD)/libperfkit.a
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(BASEFLAGS) -O2 $(SAN) -o $@ $< $(BUILD)/libperfkit.a $(LIBS) $(LDFLAGS)

# Examples the CLI tests run (those present; each is added with its source).
TEST_EXAMPLES := $(patsubst examples/%.c,$(BUILD)/examples/%,$(wildcard examples/metrics_demo.c examples/trace_demo.c examples/microbench.c examples/check_demo.c))

test: all $(TEST_BIN) $(HELPER_BIN) $(TEST_EXAMPLES)
	@HELPERS=$(BUILD)/helpers sh tests/run-unit.sh $(TEST_BIN)
	@sh tests/run-store-pg.sh $(filter $(PG_TESTS),$(TEST_BIN))
	@PERFKIT=$(BUILD)/perfkit HELPERS=$(BUILD)/helpers EXAMPLES=$(BUILD)/examples sh tests/cli/run.sh

# The store's tests again on a private PostgreSQL server (tests/run-store-pg.sh;
# PERFKIT_TEST_STORE): the shared store suite, the backend's own cases, and
# the gate's history logic over it.
PG_TESTS  := $(addprefix $(BUILD)/tests/,test_store test_store_safety test_store_profile \
             test_store_pg test_check_history test_check_creep test_check_unpaired)

# Compiling runs on every core; the tests themselves run one at a time.
JOBS      ?= $(shell nproc 2>/dev/null || echo 2)

check:
	@$(MAKE) --no-print-directory deps
	$(MAKE) checksrc
	$(MAKE) -j$(JOBS) layers
	$(MAKE) exports
	$(MAKE) -j$(JOBS) tidy
	$(MAKE) -j$(JOBS) test
	$(MAKE) installcheck
	$(MAKE) -j$(JOBS) sanitize
	$(MAKE) -j$(JOBS) tsan
	$(MAKE) -j$(JOBS) fuzz
	$(MAKE) doccheck

# The runnable blocks of the docs, as written, in a fresh clone.
doccheck:
	@sh tools/doccheck.sh

# The same suite under ASan+UBSan; the PostgreSQL concurrency test in 5
# rounds of 8 writers instead of 20 (the locking is the same, the time is not).
sanitize:
	PG_ROUNDS=5 $(MAKE) BUILD=build-san SAN='-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined' OPT='-O1 -g' test

# Examples are programs using libperfkit, built like a user would build them.
$(BUILD)/examples/%: examples/%.c $(BUILD)/libperfkit.a
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(BASEFLAGS) $(OPT) $(SAN) -o $@ $< $(BUILD)/libperfkit.a $(LIBS) $(LDFLAGS)

# perfkit mem's walkthrough program (docs/mem.md): plain C, no libperfkit,
# frame pointers for the interposer's stacks, no inlining of its functions.
$(BUILD)/examples/memdemo: examples/memdemo.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(BASEFLAGS) -O1 -g -fno-omit-frame-pointer -fno-inline -o $@ $<

# Google Benchmark programs (C++, libbenchmark-dev): the example and a test helper.
CXX       ?= c++
$(BUILD)/examples/%: examples/%.cc
	@mkdir -p $(@D)
	$(CXX) -std=c++17 -O2 -o $@ $< -lbenchmark -lbenchmark_main -lpthread

$(BUILD)/helpers/%: tests/helpers/%.cc
	@mkdir -p $(@D)
	$(CXX) -std=c++17 -O2 -o $@ $< -lbenchmark -lbenchmark_main -lpthread

EXAMPLES  := $(BUILD)/examples/sortdemo $(BUILD)/examples/gbench_sort

# The main job on the bundled example. The config's paths say build/, so the
# example always runs from the default build directory.
example:
	@$(MAKE) --no-print-directory deps
	$(MAKE) all $(EXAMPLES)
	@echo "$(BUILD)/perfkit check examples/perfkit.yml"; \
	rc=0; $(BUILD)/perfkit check examples/perfkit.yml || rc=$$?; \
	if [ $$rc -eq 1 ]; then \
	    echo "make example: the check ran; its verdict is FAILED on this machine (exit 1, above)"; \
	elif [ $$rc -ne 0 ]; then exit $$rc; fi

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib/pkgconfig $(DESTDIR)$(PREFIX)/include/perfkit
	install -m 755 $(BUILD)/perfkit $(DESTDIR)$(PREFIX)/bin/
	install -m 644 $(BUILD)/libperfkit.a $(BUILD)/libperfkit-alloccount.a $(DESTDIR)$(PREFIX)/lib/
	install -d $(DESTDIR)$(PREFIX)/lib/perfkit
	install -m 755 $(BUILD)/libperfkit-mem.so $(DESTDIR)$(PREFIX)/lib/perfkit/
	install -m 755 $(BUILD)/libperfkit.so $(DESTDIR)$(PREFIX)/lib/libperfkit.so.0
	ln -sf libperfkit.so.0 $(DESTDIR)$(PREFIX)/lib/libperfkit.so
	install -m 644 include/perfkit/*.h $(DESTDIR)$(PREFIX)/include/perfkit/
	$(call pkgconfig,$(PREFIX)) > $(DESTDIR)$(PREFIX)/lib/pkgconfig/perfkit.pc
	install -d $(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(PREFIX)/share/bash-completion/completions \
	    $(DESTDIR)$(PREFIX)/share/zsh/site-functions
	install -m 644 $(BUILD)/man/*.1 $(DESTDIR)$(PREFIX)/share/man/man1/
	install -m 644 $(BUILD)/completions/perfkit $(DESTDIR)$(PREFIX)/share/bash-completion/completions/perfkit
	install -m 644 $(BUILD)/completions/_perfkit $(DESTDIR)$(PREFIX)/share/zsh/site-functions/_perfkit

# Fuzz every parser briefly (libFuzzer, clang): FUZZ_SECONDS per target.
# The library is compiled once for all targets (fuzzer-no-link), in parallel.
FUZZ_SECONDS ?= 8
FUZZ_SRC  := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_FLAGS:= -std=c17 -g -O1 -fsanitize=fuzzer-no-link,address,undefined
FUZZ_OBJ  := $(LIB_SRC:%.c=build-fuzz/%.o)
FUZZ_BIN  := $(FUZZ_SRC:tests/fuzz/%.c=build-fuzz/%)

build-fuzz/%.o: %.c
	@mkdir -p $(@D)
	clang $(CPPFLAGS) $(FUZZ_FLAGS) -MMD -MP -c $< -o $@

build-fuzz/libperfkit-fuzz.a: $(FUZZ_OBJ)
	@rm -f $@
	ar rcs $@ $^

build-fuzz/fuzz_%: tests/fuzz/fuzz_%.c build-fuzz/libperfkit-fuzz.a
	clang $(CPPFLAGS) -std=c17 -g -O1 -fsanitize=fuzzer,address,undefined \
	    -o $@ $< build-fuzz/libperfkit-fuzz.a $(LIBS)

fuzz: $(FUZZ_BIN)
	@for f in $(FUZZ_SRC); do \
	    n=$$(basename $$f .c); t=$${n#fuzz_}; \
	    mkdir -p build-fuzz/corpus-$$t; \
	    if ! build-fuzz/$$n -max_total_time=$(FUZZ_SECONDS) -max_len=512 \
	            -artifact_prefix=build-fuzz/$$n- build-fuzz/corpus-$$t tests/fuzz/corpus/$$t \
	            > build-fuzz/$$n.log 2>&1; then \
	        tail -n 30 build-fuzz/$$n.log; echo "fuzz: $$n found a crash (build-fuzz/$$n-crash-*)"; \
	        exit 1; \
	    fi; \
	    echo "fuzz: $$n $$(grep -o 'Done [0-9]* runs' build-fuzz/$$n.log)"; \
	done

# ThreadSanitizer drivers (tests/tsan/*.c: standalone programs, as
# Criterion's runner does not run under TSan), each linked against the
# library built with -fsanitize=thread in build-tsan; a TSan report fails.
TSAN_SRC  := $(sort $(wildcard tests/tsan/*.c))
tsan:
	@$(MAKE) --no-print-directory BUILD=build-tsan SAN=-fsanitize=thread OPT='-O1 -g' tsan-run

tsan-run: $(TSAN_SRC:tests/tsan/%.c=$(BUILD)/tsan/%)
	@for t in $^; do TSAN_OPTIONS=halt_on_error=1 $$t || exit 1; done

$(BUILD)/tsan/%: tests/tsan/%.c $(BUILD)/libperfkit.a
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -o $@ $< $(BUILD)/libperfkit.a $(LIBS) $(LDFLAGS)

# Install into a staging prefix and build an example the way a user would:
# #include <perfkit/perfkit.h> and pkg-config --cflags --libs perfkit, and run
# it with nothing else (the .pc's rpath finds libperfkit.so.0). Then every
# man page renders without a warning and the completions load.
installcheck: all
	rm -rf $(BUILD)/stage
	$(MAKE) --no-print-directory install PREFIX=$(CURDIR)/$(BUILD)/stage >/dev/null
	PKG_CONFIG_PATH=$(CURDIR)/$(BUILD)/stage/lib/pkgconfig sh -c \
	    '$(CC) -std=c17 -Wall -Werror -o $(BUILD)/stage/pkgdemo examples/pkgdemo.c \
	        $$(pkg-config --cflags --libs perfkit)'
	env -u LD_LIBRARY_PATH $(BUILD)/stage/pkgdemo
	PERFKIT_MEM_OUT=$(BUILD)/stage/pkgdemo.pkmem LD_PRELOAD=$(CURDIR)/$(BUILD)/stage/lib/perfkit/libperfkit-mem.so \
	    $(BUILD)/stage/pkgdemo >/dev/null && head -c 6 $(BUILD)/stage/pkgdemo.pkmem | grep -q PKMEM
	STAGE=$(CURDIR)/$(BUILD)/stage sh tools/installcheck-docs.sh
	PKG_CONFIG_PATH=$(CURDIR)/$(BUILD)/stage/lib/pkgconfig sh -c \
	    '$(CC) -std=c17 -Wall -Werror -o $(BUILD)/stage/pkgdemo-static examples/pkgdemo.c \
	        $$(pkg-config --cflags perfkit) $(BUILD)/stage/lib/libperfkit.a \
	        $$(pkg-config --libs $$(pkg-config --print-requires-private perfkit)) -lpthread -lm'
	$(BUILD)/stage/pkgdemo-static

# clang-tidy per file, in parallel (make -j); a stamp per file, redone when
# the file's object is (that is, when it or a header it includes changed).
TIDY_OK   := $(LIB_SRC:%.c=$(BUILD)/tidy/%.ok) $(CLI_SRC:%.c=$(BUILD)/tidy/%.ok)
$(BUILD)/tidy/%.ok: %.c $(BUILD)/%.o
	@mkdir -p $(@D)
	@clang-tidy --quiet $< -- $(CPPFLAGS) -std=c17 2>$@.err; rc=$$?; \
	    grep -Ev '^[0-9]+ (warning|error)s? (and [0-9]+ (warning|error)s? )?generated\.$$' $@.err >&2; \
	    rm -f $@.err; [ $$rc -eq 0 ] && touch $@

tidy: $(TIDY_OK)

checksrc:
	@sh tools/checksrc.sh

# The allowed dependency graph (tools/layers.conf): includes in the sources,
# pk_ symbols between the objects of $(BUILD), cycles, cli's includes.
layers: all
	@BUILD=$(BUILD) sh tools/layers.sh

# The dynamic symbol table: pk_ names and the listed pk__ ones only.
exports: $(BUILD)/libperfkit.so
	@sh tools/exports.sh $(BUILD)/libperfkit.so

clean:
	rm -rf build build-san build-tsan

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
-include $(wildcard $(FUZZ_OBJ:.o=.d))
-include $(wildcard $(TSAN_OBJ:.o=.d))
