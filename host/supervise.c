/* Running bulkhead-worker: spawn it with the control socket on fd 3, send the
 * plan, relay its progress and logs, and collect how it ended. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "host/host.h"
#include "host/worker.h"
#include "host/progress.h"
#include "host/spawn.h"
#include "sdk/src/runtime.h"

/* A control line longer than this is a protocol violation. */
#define HOST_CONTROL_LINE_MAX (64 * 1024 * 1024)

static int send_plan(int fd, const json_t *plan)
{
	char *text = json_dumps(plan, JSON_COMPACT);
	size_t len, off = 0;
	int r = 0;
	if (!text)
		return -ENOMEM;
	len = strlen(text);
	while (off < len) {
		ssize_t n = write(fd, text + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			r = -errno;
			break;
		}
		off += (size_t)n;
	}
	free(text);
	shutdown(fd, SHUT_WR);
	return r;
}

static void handle_event(struct host_run_result *out, struct progress *pg, json_t *ev, int quiet)
{
	const char *type = json_string_value(json_object_get(ev, "event"));
	if (!type)
		return;
	if (strcmp(type, "progress") == 0) {
		progress_update(pg, ev);
	} else if (strcmp(type, "log") == 0) {
		const char *level = json_string_value(json_object_get(ev, "level"));
		if (quiet && level && strcmp(level, "info") == 0)
			return;
		progress_clear(pg);
		fprintf(stderr, "%s: %s: %s\n", level ? level : "log",
			json_string_value(json_object_get(ev, "component")) ?: "worker",
			json_string_value(json_object_get(ev, "message")) ?: "");
	} else if (strcmp(type, "done") == 0) {
		json_decref(out->done);
		out->done = json_incref(ev);
	}
}

/* Reads newline-separated JSON events from fd until EOF. */
static int read_events(int fd, struct host_run_result *out, struct progress *pg, int quiet)
{
	size_t len = 0, cap = 65536;
	char *buf = malloc(cap);
	if (!buf)
		return -ENOMEM;
	for (;;) {
		ssize_t n;
		char *nl;
		if (len == cap) {
			char *b;
			if (cap >= HOST_CONTROL_LINE_MAX) {
				free(buf);
				return -EPROTO;
			}
			b = realloc(buf, cap * 2);
			if (!b) {
				free(buf);
				return -ENOMEM;
			}
			buf = b;
			cap *= 2;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
		while ((nl = memchr(buf, '\n', len))) {
			json_t *ev = json_loadb(buf, (size_t)(nl - buf), 0, NULL);
			if (ev)
				handle_event(out, pg, ev, quiet);
			json_decref(ev);
			len -= (size_t)(nl + 1 - buf);
			memmove(buf, nl + 1, len);
		}
	}
	free(buf);
	return 0;
}

/* Maps the worker's report and wait status to an exit code and message. */
static void classify(struct host_run_result *out)
{
	const char *status = json_string_value(json_object_get(out->done, "status"));
	const char *cat = json_string_value(json_object_get(out->done, "category"));
	const char *msg = json_string_value(json_object_get(out->done, "message"));
	if (out->exit_code != BH_EXIT_OK && out->message)
		return; /* the sandbox already classified it (limit, violation) */
	if (status && strcmp(status, "ok") == 0 && WIFEXITED(out->exit_status) &&
	    WEXITSTATUS(out->exit_status) == 0) {
		out->exit_code = BH_EXIT_OK;
		return;
	}
	if (status && strcmp(status, "error") == 0) {
		out->exit_code = !cat ? BH_EXIT_INTERNAL
			       : strcmp(cat, "config") == 0 ? BH_EXIT_CONFIG
			       : strcmp(cat, "data") == 0   ? BH_EXIT_DATA
							    : BH_EXIT_INTERNAL;
		out->message = strdup(msg ? msg : "the transfer failed");
		return;
	}
	out->exit_code = BH_EXIT_DATA;
	if (WIFSIGNALED(out->exit_status)) {
		if (asprintf(&out->message, "the worker was killed by signal %d (%s) before it finished",
			     WTERMSIG(out->exit_status), strsignal(WTERMSIG(out->exit_status))) < 0)
			out->message = NULL;
	} else if (asprintf(&out->message, "the worker exited with status %d before it finished",
			    WEXITSTATUS(out->exit_status)) < 0) {
		out->message = NULL;
	}
}

int host_run_worker(struct bh_cli *cli, const json_t *plan, const struct host_run_options *opts,
		    struct host_run_result *out)
{
	struct spawned_worker child;
	struct progress pg;
	struct timespec t0, t1;
	char *err = NULL;
	int r;
	memset(out, 0, sizeof(*out));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	r = spawn_worker(cli, opts, &child, &err);
	if (r < 0) {
		out->exit_code = r == -EPERM ? BH_EXIT_SANDBOX : BH_EXIT_INTERNAL;
		out->message = err ? err : strdup("cannot start the worker");
		return r;
	}
	progress_init(&pg, opts->progress && !cli->quiet);
	/* A worker that died before reading its plan is reported by its exit status below. */
	(void)send_plan(child.control_fd, plan);
	read_events(child.control_fd, out, &pg, cli->quiet);
	progress_finish(&pg);
	close(child.control_fd);
	r = spawn_wait(&child, out);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	out->wall_seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	classify(out);
	return r;
}

void host_run_result_free(struct host_run_result *r)
{
	json_decref(r->done);
	json_decref(r->sandbox);
	free(r->message);
	memset(r, 0, sizeof(*r));
}
