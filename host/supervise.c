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

/* Control-channel bytes not yet split into lines. */
struct line_buffer {
	char *buf;
	size_t len, cap;
};

/* Takes in the control bytes just read; handles every complete line. */
static int take_events(struct line_buffer *lb, const char *data, size_t n, struct host_run_result *out,
		       struct progress *pg, int quiet)
{
	char *nl;
	if (lb->cap - lb->len < n) {
		size_t cap = lb->cap ? lb->cap : 65536;
		char *b;
		while (cap - lb->len < n)
			cap *= 2;
		if (cap > HOST_CONTROL_LINE_MAX)
			return -EPROTO;
		b = realloc(lb->buf, cap);
		if (!b)
			return -ENOMEM;
		lb->buf = b;
		lb->cap = cap;
	}
	memcpy(lb->buf + lb->len, data, n);
	lb->len += n;
	while ((nl = memchr(lb->buf, '\n', lb->len))) {
		json_t *ev = json_loadb(lb->buf, (size_t)(nl - lb->buf), 0, NULL);
		if (ev)
			handle_event(out, pg, ev, quiet);
		json_decref(ev);
		lb->len -= (size_t)(nl + 1 - lb->buf);
		memmove(lb->buf, nl + 1, lb->len);
	}
	return 0;
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -errno;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Relays the worker's stdout and stderr (pipes: it never gets the
 * terminal) and reads its control events, until all three are closed. */
static int relay(struct spawned_worker *child, struct host_run_result *out, struct progress *pg, int quiet)
{
	struct pollfd fds[3] = {
		{ .fd = child->control_fd, .events = POLLIN },
		{ .fd = child->stdout_fd, .events = POLLIN },
		{ .fd = child->stderr_fd, .events = POLLIN },
	};
	struct line_buffer lb = { 0 };
	static char data[65536];
	int open_count = 3, r = 0;
	while (open_count > 0) {
		if (poll(fds, 3, -1) < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			break;
		}
		for (int i = 0; i < 3; i++) {
			ssize_t n;
			if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			n = read(fds[i].fd, data, sizeof(data));
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				fds[i].fd = -1;
				open_count--;
				continue;
			}
			if (i == 0) {
				r = take_events(&lb, data, (size_t)n, out, pg, quiet);
			} else {
				if (i == 2)
					progress_clear(pg);
				/* A closed stdout (| head) must not stop the worker's accounting: keep draining. */
				(void)write_all(i == 1 ? STDOUT_FILENO : STDERR_FILENO, data, (size_t)n);
			}
		}
	}
	free(lb.buf);
	return r;
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
	relay(&child, out, &pg, cli->quiet);
	progress_finish(&pg);
	close(child.control_fd);
	close(child.stdout_fd);
	close(child.stderr_fd);
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
