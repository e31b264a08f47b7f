/* Shared host-side helpers: locating programs and stores, resolving which
 * plugin version serves each config section, and running the worker. */
#ifndef BH_HOST_HOST_H
#define BH_HOST_HOST_H

#include <jansson.h>

#include "host/cli.h"
#include "packaging/store.h"

struct cfg_exec;
struct policy;

/* Fills cli->store_path from --home, BULKHEAD_PLUGIN_PATH, the system store
 * and (when running from the build tree) the build-tree store. */
int host_stores_init(struct bh_cli *cli, char **err);
void host_stores_free(struct bh_cli *cli);
/* Appends a copy of s to a string list unless it is already there. */
int host_list_add(char ***list, size_t *count, const char *s);
/* Path of bulkhead-worker (caller frees). */
char *host_worker_path(void);
/* Is this binary running from its build tree? */
int host_in_build_tree(void);

/* Which installed plugin version serves a (kind, type) section. */
struct host_resolution {
	const struct store_entry *entry;
	const struct manifest_component *component;
	char *reason; /* why this version (owned) */
	const char *source; /* "pin", "canary", "default" or "highest" */
};
/* Picks the plugin for kind/type among entries for cli->tenant, honouring the
 * optional version constraint and the policy.  On failure *err says why
 * (caller frees) and the return is -ENOENT (nothing provides it) or -EINVAL. */
int host_resolve(struct bh_cli *cli, const struct policy *policy, const struct store_entry *entries,
		 size_t count, const char *kind, const char *type, const char *constraint,
		 struct host_resolution *out, char **err);

/* Runs bulkhead-worker describe LIBRARY and returns its JSON. */
int host_describe_library(struct bh_cli *cli, const char *library_path, json_t **out, char **err);

/* The outcome of one worker run. */
struct host_run_result {
	json_t *done;       /* the worker's "done" event, or NULL if it died first */
	int exit_status;    /* the worker's wait status */
	json_t *sandbox;    /* the sandbox accounting object (report's "sandbox") */
	int exit_code;      /* the bulkhead exit code this outcome maps to */
	char *message;      /* a one-line description of a failure, or NULL */
	double wall_seconds;
};

struct host_run_options {
	int progress;       /* show a live progress line on stderr */
	const struct cfg_exec *limits; /* the config's exec: caps for the sandbox, or NULL */
	char **read_paths;  /* host paths the worker may read (inputs, plugin dirs) */
	size_t read_count;
	char **write_paths; /* host paths the worker may write (output dirs) */
	size_t write_count;
	char **plugin_dirs; /* resolved plugin version directories (read-only, executable) */
	size_t plugin_dir_count;
	int network;        /* a plugin declared requires: {network: true} */
	const char *cgroup_parent; /* the tenant's parent cgroup (host.yml), or NULL */
};

/* Spawns the worker, sends plan, relays progress and logs, and waits. */
int host_run_worker(struct bh_cli *cli, const json_t *plan, const struct host_run_options *opts,
		    struct host_run_result *out);
void host_run_result_free(struct host_run_result *r);

#endif
