/* Starting bulkhead-worker: the seam between the host and the sandbox. */
#ifndef BH_HOST_SPAWN_H
#define BH_HOST_SPAWN_H

#include <sys/types.h>

#include "host/host.h"

struct spawned_worker {
	pid_t pid;
	int control_fd; /* the host's end of the control socket */
	int stdout_fd;  /* the worker's stdout and stderr, as pipes */
	int stderr_fd;
	void *sandbox;  /* the sandbox's handle, when isolated */
};

/* Starts the worker with its control socket on fd 3.  On failure *err says
 * why (caller frees); -EPERM means the sandbox could not be set up as asked. */
int spawn_worker(struct bh_cli *cli, const struct host_run_options *opts, struct spawned_worker *out,
		 char **err);
/* Waits for the worker and fills out's exit status, sandbox accounting and,
 * for resource and sandbox endings, exit_code and message. */
int spawn_wait(struct spawned_worker *w, struct host_run_result *out);
/* Runs `bulkhead-worker describe LIBRARY` in the sandbox with its output on
 * out_fd (the worker's fd 3) and waits for it. */
int spawn_describe(const char *library_path, int out_fd, char **err);
/* Async-signal-safe: kills running sandboxes and removes their cgroups. */
void spawn_interrupt_cleanup(void);

#endif
