/* sandbox_spawn: the parent side. Validates the policy, plans the child's
 * filesystem, builds the seccomp filters, creates the cgroup, clones the
 * child into its namespaces, writes its uid/gid maps, lets it go and waits
 * until it has exec'd (or reported why it could not). */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sandbox/internal.h"

#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x00001000
#endif
#define SANDBOX_CLONE_INTO_CGROUP 0x200000000ULL

/* struct clone_args of <linux/sched.h>, version 2 (with cgroup). */
struct sandbox_clone_args {
    uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
    uint64_t set_tid, set_tid_size, cgroup;
};

/* Like fork() with namespace flags: 0 in the child, the pid in the parent.
 * With cgroup_fd >= 0 it first tries clone3(CLONE_INTO_CGROUP), which starts
 * the child inside its v2 group without a migration (a migration costs an
 * RCU grace period); *in_cgroup tells whether that worked. */
static long clone_child(unsigned long flags, int *pidfd, int cgroup_fd, int *in_cgroup)
{
    *in_cgroup = 0;
    if (cgroup_fd >= 0) {
        struct sandbox_clone_args args;
        memset(&args, 0, sizeof args);
        args.flags = (flags & ~(unsigned long)CSIGNAL) | SANDBOX_CLONE_INTO_CGROUP;
        args.pidfd = (uint64_t)(uintptr_t)pidfd;
        args.exit_signal = SIGCHLD;
        args.cgroup = (uint64_t)cgroup_fd;
        long pid = syscall(SYS_clone3, &args, sizeof args);
        if (pid >= 0) {
            *in_cgroup = 1;
            return pid;
        }
        if (errno != ENOSYS && errno != E2BIG && errno != EINVAL && errno != EOPNOTSUPP)
            return -1;
    }
    return syscall(SYS_clone, flags, NULL, pidfd, NULL, 0);
}

/* Inside paths the sandbox itself provides; user mounts may not cover them. */
static const char *const reserved_prefixes[] = { "/proc", "/dev", "/usr", "/lib", "/lib64",
                                                 "/lib32", "/libx32", "/bin", "/sbin", "/etc" };

static const char *const system_dirs[] = { "/usr", "/lib", "/lib64", "/lib32", "/libx32", "/bin",
                                           "/sbin" };
static const char *const system_files[] = { "/etc/ld.so.cache", "/etc/ld.so.conf",
                                            "/etc/localtime" };
/* Name resolution and TLS roots, only when network is granted. */
static const char *const network_files[] = { "/etc/resolv.conf", "/etc/hosts",
                                             "/etc/nsswitch.conf", "/etc/gai.conf",
                                             "/etc/host.conf", "/etc/ssl" };
static const char *const device_nodes[] = { "/dev/null", "/dev/zero", "/dev/full", "/dev/random",
                                            "/dev/urandom" };

static int under(const char *path, const char *prefix)
{
    size_t n = strlen(prefix);
    return strncmp(path, prefix, n) == 0 && (path[n] == 0 || path[n] == '/');
}

/* Absolute, no empty, "." or ".." components, no trailing slash. */
static int clean_absolute(const char *path)
{
    if (path[0] != '/' || path[1] == 0)
        return 0;
    for (const char *p = path; *p;) {
        const char *comp = ++p;
        while (*p && *p != '/')
            p++;
        size_t len = (size_t)(p - comp);
        if (len == 0 || (len == 1 && comp[0] == '.') || (len == 2 && comp[0] == '.' && comp[1] == '.'))
            return 0;
    }
    return 1;
}

static struct sandbox_plan_mount *plan_add(struct sandbox_plan *plan)
{
    if (plan->mount_count >= SANDBOX_PLAN_MAX_MOUNTS)
        return NULL;
    struct sandbox_plan_mount *m = &plan->mounts[plan->mount_count++];
    memset(m, 0, sizeof *m);
    m->fd = -1;
    return m;
}

