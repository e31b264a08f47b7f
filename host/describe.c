/* Reading a plugin library's option tables without loading it in the host:
 * bulkhead-worker describe LIBRARY prints them as JSON. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "host/host.h"
#include "sdk/src/runtime.h"

/* A plugin table's description is small; more than this is not a description. */
#define DESCRIBE_MAX_BYTES (4 * 1024 * 1024)

int host_describe_library(struct bh_cli *cli, const char *library_path, json_t **out, char **err)
{
	char *worker = host_worker_path(), *buf = NULL;
	size_t len = 0;
	int pipefd[2], status = 0, r = 0;
	json_error_t jerr;
	pid_t pid;
	(void)cli;
	if (!worker)
		return -ENOMEM;
	if (pipe2(pipefd, O_CLOEXEC) < 0) {
		free(worker);
		return rt_fail(err, "pipe: %s", strerror(errno));
	}
	pid = fork();
	if (pid == 0) {
		dup2(pipefd[1], STDOUT_FILENO);
		execl(worker, "bulkhead-worker", "describe", library_path, (char *)NULL);
		fprintf(stderr, "bulkhead: cannot run %s: %s\n", worker, strerror(errno));
		_exit(127);
	}
	close(pipefd[1]);
	free(worker);
	if (pid < 0) {
		close(pipefd[0]);
		return rt_fail(err, "fork: %s", strerror(errno));
	}
	buf = malloc(DESCRIBE_MAX_BYTES + 1);
	while (buf && len < DESCRIBE_MAX_BYTES) {
		ssize_t n = read(pipefd[0], buf + len, DESCRIBE_MAX_BYTES - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	close(pipefd[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!buf)
		return -ENOMEM;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		r = rt_fail(err, "cannot read the option tables of %s (see the message above)", library_path);
	else if (!(*out = json_loadb(buf, len, 0, &jerr)))
		r = rt_fail(err, "describing %s: invalid output: %s", library_path, jerr.text);
	free(buf);
	return r;
}
