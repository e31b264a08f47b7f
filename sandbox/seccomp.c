/* seccomp filters for the sandboxed child.
 *
 * Three filters stack in the worker; the kernel runs all of them and the most
 * restrictive answer wins (KILL > TRAP > ERRNO > USER_NOTIF > ALLOW):
 *
 *  1. allowlist  default ENOSYS; what data-transfer work needs is ALLOWed. The
 *                dangerous syscalls are ALLOWed *here* on purpose so that the
 *                answer of filter 2 (USER_NOTIF, weaker than ERRNO) wins.
 *  2. violations default ALLOW; dangerous syscalls, clone with namespace flags
 *                and ioctl TIOCSTI/TIOCLINUX (32-bit masked compare: the kernel
 *                ignores the upper half of the command) go to the supervisor
 *                through the user-notification listener, which records the
 *                syscall and kills the sandbox. Kernels without user
 *                notification get KILL_PROCESS instead. i386 socketcall, whose
 *                arguments live in memory where no filter can check the socket
 *                family, is refused here.
 *  3. exec ban   installed by the worker itself (sandbox_forbid_exec) just
 *                before it loads plugins: execve/execveat kill the process.
 *
 * The rules live in sandbox/seccomp-rules.c; they are compiled to BPF at build
 * time (sandbox/gen-filters -> sandbox/filters.c) because libseccomp needs
 * 10-100 ms per compile. At run time the child only issues seccomp(2). */
#include <errno.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sandbox/internal.h"
#include "sandbox/seccomp-rules.h"

static struct sandbox_bpf embedded[SANDBOX_FILTER_COUNT];
static pthread_once_t once = PTHREAD_ONCE_INIT;
static int notify_available;

static void init_once(void)
{
    for (int i = 0; i < SANDBOX_FILTER_COUNT; i++)
        embedded[i].prog = sandbox_filters[i];
    uint32_t action = SECCOMP_RET_USER_NOTIF;
    notify_available = syscall(SYS_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, &action) == 0;
}

int sandbox_seccomp_filters(int network, const struct sandbox_bpf **allowlist,
                            const struct sandbox_bpf **violations, int *uses_notify, char **err)
{
    (void)err;
    pthread_once(&once, init_once);
    *allowlist = &embedded[network ? SANDBOX_FILTER_ALLOW_NET : SANDBOX_FILTER_ALLOW];
    *violations = &embedded[notify_available ? SANDBOX_FILTER_VIOLATIONS_NOTIFY
                                             : SANDBOX_FILTER_VIOLATIONS_KILL];
    *uses_notify = notify_available;
    return 0;
}

void sandbox_syscall_name(uint32_t audit_arch, long nr, char *name, size_t name_size, char *arch,
                          size_t arch_size)
{
    uint32_t token = audit_arch;
    const char *arch_name = "?";
    if (audit_arch == SCMP_ARCH_X86_64 && (nr & 0x40000000L)) {
        token = SCMP_ARCH_X32;
        arch_name = "x32";
    } else if (audit_arch == SCMP_ARCH_X86_64) {
        arch_name = "x86_64";
    } else if (audit_arch == SCMP_ARCH_X86) {
        arch_name = "i386";
    }
    char *resolved = seccomp_syscall_resolve_num_arch(token, (int)nr);
    snprintf(name, name_size, "%s", resolved ? resolved : "?");
    snprintf(arch, arch_size, "%s", arch_name);
    free(resolved);
}

int sandbox_forbid_exec(char **err)
{
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
        return sandbox_fail(err, -errno, "cannot set no_new_privs: %s", strerror(errno));
    /* TSYNC: every thread of the worker, not only the caller. */
    long rc = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC,
                      &sandbox_filters[SANDBOX_FILTER_EXEC_BAN]);
    if (rc != 0)
        return sandbox_fail(err, rc < 0 ? -errno : -EBUSY, "cannot install the exec ban: %s",
                            rc < 0 ? strerror(errno) : "a thread has a diverging filter");
    return 0;
}