static void plan_system(struct sandbox_plan *plan, int network)
{
    struct stat st;
    for (size_t i = 0; i < sizeof system_dirs / sizeof system_dirs[0]; i++) {
        if (lstat(system_dirs[i], &st) < 0)
            continue;
        struct sandbox_plan_mount *m = plan_add(plan);
        snprintf(m->target, sizeof m->target, "%s", system_dirs[i]);
        if (S_ISLNK(st.st_mode)) {
            ssize_t n = readlink(system_dirs[i], m->link, sizeof m->link - 1);
            if (n <= 0) {
                plan->mount_count--;
                continue;
            }
            m->link[n] = 0;
            m->kind = PLAN_SYMLINK;
        } else {
            m->kind = PLAN_BIND_DIR;
            snprintf(m->source, sizeof m->source, "%s", system_dirs[i]);
            m->exec = 1;
            m->optional = 1;
        }
    }
    for (int pass = 0; pass < 3; pass++) {
        const char *const *list = pass == 0 ? system_files : pass == 1 ? network_files : device_nodes;
        size_t n = pass == 0   ? sizeof system_files / sizeof system_files[0]
                   : pass == 1 ? (network ? sizeof network_files / sizeof network_files[0] : 0)
                               : sizeof device_nodes / sizeof device_nodes[0];
        for (size_t i = 0; i < n; i++) {
            if (stat(list[i], &st) < 0)
                continue;
            struct sandbox_plan_mount *m = plan_add(plan);
            m->kind = S_ISDIR(st.st_mode) ? PLAN_BIND_DIR : PLAN_BIND_FILE;
            snprintf(m->source, sizeof m->source, "%s", list[i]);
            snprintf(m->target, sizeof m->target, "%s", list[i]);
            m->optional = 1;
        }
    }
}

static int plan_user_mounts(struct sandbox_plan *plan, const struct sandbox_policy *p, char **err)
{
    size_t order[SANDBOX_MAX_MOUNTS];
    for (size_t i = 0; i < p->mount_count; i++) {
        const struct sandbox_mount *um = &p->mounts[i];
        const char *target = um->target ? um->target : um->source;
        if (!um->source || !clean_absolute(um->source))
            return sandbox_fail(err, -EINVAL, "mount source \"%s\" must be a clean absolute path",
                                um->source ? um->source : "(null)");
        if (!clean_absolute(target) || strlen(target) + 16 >= PATH_MAX)
            return sandbox_fail(err, -EINVAL, "mount target \"%s\" must be a clean absolute path",
                                target);
        if (strcmp(target, "/tmp") == 0)
            return sandbox_fail(err, -EINVAL, "mount target /tmp is the sandbox's private /tmp");
        for (size_t r = 0; r < sizeof reserved_prefixes / sizeof reserved_prefixes[0]; r++)
            if (under(target, reserved_prefixes[r]))
                return sandbox_fail(err, -EINVAL,
                                    "mount target \"%s\" is inside %s, which the sandbox provides",
                                    target, reserved_prefixes[r]);
        order[i] = i;
    }
    /* Parents before children ("/data" before "/data/out"). */
    for (size_t i = 1; i < p->mount_count; i++)
        for (size_t j = i; j > 0; j--) {
            const struct sandbox_mount *a = &p->mounts[order[j - 1]], *b = &p->mounts[order[j]];
            if (strcmp(a->target ? a->target : a->source, b->target ? b->target : b->source) <= 0)
                break;
            size_t t = order[j];
            order[j] = order[j - 1];
            order[j - 1] = t;
        }
    for (size_t i = 0; i < p->mount_count; i++) {
        const struct sandbox_mount *um = &p->mounts[order[i]];
        struct sandbox_plan_mount *m = plan_add(plan);
        if (!m)
            return sandbox_fail(err, -E2BIG, "too many mounts");
        m->kind = PLAN_BIND_DIR; /* the child checks the real type on its fd */
        snprintf(m->source, sizeof m->source, "%s", um->source);
        snprintf(m->target, sizeof m->target, "%s", um->target ? um->target : um->source);
        m->writable = !!um->writable;
        m->exec = !!um->exec;
        m->optional = !!um->optional;
    }
    return 0;
}

int sandbox_identity(const struct sandbox_policy *p, uid_t *uid, gid_t *gid)
{
    if (!p->isolation_off && geteuid() == 0) {
        *uid = p->uid == (uid_t)SANDBOX_ID_CALLER ? geteuid() : p->uid ? p->uid : SANDBOX_DEFAULT_UID;
        *gid = p->gid == (gid_t)SANDBOX_ID_CALLER ? getegid() : p->gid ? p->gid : SANDBOX_DEFAULT_UID;
    } else {
        *uid = geteuid();
        *gid = getegid();
    }
    return 0;
}

static int write_proc(pid_t pid, const char *file, const char *text)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/%s", (int)pid, file);
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    ssize_t n = write(fd, text, strlen(text));
    int rc = n == (ssize_t)strlen(text) ? 0 : n < 0 ? -errno : -EIO;
    close(fd);
    return rc;
}

