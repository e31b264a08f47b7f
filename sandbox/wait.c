/* The supervisor thread (timeout, seccomp violations) and sandbox_wait
 * (reap, account, classify, clean up). */
#include <errno.h>
#include <poll.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sandbox/internal.h"

/* Records the first forbidden syscall, kills the sandbox, refuses the call. */
static void handle_notification(struct sandbox_child *c, struct seccomp_notif *req,
                                struct seccomp_notif_resp *resp)
{
    memset(req, 0, sizeof *req);
    if (seccomp_notify_receive(c->notify_fd, req) < 0)
        return; /* the caller died meanwhile */
    pthread_mutex_lock(&c->lock);
    if (!c->violation) {
        c->violation = 1;
        c->violation_nr = req->data.nr;
        c->violation_arch = req->data.arch;
    }
    pthread_mutex_unlock(&c->lock);
    sandbox_kill_all_processes(c);
    memset(resp, 0, sizeof *resp);
    resp->id = req->id;
    resp->error = -EPERM;
    (void)seccomp_notify_respond(c->notify_fd, resp);
}

static void *supervise(void *arg)
{
    struct sandbox_child *c = arg;
    struct seccomp_notif *req = NULL;
    struct seccomp_notif_resp *resp = NULL;
    if (c->notify_fd >= 0 && seccomp_notify_alloc(&req, &resp) < 0)
        req = NULL;
    struct pollfd fds[3] = { { c->pidfd, POLLIN, 0 },
                             { c->stop_fd, POLLIN, 0 },
                             { req ? c->notify_fd : -1, POLLIN, 0 } };
    uint64_t deadline = c->deadline_ns;
    for (;;) {
        int timeout_ms = -1;
        if (deadline) {
            uint64_t now = sandbox_now_ns();
            timeout_ms = now >= deadline ? 0 : (int)((deadline - now + 999999) / 1000000);
        }
        int n = poll(fds, 3, timeout_ms);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            break;
        if (fds[0].revents || fds[1].revents)
            break; /* child exited, or sandbox_wait asked us to stop */
        if (fds[2].revents & POLLIN)
            handle_notification(c, req, resp);
        else if (fds[2].revents)
            fds[2].fd = -1; /* no task uses the filter any more */
        if (deadline && sandbox_now_ns() >= deadline) {
            pthread_mutex_lock(&c->lock);
            if (!c->violation)
                c->timed_out = 1;
            pthread_mutex_unlock(&c->lock);
            sandbox_kill_all_processes(c);
            deadline = 0;
        }
    }
    seccomp_notify_free(req, resp);
    return NULL;
}

int sandbox_supervisor_start(struct sandbox_child *c, char **err)
{
    if (c->notify_fd < 0 && !c->deadline_ns)
        return 0;
    /* The thread must not take the host's signals. */
    sigset_t all, saved;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &saved);
    int rc = pthread_create(&c->supervisor, NULL, supervise, c);
    pthread_sigmask(SIG_SETMASK, &saved, NULL);
    if (rc != 0)
        return sandbox_fail(err, -rc, "cannot start the sandbox supervisor: %s", strerror(rc));
    c->supervisor_running = 1;
    return 0;
}

static void human_bytes(uint64_t v, char *buf, size_t size)
{
    if (v >= (1ULL << 30) && v % (1ULL << 30) == 0)
        snprintf(buf, size, "%llu GiB", (unsigned long long)(v >> 30));
    else if (v >= (1ULL << 20))
        snprintf(buf, size, "%.1f MiB", (double)v / (1 << 20));
    else
        snprintf(buf, size, "%llu bytes", (unsigned long long)v);
}

static void describe(struct sandbox_result *r)
{
    char limit[32], peak[32];
    human_bytes(r->memory_limit, limit, sizeof limit);
    human_bytes(r->peak_memory, peak, sizeof peak);
    switch (r->how) {
    case SANDBOX_EXITED:
        snprintf(r->message, sizeof r->message, "exited with code %d", r->exit_code);
        break;
    case SANDBOX_SIGNALED:
        snprintf(r->message, sizeof r->message, "killed by signal %d (%s)", r->signal,
                 strsignal(r->signal));
        break;
    case SANDBOX_OOM:
        if (r->memory_limit)
            snprintf(r->message, sizeof r->message,
                     "out of memory: the %s memory cap was reached (peak %s)", limit, peak);
        else
            snprintf(r->message, sizeof r->message, "out of memory (peak %s)", peak);
        break;
    case SANDBOX_TIMEOUT:
        snprintf(r->message, sizeof r->message, "wall-clock timeout: killed after %.3f s (limit %.3f s)",
                 (double)r->wall_ns / 1e9, (double)r->timeout_ns / 1e9);
        break;
    case SANDBOX_SECCOMP:
        snprintf(r->message, sizeof r->message, "sandbox violation: forbidden syscall %s%s%s%s",
                 r->syscall_name, r->syscall_arch[0] ? " (" : "", r->syscall_arch,
                 r->syscall_arch[0] ? ")" : "");
        break;
    case SANDBOX_PIDS_LIMIT:
        snprintf(r->message, sizeof r->message,
                 "process limit of %llu reached (the child failed to fork and %s %d)",
                 (unsigned long long)r->pids_limit, r->signal ? "died of signal" : "exited with",
                 r->signal ? r->signal : r->exit_code);
        break;
    case SANDBOX_SETUP_FAILED:
        snprintf(r->message, sizeof r->message, "sandbox setup failed");
        break;
    }
}

