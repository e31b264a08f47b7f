/* Starting bulkhead-worker inside the sandbox: the policy comes from the
 * plan (plugin directories, input and output paths, network) and the
 * config's exec.resources caps. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "host/config.h"
#include "host/spawn.h"
#include "host/worker.h"
#include "sandbox/sandbox.h"
#include "sdk/src/runtime.h"

/* Development and benchmark only: run the worker without namespaces or
 * seccomp (caps still apply when the cgroup is available). */
#define ISOLATION_OFF_ENV "BULKHEAD_UNSAFE_NO_ISOLATION"

static int isolation_off(void)
{
	const char *v = getenv(ISOLATION_OFF_ENV);
	return v && strcmp(v, "1") == 0;
}

/* Environment handed to the worker: nothing of the host's but what it needs. */
static char **worker_env(void)
{
	static char *env[4];
	static char debug[] = "BULKHEAD_DEBUG=1";
	static char tmpdir[] = "TMPDIR=/tmp";
	size_t n = 0;
	env[n++] = tmpdir;
	if (getenv("BULKHEAD_DEBUG"))
		env[n++] = debug;
	env[n] = NULL;
	return env;
}

static int add_mount(struct sandbox_mount *m, size_t *n, const char *path, int writable, int exec)
{
	for (size_t i = 0; i < *n; i++)
		if (strcmp(m[i].source, path) == 0) {
			m[i].writable |= writable;
			m[i].exec |= exec;
			return 0;
		}
	if (*n >= SANDBOX_MAX_MOUNTS)
		return -E2BIG;
	m[*n].source = path;
	m[*n].target = NULL;
	m[*n].writable = writable;
	m[*n].exec = exec;
	m[*n].optional = 0;
	(*n)++;
	return 0;
}

static void apply_limits(struct sandbox_policy *p, const struct cfg_exec *x)
{
	if (!x)
		return;
	p->memory_max = x->memory_bytes;
	p->cpus = x->cpus;
	p->pids_max = (uint64_t)(x->pids > 0 ? x->pids : 0);
	p->timeout_ns = x->timeout_ns;
	p->allow_unenforced_limits = x->allow_unenforced_limits;
}

/* Spawns argv in the sandbox with fds kept (as 3, 4, ...). */
static int spawn(const struct host_run_options *opts, char *const *argv, const int *keep, size_t nkeep,
		 struct sandbox_child **child, char **err)
{
	struct sandbox_mount mounts[SANDBOX_MAX_MOUNTS];
	struct sandbox_policy p;
	size_t n = 0;
	int r = 0;
	memset(&p, 0, sizeof(p));
	memset(mounts, 0, sizeof(mounts));
	for (size_t i = 0; r == 0 && i < opts->read_count; i++)
		r = add_mount(mounts, &n, opts->read_paths[i], 0, 0);
	for (size_t i = 0; r == 0 && i < opts->plugin_dir_count; i++)
		r = add_mount(mounts, &n, opts->plugin_dirs[i], 0, 1);
	for (size_t i = 0; r == 0 && i < opts->write_count; i++)
		r = add_mount(mounts, &n, opts->write_paths[i], 1, 0);
	if (r < 0)
		return rt_fail(err, "the transfer names more than %d paths for the sandbox", SANDBOX_MAX_MOUNTS);
	p.executable = argv[0];
	p.argv = argv;
	p.envp = worker_env();
	p.keep_fds = keep;
	p.keep_fd_count = nkeep;
	p.mounts = mounts;
	p.mount_count = n;
	p.network = opts->network;
	p.isolation_off = isolation_off();
	p.uid = SANDBOX_ID_CALLER;
	p.gid = SANDBOX_ID_CALLER;
	p.cgroup_parent = opts->cgroup_parent;
	apply_limits(&p, opts->limits);
	return sandbox_spawn(&p, child, err);
}

/* Points this process's fds 0-2 at the worker's (so the child inherits
 * them), or back at the saved ones.  The worker never gets the terminal. */
static int swap_stdio(const int to[3], int saved[3])
{
	for (int i = 0; i < 3; i++) {
		if (saved && (saved[i] = fcntl(i, F_DUPFD_CLOEXEC, 10)) < 0)
			return -errno;
		if (dup2(to[i], i) < 0)
			return -errno;
	}
	return 0;
}