static int write_id_maps(pid_t pid, const struct sandbox_plan *plan, uid_t uid, gid_t gid,
                         char **err)
{
    char map[64];
    int rc = 0;
    if (!plan->root_mode)
        rc = write_proc(pid, "setgroups", "deny");
    snprintf(map, sizeof map, "0 %u 1\n", (unsigned)uid);
    if (rc == 0)
        rc = write_proc(pid, "uid_map", map);
    snprintf(map, sizeof map, "0 %u 1\n", (unsigned)gid);
    if (rc == 0)
        rc = write_proc(pid, "gid_map", map);
    if (rc < 0)
        return sandbox_fail(err, rc, "cannot write the child's uid/gid map: %s", strerror(-rc));
    return 0;
}

/* Waits for the child's exec (EOF on the socket), its setup error, or its
 * seccomp listener (then keeps waiting). */
static int handshake(int sock, struct sandbox_child *c, char **err)
{
    int reset_seen = 0;
    for (;;) {
        struct sandbox_child_error e;
        memset(&e, 0, sizeof e);
        struct iovec iov = { &e, sizeof e };
        union {
            struct cmsghdr h;
            char buf[CMSG_SPACE(sizeof(int))];
        } ctl;
        struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf,
                              .msg_controllen = sizeof ctl.buf };
        ssize_t n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
        if (n < 0 && errno == EINTR)
            continue;
        /* A child that fails exits with our 'c' unread: the kernel then
         * reports ECONNRESET once, before the error message it queued. */
        if (n < 0 && errno == ECONNRESET && !reset_seen) {
            reset_seen = 1;
            continue;
        }
        if (n < 0)
            return sandbox_fail(err, -errno, "sandbox handshake failed: %s", strerror(errno));
        if (n == 0)
            return 0; /* exec'd: the child's end was close-on-exec */
        struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
        if (cm && cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS) {
            int fd;
            memcpy(&fd, CMSG_DATA(cm), sizeof fd);
            if (c->notify_fd >= 0)
                close(c->notify_fd);
            c->notify_fd = fd;
            continue;
        }
        if ((size_t)n == sizeof e) {
            e.text[sizeof e.text - 1] = 0;
            int code = e.err > 0 ? e.err : EIO;
            return sandbox_fail(err, -code, "sandbox setup failed: %s: %s", e.text, strerror(code));
        }
        return sandbox_fail(err, -EPROTO, "sandbox handshake: unexpected message");
    }
}

static void child_free(struct sandbox_child *c)
{
    if (!c)
        return;
    if (c->pidfd >= 0)
        close(c->pidfd);
    if (c->notify_fd >= 0)
        close(c->notify_fd);
    if (c->stop_fd >= 0)
        close(c->stop_fd);
    pthread_mutex_destroy(&c->lock);
    free(c);
}

