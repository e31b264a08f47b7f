/* Starting bulkhead-worker as a plain child process. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "host/spawn.h"
#include "host/worker.h"
#include "sdk/src/runtime.h"

int spawn_worker(struct bh_cli *cli, const struct host_run_options *opts, struct spawned_worker *out,
		 char **err)
{
	char *worker = host_worker_path();
	int sv[2];
	pid_t pid;
	(void)cli;
	(void)opts;
	if (!worker)
		return -ENOMEM;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
		free(worker);
		return rt_fail(err, "socketpair: %s", strerror(errno));
	}
	pid = fork();
	if (pid < 0) {
		int e = errno;
		close(sv[0]);
		close(sv[1]);
		free(worker);
		return rt_fail(err, "fork: %s", strerror(e));
	}
	if (pid == 0) {
		if (dup2(sv[1], WORKER_CONTROL_FD) < 0)
			_exit(127);
		execl(worker, "bulkhead-worker", (char *)NULL);
		fprintf(stderr, "bulkhead: cannot run %s: %s\n", worker, strerror(errno));
		_exit(127);
	}
	close(sv[1]);
	free(worker);
	memset(out, 0, sizeof(*out));
	out->pid = pid;
	out->control_fd = sv[0];
	return 0;
}

int spawn_wait(struct spawned_worker *w, struct host_run_result *out)
{
	int status = 0;
	while (waitpid(w->pid, &status, 0) < 0) {
		if (errno != EINTR)
			return -errno;
	}
	out->exit_status = status;
	out->sandbox = json_pack("{s:b}", "isolated", 0);
	return 0;
}

void spawn_interrupt_cleanup(void)
{
}

int spawn_describe(const char *library_path, int out_fd, char **err)
{
	char *worker = host_worker_path();
	int status = 0;
	pid_t pid;
	if (!worker)
		return -ENOMEM;
	pid = fork();
	if (pid == 0) {
		dup2(out_fd, WORKER_CONTROL_FD);
		execl(worker, "bulkhead-worker", "describe", library_path, (char *)NULL);
		_exit(127);
	}
	free(worker);
	if (pid < 0)
		return rt_fail(err, "fork: %s", strerror(errno));
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return rt_fail(err, "cannot read the option tables of %s (see the message above)", library_path);
	return 0;
}
