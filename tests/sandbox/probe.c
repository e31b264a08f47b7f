/* probe: the program the sandbox tests run inside the sandbox. It does one
 * thing named by argv[1], writes what it saw to fd 3 when fd 3 is open
 * (stdout otherwise), and exits: 0 = the thing worked, 3 = it was refused
 * (the errno is printed), other codes as documented per command. */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "sandbox/sandbox.h"

static FILE *out;

static void say(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfprintf(out, fmt, ap);
    va_end(ap);
    fflush(out);
}

/* 0 if rc >= 0, else print errno and 3. */
static int outcome(const char *what, long rc)
{
    if (rc >= 0) {
        say("%s ok\n", what);
        return 0;
    }
    say("%s refused errno=%d (%s)\n", what, errno, strerror(errno));
    return 3;
}

static int cmd_caps(void)
{
    struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
    struct __user_cap_data_struct data[2];
    if (syscall(SYS_capget, &hdr, data) < 0)
        return 2;
    int nonempty = 0;
    for (int i = 0; i < 2; i++)
        nonempty |= data[i].effective | data[i].permitted | data[i].inheritable;
    int bounding = 0, ambient = 0;
    for (int cap = 0; cap < 64; cap++) {
        if (prctl(PR_CAPBSET_READ, cap, 0, 0, 0) == 1)
            bounding++;
        if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, cap, 0, 0) == 1)
            ambient++;
    }
    int nnp = prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0);
    int seccomp = prctl(PR_GET_SECCOMP, 0, 0, 0, 0);
    say("uid=%d gid=%d eip=%d bounding=%d ambient=%d nnp=%d seccomp=%d\n", (int)getuid(),
        (int)getgid(), nonempty, bounding, ambient, nnp, seccomp);
    return nonempty || bounding || ambient || nnp != 1 ? 1 : 0;
}

static int cmd_ns(void)
{
    static const char *const names[] = { "user", "pid", "mnt", "ipc", "uts", "cgroup", "net" };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char path[64], link[128];
        snprintf(path, sizeof path, "/proc/self/ns/%s", names[i]);
        ssize_t n = readlink(path, link, sizeof link - 1);
        link[n > 0 ? n : 0] = 0;
        say("%s\n", link);
    }
    return 0;
}

static int cmd_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    if (!d)
        return 2;
    int self = dirfd(d);
    struct dirent *e;
    while ((e = readdir(d)))
        if (e->d_name[0] != '.' && atoi(e->d_name) != self)
            say("%s\n", e->d_name);
    closedir(d);
    return 0;
}

static int cmd_pids(void)
{
    DIR *d = opendir("/proc");
    if (!d)
        return 2;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        if (e->d_name[0] >= '1' && e->d_name[0] <= '9')
            n++;
    closedir(d);
    say("pids=%d\n", n);
    return 0;
}

static int cmd_alloc(long mib)
{
    for (long i = 0; i < mib; i++) {
        char *p = malloc(1 << 20);
        if (!p)
            return 4;
        memset(p, (int)i, 1 << 20);
    }
    say("allocated %ld MiB\n", mib);
    return 0;
}

static int cmd_forkbomb(void)
{
    for (int i = 0; i < 100000; i++) {
        pid_t pid = fork();
        if (pid == 0) {
            pause();
            _exit(0);
        }
        if (pid < 0) {
            say("fork failed after %d children: %s\n", i, strerror(errno));
            return 5;
        }
    }
    return 0;
}

static int cmd_connect(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return outcome("socket", -1);
    struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return outcome("connect", connect(fd, (struct sockaddr *)&sa, sizeof sa));
}

static int cmd_tmpfill(void)
{
    int fd = open("/tmp/fill", O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0)
        return outcome("open /tmp/fill", -1);
    static char buf[1 << 16];
    long long total = 0;
    for (;;) {
        ssize_t n = write(fd, buf, sizeof buf);
        if (n < 0) {
            say("filled %lld bytes: %s\n", total, strerror(errno));
            return errno == ENOSPC ? 0 : 3;
        }
        total += n;
    }
}

/* Raw int $0x80 (i386 ABI) syscall. */
static long int80(long nr, long a, long b)
{
    long ret;
    __asm__ volatile("int $0x80" : "=a"(ret) : "a"(nr), "b"(a), "c"(b) : "memory");
    return ret;
}

