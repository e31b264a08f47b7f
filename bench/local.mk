# bench/: the throughput benchmark (issue 5).  `make bench` generates the
# dataset with bench/gen, runs every case through bench/run and checks each
# output with bench/check.  BENCH_ARGS passes options, e.g.
#   make bench BENCH_ARGS='--size 1G --runs 3'
noinst_PROGRAMS += bench/gen bench/check bench/rusage
bench_gen_SOURCES = bench/gen.c bench/rowhash.h
bench_gen_CFLAGS = $(AM_CFLAGS) -O2
bench_check_SOURCES = bench/check.c bench/rowhash.h
bench_check_CFLAGS = $(AM_CFLAGS) -O2
bench_rusage_SOURCES = bench/rusage.c
EXTRA_DIST += bench/run bench/peer.py bench/profile bench/README.md bench/RESULTS.md

BENCH_ARGS =
bench: all
	$(srcdir)/bench/run --build $(abs_top_builddir) --results $(abs_top_builddir)/bench/results.md $(BENCH_ARGS)
.PHONY: bench

# The bench's own tools: gen/check agreement, damage detection, rusage.
TESTS += bench/selftest.sh
EXTRA_DIST += bench/selftest.sh

# The SDK's number conversions against the C library's (CPU ns per value).
noinst_PROGRAMS += bench/numbers
bench_numbers_SOURCES = bench/numbers.c
bench_numbers_CFLAGS = $(AM_CFLAGS) -O2
bench_numbers_LDADD = sdk/libbulkhead-sdk.a
BENCH_NUMBERS_ARGS =
bench-numbers: bench/numbers$(EXEEXT)
	bench/numbers$(EXEEXT) $(BENCH_NUMBERS_ARGS)
.PHONY: bench-numbers

# A parser and a formatter in one process, without the sandbox: the plugins'
# own CPU per record, and a program callgrind can run (see bench/README.md).
noinst_PROGRAMS += bench/pipe
bench_pipe_SOURCES = bench/pipe.c
bench_pipe_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS)
bench_pipe_LDADD = sdk/libbulkhead-testkit.a $(JANSSON_LIBS) -ldl -lm
