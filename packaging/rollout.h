/* Canary safety: the run-outcome log and the automatic rollback.
 *
 * Each run appends one line per plugin it used to <home>/outcomes/<name>.log:
 *   <unix time> <version> ok|fail <pin|canary|default|highest> <tenant or ->
 * The log is append-only and bounded: past ROLLOUT_LOG_MAX_BYTES it is
 * compacted (under its lock) to its newest half.  A rollback appends
 *   <unix time> <version> rollback - <why>
 * and sets the canary's percent to 0 with canary.rolled_back in policy.yml. */
#ifndef BH_PACKAGING_ROLLOUT_H
#define BH_PACKAGING_ROLLOUT_H

#include <stddef.h>

#include "packaging/resolve.h"
#include "packaging/semver.h"

#define ROLLOUT_LOG_MAX_BYTES (1024 * 1024)

struct rollout_counts {
	char version[SEMVER_MAX_LEN + 1];
	unsigned runs, failures;
};

struct rollout_status {
	struct rollout_counts *versions; /* every version seen in the log, ascending */
	size_t count;
	char **rollbacks;                /* the log's rollback lines, oldest first */
	size_t rollback_count;
};

/* Appends one outcome.  source is resolution_source_name() of how it was picked. */
int rollout_record(const char *home, const char *plugin, const char *version, const char *source,
		   const char *tenant, int ok, char **err);
/* Reads the plugin's log. */
int rollout_read(const char *home, const char *plugin, struct rollout_status *out, char **err);
void rollout_status_clear(struct rollout_status *s);
/* Applies the policy's auto_rollback rule for plugin: when the canary has at
 * least min_runs runs and its failure rate exceeds the default's by more than
 * the margin, sets its percent to 0 (policy.yml, atomically, under the policy
 * lock), logs it, and sets *rolled_back to the reason (caller frees; NULL
 * when nothing happened). */
int rollout_check(const char *home, const char *plugin, char **rolled_back, char **err);
/* What a run calls when it ends: rollout_record for the resolution, then
 * rollout_check.  *rolled_back as above. */
int rollout_after_run(const char *home, const struct resolution *res, const char *tenant, int ok,
		      char **rolled_back, char **err);

#endif
