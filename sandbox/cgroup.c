/* Per-child cgroups on pure v2 and on hybrid/v1 hosts.
 *
 * The child's cgroup is always created below the cgroup this process is in
 * (optionally below a per-tenant parent there), so no unrelated process is
 * ever moved. v2: memory.max, memory.swap.max, memory.oom.group, cpu.max,
 * pids.max; memory.events, memory.peak, pids.events, cpu.stat; cgroup.kill.
 * v1: memory.limit_in_bytes (+ memsw), cpu.cfs_quota_us, pids.max;
 * memory.max_usage_in_bytes, memory.oom_control, pids.events, cpuacct; and,
 * where a controller-less v2 hierarchy is mounted, a group there too so that
 * cgroup.kill and cgroup.events track and kill the whole tree.
 *
 * Removal and kill run from signal handlers too, so they use only
 * async-signal-safe calls on fixed buffers. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "sandbox/internal.h"

#define CPU_PERIOD_US 100000
#define CGROUP_PARENT_MAX 64 /* bytes in a tenant parent name */

static const char *const controller_names[SANDBOX_CG_COUNT] = { "memory", "cpu", "cpuacct",
                                                                 "pids", "" };

/* Where each hierarchy is mounted and where this process sits in it. */
struct layout {
    char mount[SANDBOX_CG_COUNT][PATH_MAX];
    char mount_root[SANDBOX_CG_COUNT][PATH_MAX];
    char own[SANDBOX_CG_COUNT][PATH_MAX];
};

/* ---- async-signal-safe file helpers ------------------------------------ */

static int join(char *out, size_t size, const char *dir, const char *name)
{
    size_t a = strlen(dir), b = strlen(name);
    if (a + 1 + b + 1 > size)
        return -ENAMETOOLONG;
    memcpy(out, dir, a);
    out[a] = '/';
    memcpy(out + a + 1, name, b + 1);
    return 0;
}

static int write_file(const char *dir, const char *name, const char *value)
{
    char path[PATH_MAX];
    if (join(path, sizeof path, dir, name) < 0)
        return -ENAMETOOLONG;
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    size_t len = strlen(value);
    ssize_t n = write(fd, value, len);
    int rc = n == (ssize_t)len ? 0 : (n < 0 ? -errno : -EIO);
    close(fd);
    return rc;
}

static ssize_t read_file(const char *dir, const char *name, char *buf, size_t size)
{
    char path[PATH_MAX];
    if (join(path, sizeof path, dir, name) < 0)
        return -ENAMETOOLONG;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    ssize_t n = read(fd, buf, size - 1);
    int saved = errno;
    close(fd);
    if (n < 0)
        return -saved;
    buf[n] = 0;
    return n;
}

static int file_exists(const char *dir, const char *name)
{
    char path[PATH_MAX];
    return join(path, sizeof path, dir, name) == 0 && access(path, F_OK) == 0;
}

/* Value after "key " in a flat-keyed file such as memory.events. */
static int keyed_value(const char *text, const char *key, uint64_t *out)
{
    size_t klen = strlen(key);
    for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
        if (strncmp(p, key, klen) == 0 && p[klen] == ' ') {
            *out = strtoull(p + klen + 1, NULL, 10);
            return 0;
        }
    }
    return -ENOENT;
}

static int read_u64(const char *dir, const char *name, uint64_t *out)
{
    char buf[64];
    if (read_file(dir, name, buf, sizeof buf) < 0)
        return -ENOENT;
    if (!isdigit((unsigned char)buf[0]))
        return -EINVAL;
    *out = strtoull(buf, NULL, 10);
    return 0;
}

/* ---- discovery ---------------------------------------------------------- */

static int controller_index(const char *name)
{
    for (int i = 0; i < SANDBOX_CG_UNIFIED; i++)
        if (strcmp(name, controller_names[i]) == 0)
            return i;
    return -1;
}

