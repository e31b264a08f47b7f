/* The operator's host configuration, <home>/host.yml: resource defaults and
 * maxima (globally and per tenant) that every transfer's exec.resources is
 * held to, and install settings.
 *
 *   require_signature: true          # bundles must carry a trusted signature
 *   allow_unenforced_limits: false   # run even where cgroups can not enforce caps
 *   resources:
 *     defaults: {memory: 1GiB, cpus: 1, pids: 256, timeout: 6h}
 *     maxima:   {memory: 4GiB, cpus: 2, pids: 1024, timeout: 24h}
 *   tenants:
 *     acme:
 *       defaults: {memory: 2GiB}
 *       maxima:   {memory: 8GiB, cpus: 4}
 *       cgroup_parent: acme          # all of acme's transfers share this parent cgroup */
#ifndef BH_HOST_HOST_CONFIG_H
#define BH_HOST_HOST_CONFIG_H

#include <stdint.h>

struct cfg_exec;

struct host_limits {
	uint64_t memory_bytes; /* 0 = none */
	double cpus;
	long pids;
	uint64_t timeout_ns;
};

struct host_config {
	int require_signature;
	int allow_unenforced_limits;
	struct host_limits defaults, maxima;
	char *cgroup_parent; /* the tenant's, or NULL */
};

/* Loads <home>/host.yml (a missing file is an empty config) with the
 * sections that apply to tenant (may be NULL).  On failure *err is located
 * ("file:line:column: ...", caller frees). */
int host_config_load(const char *home, const char *tenant, struct host_config *out, char **err);
void host_config_clear(struct host_config *hc);
/* Applies defaults to the transfer's exec settings and checks them against
 * the maxima; on failure *err names the setting and the maximum. */
int host_config_apply(const struct host_config *hc, struct cfg_exec *exec, const char *tenant, char **err);

#endif
