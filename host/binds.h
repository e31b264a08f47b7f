/* The host paths a worker's sandbox binds, derived from the config. */
#ifndef BH_HOST_BINDS_H
#define BH_HOST_BINDS_H

#include "host/host.h"

/* Up to this many matching inputs are bound one by one (so the worker sees
 * nothing else of their directory); more bind the directory. */
#define BINDS_MAX_PRECISE 16

/* Each returns 0, -ENOMEM, or -EINVAL with *err (caller frees) when the path
 * lies where the sandbox can not share it (/tmp itself, system directories). */
int binds_add_input_prefix(struct host_run_options *o, const char *prefix, char **err);
int binds_add_input_glob(struct host_run_options *o, const char *pattern, char **err);
/* A resolved plugin version directory (read-only, executable). */
int binds_add_plugin_dir(struct host_run_options *o, const char *dir);
int binds_add_output(struct host_run_options *o, const char *path_prefix, char **err);

#endif