static void read_mounts(struct layout *l)
{
    FILE *f = fopen("/proc/self/mountinfo", "re");
    if (!f)
        return;
    char *line = NULL;
    size_t cap = 0;
    while (getline(&line, &cap, f) > 0) {
        char root[PATH_MAX], point[PATH_MAX], fstype[64], superopts[512];
        char *sep = strstr(line, " - ");
        if (!sep || sscanf(line, "%*s %*s %*s %4095s %4095s", root, point) != 2 ||
            sscanf(sep + 3, "%63s %*s %511s", fstype, superopts) != 2)
            continue;
        if (strcmp(fstype, "cgroup2") == 0 && !l->mount[SANDBOX_CG_UNIFIED][0]) {
            snprintf(l->mount[SANDBOX_CG_UNIFIED], PATH_MAX, "%s", point);
            snprintf(l->mount_root[SANDBOX_CG_UNIFIED], PATH_MAX, "%s", root);
        } else if (strcmp(fstype, "cgroup") == 0) {
            char *save = NULL;
            for (char *opt = strtok_r(superopts, ",", &save); opt;
                 opt = strtok_r(NULL, ",", &save)) {
                int i = controller_index(opt);
                if (i >= 0 && !l->mount[i][0]) {
                    snprintf(l->mount[i], PATH_MAX, "%s", point);
                    snprintf(l->mount_root[i], PATH_MAX, "%s", root);
                }
            }
        }
    }
    free(line);
    fclose(f);
}

static void read_own(struct layout *l)
{
    FILE *f = fopen("/proc/self/cgroup", "re");
    if (!f)
        return;
    char *line = NULL;
    size_t cap = 0;
    while (getline(&line, &cap, f) > 0) {
        line[strcspn(line, "\n")] = 0;
        char *c1 = strchr(line, ':');
        char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
        if (!c2)
            continue;
        *c2 = 0;
        const char *ctrls = c1 + 1, *path = c2 + 1;
        if (!*ctrls) {
            snprintf(l->own[SANDBOX_CG_UNIFIED], PATH_MAX, "%s", path);
            continue;
        }
        char buf[256], *save = NULL;
        snprintf(buf, sizeof buf, "%s", ctrls);
        for (char *c = strtok_r(buf, ",", &save); c; c = strtok_r(NULL, ",", &save)) {
            int i = controller_index(c);
            if (i >= 0)
                snprintf(l->own[i], PATH_MAX, "%s", path);
        }
    }
    free(line);
    fclose(f);
}

/* The directory of this process's cgroup in hierarchy i, or -ENOENT. */
static int own_dir(const struct layout *l, int i, char *out, size_t size)
{
    if (!l->mount[i][0] || !l->own[i][0])
        return -ENOENT;
    const char *own = l->own[i], *root = l->mount_root[i];
    size_t rlen = strcmp(root, "/") == 0 ? 0 : strlen(root);
    if (rlen && (strncmp(own, root, rlen) != 0 || (own[rlen] && own[rlen] != '/')))
        return -ENOENT; /* our cgroup is outside what is mounted */
    const char *rest = own + rlen;
    if (strcmp(rest, "/") == 0)
        rest = "";
    if ((size_t)snprintf(out, size, "%s%s", l->mount[i], rest) >= size)
        return -ENAMETOOLONG;
    return 0;
}

static int valid_parent_name(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > CGROUP_PARENT_MAX || s[0] == '.')
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)s[i]) && !strchr("._-", s[i]))
            return 0;
    return 1;
}

static atomic_uint sequence;
static atomic_int swept;

/* A host killed with SIGKILL cannot clean up: its children die of their
 * death signal but their empty groups stay. Removes bulkhead-PID-N groups of
 * processes that no longer exist under dir. Runs once per host process. */
static void sweep_stale(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d))) {
        int pid = 0;
        unsigned n = 0;
        if (sscanf(e->d_name, "bulkhead-%d-%u", &pid, &n) != 2 || pid <= 0 || pid == getpid())
            continue;
        if (kill(pid, 0) == 0 || errno != ESRCH)
            continue;
        char path[PATH_MAX];
        if (join(path, sizeof path, dir, e->d_name) == 0)
            (void)rmdir(path); /* fails harmlessly if something still runs there */
    }
    closedir(d);
}