static int build_plan(const struct sandbox_policy *p, struct sandbox_plan *plan,
                      char *const *default_argv, char *const *default_envp, char **err)
{
    plan->isolated = !p->isolation_off;
    plan->network = !!p->network;
    plan->root_mode = geteuid() == 0;
    plan->exec_fd = -1;
    plan->sock = -1;
    plan->argv = p->argv ? p->argv : default_argv;
    plan->envp = p->envp ? p->envp : default_envp;
    size_t args = 0;
    for (char *const *a = plan->argv; *a && args <= SANDBOX_MAX_ARGS; a++)
        args++;
    for (char *const *a = plan->envp; *a && args <= SANDBOX_MAX_ARGS; a++)
        args++;
    if (args > SANDBOX_MAX_ARGS || !plan->argv[0])
        return sandbox_fail(err, -E2BIG, "argv must be non-empty and argv+envp at most %d entries",
                            SANDBOX_MAX_ARGS);
    if (p->keep_fd_count > SANDBOX_MAX_KEEP_FDS)
        return sandbox_fail(err, -E2BIG, "at most %d kept fds (got %zu)", SANDBOX_MAX_KEEP_FDS,
                            p->keep_fd_count);
    if (p->mount_count > SANDBOX_MAX_MOUNTS)
        return sandbox_fail(err, -E2BIG, "at most %d mounts (got %zu)", SANDBOX_MAX_MOUNTS,
                            p->mount_count);
    int high = 4 + (int)p->keep_fd_count;
    for (size_t i = 0; i < p->keep_fd_count; i++) {
        if (p->keep_fds[i] < 0 || fcntl(p->keep_fds[i], F_GETFD) < 0)
            return sandbox_fail(err, -EBADF, "kept fd %d is not open", p->keep_fds[i]);
        plan->keep_fds[i] = p->keep_fds[i];
        if (p->keep_fds[i] > high)
            high = p->keep_fds[i];
    }
    plan->keep_fd_count = p->keep_fd_count;
    plan->high_fd = high + 1;
    uint64_t tmp = p->tmp_size ? p->tmp_size : SANDBOX_DEFAULT_TMP_SIZE;
    snprintf(plan->tmp_options, sizeof plan->tmp_options, "size=%llu,mode=1777",
             (unsigned long long)tmp);
    if (p->cwd && (!clean_absolute(p->cwd) && strcmp(p->cwd, "/") != 0))
        return sandbox_fail(err, -EINVAL, "cwd \"%s\" must be a clean absolute path", p->cwd);
    snprintf(plan->cwd, sizeof plan->cwd, "%s", p->cwd ? p->cwd : plan->isolated ? "/" : "");
    snprintf(plan->hostname, sizeof plan->hostname, "%s", p->hostname ? p->hostname : "bulkhead");
    if (!plan->isolated)
        return 0;
    if (!plan->root_mode && p->uid && p->uid != (uid_t)SANDBOX_ID_CALLER && p->uid != geteuid())
        return sandbox_fail(err, -EPERM, "without root the child can only run as uid %u",
                            (unsigned)geteuid());
    plan->need_dumpable = !plan->root_mode && prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) != 1;
    plan->last_cap = (int)cap_max_bits() - 1;
    if (plan->last_cap < CAP_LAST_CAP)
        plan->last_cap = CAP_LAST_CAP;
    plan_system(plan, p->network);
    int rc = plan_user_mounts(plan, p, err);
    if (rc < 0)
        return rc;
    return sandbox_seccomp_filters(p->network, &plan->allowlist, &plan->violations,
                                   &plan->uses_notify, err);
}

