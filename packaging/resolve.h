/* Which installed version of a plugin a tenant gets, and why.
 *
 * Order (DESIGN.md): the policy's deny list and the config's own version
 * constraint filter the installed versions; from what remains, the tenant's
 * pin, else the canary when the tenant's bucket is under the percent, else the
 * policy default, else the highest installed release (a pre-release only when
 * the constraint names it exactly with =).  A pin that cannot be honoured is
 * an error (the operator asked for that version for that tenant); a canary or
 * default that was filtered out is skipped, and the reason says so. */
#ifndef BH_PACKAGING_RESOLVE_H
#define BH_PACKAGING_RESOLVE_H

#include <stddef.h>
#include <stdint.h>

#include "packaging/policy.h"
#include "packaging/store.h"

enum resolution_source {
	RESOLVED_PIN = 1,
	RESOLVED_CANARY = 2,
	RESOLVED_DEFAULT = 3,
	RESOLVED_HIGHEST = 4,
};

struct resolution {
	char *name;
	char *version;
	char *dir;    /* the store entry's absolute directory */
	char *reason; /* one sentence: the rule that chose it and what was skipped */
	enum resolution_source source;
	int has_bucket;   /* a tenant was given and the plugin has a canary */
	uint32_t bucket;  /* the tenant's bucket in [0, POLICY_BUCKETS) */
	const struct store_entry *entry; /* points into the entries passed in */
};

/* Resolves plugin_name for tenant (NULL: no tenant, so no pin or canary) under
 * an optional constraint (NULL or "").  policy may be NULL.  On success fills
 * *out (free with resolution_clear); on failure returns -ENOENT (nothing
 * installed or nothing left after filtering) or -EINVAL (bad constraint, pin
 * not usable) with *err explaining. */
int policy_resolve(const struct policy *policy, const struct store_entry *entries, size_t n,
		   const char *plugin_name, const char *tenant, const char *constraint, struct resolution *out,
		   char **err);
void resolution_clear(struct resolution *r);
/* "pin", "canary", "default", "highest". */
const char *resolution_source_name(enum resolution_source s);

#endif