/* mkdir base[/parent]/bulkhead-PID-N into out. */
static int make_leaf(const char *base, const char *parent, char *out, size_t size)
{
    char dir[PATH_MAX];
    if ((size_t)snprintf(dir, sizeof dir, "%s%s%s", base, parent ? "/" : "", parent ? parent : "") >=
        sizeof dir)
        return -ENAMETOOLONG;
    if (parent && mkdir(dir, 0755) < 0 && errno != EEXIST)
        return -errno;
    if ((size_t)snprintf(out, size, "%s/bulkhead-%d-%u", dir, (int)getpid(),
                         atomic_fetch_add(&sequence, 1)) >= size)
        return -ENAMETOOLONG;
    if (atomic_load(&swept) < SANDBOX_CG_COUNT) {
        atomic_fetch_add(&swept, 1);
        sweep_stale(dir);
    }
    if (mkdir(out, 0755) < 0) {
        int rc = -errno;
        out[0] = 0;
        return rc;
    }
    return 0;
}

/* Enables the wanted controllers for children of dir; returns those enabled. */
static void enable_v2(const char *dir, int want_memory, int want_cpu, int want_pids)
{
    static const char *const names[] = { "memory", "cpu", "pids" };
    int want[] = { want_memory, want_cpu, want_pids };
    char have[256];
    if (read_file(dir, "cgroup.subtree_control", have, sizeof have) < 0)
        have[0] = 0;
    for (int i = 0; i < 3; i++) {
        if (!want[i] || strstr(have, names[i]))
            continue;
        char op[16];
        snprintf(op, sizeof op, "+%s", names[i]);
        /* EBUSY when dir holds processes (no internal processes rule):
         * reported below as an unenforceable cap, never worked around by
         * moving the host's processes. */
        (void)write_file(dir, "cgroup.subtree_control", op);
    }
}

static int has_controller_v2(const char *leaf, const char *name)
{
    char buf[256];
    if (read_file(leaf, "cgroup.controllers", buf, sizeof buf) < 0)
        return 0;
    for (char *save = NULL, *t = strtok_r(buf, " \n", &save); t; t = strtok_r(NULL, " \n", &save))
        if (strcmp(t, name) == 0)
            return 1;
    return 0;
}

static int create_v2(const struct sandbox_policy *p, const struct layout *l,
                     struct sandbox_cgroup *cg, char *why, size_t why_size, int *have)
{
    char base[PATH_MAX];
    int rc = own_dir(l, SANDBOX_CG_UNIFIED, base, sizeof base);
    if (rc < 0) {
        snprintf(why, why_size, "cannot locate this process's cgroup v2 directory");
        return rc;
    }
    enable_v2(base, 1, p->cpus > 0, 1);
    if (p->cgroup_parent) {
        char tenant[PATH_MAX];
        if (join(tenant, sizeof tenant, base, p->cgroup_parent) == 0 &&
            (mkdir(tenant, 0755) == 0 || errno == EEXIST))
            enable_v2(tenant, 1, p->cpus > 0, 1);
    }
    rc = make_leaf(base, p->cgroup_parent, cg->dirs[SANDBOX_CG_UNIFIED], PATH_MAX);
    if (rc < 0) {
        snprintf(why, why_size, "cannot create a cgroup under %s: %s", base, strerror(-rc));
        return rc;
    }
    cg->mode = SANDBOX_CGROUP_V2;
    const char *leaf = cg->dirs[SANDBOX_CG_UNIFIED];
    cg->has_kill = file_exists(leaf, "cgroup.kill");
    have[SANDBOX_CG_MEMORY] = has_controller_v2(leaf, "memory");
    have[SANDBOX_CG_CPU] = has_controller_v2(leaf, "cpu");
    have[SANDBOX_CG_PIDS] = has_controller_v2(leaf, "pids");
    if (!have[SANDBOX_CG_MEMORY] || !have[SANDBOX_CG_PIDS] || (p->cpus > 0 && !have[SANDBOX_CG_CPU]))
        snprintf(why, why_size,
                 "controllers are not enabled for children of %s (it has processes of its own or "
                 "the controllers are not delegated to it)",
                 base);
    char v[64];
    if (p->memory_max && have[SANDBOX_CG_MEMORY]) {
        snprintf(v, sizeof v, "%llu", (unsigned long long)p->memory_max);
        if (write_file(leaf, "memory.max", v) < 0)
            have[SANDBOX_CG_MEMORY] = 0;
        /* "No swap beyond the cap"; absent when the kernel has no swap accounting. */
        if (file_exists(leaf, "memory.swap.max") && write_file(leaf, "memory.swap.max", "0") < 0)
            have[SANDBOX_CG_MEMORY] = 0;
    }
    if (have[SANDBOX_CG_MEMORY])
        (void)write_file(leaf, "memory.oom.group", "1");
    if (p->cpus > 0 && have[SANDBOX_CG_CPU]) {
        unsigned long long quota = (unsigned long long)(p->cpus * CPU_PERIOD_US);
        snprintf(v, sizeof v, "%llu %d", quota < 1000 ? 1000 : quota, CPU_PERIOD_US);
        if (write_file(leaf, "cpu.max", v) < 0)
            have[SANDBOX_CG_CPU] = 0;
    }
    if (p->pids_max && have[SANDBOX_CG_PIDS]) {
        snprintf(v, sizeof v, "%llu", (unsigned long long)p->pids_max);
        if (write_file(leaf, "pids.max", v) < 0)
            have[SANDBOX_CG_PIDS] = 0;
    }
    return 0;
}

