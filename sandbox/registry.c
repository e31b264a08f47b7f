/* Small shared helpers and the registry of live sandboxes that
 * sandbox_cleanup_all walks from the host's signal path. */
#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "sandbox/internal.h"

int sandbox_fail(char **err, int rc, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        char *msg = NULL;
        if (vasprintf(&msg, fmt, ap) < 0)
            msg = NULL;
        va_end(ap);
        free(*err);
        *err = msg;
    }
    return rc;
}

uint64_t sandbox_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* Named limit: live sandboxes one host process can track for cleanup. */
#define SANDBOX_REGISTRY_SLOTS 256

static _Atomic(struct sandbox_child *) registry[SANDBOX_REGISTRY_SLOTS];

int sandbox_registry_add(struct sandbox_child *c)
{
    for (int i = 0; i < SANDBOX_REGISTRY_SLOTS; i++) {
        struct sandbox_child *expected = NULL;
        if (atomic_compare_exchange_strong(&registry[i], &expected, c))
            return i;
    }
    return -EMFILE;
}

void sandbox_registry_remove(int slot)
{
    if (slot >= 0 && slot < SANDBOX_REGISTRY_SLOTS)
        atomic_store(&registry[slot], NULL);
}

void sandbox_kill_all_processes(struct sandbox_child *c)
{
    sandbox_cgroup_kill(&c->cg);
    /* With a pid namespace, killing its init kills everything in it. */
    if (c->pidfd >= 0)
        syscall(SYS_pidfd_send_signal, c->pidfd, SIGKILL, NULL, 0);
    else if (c->pid > 0)
        kill(c->pid, SIGKILL);
}

void sandbox_cleanup_all(void)
{
    int saved = errno;
    for (int i = 0; i < SANDBOX_REGISTRY_SLOTS; i++) {
        struct sandbox_child *c = atomic_exchange(&registry[i], NULL);
        if (!c)
            continue;
        sandbox_kill_all_processes(c);
        sandbox_cgroup_remove(&c->cg);
    }
    errno = saved;
}
