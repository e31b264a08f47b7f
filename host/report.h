/* The JSON run report (--report FILE). */
#ifndef BH_HOST_REPORT_H
#define BH_HOST_REPORT_H

#include "host/host.h"
#include "host/plan.h"

/* Writes the report atomically (temp file + rename).  Returns 0 or -errno. */
int report_write(const char *path, const struct bh_cli *cli, const char *config_path, const struct plan_result *plan,
		 const struct host_run_result *res, int exit_code);

#endif