int spawn_worker(struct bh_cli *cli, const struct host_run_options *opts, struct spawned_worker *out,
		 char **err)
{
	char *worker = host_worker_path();
	char *argv[] = { worker, NULL };
	struct sandbox_child *child = NULL;
	int sv[2], opipe[2] = { -1, -1 }, epipe[2] = { -1, -1 }, saved[3] = { -1, -1, -1 };
	int devnull = -1, r;
	(void)cli;
	if (!worker)
		return -ENOMEM;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
		free(worker);
		return rt_fail(err, "socketpair: %s", strerror(errno));
	}
	if (pipe2(opipe, O_CLOEXEC) < 0 || pipe2(epipe, O_CLOEXEC) < 0 ||
	    (devnull = open("/dev/null", O_RDONLY | O_CLOEXEC)) < 0) {
		r = rt_fail(err, "pipe: %s", strerror(errno));
		goto out;
	}
	{
		int to[3] = { devnull, opipe[1], epipe[1] };
		fflush(stdout);
		fflush(stderr);
		r = swap_stdio(to, saved);
		if (r == 0)
			r = spawn(opts, argv, &sv[1], 1, &child, err);
		if (swap_stdio(saved, NULL) < 0 && r == 0)
			r = rt_fail(err, "cannot restore stdio: %s", strerror(errno));
	}
	if (r < 0) {
		if (child)
			sandbox_kill(child);
		r = r == -EPERM || r == -ENOSYS || r == -EOPNOTSUPP ? -EPERM : r;
		goto out;
	}
	memset(out, 0, sizeof(*out));
	out->pid = sandbox_child_pid(child);
	out->control_fd = sv[0];
	out->stdout_fd = opipe[0];
	out->stderr_fd = epipe[0];
	out->sandbox = child;
	sv[0] = opipe[0] = epipe[0] = -1;
out:
	for (int i = 0; i < 3; i++)
		if (saved[i] >= 0)
			close(saved[i]);
	int leftovers[] = { sv[0], sv[1], opipe[0], opipe[1], epipe[0], epipe[1], devnull };
	for (size_t i = 0; i < sizeof(leftovers) / sizeof(leftovers[0]); i++)
		if (leftovers[i] >= 0)
			close(leftovers[i]);
	free(worker);
	return r;
}

/* Exit codes and messages for endings the worker could not report itself. */
static void classify_end(const struct sandbox_result *res, struct host_run_result *out)
{
	int code;
	switch (res->how) {
	case SANDBOX_OOM:
	case SANDBOX_TIMEOUT:
	case SANDBOX_PIDS_LIMIT:
		code = BH_EXIT_RESOURCE;
		break;
	case SANDBOX_SECCOMP:
	case SANDBOX_SETUP_FAILED:
		code = BH_EXIT_SANDBOX;
		break;
	default:
		return;
	}
	out->exit_code = code;
	free(out->message);
	out->message = strdup(res->message[0] ? res->message : sandbox_end_name(res->how));
}

int spawn_wait(struct spawned_worker *w, struct host_run_result *out)
{
	struct sandbox_result res;
	json_t *j = NULL;
	int r = sandbox_wait(w->sandbox, &res);
	w->sandbox = NULL;
	if (r < 0)
		return r;
	if (res.how == SANDBOX_EXITED)
		out->exit_status = (res.exit_code & 0xff) << 8;
	else if (res.how == SANDBOX_SIGNALED)
		out->exit_status = res.signal & 0x7f;
	else
		out->exit_status = SIGKILL;
	if (sandbox_result_to_json(&res, (struct json_t **)&j) == 0)
		out->sandbox = j;
	classify_end(&res, out);
	return 0;
}

void spawn_interrupt_cleanup(void)
{
	sandbox_cleanup_all();
}

int spawn_describe(const char *library_path, int stdout_fd, char **err)
{
	char *worker = host_worker_path();
	char *argv[] = { worker, (char *)"describe", (char *)library_path, NULL };
	char *dir = strdup(library_path), *slash;
	struct host_run_options opts;
	struct sandbox_child *child = NULL;
	struct sandbox_result res;
	int r;
	if (!worker || !dir) {
		free(worker);
		free(dir);
		return -ENOMEM;
	}
	slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	memset(&opts, 0, sizeof(opts));
	opts.plugin_dirs = &dir;
	opts.plugin_dir_count = 1;
	/* The library's stdout is the caller's pipe: the worker prints there. */
	r = spawn(&opts, argv, &stdout_fd, 1, &child, err);
	free(worker);
	free(dir);
	if (r < 0)
		return r;
	r = sandbox_wait(child, &res);
	if (r == 0 && (res.how != SANDBOX_EXITED || res.exit_code != 0))
		r = rt_fail(err, "reading the option tables failed: %s",
			    res.message[0] ? res.message : sandbox_end_name(res.how));
	return r;
}