static int create_v1(const struct sandbox_policy *p, const struct layout *l,
                     struct sandbox_cgroup *cg, char *why, size_t why_size, int *have)
{
    cg->mode = SANDBOX_CGROUP_V1;
    /* Moving a process into a v1 cgroup costs an RCU grace period (several
     * ms); the controller-less v2 group is entered for free by clone3. So
     * without caps, accounting comes from v2 cpu.stat and rusage alone. */
    int caps = p->memory_max || p->cpus > 0 || p->pids_max, noted = 0;
    for (int i = 0; i < SANDBOX_CG_COUNT; i++) {
        char base[PATH_MAX];
        if (i != SANDBOX_CG_UNIFIED && !caps)
            continue;
        if (own_dir(l, i, base, sizeof base) < 0)
            continue;
        /* cpu and cpuacct are often co-mounted: one directory serves both. */
        int shared = -1;
        for (int j = 0; j < i; j++)
            if (l->mount[j][0] && strcmp(l->mount[j], l->mount[i]) == 0)
                shared = j;
        if (shared >= 0) {
            have[i] = have[shared];
            continue;
        }
        int rc = make_leaf(base, p->cgroup_parent, cg->dirs[i], PATH_MAX);
        if (rc < 0) {
            if (!noted++) /* the first failure is the telling one */
                snprintf(why, why_size, "cannot create a cgroup under %s: %s", base,
                         strerror(-rc));
            continue;
        }
        have[i] = 1;
    }
    if (cg->dirs[SANDBOX_CG_UNIFIED][0])
        cg->has_kill = file_exists(cg->dirs[SANDBOX_CG_UNIFIED], "cgroup.kill");
    char v[64];
    const char *mem = cg->dirs[SANDBOX_CG_MEMORY];
    if (p->memory_max && mem[0]) {
        snprintf(v, sizeof v, "%llu", (unsigned long long)p->memory_max);
        if (write_file(mem, "memory.limit_in_bytes", v) < 0)
            have[SANDBOX_CG_MEMORY] = 0;
        /* memsw = memory + swap; equal to the cap means no swap on top. Without
         * swap accounting, swappiness 0 keeps the group off swap. */
        if (file_exists(mem, "memory.memsw.limit_in_bytes")) {
            if (write_file(mem, "memory.memsw.limit_in_bytes", v) < 0)
                have[SANDBOX_CG_MEMORY] = 0;
        } else {
            (void)write_file(mem, "memory.swappiness", "0");
        }
    }
    const char *cpu = cg->dirs[SANDBOX_CG_CPU];
    if (p->cpus > 0 && cpu[0]) {
        unsigned long long quota = (unsigned long long)(p->cpus * CPU_PERIOD_US);
        snprintf(v, sizeof v, "%d", CPU_PERIOD_US);
        int rc = write_file(cpu, "cpu.cfs_period_us", v);
        snprintf(v, sizeof v, "%llu", quota < 1000 ? 1000 : quota);
        if (rc < 0 || write_file(cpu, "cpu.cfs_quota_us", v) < 0)
            have[SANDBOX_CG_CPU] = 0;
    }
    const char *pids = cg->dirs[SANDBOX_CG_PIDS];
    if (p->pids_max && pids[0]) {
        snprintf(v, sizeof v, "%llu", (unsigned long long)p->pids_max);
        if (write_file(pids, "pids.max", v) < 0)
            have[SANDBOX_CG_PIDS] = 0;
    }
    for (int i = 0; i < SANDBOX_CG_COUNT; i++)
        if (cg->dirs[i][0])
            return 0;
    cg->mode = SANDBOX_CGROUP_NONE;
    return -ENOENT;
}

