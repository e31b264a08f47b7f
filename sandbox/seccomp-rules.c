/* The seccomp policy, expressed with libseccomp. Compiled to BPF at build
 * time by sandbox/gen-filters (libseccomp takes 10-100 ms to build these
 * filters, far too slow for every run), and embedded into the library as
 * sandbox/filters.c. See sandbox/seccomp.c for how the filters stack. */
#include <errno.h>
#include <sched.h>
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sandbox/seccomp-rules.h"

/* What a data-transfer worker and its plugins need: files, memory, threads,
 * time, pipes, polling, sockets (family-filtered below). Names that do not
 * exist on an architecture are skipped there by libseccomp. */
static const char *const allowed[] = {
    "read", "write", "readv", "writev", "pread64", "pwrite64", "preadv", "pwritev", "preadv2",
    "pwritev2", "open", "openat", "openat2", "close", "close_range", "creat", "stat", "fstat",
    "lstat", "newfstatat", "statx", "statfs", "fstatfs", "lseek", "_llseek", "mmap", "mmap2",
    "mprotect", "munmap", "mremap", "madvise", "msync", "mincore", "brk", "rt_sigaction",
    "rt_sigprocmask", "rt_sigreturn", "rt_sigpending", "rt_sigtimedwait", "rt_sigsuspend",
    "rt_sigqueueinfo", "rt_tgsigqueueinfo", "sigaltstack", "sigreturn", "sigaction",
    "sigprocmask", "ioctl", "access", "faccessat", "faccessat2", "pipe", "pipe2", "select",
    "_newselect", "pselect6", "poll", "ppoll", "epoll_create", "epoll_create1", "epoll_ctl",
    "epoll_wait", "epoll_pwait", "epoll_pwait2", "eventfd", "eventfd2", "signalfd", "signalfd4",
    "timerfd_create", "timerfd_settime", "timerfd_gettime", "sched_yield", "sched_getaffinity",
    "sched_setaffinity", "sched_getparam", "sched_getscheduler", "sched_get_priority_max",
    "sched_get_priority_min", "sched_getattr", "dup", "dup2", "dup3", "nanosleep",
    "clock_nanosleep", "clock_gettime", "clock_getres", "gettimeofday", "time", "getitimer",
    "setitimer", "alarm", "timer_create", "timer_settime", "timer_gettime", "timer_getoverrun",
    "timer_delete", "getpid", "gettid", "getppid", "getuid", "geteuid", "getgid", "getegid",
    "getgroups", "getresuid", "getresgid", "getuid32", "geteuid32", "getgid32", "getegid32",
    "getgroups32", "getresuid32", "getresgid32", "getpgrp", "getpgid", "getsid", "setsid",
    "setpgid", "getrlimit", "ugetrlimit", "prlimit64", "getrusage", "sysinfo", "uname", "umask",
    "times", "getcwd", "chdir", "fchdir", "mkdir", "mkdirat", "rmdir", "rename", "renameat",
    "renameat2", "unlink", "unlinkat", "link", "linkat", "symlink", "symlinkat", "readlink",
    "readlinkat", "chmod", "fchmod", "fchmodat", "chown", "fchown", "lchown", "fchownat",
    "truncate", "ftruncate", "truncate64", "ftruncate64", "fallocate", "fsync", "fdatasync",
    "sync_file_range", "syncfs", "flock", "fcntl", "fcntl64", "getdents", "getdents64", "utime",
    "utimes", "utimensat", "futimesat", "sendfile", "sendfile64", "copy_file_range", "splice",
    "tee", "exit", "exit_group", "wait4", "waitid", "waitpid", "kill", "tgkill", "tkill",
    "clone", "fork", "vfork", "execve", "execveat", "futex", "futex_waitv", "set_robust_list",
    "get_robust_list", "set_tid_address", "arch_prctl", "prctl", "rseq", "getrandom",
    "memfd_create", "membarrier", "shmget", "shmat", "shmdt", "shmctl", "semget", "semop",
    "semctl", "semtimedop", "msgget", "msgsnd", "msgrcv", "msgctl", "connect", "accept",
    "accept4", "bind", "listen", "sendto", "recvfrom", "sendmsg", "recvmsg", "sendmmsg",
    "recvmmsg", "shutdown", "getsockname", "getpeername", "setsockopt", "getsockopt",
    "inotify_init", "inotify_init1", "inotify_add_watch", "inotify_rm_watch", "fadvise64",
    "fadvise64_64", "readahead", "capget", "getpriority", "setpriority", "ioprio_get", "getcpu",
    "restart_syscall", "pause", "mlock", "munlock", "stat64", "lstat64", "fstat64", "fstatat64",
    "statfs64", "fstatfs64", "clock_gettime64", "clock_nanosleep_time64", "clock_getres_time64",
    "futex_time64", "ppoll_time64", "pselect6_time64", "recvmmsg_time64",
    "rt_sigtimedwait_time64", "semtimedop_time64", "timer_settime64", "timer_gettime64",
    "timerfd_settime64", "timerfd_gettime64", "utimensat_time64", "pidfd_open",
    "pidfd_send_signal", "seccomp", "sched_rr_get_interval", "setrlimit", "mlock2",
};

