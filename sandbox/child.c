/* The cloned child: builds the isolation step by step and execs the worker.
 *
 * The host may be multithreaded (it runs supervisor threads), and the child
 * comes from a raw clone, so this file allocates nothing and uses no stdio:
 * only syscalls and the plan the parent prepared. On any failure it sends a
 * struct sandbox_child_error to the parent and exits 127.
 *
 * Order matters and is the point of this file:
 *  1. death signal, own session, wait for the parent's go (uid/gid maps done)
 *  2. (the parent moves us into our v1 cgroups meanwhile: that is slow)
 *  3. open every bind source while paths still mean the host's paths
 *  4. become the mapped identity (fsuid must be mapped to create files)
 *  5. loopback up, hostname
 *  6. tmpfs root at /tmp of our private mount namespace, binds, /dev, /tmp,
 *     fresh /proc, pivot_root, old root detached, root read-only
 *  7. wait for 'c' (in our cgroups), cgroup namespace rooted there;
 *     capabilities: securebits locked, bounding/ambient/inheritable/
 *     permitted/effective emptied; no_new_privs
 *  8. death signal again (credential changes clear it), parent-alive check
 *  9. rlimits, fds: keep_fds to 3.., everything else closed
 * 10. seccomp: allowlist, then the violation filter whose listener goes to
 *     the parent
 * 11. execveat of the executable opened by the parent before all this */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <linux/seccomp.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sandbox/internal.h"

#ifndef SYS_mount_setattr
#define SYS_mount_setattr 442
#endif
#ifndef SECBIT_NOROOT
#define SECBIT_NOROOT (1 << 0)
#define SECBIT_NOROOT_LOCKED (1 << 1)
#define SECBIT_NO_SETUID_FIXUP (1 << 2)
#define SECBIT_NO_SETUID_FIXUP_LOCKED (1 << 3)
#define SECBIT_KEEP_CAPS_LOCKED (1 << 5)
#define SECBIT_NO_CAP_AMBIENT_RAISE (1 << 6)
#define SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED (1 << 7)
#endif

#define STAGING "/tmp" /* where the new root is built, inside our mount ns */

static struct sandbox_plan *g_plan;

/* Appends src to dst (bounded, always terminated). */
static void append(char *dst, size_t size, const char *src)
{
    size_t n = strlen(dst);
    while (*src && n + 1 < size)
        dst[n++] = *src++;
    dst[n] = 0;
}

static void append_int(char *dst, size_t size, long v)
{
    char tmp[24];
    int i = (int)sizeof tmp - 1;
    int neg = v < 0;
    unsigned long u = neg ? (unsigned long)-v : (unsigned long)v;
    tmp[i] = 0;
    do {
        tmp[--i] = (char)('0' + u % 10);
        u /= 10;
    } while (u && i > 1);
    if (neg)
        tmp[--i] = '-';
    append(dst, size, tmp + i);
}

static void __attribute__((noreturn)) fail(const char *what, const char *arg, int err)
{
    struct sandbox_child_error e;
    memset(&e, 0, sizeof e);
    e.err = err;
    append(e.text, sizeof e.text, what);
    if (arg) {
        append(e.text, sizeof e.text, " ");
        append(e.text, sizeof e.text, arg);
    }
    if (g_plan && g_plan->sock >= 0)
        (void)send(g_plan->sock, &e, sizeof e, MSG_NOSIGNAL);
    _exit(127);
}

static int staged(char *out, size_t size, const char *inside)
{
    out[0] = 0;
    append(out, size, STAGING);
    append(out, size, inside);
    return strlen(out) + 1 < size ? 0 : -ENAMETOOLONG;
}