int sandbox_cgroup_create(const struct sandbox_policy *p, struct sandbox_cgroup *cg, int *enforced,
                          char **err)
{
    memset(cg, 0, sizeof *cg);
    if (p->cgroup_parent && !valid_parent_name(p->cgroup_parent))
        return sandbox_fail(err, -EINVAL,
                            "invalid cgroup parent name \"%s\" (1-%d of [A-Za-z0-9._-], not "
                            "starting with a dot)",
                            p->cgroup_parent, CGROUP_PARENT_MAX);
    struct layout *l = calloc(1, sizeof *l);
    if (!l)
        return sandbox_fail(err, -ENOMEM, "out of memory");
    read_mounts(l);
    read_own(l);
    int v1 = l->mount[SANDBOX_CG_MEMORY][0] || l->mount[SANDBOX_CG_CPU][0] ||
             l->mount[SANDBOX_CG_PIDS][0];
    int have[SANDBOX_CG_COUNT] = { 0 };
    char why[PATH_MAX + 200] = "no cgroup hierarchy is mounted";
    if (v1)
        (void)create_v1(p, l, cg, why, sizeof why, have);
    else if (l->mount[SANDBOX_CG_UNIFIED][0])
        (void)create_v2(p, l, cg, why, sizeof why, have);
    free(l);

    const char *missing = NULL;
    if (p->memory_max && !have[SANDBOX_CG_MEMORY])
        missing = "memory";
    else if (p->cpus > 0 && !have[SANDBOX_CG_CPU])
        missing = "cpu";
    else if (p->pids_max && !have[SANDBOX_CG_PIDS])
        missing = "pids";
    if (missing && !p->allow_unenforced_limits) {
        sandbox_cgroup_remove(cg);
        return sandbox_fail(err, -EPERM,
                            "a %s cap was requested but cannot be enforced: %s; refusing to run "
                            "(allow unenforced limits to run anyway)",
                            missing, why);
    }
    *enforced = missing == NULL;
    return 0;
}

int sandbox_cgroup_attach(const struct sandbox_cgroup *cg, pid_t pid, int skip_unified, char **err)
{
    char v[32];
    snprintf(v, sizeof v, "%d", (int)pid);
    for (int i = 0; i < SANDBOX_CG_COUNT; i++) {
        if (!cg->dirs[i][0] || (i == SANDBOX_CG_UNIFIED && skip_unified))
            continue;
        int rc = write_file(cg->dirs[i], "cgroup.procs", v);
        if (rc < 0)
            return sandbox_fail(err, rc, "cannot move the child into %s: %s", cg->dirs[i],
                                strerror(-rc));
    }
    return 0;
}

