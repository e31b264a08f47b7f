/* Building the worker's plan from a loaded transfer config. */
#ifndef BH_HOST_PLAN_H
#define BH_HOST_PLAN_H

#include <jansson.h>

#include "host/config.h"
#include "host/host.h"
#include "host/host_config.h"

/* Plugin versions one transfer may use (each holds an in-use lock). */
#define PLAN_MAX_PLUGINS 64

struct plan_result {
	json_t *plan;    /* what the worker runs (see host/worker.h) */
	json_t *plugins; /* for the report: kind, type, name, version, path, reason */
	struct host_run_options opts;
	struct store_entry *entries;
	struct policy *policy;
	int use_fds[PLAN_MAX_PLUGINS]; /* in-use locks of the chosen versions */
	size_t use_count;
	struct host_config host; /* operator settings (<home>/host.yml) */
	size_t entry_count;
};

/* mode: "run", "preview", "check" or "guess".  For guess the parser section is
 * optional and not validated.  On failure *err (caller frees) is located
 * ("file:line:column: message") when it is about the config; returns -EINVAL
 * for config problems, -ENOENT when a plugin is missing. */
int plan_build(struct bh_cli *cli, const struct transfer_config *tc, const char *mode, struct plan_result *out,
	       char **err);
void plan_result_free(struct plan_result *p);

#endif