/* Refused and reported as a sandbox violation (the sandbox is killed). */
static const char *const dangerous[] = {
    "ptrace", "process_vm_readv", "process_vm_writev", "mount", "umount", "umount2",
    "pivot_root", "chroot", "move_mount", "open_tree", "fsopen", "fsconfig", "fsmount", "fspick",
    "mount_setattr", "unshare", "setns", "bpf", "perf_event_open", "userfaultfd", "keyctl",
    "add_key", "request_key", "kexec_load", "kexec_file_load", "init_module", "finit_module",
    "delete_module", "io_uring_setup", "io_uring_enter", "io_uring_register",
    "open_by_handle_at",
};

static const unsigned long namespace_flags[] = {
    CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWIPC, CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET,
    CLONE_NEWCGROUP,
};

static const uint32_t extra_arches[] = { SCMP_ARCH_X86, SCMP_ARCH_X32 };

/* Adds the architectures the x86_64 kernel also accepts, so that a 32-bit or
 * x32 syscall cannot walk around the native rules. */
static int add_arches(scmp_filter_ctx ctx)
{
    for (size_t i = 0; i < sizeof extra_arches / sizeof extra_arches[0]; i++) {
        if (seccomp_arch_exist(ctx, extra_arches[i]) == 0)
            continue;
        int rc = seccomp_arch_add(ctx, extra_arches[i]);
        if (rc < 0 && rc != -EEXIST)
            return rc;
    }
    return 0;
}

static int rule(scmp_filter_ctx ctx, uint32_t action, const char *name, unsigned n,
                const struct scmp_arg_cmp *cmp)
{
    int nr = seccomp_syscall_resolve_name(name);
    if (nr == __NR_SCMP_ERROR)
        return 0; /* unknown to this libseccomp on every arch */
    int rc = seccomp_rule_add_array(ctx, action, nr, n, cmp);
    return rc == -EDOM ? 0 : rc;
}

static int build_allowlist(scmp_filter_ctx ctx, int network)
{
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < sizeof allowed / sizeof allowed[0]; i++)
        rc = rule(ctx, SCMP_ACT_ALLOW, allowed[i], 0, NULL);
    /* Filter 2 decides these; ALLOW here lets its USER_NOTIF answer win. */
    for (size_t i = 0; rc == 0 && i < sizeof dangerous / sizeof dangerous[0]; i++)
        rc = rule(ctx, SCMP_ACT_ALLOW, dangerous[i], 0, NULL);
    /* clone3 is deliberately absent: it gets the default ENOSYS, glibc falls
     * back to clone, whose flags are a register filter 2 can check (clone3's
     * live in memory). */
    static const unsigned long personas[] = { PER_LINUX, PER_LINUX32, 0xffffffffUL };
    for (size_t i = 0; rc == 0 && i < 3; i++) {
        struct scmp_arg_cmp c = SCMP_A0_64(SCMP_CMP_EQ, personas[i]);
        rc = rule(ctx, SCMP_ACT_ALLOW, "personality", 1, &c);
    }
    int families[3] = { AF_UNIX, AF_INET, AF_INET6 };
    for (size_t i = 0; rc == 0 && i < (network ? 3u : 1u); i++) {
        struct scmp_arg_cmp c = SCMP_A0_64(SCMP_CMP_EQ, (uint64_t)families[i]);
        rc = rule(ctx, SCMP_ACT_ALLOW, "socket", 1, &c);
    }
    if (rc == 0) {
        struct scmp_arg_cmp c = SCMP_A0_64(SCMP_CMP_EQ, AF_UNIX);
        rc = rule(ctx, SCMP_ACT_ALLOW, "socketpair", 1, &c);
    }
    return rc;
}

