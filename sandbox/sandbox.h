/* sandbox: spawn a program in an isolated, resource-capped child and report
 * precisely how it ended.
 *
 * One call spawns (sandbox_spawn), one call reaps (sandbox_wait). Between the
 * two, a supervisor thread owned by the library enforces the wall-clock
 * timeout and turns a dangerous syscall into a recorded, fatal violation, so
 * the caller may block on its own control channel meanwhile.
 *
 * Isolation (unless isolation_off): new user, pid, mount, ipc, uts, cgroup
 * and (unless network) net namespaces; a tmpfs root entered with pivot_root
 * holding read-only system libraries, the caller's mounts, a size-capped
 * /tmp, a minimal /dev and a fresh /proc; every capability set empty,
 * no_new_privs, securebits locked, PR_SET_PDEATHSIG; all fds closed except
 * stdio and keep_fds; two seccomp filters; then the executable (opened before
 * the root switch) is exec'd. See docs/sandbox.md.
 *
 * Errors follow the project convention: 0 or a negative errno, plus an
 * allocated message in *err (caller frees) when err is not NULL. */
#ifndef BULKHEAD_SANDBOX_H
#define BULKHEAD_SANDBOX_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Named limits on what a policy may ask for. */
#define SANDBOX_MAX_MOUNTS 64
#define SANDBOX_MAX_KEEP_FDS 16
#define SANDBOX_MAX_ARGS 4096        /* argv + envp entries */
#define SANDBOX_DEFAULT_TMP_SIZE (64ULL << 20)
#define SANDBOX_DEFAULT_UID 65534    /* outside identity when the host is root */
#define SANDBOX_DEFAULT_NOFILE 4096  /* RLIMIT_NOFILE in the child */
#define SANDBOX_ID_CALLER ((unsigned)-1) /* uid/gid: keep the caller's identity */

struct sandbox_mount {
    const char *source; /* host path; opened by the child before the root switch */
    const char *target; /* absolute path inside; NULL = same as source */
    int writable;       /* 0: read-only */
    int exec;           /* 0: noexec (plugin directories need 1) */
    int optional;       /* 1: silently skipped when source does not exist */
};

/* Zero-initialise and fill what you need; every other field has a safe default. */
struct sandbox_policy {
    const char *executable;      /* required; opened O_PATH before the root switch */
    char *const *argv;           /* NULL: { executable, NULL } */
    char *const *envp;           /* NULL: empty environment */
    const int *keep_fds;         /* dup'd to 3, 4, ... in the child, in order */
    size_t keep_fd_count;
    const struct sandbox_mount *mounts;
    size_t mount_count;
    int network;                 /* 0: private netns with loopback only, AF_UNIX sockets only */
    uint64_t memory_max;         /* bytes, 0 = no cap; swap is capped at 0 on top of it */
    double cpus;                 /* CPU quota in cores, 0 = no cap */
    uint64_t pids_max;           /* 0 = no cap */
    uint64_t timeout_ns;         /* wall clock, 0 = none */
    uint64_t tmp_size;           /* private /tmp size, 0 = SANDBOX_DEFAULT_TMP_SIZE */
    int allow_unenforced_limits; /* run even when caps cannot be enforced */
    int isolation_off;           /* development/benchmark: fork+exec, cgroup only */
    const char *cgroup_parent;   /* optional per-tenant cgroup name ([A-Za-z0-9._-]) */
    uid_t uid;                   /* outside identity when the host is root; 0 = 65534;
                                  * SANDBOX_ID_CALLER = the caller's own uid (the bulkhead
                                  * host uses this, so files it can read stay readable; the
                                  * child still has no capabilities) -- requested by the lead */
    gid_t gid;                   /* 0 = 65534; SANDBOX_ID_CALLER = the caller's gid */
    const char *cwd;             /* inside; NULL = "/" */
    const char *hostname;        /* NULL = "bulkhead" */
};

enum sandbox_end {
    SANDBOX_EXITED = 0,   /* exit_code */
    SANDBOX_SIGNALED,     /* signal */
    SANDBOX_OOM,          /* memory cap hit; memory_limit */
    SANDBOX_TIMEOUT,      /* wall-clock timeout; timeout_ns */
    SANDBOX_SECCOMP,      /* forbidden syscall; syscall_nr/syscall_name */
    SANDBOX_PIDS_LIMIT,   /* pids cap hit and the child failed */
    SANDBOX_SETUP_FAILED, /* never reached the executable */
};

enum sandbox_cgroup_mode { SANDBOX_CGROUP_NONE = 0, SANDBOX_CGROUP_V1, SANDBOX_CGROUP_V2 };

struct sandbox_result {
    enum sandbox_end how;
    int exit_code;            /* SANDBOX_EXITED */
    int signal;               /* terminating signal, when there was one */
    long syscall_nr;          /* SANDBOX_SECCOMP; -1 when unknown */
    char syscall_name[32];
    char syscall_arch[16];
    uint64_t peak_memory;     /* bytes (cgroup peak, else ru_maxrss) */
    uint64_t memory_limit;    /* bytes, 0 = none */
    uint64_t pids_limit;
    double cpus_limit;
    uint64_t cpu_user_ns, cpu_system_ns, wall_ns, timeout_ns;
    enum sandbox_cgroup_mode cgroup;
    int limits_enforced;      /* 0 when caps were asked but ran unenforced */
    int isolated;             /* 0 with isolation_off */
    char message[256];        /* one human sentence */
};

struct sandbox_child;

/* Spawns the child. On success *out owns a child handle that sandbox_wait
 * frees. On failure nothing is left behind (no process, no cgroup). */
int sandbox_spawn(const struct sandbox_policy *policy, struct sandbox_child **out, char **err);

/* Blocks until the child (and everything it started) is gone, fills *res,
 * removes the cgroup and frees the handle (also on error). */
int sandbox_wait(struct sandbox_child *child, struct sandbox_result *res);

/* Kills the whole sandbox (every process in it) now; sandbox_wait still reaps. */
int sandbox_kill(struct sandbox_child *child);

/* The child's pid in the caller's pid namespace. */
pid_t sandbox_child_pid(const struct sandbox_child *child);

/* Async-signal-safe: kills every live sandbox of this process and removes its
 * cgroup. Call from the host's SIGINT/SIGTERM path before exiting. */
void sandbox_cleanup_all(void);

/* The outside uid/gid the child will run as under this policy, so the caller
 * can make its output directories writable for it. */
int sandbox_identity(const struct sandbox_policy *policy, uid_t *uid, gid_t *gid);

/* Called by the worker itself, in the sandbox, just before loading plugins:
 * stacks a filter that kills the process on execve/execveat. */
int sandbox_forbid_exec(char **err);

/* "exited", "signaled", "oom", "timeout", "seccomp", "pids_limit", "setup_failed". */
const char *sandbox_end_name(enum sandbox_end how);

struct json_t;
/* Returns (new reference, caller decrefs) the report's "sandbox" object. */
int sandbox_result_to_json(const struct sandbox_result *res, struct json_t **out);

#ifdef __cplusplus
}
#endif
#endif