/* mkdir -p for an absolute path; existing components are fine. */
static void mkdir_p(const char *path, mode_t mode)
{
    char buf[PATH_MAX];
    buf[0] = 0;
    append(buf, sizeof buf, path);
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = 0;
        if (mkdir(buf, mode) < 0 && errno != EEXIST)
            fail("mkdir", buf, errno);
        *p = '/';
    }
    if (mkdir(buf, mode) < 0 && errno != EEXIST)
        fail("mkdir", buf, errno);
}

static void make_parent(const char *path)
{
    char buf[PATH_MAX];
    buf[0] = 0;
    append(buf, sizeof buf, path);
    char *slash = strrchr(buf, '/');
    if (slash && slash != buf) {
        *slash = 0;
        mkdir_p(buf, 0755);
    }
}

static void touch(const char *path)
{
    make_parent(path);
    int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (fd < 0 && errno != EEXIST)
        fail("create mount point", path, errno);
    if (fd >= 0)
        close(fd);
}

/* Makes the mount tree at path read-only (unless writable), nosuid, nodev and
 * noexec (unless exec). mount_setattr covers submounts; the old remount API
 * is the fallback for kernels before 5.12. Flags the kernel locked on the
 * host's mount (e.g. nosuid) are only ever added to, never cleared. */
enum { R_WRITABLE = 1, R_EXEC = 2, R_DEVICES = 4, R_RECURSIVE = 8 };

static void restrict_mount(const char *path, int how)
{
    int writable = how & R_WRITABLE, exec = how & R_EXEC;
    struct mount_attr attr;
    memset(&attr, 0, sizeof attr);
    attr.attr_set = MOUNT_ATTR_NOSUID | (how & R_DEVICES ? 0 : MOUNT_ATTR_NODEV) |
                    (writable ? 0 : MOUNT_ATTR_RDONLY) | (exec ? 0 : MOUNT_ATTR_NOEXEC);
    if (syscall(SYS_mount_setattr, AT_FDCWD, path, how & R_RECURSIVE ? AT_RECURSIVE : 0, &attr,
                sizeof attr) == 0)
        return;
    if (errno != ENOSYS)
        fail("mount_setattr", path, errno);
    struct statvfs sv;
    if (statvfs(path, &sv) < 0)
        fail("statvfs", path, errno);
    unsigned long flags = MS_BIND | MS_REMOUNT | MS_NOSUID | (how & R_DEVICES ? 0 : MS_NODEV);
    if (!writable || (sv.f_flag & ST_RDONLY))
        flags |= MS_RDONLY;
    if (!exec || (sv.f_flag & ST_NOEXEC))
        flags |= MS_NOEXEC;
    if (sv.f_flag & ST_NOATIME)
        flags |= MS_NOATIME;
    if (sv.f_flag & ST_NODIRATIME)
        flags |= MS_NODIRATIME;
    if (sv.f_flag & ST_RELATIME)
        flags |= MS_RELATIME;
    if (mount(NULL, path, NULL, flags, NULL) < 0)
        fail("remount", path, errno);
}

static void open_sources(struct sandbox_plan *p)
{
    for (size_t i = 0; i < p->mount_count; i++) {
        struct sandbox_plan_mount *m = &p->mounts[i];
        m->fd = -1;
        if (m->kind == PLAN_SYMLINK)
            continue;
        m->fd = open(m->source, O_PATH | O_CLOEXEC);
        if (m->fd < 0 && !(m->optional && errno == ENOENT))
            fail("open mount source", m->source, errno);
    }
}

