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
#include "host/spawn.h"
#include "sdk/src/runtime.h"

/* A plugin table's description is small; more than this is not a description. */
#define DESCRIBE_MAX_BYTES (1024 * 1024)

int host_describe_library(struct bh_cli *cli, const char *library_path, json_t **out, char **err)
{
	char *buf = NULL, *abs = realpath(library_path, NULL);
	size_t len = 0;
	int pipefd[2], r;
	json_error_t jerr;
	(void)cli;
	if (!abs)
		return rt_fail(err, "%s: %s", library_path, strerror(errno));
	if (pipe2(pipefd, O_CLOEXEC) < 0) {
		free(abs);
		return rt_fail(err, "pipe: %s", strerror(errno));
	}
	/* The worker writes its whole answer before this reads it, so the pipe
	 * is sized to hold the largest description accepted. */
	fcntl(pipefd[1], F_SETPIPE_SZ, DESCRIBE_MAX_BYTES);
	r = spawn_describe(abs, pipefd[1], err);
	close(pipefd[1]);
	free(abs);
	if (r == 0 && !(buf = malloc(DESCRIBE_MAX_BYTES + 1)))
		r = -ENOMEM;
	while (r == 0 && len < DESCRIBE_MAX_BYTES) {
		ssize_t n = read(pipefd[0], buf + len, DESCRIBE_MAX_BYTES - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	close(pipefd[0]);
	if (r == 0 && !(*out = json_loadb(buf, len, 0, &jerr)))
		r = rt_fail(err, "describing %s: invalid output: %s", library_path, jerr.text);
	free(buf);
	return r;
}
