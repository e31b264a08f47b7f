/* The rollout policy, <home>/policy.yml:
 *
 *   plugins:
 *     csv:
 *       default: 1.4.2
 *       canary: {version: 1.5.0, percent: 10, salt: csv-2024}
 *       pins: {acme: 1.3.0}
 *       deny: [1.4.0]
 *       auto_rollback: {min_runs: 20, max_failure_margin: 5}
 *
 * Every field is optional.  percent is 0-100 with at most two decimals and is
 * kept as basis points (1/100 of a percent) so arithmetic on it is exact.
 * max_failure_margin is in percentage points: roll back when the canary's
 * failure rate exceeds the default's by more than that.  The auto rollback
 * writes canary.percent: 0 and canary.rolled_back: "<why>". */
#ifndef BH_PACKAGING_POLICY_H
#define BH_PACKAGING_POLICY_H

#include <stddef.h>
#include <stdint.h>

#define POLICY_MAX_BYTES (8 * 1024 * 1024)
#define POLICY_MAX_PLUGINS 4096
#define POLICY_MAX_PINS 100000
#define POLICY_MAX_DENY 1024
#define POLICY_MAX_TENANT 256
#define POLICY_MAX_SALT 256
#define POLICY_BUCKETS 10000 /* a bucket is 0.01% of tenants */

struct policy_pin {
	char *tenant;
	char *version;
};

struct policy_canary {
	char *version;          /* NULL when the plugin has no canary */
	uint32_t basis_points;  /* 0..10000 */
	char *salt;             /* NULL: the plugin name */
	char *rolled_back;      /* why the canary was rolled back, or NULL */
};

struct policy_auto_rollback {
	int enabled;
	uint32_t min_runs;
	uint32_t margin_bp; /* percentage points x 100 */
};

struct policy_plugin {
	char *name;
	char *default_version; /* or NULL */
	struct policy_pin *pins;
	size_t pin_count;
	struct policy_canary canary;
	char **deny;
	size_t deny_count;
	struct policy_auto_rollback auto_rollback;
};

struct policy {
	struct policy_plugin *plugins;
	size_t count;
};

/* <home>/policy.yml (caller frees). */
char *policy_path(const char *home);
/* Loads and validates path; a missing file is an empty policy. */
int policy_load(const char *path, struct policy **out, char **err);
/* Writes atomically (temp file + rename). */
int policy_write(const struct policy *p, const char *path, char **err);
void policy_free(struct policy *p);
/* The plugin's section, or NULL. */
const struct policy_plugin *policy_find(const struct policy *p, const char *name);
/* The plugin's section, added empty when missing; NULL when out of memory. */
struct policy_plugin *policy_get_or_add(struct policy *p, const char *name);
/* Nonzero when version is in the plugin's deny list. */
int policy_is_denied(const struct policy_plugin *pp, const char *version);
/* The tenant's pin, or NULL. */
const char *policy_pin_for(const struct policy_plugin *pp, const char *tenant);

/* "10", "0.5", "12.34" -> basis points; -EINVAL beyond 0-100 or two decimals. */
int policy_parse_percent(const char *text, uint32_t *basis_points);
/* Basis points as the shortest percent text ("10", "12.5", "0.01"). */
void policy_format_percent(uint32_t basis_points, char buf[16]);
/* The tenant's stable bucket in [0, POLICY_BUCKETS): the first 8 bytes of
 * SHA-256(salt ":" tenant), big-endian, modulo POLICY_BUCKETS.  A tenant is
 * in the canary when bucket < basis_points, so raising the percent only adds
 * tenants. */
uint32_t policy_bucket(const char *salt, const char *tenant);

/* Takes an exclusive lock on <home>/policy.lock for a read-modify-write. */
int policy_lock(const char *home, int *fd, char **err);
void policy_unlock(int fd);

#endif