void sandbox_cgroup_stats(const struct sandbox_cgroup *cg, struct sandbox_cgroup_stats *st)
{
    memset(st, 0, sizeof *st);
    char buf[4096];
    uint64_t v = 0;
    if (cg->mode == SANDBOX_CGROUP_V2) {
        const char *d = cg->dirs[SANDBOX_CG_UNIFIED];
        if (read_u64(d, "memory.peak", &st->peak_memory) == 0)
            st->have_peak = 1;
        if (read_file(d, "memory.events", buf, sizeof buf) > 0 &&
            keyed_value(buf, "oom_kill", &v) == 0)
            st->oom_kills = v;
        if (read_file(d, "pids.events", buf, sizeof buf) > 0 && keyed_value(buf, "max", &v) == 0)
            st->pids_max_events = v;
        if (read_file(d, "cpu.stat", buf, sizeof buf) > 0 &&
            keyed_value(buf, "user_usec", &v) == 0) {
            st->cpu_user_ns = v * 1000;
            if (keyed_value(buf, "system_usec", &v) == 0)
                st->cpu_system_ns = v * 1000;
            st->have_cpu = 1;
        }
    } else if (cg->mode == SANDBOX_CGROUP_V1) {
        const char *mem = cg->dirs[SANDBOX_CG_MEMORY];
        if (mem[0] && read_u64(mem, "memory.max_usage_in_bytes", &st->peak_memory) == 0)
            st->have_peak = 1;
        if (mem[0] && read_file(mem, "memory.oom_control", buf, sizeof buf) > 0 &&
            keyed_value(buf, "oom_kill", &v) == 0)
            st->oom_kills = v;
        const char *pids = cg->dirs[SANDBOX_CG_PIDS];
        if (pids[0] && read_file(pids, "pids.events", buf, sizeof buf) > 0 &&
            keyed_value(buf, "max", &v) == 0)
            st->pids_max_events = v;
        const char *acct = cg->dirs[SANDBOX_CG_CPUACCT][0] ? cg->dirs[SANDBOX_CG_CPUACCT]
                                                           : cg->dirs[SANDBOX_CG_CPU];
        if (acct[0] && read_u64(acct, "cpuacct.usage_user", &st->cpu_user_ns) == 0 &&
            read_u64(acct, "cpuacct.usage_sys", &st->cpu_system_ns) == 0)
            st->have_cpu = 1;
        const char *uni = cg->dirs[SANDBOX_CG_UNIFIED];
        if (!st->have_cpu && uni[0] && read_file(uni, "cpu.stat", buf, sizeof buf) > 0 &&
            keyed_value(buf, "user_usec", &v) == 0) {
            st->cpu_user_ns = v * 1000;
            if (keyed_value(buf, "system_usec", &v) == 0)
                st->cpu_system_ns = v * 1000;
            st->have_cpu = 1;
        }
    }
}

/* Async-signal-safe: SIGKILL every pid listed in dir/cgroup.procs. */
static void kill_listed(const char *dir)
{
    char buf[4096];
    ssize_t n = read_file(dir, "cgroup.procs", buf, sizeof buf);
    for (ssize_t i = 0; i < n;) {
        long pid = 0;
        while (i < n && buf[i] >= '0' && buf[i] <= '9')
            pid = pid * 10 + (buf[i++] - '0');
        if (pid > 0)
            kill((pid_t)pid, SIGKILL);
        i++;
    }
}

void sandbox_cgroup_kill(const struct sandbox_cgroup *cg)
{
    if (cg->mode == SANDBOX_CGROUP_NONE)
        return;
    if (cg->has_kill && write_file(cg->dirs[SANDBOX_CG_UNIFIED], "cgroup.kill", "1") == 0)
        return;
    for (int i = 0; i < SANDBOX_CG_COUNT; i++)
        if (cg->dirs[i][0])
            kill_listed(cg->dirs[i]);
}

int sandbox_cgroup_remove(struct sandbox_cgroup *cg)
{
    int rc = 0;
    for (int i = 0; i < SANDBOX_CG_COUNT; i++) {
        if (!cg->dirs[i][0])
            continue;
        /* Processes leave their cgroup a moment after they die: retry ~2 s. */
        int tries = 0;
        while (rmdir(cg->dirs[i]) < 0 && errno == EBUSY && tries++ < 400) {
            if (tries % 50 == 1) {
                if (cg->has_kill)
                    (void)write_file(cg->dirs[SANDBOX_CG_UNIFIED], "cgroup.kill", "1");
                kill_listed(cg->dirs[i]);
            }
            struct timespec ts = { 0, 5 * 1000 * 1000 };
            nanosleep(&ts, NULL);
        }
        if (access(cg->dirs[i], F_OK) == 0)
            rc = -EBUSY;
        else
            cg->dirs[i][0] = 0;
    }
    if (rc == 0)
        cg->mode = SANDBOX_CGROUP_NONE;
    return rc;
}