static void bind_all(struct sandbox_plan *p)
{
    char target[PATH_MAX], from[64];
    for (size_t i = 0; i < p->mount_count; i++) {
        struct sandbox_plan_mount *m = &p->mounts[i];
        if (staged(target, sizeof target, m->target) < 0)
            fail("path too long", m->target, ENAMETOOLONG);
        if (m->kind == PLAN_SYMLINK) {
            make_parent(target);
            if (symlink(m->link, target) < 0 && errno != EEXIST)
                fail("symlink", target, errno);
            continue;
        }
        if (m->fd < 0)
            continue;
        struct stat st;
        if (fstat(m->fd, &st) < 0)
            fail("stat mount source", m->source, errno);
        if (S_ISDIR(st.st_mode))
            mkdir_p(target, 0755);
        else
            touch(target);
        from[0] = 0;
        append(from, sizeof from, "/proc/self/fd/");
        append_int(from, sizeof from, m->fd);
        if (mount(from, target, NULL, MS_BIND | MS_REC, NULL) < 0)
            fail("bind mount", m->source, errno);
        /* Device nodes (/dev/null ...) must stay usable and writable. */
        if (strncmp(m->target, "/dev/", 5) == 0)
            restrict_mount(target, R_WRITABLE | R_DEVICES);
        else
            restrict_mount(target, R_RECURSIVE | (m->writable ? R_WRITABLE : 0) |
                                       (m->exec ? R_EXEC : 0));
        close(m->fd);
        m->fd = -1;
    }
}

static void mount_tmpfs(const char *inside, const char *options, unsigned long flags)
{
    char path[PATH_MAX];
    staged(path, sizeof path, inside);
    mkdir_p(path, 0755);
    if (mount("tmpfs", path, "tmpfs", flags, options) < 0)
        fail("mount tmpfs", inside, errno);
}

static void build_root(struct sandbox_plan *p)
{
    /* Nothing we mount may propagate back to the host. */
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
        fail("make mounts private", "/", errno);
    if (mount("tmpfs", STAGING, "tmpfs", MS_NOSUID | MS_NODEV, "size=1m,nr_inodes=4096,mode=0755") < 0)
        fail("mount root tmpfs", STAGING, errno);
    mount_tmpfs("/dev", "size=64k,nr_inodes=64,mode=0755", MS_NOSUID | MS_NOEXEC);
    mount_tmpfs("/tmp", p->tmp_options, MS_NOSUID | MS_NODEV | MS_NOEXEC);
    bind_all(p);

    static const char *const links[][2] = { { "/proc/self/fd", "/dev/fd" },
                                            { "/proc/self/fd/0", "/dev/stdin" },
                                            { "/proc/self/fd/1", "/dev/stdout" },
                                            { "/proc/self/fd/2", "/dev/stderr" } };
    char path[PATH_MAX];
    for (size_t i = 0; i < 4; i++) {
        staged(path, sizeof path, links[i][1]);
        if (symlink(links[i][0], path) < 0 && errno != EEXIST)
            fail("symlink", path, errno);
    }

    /* procfs must be mounted while the host's /proc is still visible in this
     * mount namespace: the kernel refuses a new proc in a user namespace
     * unless a fully visible one exists. */
    staged(path, sizeof path, "/proc");
    mkdir_p(path, 0555);
    if (mount("proc", path, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
        fail("mount proc", path, errno);
    static const char *const proc_ro[] = { "/proc/sys", "/proc/sysrq-trigger", "/proc/irq",
                                           "/proc/bus" };
    for (size_t i = 0; i < 4; i++) {
        staged(path, sizeof path, proc_ro[i]);
        if (access(path, F_OK) < 0)
            continue;
        if (mount(path, path, NULL, MS_BIND | MS_REC, NULL) < 0)
            fail("bind", path, errno);
        restrict_mount(path, R_RECURSIVE);
    }
    /* Only the /dev tmpfs itself: the device binds below it keep their flags. */
    staged(path, sizeof path, "/dev");
    restrict_mount(path, R_DEVICES);

    staged(path, sizeof path, "/.old");
    mkdir_p(path, 0700);
    if (chdir(STAGING) < 0)
        fail("chdir", STAGING, errno);
    if (syscall(SYS_pivot_root, ".", ".old") < 0)
        fail("pivot_root", STAGING, errno);
    if (chdir("/") < 0)
        fail("chdir", "/", errno);
    if (umount2("/.old", MNT_DETACH) < 0)
        fail("detach old root", "/.old", errno);
    if (rmdir("/.old") < 0)
        fail("rmdir", "/.old", errno);
    /* Only the root tmpfs: /usr, /tmp and the binds keep their own flags. */
    restrict_mount("/", 0);
}

static void loopback_up(void)
{
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        fail("socket for loopback", NULL, errno);
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    append(ifr.ifr_name, sizeof ifr.ifr_name, "lo");
    if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
        fail("read loopback flags", NULL, errno);
    ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
    if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
        fail("bring loopback up", NULL, errno);
    close(fd);
}

static void drop_capabilities(struct sandbox_plan *p)
{
    if (prctl(PR_SET_SECUREBITS, SECBIT_NOROOT | SECBIT_NOROOT_LOCKED | SECBIT_NO_SETUID_FIXUP |
                                     SECBIT_NO_SETUID_FIXUP_LOCKED | SECBIT_KEEP_CAPS_LOCKED |
                                     SECBIT_NO_CAP_AMBIENT_RAISE |
                                     SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED,
              0, 0, 0) < 0)
        fail("set securebits", NULL, errno);
    for (int cap = 0; cap <= p->last_cap; cap++)
        if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL)
            fail("drop bounding capability", NULL, errno);
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
        fail("clear ambient capabilities", NULL, errno);
    struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
    struct __user_cap_data_struct data[2];
    memset(data, 0, sizeof data);
    if (syscall(SYS_capset, &hdr, data) < 0)
        fail("clear capabilities", NULL, errno);
}

static void set_death_signal(struct sandbox_plan *p)
{
    if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0)
        fail("set parent death signal", NULL, errno);
    /* The parent keeps its end open until we exec; a hangup means it died
     * before the death signal was armed. */
    struct pollfd pfd = { .fd = p->sock, .events = 0 };
    if (poll(&pfd, 1, 0) > 0 && (pfd.revents & (POLLHUP | POLLERR)))
        _exit(127);
}

