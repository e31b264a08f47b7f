/* Which plugin version serves a config section: find the plugin whose
 * manifests provide (kind, type), then let the rollout policy pick the version. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/host.h"
#include "packaging/resolve.h"
#include "sdk/src/runtime.h"

int host_resolve(struct bh_cli *cli, const struct policy *policy, const struct store_entry *entries,
		 size_t count, const char *kind, const char *type, const char *constraint,
		 struct host_resolution *out, char **err)
{
	struct resolution res;
	const char *name = NULL;
	int r;
	for (size_t i = 0; i < count; i++) {
		if (!manifest_find_component(entries[i].m, kind, type))
			continue;
		if (name && strcmp(name, entries[i].name) != 0)
			return rt_fail(err, "%s '%s' is provided by two plugins, %s and %s: remove one", kind, type,
				       name, entries[i].name);
		name = entries[i].name;
	}
	if (!name) {
		rt_fail(err, "no installed plugin provides %s '%s' (see bulkhead plugin list)", kind, type);
		return -ENOENT;
	}
	r = policy_resolve(policy, entries, count, name, cli->tenant, constraint, &res, err);
	if (r < 0)
		return r;
	memset(out, 0, sizeof(*out));
	out->entry = res.entry;
	out->component = manifest_find_component(res.entry->m, kind, type);
	out->reason = res.reason;
	out->source = resolution_source_name(res.source);
	res.reason = NULL;
	resolution_clear(&res);
	if (!out->component) {
		free(out->reason);
		return rt_fail(err, "plugin %s %s (chosen by the policy) has no %s '%s'", res.entry->name,
			       res.entry->version, kind, type);
	}
	return 0;
}
