/* Internal interfaces shared by the sandbox/ files. Not installed. */
#ifndef BULKHEAD_SANDBOX_INTERNAL_H
#define BULKHEAD_SANDBOX_INTERNAL_H

#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <linux/filter.h>

#include "sandbox/sandbox.h"

/* ---- errors ------------------------------------------------------------ */

/* Sets *err (if err) to a newly allocated formatted message; returns rc. */
int sandbox_fail(char **err, int rc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* ---- seccomp (seccomp.c) ------------------------------------------------ */

struct sandbox_bpf {
    struct sock_fprog prog; /* filter points into memory owned by the cache */
};

/* The two filters the child loads before exec: the allowlist (no listener)
 * and the violation filter (gets the user-notification listener, or kills
 * when the kernel lacks user notification). Built once per process and per
 * network setting; the pointers stay valid for the life of the process. */
int sandbox_seccomp_filters(int network, const struct sandbox_bpf **allowlist,
                            const struct sandbox_bpf **violations, int *uses_notify, char **err);

/* Name of syscall nr on the audit arch, into buf ("?" when unknown). */
void sandbox_syscall_name(uint32_t audit_arch, long nr, char *name, size_t name_size,
                          char *arch, size_t arch_size);

/* ---- cgroups (cgroup.c) ------------------------------------------------- */

enum { SANDBOX_CG_MEMORY, SANDBOX_CG_CPU, SANDBOX_CG_CPUACCT, SANDBOX_CG_PIDS, SANDBOX_CG_UNIFIED,
       SANDBOX_CG_COUNT };

struct sandbox_cgroup {
    enum sandbox_cgroup_mode mode;
    /* v2: dirs[SANDBOX_CG_UNIFIED] only. v1: one dir per controller that we
     * created; the unified slot holds the controller-less v2 group if any.
     * Empty string = not in use. Fixed arrays so the signal path needs no malloc. */
    char dirs[SANDBOX_CG_COUNT][PATH_MAX];
    int has_kill; /* cgroup.kill exists in the unified dir */
};

struct sandbox_cgroup_stats {
    uint64_t peak_memory, oom_kills, pids_max_events, cpu_user_ns, cpu_system_ns;
    int have_peak, have_cpu;
};

/* Creates the per-child cgroup(s) and writes the requested limits. Refuses
 * (negative errno + message) when a requested cap cannot be enforced unless
 * the policy allows it; *enforced tells which happened. cg->mode is
 * SANDBOX_CGROUP_NONE when nothing could be created and nothing was needed. */
int sandbox_cgroup_create(const struct sandbox_policy *p, struct sandbox_cgroup *cg, int *enforced,
                          char **err);
/* Moves pid into every group; skip_unified when clone3 already put it in the v2 one. */
int sandbox_cgroup_attach(const struct sandbox_cgroup *cg, pid_t pid, int skip_unified, char **err);
void sandbox_cgroup_stats(const struct sandbox_cgroup *cg, struct sandbox_cgroup_stats *st);
/* Async-signal-safe. */
void sandbox_cgroup_kill(const struct sandbox_cgroup *cg);
/* Async-signal-safe: kills what is left, waits briefly for it to empty, rmdirs. */
int sandbox_cgroup_remove(struct sandbox_cgroup *cg);

/* ---- child setup (child.c) ---------------------------------------------- */

#define SANDBOX_PLAN_MAX_MOUNTS (SANDBOX_MAX_MOUNTS + 24)

enum sandbox_plan_kind {
    PLAN_BIND_DIR,   /* bind a directory */
    PLAN_BIND_FILE,  /* bind a file (create an empty file as mount point) */
    PLAN_SYMLINK,    /* create a symlink (merged-/usr links like /lib -> usr/lib) */
};

struct sandbox_plan_mount {
    enum sandbox_plan_kind kind;
    char source[PATH_MAX];
    char target[PATH_MAX];     /* absolute inside path */
    char link[PATH_MAX];       /* PLAN_SYMLINK content */
    int writable, exec, optional;
    int fd;                    /* child side: O_PATH fd, -1 when skipped */
};

/* Everything the child needs, computed by the parent before clone so the
 * child never allocates (it may be forked from a multithreaded host). */
struct sandbox_plan {
    int isolated, network, root_mode;
    int need_dumpable;         /* rootless host that is not dumpable */
    int exec_fd;               /* O_PATH of the executable */
    int sock;                  /* child's end of the handshake socket */
    int keep_fds[SANDBOX_MAX_KEEP_FDS];
    size_t keep_fd_count;
    int high_fd;               /* first fd above every inherited fd we care about */
    char *const *argv;
    char *const *envp;
    struct sandbox_plan_mount mounts[SANDBOX_PLAN_MAX_MOUNTS];
    size_t mount_count;
    char tmp_options[64];      /* "size=N,mode=1777" */
    char cwd[PATH_MAX];
    char hostname[64];
    const struct sandbox_bpf *allowlist, *violations;
    int uses_notify;
    int last_cap;
};

/* Message the child sends when setup fails. */
struct sandbox_child_error {
    int err;                   /* errno */
    char text[240];
};

/* Runs in the cloned child; never returns. */
void sandbox_child_main(struct sandbox_plan *plan) __attribute__((noreturn));

/* ---- handle (spawn.c / wait.c) ------------------------------------------ */

struct sandbox_child {
    pid_t pid;
    int pidfd;
    int notify_fd;             /* seccomp listener, -1 if none */
    int stop_fd;               /* eventfd that stops the supervisor */
    int registry_slot;
    int isolated;
    int limits_enforced;
    uint64_t start_ns, deadline_ns, timeout_ns, memory_limit, pids_limit;
    double cpus_limit;
    struct sandbox_cgroup cg;
    pthread_t supervisor;
    int supervisor_running;
    pthread_mutex_t lock;      /* guards the fields below */
    int timed_out;
    int violation;
    long violation_nr;
    uint32_t violation_arch;
};

uint64_t sandbox_now_ns(void);
int sandbox_supervisor_start(struct sandbox_child *c, char **err);
void sandbox_kill_all_processes(struct sandbox_child *c);
void sandbox_child_release(struct sandbox_child *c);

/* Registry used by sandbox_cleanup_all (registry.c). */
int sandbox_registry_add(struct sandbox_child *c);
void sandbox_registry_remove(int slot);

#endif
