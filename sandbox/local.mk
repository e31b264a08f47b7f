# sandbox/: spawn a child with a policy (namespaces, pivot_root, seccomp,
# capabilities, cgroup v2/v1 caps, timeout) and report how it ended.
noinst_LIBRARIES += sandbox/libbhsandbox.a
sandbox_libbhsandbox_a_SOURCES = sandbox/sandbox.h sandbox/internal.h \
	sandbox/spawn.c sandbox/child.c sandbox/wait.c sandbox/cgroup.c \
	sandbox/seccomp.c sandbox/seccomp-rules.h sandbox/registry.c sandbox/result.c
nodist_sandbox_libbhsandbox_a_SOURCES = sandbox/filters.c

# The seccomp filters are compiled to BPF at build time: libseccomp needs
# 10-100 ms per compile, which every run would otherwise pay.
noinst_PROGRAMS += sandbox/gen-filters
sandbox_gen_filters_SOURCES = sandbox/gen-filters.c sandbox/seccomp-rules.c sandbox/seccomp-rules.h
sandbox_gen_filters_CFLAGS = $(AM_CFLAGS) $(SECCOMP_CFLAGS)
sandbox_gen_filters_LDADD = $(SECCOMP_LIBS)
sandbox/filters.c: sandbox/gen-filters$(EXEEXT)
	$(AM_V_GEN)$(MKDIR_P) sandbox && ./sandbox/gen-filters$(EXEEXT) >$@.tmp && mv $@.tmp $@
CLEANFILES += sandbox/filters.c
sandbox_libbhsandbox_a_CFLAGS = $(AM_CFLAGS) $(SECCOMP_CFLAGS) $(CAP_CFLAGS) $(JANSSON_CFLAGS)
# What a program using the library links with.
SANDBOX_LIBS = sandbox/libbhsandbox.a $(SECCOMP_LIBS) $(CAP_LIBS) $(JANSSON_LIBS)

# The helper the sandbox tests run inside the sandbox.
check_PROGRAMS += tests/sandbox/probe
tests_sandbox_probe_SOURCES = tests/sandbox/probe.c
tests_sandbox_probe_LDADD = $(SANDBOX_LIBS)

check_PROGRAMS += tests/unit/test-sandbox
tests_unit_test_sandbox_SOURCES = tests/unit/test-sandbox.c
tests_unit_test_sandbox_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(JANSSON_CFLAGS)
tests_unit_test_sandbox_LDADD = $(SANDBOX_LIBS) $(CHECK_LIBS)
TESTS += tests/unit/test-sandbox tests/sandbox/run-v2.sh

EXTRA_DIST += tests/sandbox/run-v2.sh bench/sandbox-start.sh docs/sandbox.md

# Start-up benchmark driver (bench/sandbox-start.sh).
check_PROGRAMS += tests/sandbox/spawn-bench
tests_sandbox_spawn_bench_SOURCES = tests/sandbox/spawn-bench.c
tests_sandbox_spawn_bench_LDADD = $(SANDBOX_LIBS)