int sandbox_spawn(const struct sandbox_policy *p, struct sandbox_child **out, char **err)
{
    if (!p || !p->executable || !out)
        return sandbox_fail(err, -EINVAL, "sandbox_spawn: executable is required");
    if (p->cpus < 0 || p->cpus > 4096)
        return sandbox_fail(err, -EINVAL, "cpus must be between 0 and 4096");
    char *default_argv[] = { (char *)p->executable, NULL };
    char *default_envp[] = { NULL };
    int sv[2] = { -1, -1 };
    int rc = 0;
    struct sandbox_plan *plan = calloc(1, sizeof *plan);
    struct sandbox_child *c = calloc(1, sizeof *c);
    if (!plan || !c) {
        free(plan);
        free(c);
        return sandbox_fail(err, -ENOMEM, "out of memory");
    }
    pthread_mutex_init(&c->lock, NULL);
    c->pidfd = c->notify_fd = c->stop_fd = -1;
    c->registry_slot = -1;
    c->isolated = !p->isolation_off;
    c->timeout_ns = p->timeout_ns;
    c->memory_limit = p->memory_max;
    c->pids_limit = p->pids_max;
    c->cpus_limit = p->cpus;
    c->limits_enforced = 1;

    rc = build_plan(p, plan, default_argv, default_envp, err);
    if (rc < 0)
        goto fail;
    uid_t uid;
    gid_t gid;
    sandbox_identity(p, &uid, &gid);

    plan->exec_fd = open(p->executable, O_PATH | O_CLOEXEC);
    struct stat st;
    if (plan->exec_fd < 0 || fstat(plan->exec_fd, &st) < 0) {
        rc = sandbox_fail(err, -errno, "cannot open %s: %s", p->executable, strerror(errno));
        goto fail;
    }
    if (!S_ISREG(st.st_mode) || faccessat(AT_FDCWD, p->executable, X_OK, AT_EACCESS) < 0) {
        rc = sandbox_fail(err, -EACCES, "%s is not an executable file", p->executable);
        goto fail;
    }
    if (plan->exec_fd >= plan->high_fd)
        plan->high_fd = plan->exec_fd + 1;

    int want_caps = p->memory_max || p->cpus > 0 || p->pids_max;
    if (c->isolated || want_caps) {
        rc = sandbox_cgroup_create(p, &c->cg, &c->limits_enforced, err);
        if (rc < 0)
            goto fail;
    }
    if ((c->stop_fd = eventfd(0, EFD_CLOEXEC)) < 0 ||
        socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
        rc = sandbox_fail(err, -errno, "cannot create the handshake socket: %s", strerror(errno));
        goto fail;
    }
    plan->sock = sv[1];
    if (sv[0] >= plan->high_fd)
        plan->high_fd = sv[0] + 1;
    if (sv[1] >= plan->high_fd)
        plan->high_fd = sv[1] + 1;

    unsigned long flags = SIGCHLD | CLONE_PIDFD;
    if (c->isolated)
        flags |= CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWUTS |
                 (p->network ? 0 : CLONE_NEWNET);
    int cgroup_fd = -1, in_cgroup = 0;
    if (c->cg.dirs[SANDBOX_CG_UNIFIED][0])
        cgroup_fd = open(c->cg.dirs[SANDBOX_CG_UNIFIED], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    sigset_t all, saved;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &saved);
    c->start_ns = sandbox_now_ns();
    long pid = clone_child(flags, &c->pidfd, cgroup_fd, &in_cgroup);
    if (pid == 0) {
        close(sv[0]);
        sandbox_child_main(plan);
    }
    int clone_errno = errno;
    pthread_sigmask(SIG_SETMASK, &saved, NULL);
    if (cgroup_fd >= 0)
        close(cgroup_fd);
    close(sv[1]);
    sv[1] = -1;
    if (pid < 0) {
        rc = -clone_errno;
        if (clone_errno == EPERM || clone_errno == ENOSPC || clone_errno == EINVAL)
            sandbox_fail(err, rc,
                         "cannot create the sandbox namespaces: %s (user namespaces disabled? see "
                         "docs/sandbox.md)",
                         strerror(clone_errno));
        else
            sandbox_fail(err, rc, "clone failed: %s", strerror(clone_errno));
        goto fail;
    }
    c->pid = (pid_t)pid;
    if (c->timeout_ns)
        c->deadline_ns = c->start_ns + c->timeout_ns;

    if (plan->need_dumpable) {
        char ready;
        ssize_t n;
        while ((n = recv(sv[0], &ready, 1, 0)) < 0 && errno == EINTR)
            ;
        if (n != 1 || ready != 'R') {
            rc = sandbox_fail(err, -EIO, "the sandbox child died before setup");
            sandbox_kill_all_processes(c);
            while (waitpid(c->pid, NULL, 0) < 0 && errno == EINTR)
                ;
            goto fail;
        }
    }
    if (c->isolated)
        rc = write_id_maps(c->pid, plan, uid, gid, err);
    if (rc == 0 && send(sv[0], "g", 1, MSG_NOSIGNAL) != 1)
        rc = sandbox_fail(err, -EIO, "the sandbox child died before setup");
    /* A v1 migration waits for an RCU grace period (milliseconds): the child
     * builds its root meanwhile and waits for 'c' before it enters its cgroup
     * namespace, drops privileges and execs. */
    if (rc == 0)
        rc = sandbox_cgroup_attach(&c->cg, c->pid, in_cgroup, err);
    if (rc == 0 && send(sv[0], "c", 1, MSG_NOSIGNAL) != 1)
        rc = sandbox_fail(err, -EIO, "the sandbox child died before setup");
    if (rc == 0)
        rc = handshake(sv[0], c, err);
    if (rc < 0) {
        sandbox_kill_all_processes(c);
        while (waitpid(c->pid, NULL, 0) < 0 && errno == EINTR)
            ;
        goto fail;
    }
    close(sv[0]);
    close(plan->exec_fd);
    free(plan);
    c->registry_slot = sandbox_registry_add(c);
    rc = sandbox_supervisor_start(c, err);
    if (rc < 0) {
        sandbox_kill_all_processes(c);
        struct sandbox_result ignored;
        sandbox_wait(c, &ignored);
        return rc;
    }
    *out = c;
    return 0;

fail:
    if (sv[0] >= 0)
        close(sv[0]);
    if (sv[1] >= 0)
        close(sv[1]);
    if (plan->exec_fd >= 0)
        close(plan->exec_fd);
    sandbox_cgroup_remove(&c->cg);
    free(plan);
    child_free(c);
    return rc;
}

pid_t sandbox_child_pid(const struct sandbox_child *c)
{
    return c ? c->pid : -1;
}

int sandbox_kill(struct sandbox_child *c)
{
    if (!c)
        return -EINVAL;
    sandbox_kill_all_processes(c);
    return 0;
}

void sandbox_child_release(struct sandbox_child *c)
{
    child_free(c);
}
