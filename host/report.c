/* The run report: status, counts, bytes, timings, plugins and sandbox accounting. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "host/report.h"

static const char *status_name(int exit_code)
{
	switch (exit_code) {
	case BH_EXIT_OK: return "ok";
	case BH_EXIT_CONFIG: return "config_error";
	case BH_EXIT_DATA: return "data_error";
	case BH_EXIT_RESOURCE: return "resource_limit";
	case BH_EXIT_SANDBOX: return "sandbox_violation";
	default: return "internal_error";
	}
}

int report_write(const char *path, const struct bh_cli *cli, const char *config_path, const struct plan_result *plan,
		 const struct host_run_result *res, int exit_code)
{
	json_t *counts = json_object_get(res->done, "counts");
	json_t *rep = json_pack(
		"{s:s, s:i, s:s, s:s?, s:{s:I, s:I, s:I}, s:I, s:{s:f, s:f}, s:I, s:O?, s:O?}", "status",
		status_name(exit_code), "exit_code", exit_code, "config", config_path, "tenant", cli->tenant, "counts",
		"in", json_integer_value(json_object_get(counts, "records_in")), "out",
		json_integer_value(json_object_get(counts, "records_out")), "invalid",
		json_integer_value(json_object_get(counts, "invalid")), "bytes",
		json_integer_value(json_object_get(counts, "bytes")), "timings", "wall_seconds", res->wall_seconds,
		"worker_seconds", (double)json_integer_value(json_object_get(res->done, "elapsed_ns")) / 1e9, "tasks",
		json_integer_value(json_object_get(res->done, "tasks")), "plugins", plan->plugins, "sandbox",
		res->sandbox);
	char *tmp = NULL;
	int r = 0;
	if (!rep)
		return -ENOMEM;
	if (res->message)
		json_object_set_new(rep, "message", json_string(res->message));
	if (json_object_get(res->done, "next"))
		json_object_set(rep, "next", json_object_get(res->done, "next"));
	if (asprintf(&tmp, "%s.bh-tmp-%d", path, (int)getpid()) < 0) {
		json_decref(rep);
		return -ENOMEM;
	}
	if (json_dump_file(rep, tmp, JSON_INDENT(2)) < 0 || rename(tmp, path) < 0) {
		r = -EIO;
		unlink(tmp);
	}
	free(tmp);
	json_decref(rep);
	return r;
}