static int build_violations(scmp_filter_ctx ctx, uint32_t action)
{
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < sizeof dangerous / sizeof dangerous[0]; i++)
        rc = rule(ctx, action, dangerous[i], 0, NULL);
    for (size_t i = 0; rc == 0 && i < sizeof namespace_flags / sizeof namespace_flags[0]; i++) {
        struct scmp_arg_cmp c =
            SCMP_A0_64(SCMP_CMP_MASKED_EQ, namespace_flags[i], namespace_flags[i]);
        rc = rule(ctx, action, "clone", 1, &c);
    }
    static const unsigned long tty_cmds[] = { TIOCSTI, TIOCLINUX };
    for (size_t i = 0; rc == 0 && i < 2; i++) {
        struct scmp_arg_cmp c = SCMP_A1_64(SCMP_CMP_MASKED_EQ, 0xffffffffULL, tty_cmds[i]);
        rc = rule(ctx, action, "ioctl", 1, &c);
    }
    if (rc == 0)
        rc = rule(ctx, SCMP_ACT_ERRNO(ENOSYS), "socketcall", 0, NULL);
    return rc;
}

static int build_exec_ban(scmp_filter_ctx ctx)
{
    int rc = rule(ctx, SCMP_ACT_KILL_PROCESS, "execve", 0, NULL);
    if (rc == 0)
        rc = rule(ctx, SCMP_ACT_KILL_PROCESS, "execveat", 0, NULL);
    return rc;
}

/* Exports ctx as BPF into dst; dst->filter is malloc'd. */
static int export_bpf(scmp_filter_ctx ctx, struct sock_fprog *dst)
{
    int fd = memfd_create("bulkhead-bpf", MFD_CLOEXEC);
    if (fd < 0)
        return -errno;
    int rc = seccomp_export_bpf(ctx, fd);
    struct stat st;
    if (rc == 0 && fstat(fd, &st) < 0)
        rc = -errno;
    if (rc == 0 && (st.st_size <= 0 || st.st_size % sizeof(struct sock_filter) != 0 ||
                    st.st_size / sizeof(struct sock_filter) > BPF_MAXINSNS))
        rc = -E2BIG;
    struct sock_filter *insns = NULL;
    if (rc == 0 && !(insns = malloc((size_t)st.st_size)))
        rc = -ENOMEM;
    if (rc == 0 && pread(fd, insns, (size_t)st.st_size, 0) != st.st_size)
        rc = -EIO;
    close(fd);
    if (rc < 0) {
        free(insns);
        return rc;
    }
    dst->len = (unsigned short)(st.st_size / sizeof(struct sock_filter));
    dst->filter = insns;
    return 0;
}

int sandbox_seccomp_compile(enum sandbox_filter which, struct sock_fprog *out)
{
    int allowlist = which == SANDBOX_FILTER_ALLOW || which == SANDBOX_FILTER_ALLOW_NET;
    scmp_filter_ctx ctx = seccomp_init(allowlist ? SCMP_ACT_ERRNO(ENOSYS) : SCMP_ACT_ALLOW);
    if (!ctx)
        return -ENOMEM;
    /* The child sets no_new_privs itself, before loading. */
    int rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
    /* A binary tree instead of a linear list: the kernel emulates the filter
     * for every syscall number when it loads it (to cache constant answers),
     * so a short path per syscall makes each spawn ~1 ms faster. */
    if (rc == 0)
        rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
    if (rc == 0)
        rc = add_arches(ctx);
    if (rc == 0) {
        switch (which) {
        case SANDBOX_FILTER_ALLOW: rc = build_allowlist(ctx, 0); break;
        case SANDBOX_FILTER_ALLOW_NET: rc = build_allowlist(ctx, 1); break;
        case SANDBOX_FILTER_VIOLATIONS_NOTIFY: rc = build_violations(ctx, SCMP_ACT_NOTIFY); break;
        case SANDBOX_FILTER_VIOLATIONS_KILL: rc = build_violations(ctx, SCMP_ACT_KILL_PROCESS); break;
        case SANDBOX_FILTER_EXEC_BAN: rc = build_exec_ban(ctx); break;
        default: rc = -EINVAL;
        }
    }
    if (rc == 0)
        rc = export_bpf(ctx, out);
    seccomp_release(ctx);
    return rc;
}