int sandbox_wait(struct sandbox_child *c, struct sandbox_result *res)
{
    if (!c || !res)
        return -EINVAL;
    int status = 0;
    struct rusage ru;
    memset(&ru, 0, sizeof ru);
    pid_t got;
    while ((got = wait4(c->pid, &status, 0, &ru)) < 0 && errno == EINTR)
        ;
    int rc = got < 0 ? -errno : 0;
    uint64_t end = sandbox_now_ns();
    /* Without a pid namespace, grandchildren may outlive the child. */
    sandbox_cgroup_kill(&c->cg);
    if (c->supervisor_running) {
        uint64_t one = 1;
        (void)!write(c->stop_fd, &one, sizeof one);
        pthread_join(c->supervisor, NULL);
    }

    struct sandbox_result r;
    memset(&r, 0, sizeof r);
    r.syscall_nr = -1;
    r.wall_ns = end - c->start_ns;
    r.timeout_ns = c->timeout_ns;
    r.memory_limit = c->memory_limit;
    r.pids_limit = c->pids_limit;
    r.cpus_limit = c->cpus_limit;
    r.cgroup = c->cg.mode;
    r.limits_enforced = c->limits_enforced;
    r.isolated = c->isolated;

    struct sandbox_cgroup_stats st;
    sandbox_cgroup_stats(&c->cg, &st);
    r.peak_memory = st.have_peak ? st.peak_memory : (uint64_t)ru.ru_maxrss * 1024;
    if (st.have_cpu) {
        r.cpu_user_ns = st.cpu_user_ns;
        r.cpu_system_ns = st.cpu_system_ns;
    } else {
        r.cpu_user_ns = (uint64_t)ru.ru_utime.tv_sec * 1000000000ULL + ru.ru_utime.tv_usec * 1000ULL;
        r.cpu_system_ns = (uint64_t)ru.ru_stime.tv_sec * 1000000000ULL + ru.ru_stime.tv_usec * 1000ULL;
    }

    int signaled = got > 0 && WIFSIGNALED(status);
    int failed = signaled || (got > 0 && WIFEXITED(status) && WEXITSTATUS(status) != 0);
    if (got > 0 && WIFEXITED(status))
        r.exit_code = WEXITSTATUS(status);
    if (signaled)
        r.signal = WTERMSIG(status);

    pthread_mutex_lock(&c->lock);
    if (c->violation) {
        r.how = SANDBOX_SECCOMP;
        r.syscall_nr = c->violation_nr;
        sandbox_syscall_name(c->violation_arch, c->violation_nr, r.syscall_name,
                             sizeof r.syscall_name, r.syscall_arch, sizeof r.syscall_arch);
    } else if (c->timed_out) {
        r.how = SANDBOX_TIMEOUT;
    } else if (st.oom_kills && failed) {
        r.how = SANDBOX_OOM;
    } else if (signaled && r.signal == SIGSYS && c->isolated) {
        /* Only the worker's exec ban kills with SIGSYS; filter 2 reports
         * through the supervisor instead. */
        r.how = SANDBOX_SECCOMP;
        snprintf(r.syscall_name, sizeof r.syscall_name, "execve/execveat");
    } else if (st.pids_max_events && failed) {
        r.how = SANDBOX_PIDS_LIMIT;
    } else if (signaled) {
        r.how = SANDBOX_SIGNALED;
    } else {
        r.how = SANDBOX_EXITED;
    }
    pthread_mutex_unlock(&c->lock);
    describe(&r);
    if (got < 0) {
        /* Someone else reaped it (a waitpid(-1) in the host): we cannot know. */
        r.how = SANDBOX_SETUP_FAILED;
        snprintf(r.message, sizeof r.message, "could not reap the sandboxed child: %s",
                 strerror(-rc));
    }

    sandbox_registry_remove(c->registry_slot);
    if (sandbox_cgroup_remove(&c->cg) < 0 && rc == 0)
        rc = -EBUSY;
    sandbox_child_release(c);
    *res = r;
    return rc;
}