static void arrange_fds(struct sandbox_plan *p)
{
    int tmp_keep[SANDBOX_MAX_KEEP_FDS];
    size_t n = p->keep_fd_count;
    for (size_t i = 0; i < n; i++)
        if ((tmp_keep[i] = fcntl(p->keep_fds[i], F_DUPFD_CLOEXEC, p->high_fd)) < 0)
            fail("dup kept fd", NULL, errno);
    int tmp_sock = fcntl(p->sock, F_DUPFD_CLOEXEC, p->high_fd);
    int tmp_exec = fcntl(p->exec_fd, F_DUPFD_CLOEXEC, p->high_fd);
    if (tmp_sock < 0 || tmp_exec < 0)
        fail("dup", NULL, errno);
    p->sock = tmp_sock;
    for (size_t i = 0; i < n; i++)
        if (dup2(tmp_keep[i], 3 + (int)i) < 0)
            fail("dup2 kept fd", NULL, errno);
    int sock = 3 + (int)n, exec_fd = 4 + (int)n;
    if (dup3(tmp_sock, sock, O_CLOEXEC) < 0 || dup3(tmp_exec, exec_fd, O_CLOEXEC) < 0)
        fail("dup3", NULL, errno);
    p->sock = sock;
    p->exec_fd = exec_fd;
    if (syscall(SYS_close_range, 5 + (unsigned)n, ~0U, 0) < 0) {
        /* Kernels before 5.9: close what could be open. */
        struct rlimit rl;
        int max = getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < 1048576 ? (int)rl.rlim_cur
                                                                             : 65536;
        for (int fd = 5 + (int)n; fd < max; fd++)
            close(fd);
    }
}