int main(int argc, char **argv)
{
    out = fcntl(3, F_GETFD) >= 0 ? fdopen(3, "w") : stdout;
    if (!out)
        out = stdout;
    const char *cmd = argc > 1 ? argv[1] : "true";
    const char *arg = argc > 2 ? argv[2] : "";
    if (!strcmp(cmd, "true"))
        return 0;
    if (!strcmp(cmd, "exit"))
        return atoi(arg);
    if (!strcmp(cmd, "caps"))
        return cmd_caps();
    if (!strcmp(cmd, "ns"))
        return cmd_ns();
    if (!strcmp(cmd, "fds"))
        return cmd_fds();
    if (!strcmp(cmd, "pids"))
        return cmd_pids();
    if (!strcmp(cmd, "cgroup")) {
        FILE *f = fopen("/proc/self/cgroup", "r");
        char line[512];
        while (f && fgets(line, sizeof line, f))
            say("%s", line);
        if (f)
            fclose(f);
        return f ? 0 : 2;
    }
    if (!strcmp(cmd, "hostname")) {
        char h[64] = "";
        gethostname(h, sizeof h);
        say("%s\n", h);
        return 0;
    }
    if (!strcmp(cmd, "read")) {
        int fd = open(arg, O_RDONLY);
        char c;
        return outcome("read", fd < 0 ? -1 : read(fd, &c, 1));
    }
    if (!strcmp(cmd, "write")) {
        int fd = open(arg, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        return outcome("write", fd < 0 ? -1 : write(fd, "x\n", 2));
    }
    if (!strcmp(cmd, "alloc"))
        return cmd_alloc(atol(arg));
    if (!strcmp(cmd, "spin"))
        for (volatile unsigned long i = 0;; i++)
            ;
    if (!strcmp(cmd, "sleep")) {
        sleep((unsigned)atoi(arg));
        return 0;
    }
    if (!strcmp(cmd, "forkbomb"))
        return cmd_forkbomb();
    if (!strcmp(cmd, "tmpfill"))
        return cmd_tmpfill();
    if (!strcmp(cmd, "connect"))
        return cmd_connect(atoi(arg));
    if (!strcmp(cmd, "socket"))
        return outcome("socket", socket(atoi(arg), SOCK_DGRAM, 0));
    if (!strcmp(cmd, "socket-unix"))
        return outcome("socket", socket(AF_UNIX, SOCK_STREAM, 0));
    if (!strcmp(cmd, "ptrace"))
        return outcome("ptrace", ptrace(PTRACE_TRACEME, 0, 0, 0));
    if (!strcmp(cmd, "mount"))
        return outcome("mount", mount("none", "/tmp", "tmpfs", 0, NULL));
    if (!strcmp(cmd, "unshare"))
        return outcome("unshare", unshare(CLONE_NEWUSER));
    if (!strcmp(cmd, "clone-newuser"))
        return outcome("clone", syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0));
    if (!strcmp(cmd, "clone3")) {
        long rc = syscall(SYS_clone3, NULL, 0);
        say("clone3 rc=%ld errno=%d\n", rc, errno);
        return rc < 0 && errno == ENOSYS ? 0 : 1;
    }
    if (!strcmp(cmd, "tiocsti")) {
        char c = 'x';
        /* High bits set: a 64-bit compare would miss this; the kernel does not. */
        return outcome("ioctl", syscall(SYS_ioctl, 0, (1UL << 32) | TIOCSTI, &c));
    }
    if (!strcmp(cmd, "io_uring"))
        return outcome("io_uring_setup", syscall(SYS_io_uring_setup, 1, NULL));
    if (!strcmp(cmd, "bpf"))
        return outcome("bpf", syscall(SYS_bpf, 0, NULL, 0));
    if (!strcmp(cmd, "keyctl"))
        return outcome("keyctl", syscall(SYS_keyctl, 0, 0, 0, 0, 0));
    if (!strcmp(cmd, "init_module"))
        return outcome("init_module", syscall(SYS_init_module, NULL, 0, ""));
    if (!strcmp(cmd, "perf_event_open"))
        return outcome("perf_event_open", syscall(SYS_perf_event_open, NULL, 0, -1, -1, 0));
    if (!strcmp(cmd, "setns"))
        return outcome("setns", setns(0, 0));
    if (!strcmp(cmd, "personality")) {
        long rc = syscall(SYS_personality, READ_IMPLIES_EXEC);
        say("personality rc=%ld errno=%d\n", rc, errno);
        return rc < 0 ? 3 : 0;
    }
    if (!strcmp(cmd, "i386-ptrace")) {
        long rc = int80(26 /* i386 ptrace */, PTRACE_TRACEME, 0);
        say("int80 ptrace rc=%ld\n", rc);
        return rc == -ENOSYS ? 6 : 0; /* 6: no ia32 emulation in this kernel */
    }
    if (!strcmp(cmd, "exec"))
        return outcome("exec", execl("/bin/true", "true", (char *)NULL));
    if (!strcmp(cmd, "exec-after-ban")) {
        char *err = NULL;
        if (sandbox_forbid_exec(&err) < 0) {
            say("forbid_exec: %s\n", err);
            return 2;
        }
        return outcome("exec", execl("/bin/true", "true", (char *)NULL));
    }
    say("unknown command %s\n", cmd);
    return 64;
}