static void load_seccomp(struct sandbox_plan *p)
{
    if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &p->allowlist->prog) < 0)
        fail("load seccomp allowlist", NULL, errno);
    long listener = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
                            p->uses_notify ? SECCOMP_FILTER_FLAG_NEW_LISTENER : 0,
                            &p->violations->prog);
    if (listener < 0)
        fail("load seccomp violation filter", NULL, errno);
    if (!p->uses_notify)
        return;
    char byte = 'L';
    struct iovec iov = { &byte, 1 };
    union {
        struct cmsghdr h;
        char buf[CMSG_SPACE(sizeof(int))];
    } ctl;
    memset(&ctl, 0, sizeof ctl);
    struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf,
                          .msg_controllen = sizeof ctl.buf };
    struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    int fd = (int)listener;
    memcpy(CMSG_DATA(c), &fd, sizeof fd);
    if (sendmsg(p->sock, &msg, MSG_NOSIGNAL) < 0)
        fail("hand over seccomp listener", NULL, errno);
    /* The worker must never hold its own listener: it could answer CONTINUE. */
    close(fd);
}

void sandbox_child_main(struct sandbox_plan *p)
{
    g_plan = p;
    if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0)
        _exit(127);
    /* A session of its own: kill(0, ...) or a terminal's signals from inside
     * must never reach the host's process group (found by the fork_bomb
     * hostile plugin, whose kill(0, SIGKILL) took the host down). */
    if (setsid() < 0)
        _exit(127);
    /* Signals were blocked around clone so that none of the host's handlers
     * can run here; start the program with defaults and an empty mask. */
    for (int sig = 1; sig < _NSIG; sig++)
        if (sig != SIGKILL && sig != SIGSTOP)
            (void)signal(sig, SIG_DFL);
    if (p->need_dumpable) {
        /* A host that changed its credentials is not dumpable, so its
         * children's /proc files are root's and it could not write our
         * uid_map; we may make ourselves dumpable, then say so. */
        if (prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) < 0)
            fail("set dumpable", NULL, errno);
        if (send(p->sock, "R", 1, MSG_NOSIGNAL) != 1)
            _exit(127);
    }
    char go;
    if (read(p->sock, &go, 1) != 1)
        _exit(127); /* the parent gave up or died */
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);

    if (p->isolated) {
        open_sources(p);
        if (p->root_mode && setgroups(0, NULL) < 0)
            fail("setgroups", NULL, errno);
        if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)
            fail("switch to the mapped identity", NULL, errno);
        if (!p->network)
            loopback_up();
        if (sethostname(p->hostname, strlen(p->hostname)) < 0)
            fail("sethostname", NULL, errno);
        build_root(p);
    }
    if (p->cwd[0] && chdir(p->cwd) < 0)
        fail("chdir", p->cwd, errno);
    /* The parent has put us into our cgroup(s) once 'c' arrives. */
    if (read(p->sock, &go, 1) != 1 || go != 'c')
        _exit(127);
    if (p->isolated) {
        /* Rooted at our own cgroup, now that we are in it. */
        if (unshare(CLONE_NEWCGROUP) < 0)
            fail("unshare cgroup namespace", NULL, errno);
        drop_capabilities(p);
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
            fail("set no_new_privs", NULL, errno);
        struct rlimit core = { 0, 0 };
        if (setrlimit(RLIMIT_CORE, &core) < 0)
            fail("setrlimit core", NULL, errno);
        struct rlimit nofile;
        if (getrlimit(RLIMIT_NOFILE, &nofile) == 0 && nofile.rlim_max > SANDBOX_DEFAULT_NOFILE) {
            nofile.rlim_max = SANDBOX_DEFAULT_NOFILE;
            if (nofile.rlim_cur > nofile.rlim_max)
                nofile.rlim_cur = nofile.rlim_max;
            (void)setrlimit(RLIMIT_NOFILE, &nofile);
        }
    }
    set_death_signal(p);
    arrange_fds(p);
    if (p->isolated)
        load_seccomp(p);
    syscall(SYS_execveat, p->exec_fd, "", p->argv, p->envp, AT_EMPTY_PATH);
    fail("exec", p->argv[0], errno);
}
