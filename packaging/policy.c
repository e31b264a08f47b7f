/* policy.yml: load, validate, write; bucketing. */
#include "packaging/policy.h"
#include "packaging/semver.h"
#include "packaging/util.h"
#include "packaging/yamldoc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include <openssl/evp.h>

char *policy_path(const char *home)
{
	return pkg_strdupf("%s/policy.yml", home);
}

static void free_plugin(struct policy_plugin *pp)
{
	free(pp->name);
	free(pp->default_version);
	for (size_t i = 0; i < pp->pin_count; i++) {
		free(pp->pins[i].tenant);
		free(pp->pins[i].version);
	}
	free(pp->pins);
	free(pp->canary.version);
	free(pp->canary.salt);
	free(pp->canary.rolled_back);
	for (size_t i = 0; i < pp->deny_count; i++)
		free(pp->deny[i]);
	free(pp->deny);
}

void policy_free(struct policy *p)
{
	if (p == NULL)
		return;
	for (size_t i = 0; i < p->count; i++)
		free_plugin(&p->plugins[i]);
	free(p->plugins);
	free(p);
}

const struct policy_plugin *policy_find(const struct policy *p, const char *name)
{
	for (size_t i = 0; p && i < p->count; i++)
		if (strcmp(p->plugins[i].name, name) == 0)
			return &p->plugins[i];
	return NULL;
}

struct policy_plugin *policy_get_or_add(struct policy *p, const char *name)
{
	struct policy_plugin *pp = (struct policy_plugin *)policy_find(p, name);
	if (pp != NULL)
		return pp;
	struct policy_plugin *nv = realloc(p->plugins, (p->count + 1) * sizeof(*nv));
	if (nv == NULL)
		return NULL;
	p->plugins = nv;
	pp = &p->plugins[p->count];
	memset(pp, 0, sizeof(*pp));
	pp->name = strdup(name);
	if (pp->name == NULL)
		return NULL;
	p->count++;
	return pp;
}

int policy_is_denied(const struct policy_plugin *pp, const char *version)
{
	for (size_t i = 0; pp && i < pp->deny_count; i++)
		if (strcmp(pp->deny[i], version) == 0)
			return 1;
	return 0;
}

const char *policy_pin_for(const struct policy_plugin *pp, const char *tenant)
{
	for (size_t i = 0; pp && tenant && i < pp->pin_count; i++)
		if (strcmp(pp->pins[i].tenant, tenant) == 0)
			return pp->pins[i].version;
	return NULL;
}

int policy_parse_percent(const char *text, uint32_t *basis_points)
{
	uint32_t whole = 0, frac = 0;
	size_t i = 0, digits = 0, fdigits = 0;

	while (text[i] >= '0' && text[i] <= '9') {
		if (++digits > 3)
			return -EINVAL;
		whole = whole * 10 + (uint32_t)(text[i++] - '0');
	}
	if (text[i] == '.') {
		i++;
		while (text[i] >= '0' && text[i] <= '9') {
			if (++fdigits > 2)
				return -EINVAL;
			frac = frac * 10 + (uint32_t)(text[i++] - '0');
		}
		if (fdigits == 0)
			return -EINVAL;
		if (fdigits == 1)
			frac *= 10;
	}
	if (digits == 0 || text[i] != '\0')
		return -EINVAL;
	uint32_t bp = whole * 100 + frac;
	if (bp > POLICY_BUCKETS)
		return -EINVAL;
	*basis_points = bp;
	return 0;
}

void policy_format_percent(uint32_t bp, char buf[16])
{
	if (bp % 100 == 0)
		snprintf(buf, 16, "%u", bp / 100);
	else if (bp % 10 == 0)
		snprintf(buf, 16, "%u.%u", bp / 100, (bp % 100) / 10);
	else
		snprintf(buf, 16, "%u.%02u", bp / 100, bp % 100);
}

uint32_t policy_bucket(const char *salt, const char *tenant)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	uint64_t v = 0;

	/* On an allocation failure every tenant lands in the last bucket, which
	 * keeps it out of any canary short of 100%: the safe side. */
	if (ctx == NULL || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1 ||
	    EVP_DigestUpdate(ctx, salt, strlen(salt)) != 1 || EVP_DigestUpdate(ctx, ":", 1) != 1 ||
	    EVP_DigestUpdate(ctx, tenant, strlen(tenant)) != 1 || EVP_DigestFinal_ex(ctx, md, &len) != 1) {
		EVP_MD_CTX_free(ctx);
		return POLICY_BUCKETS - 1;
	}
	EVP_MD_CTX_free(ctx);
	for (int i = 0; i < 8; i++)
		v = (v << 8) | md[i];
	return (uint32_t)(v % POLICY_BUCKETS);
}

/* ---- loading ----------------------------------------------------------- */

struct ploader {
	struct yamldoc doc;
	char **err;
};

static int expect_map(struct ploader *l, yaml_node_t *n, const char *what)
{
	if (n->type != YAML_MAPPING_NODE)
		return yamldoc_error(&l->doc, n, l->err, "%s: expected a mapping", what);
	return yamldoc_check_unique_keys(&l->doc, n, l->err);
}

static int get_version(struct ploader *l, yaml_node_t *n, const char *what, char **out)
{
	const char *s;
	int r = yamldoc_string(&l->doc, n, what, &s, l->err);
	if (r < 0)
		return r;
	if (!semver_valid(s))
		return yamldoc_error(&l->doc, n, l->err, "%s: '%s' is not a semantic version", what, s);
	*out = strdup(s);
	return *out ? 0 : pkg_error(l->err, -ENOMEM, "out of memory");
}

static int get_bounded(struct ploader *l, yaml_node_t *n, const char *what, size_t max, char **out)
{
	const char *s;
	int r = yamldoc_string(&l->doc, n, what, &s, l->err);
	if (r < 0)
		return r;
	if (*s == '\0' || strlen(s) > max)
		return yamldoc_error(&l->doc, n, l->err, "%s: expected 1 to %zu characters", what, max);
	*out = strdup(s);
	return *out ? 0 : pkg_error(l->err, -ENOMEM, "out of memory");
}

static int get_uint(struct ploader *l, yaml_node_t *n, const char *what, uint32_t max, uint32_t *out)
{
	const char *s = yamldoc_scalar(n);
	char *end;
	if (s == NULL || *s < '0' || *s > '9')
		return yamldoc_error(&l->doc, n, l->err, "%s: expected a whole number", what);
	unsigned long v = strtoul(s, &end, 10);
	if (*end != '\0' || v > max)
		return yamldoc_error(&l->doc, n, l->err, "%s: expected a whole number up to %u", what, max);
	*out = (uint32_t)v;
	return 0;
}

static int load_canary(struct ploader *l, yaml_node_t *n, struct policy_plugin *pp)
{
	int r, have_percent = 0;

	if ((r = expect_map(l, n, "canary")) < 0)
		return r;
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yamldoc_node(&l->doc, p->key), *v = yamldoc_node(&l->doc, p->value);
		const char *key = yamldoc_scalar(k);
		if (strcmp(key, "version") == 0) {
			r = get_version(l, v, "canary.version", &pp->canary.version);
		} else if (strcmp(key, "percent") == 0) {
			const char *s = yamldoc_scalar(v);
			if (s == NULL || policy_parse_percent(s, &pp->canary.basis_points) < 0)
				return yamldoc_error(&l->doc, v, l->err,
						     "canary.percent: expected 0 to 100 with at most two decimals");
			have_percent = 1;
			r = 0;
		} else if (strcmp(key, "salt") == 0) {
			r = get_bounded(l, v, "canary.salt", POLICY_MAX_SALT, &pp->canary.salt);
		} else if (strcmp(key, "rolled_back") == 0) {
			r = get_bounded(l, v, "canary.rolled_back", 4096, &pp->canary.rolled_back);
		} else {
			return yamldoc_error(&l->doc, k, l->err,
					     "canary: unknown field '%s' (expected version, percent, salt, rolled_back)", key);
		}
		if (r < 0)
			return r;
	}
	if (pp->canary.version == NULL || !have_percent)
		return yamldoc_error(&l->doc, n, l->err, "canary: missing field '%s'",
				     pp->canary.version == NULL ? "version" : "percent");
	return 0;
}

static int load_pins(struct ploader *l, yaml_node_t *n, struct policy_plugin *pp)
{
	int r;
	if ((r = expect_map(l, n, "pins")) < 0)
		return r;
	size_t count = (size_t)(n->data.mapping.pairs.top - n->data.mapping.pairs.start);
	if (count > POLICY_MAX_PINS)
		return yamldoc_error(&l->doc, n, l->err, "pins: more than %d", POLICY_MAX_PINS);
	pp->pins = calloc(count ? count : 1, sizeof(*pp->pins));
	if (pp->pins == NULL)
		return pkg_error(l->err, -ENOMEM, "out of memory");
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		struct policy_pin *pin = &pp->pins[pp->pin_count++];
		if ((r = get_bounded(l, yamldoc_node(&l->doc, p->key), "tenant", POLICY_MAX_TENANT, &pin->tenant)) < 0 ||
		    (r = get_version(l, yamldoc_node(&l->doc, p->value), "pin", &pin->version)) < 0)
			return r;
	}
	return 0;
}

static int load_deny(struct ploader *l, yaml_node_t *n, struct policy_plugin *pp)
{
	if (n->type != YAML_SEQUENCE_NODE)
		return yamldoc_error(&l->doc, n, l->err, "deny: expected a list of versions");
	size_t count = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
	if (count > POLICY_MAX_DENY)
		return yamldoc_error(&l->doc, n, l->err, "deny: more than %d", POLICY_MAX_DENY);
	pp->deny = calloc(count ? count : 1, sizeof(char *));
	if (pp->deny == NULL)
		return pkg_error(l->err, -ENOMEM, "out of memory");
	for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
		int r = get_version(l, yamldoc_node(&l->doc, *it), "deny", &pp->deny[pp->deny_count]);
		if (r < 0)
			return r;
		pp->deny_count++;
	}
	return 0;
}

static int load_auto_rollback(struct ploader *l, yaml_node_t *n, struct policy_plugin *pp)
{
	int r, have_runs = 0, have_margin = 0;
	if ((r = expect_map(l, n, "auto_rollback")) < 0)
		return r;
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yamldoc_node(&l->doc, p->key), *v = yamldoc_node(&l->doc, p->value);
		const char *key = yamldoc_scalar(k);
		if (strcmp(key, "min_runs") == 0) {
			if ((r = get_uint(l, v, "auto_rollback.min_runs", 1000000, &pp->auto_rollback.min_runs)) < 0)
				return r;
			have_runs = 1;
		} else if (strcmp(key, "max_failure_margin") == 0) {
			const char *s = yamldoc_scalar(v);
			if (s == NULL || policy_parse_percent(s, &pp->auto_rollback.margin_bp) < 0)
				return yamldoc_error(&l->doc, v, l->err,
						     "auto_rollback.max_failure_margin: expected percentage points, "
						     "0 to 100 with at most two decimals");
			have_margin = 1;
		} else {
			return yamldoc_error(&l->doc, k, l->err,
					     "auto_rollback: unknown field '%s' (expected min_runs, max_failure_margin)",
					     key);
		}
	}
	if (!have_runs || !have_margin)
		return yamldoc_error(&l->doc, n, l->err, "auto_rollback: missing field '%s'",
				     have_runs ? "max_failure_margin" : "min_runs");
	if (pp->auto_rollback.min_runs == 0)
		return yamldoc_error(&l->doc, n, l->err, "auto_rollback.min_runs: must be at least 1");
	pp->auto_rollback.enabled = 1;
	return 0;
}

static int load_plugin(struct ploader *l, yaml_node_t *n, struct policy_plugin *pp)
{
	int r;
	if ((r = expect_map(l, n, pp->name)) < 0)
		return r;
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yamldoc_node(&l->doc, p->key), *v = yamldoc_node(&l->doc, p->value);
		const char *key = yamldoc_scalar(k);
		if (strcmp(key, "default") == 0)
			r = get_version(l, v, "default", &pp->default_version);
		else if (strcmp(key, "canary") == 0)
			r = load_canary(l, v, pp);
		else if (strcmp(key, "pins") == 0)
			r = load_pins(l, v, pp);
		else if (strcmp(key, "deny") == 0)
			r = load_deny(l, v, pp);
		else if (strcmp(key, "auto_rollback") == 0)
			r = load_auto_rollback(l, v, pp);
		else
			return yamldoc_error(&l->doc, k, l->err,
					     "plugins.%s: unknown field '%s' (expected default, canary, pins, deny, "
					     "auto_rollback)", pp->name, key);
		if (r < 0)
			return r;
	}
	return 0;
}

static int load_root(struct ploader *l, yaml_node_t *root, struct policy *pol)
{
	int r;
	if (root == NULL || yamldoc_is_null(root))
		return 0;
	if ((r = expect_map(l, root, "policy")) < 0)
		return r;
	for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yamldoc_node(&l->doc, p->key), *v = yamldoc_node(&l->doc, p->value);
		if (strcmp(yamldoc_scalar(k), "plugins") != 0)
			return yamldoc_error(&l->doc, k, l->err, "unknown field '%s' (expected plugins)",
					     yamldoc_scalar(k));
		if (yamldoc_is_null(v))
			continue;
		if ((r = expect_map(l, v, "plugins")) < 0)
			return r;
		size_t count = (size_t)(v->data.mapping.pairs.top - v->data.mapping.pairs.start);
		if (count > POLICY_MAX_PLUGINS)
			return yamldoc_error(&l->doc, v, l->err, "plugins: more than %d", POLICY_MAX_PLUGINS);
		pol->plugins = calloc(count ? count : 1, sizeof(*pol->plugins));
		if (pol->plugins == NULL)
			return pkg_error(l->err, -ENOMEM, "out of memory");
		for (yaml_node_pair_t *q = v->data.mapping.pairs.start; q < v->data.mapping.pairs.top; q++) {
			yaml_node_t *pk = yamldoc_node(&l->doc, q->key);
			struct policy_plugin *pp = &pol->plugins[pol->count++];
			const char *name = yamldoc_scalar(pk);
			if (!pkg_is_identifier(name, 64))
				return yamldoc_error(&l->doc, pk, l->err, "plugin name '%s' must match [a-z0-9][a-z0-9_-]*",
						     name);
			if ((pp->name = strdup(name)) == NULL)
				return pkg_error(l->err, -ENOMEM, "out of memory");
			if ((r = load_plugin(l, yamldoc_node(&l->doc, q->value), pp)) < 0)
				return r;
		}
	}
	return 0;
}

int policy_load(const char *path, struct policy **out, char **err)
{
	struct ploader l = {.err = err};
	struct policy *pol = calloc(1, sizeof(*pol));
	int r;

	if (pol == NULL)
		return pkg_error(err, -ENOMEM, "out of memory");
	if (access(path, F_OK) < 0 && errno == ENOENT) {
		*out = pol;
		return 0;
	}
	if ((r = yamldoc_load(path, POLICY_MAX_BYTES, &l.doc, err)) < 0) {
		policy_free(pol);
		return r;
	}
	r = load_root(&l, yamldoc_root(&l.doc), pol);
	yamldoc_free(&l.doc);
	if (r < 0) {
		policy_free(pol);
		return r;
	}
	*out = pol;
	return 0;
}

/* ---- writing ----------------------------------------------------------- */

static void key(struct yamlout *o, const char *k)
{
	yamlout_scalar(o, k, YAMLOUT_STRING);
}

static void write_plugin(struct yamlout *o, const struct policy_plugin *pp)
{
	char pct[16];

	key(o, pp->name);
	yamlout_map_start(o, 0);
	if (pp->default_version) {
		key(o, "default");
		yamlout_scalar(o, pp->default_version, YAMLOUT_STRING);
	}
	if (pp->canary.version) {
		key(o, "canary");
		yamlout_map_start(o, 0);
		key(o, "version");
		yamlout_scalar(o, pp->canary.version, YAMLOUT_STRING);
		key(o, "percent");
		policy_format_percent(pp->canary.basis_points, pct);
		yamlout_plain(o, pct);
		if (pp->canary.salt) {
			key(o, "salt");
			yamlout_scalar(o, pp->canary.salt, YAMLOUT_STRING);
		}
		if (pp->canary.rolled_back) {
			key(o, "rolled_back");
			yamlout_scalar(o, pp->canary.rolled_back, YAMLOUT_STRING);
		}
		yamlout_map_end(o);
	}
	if (pp->pin_count) {
		key(o, "pins");
		yamlout_map_start(o, 0);
		for (size_t i = 0; i < pp->pin_count; i++) {
			key(o, pp->pins[i].tenant);
			yamlout_scalar(o, pp->pins[i].version, YAMLOUT_STRING);
		}
		yamlout_map_end(o);
	}
	if (pp->deny_count) {
		key(o, "deny");
		yamlout_seq_start(o, 1);
		for (size_t i = 0; i < pp->deny_count; i++)
			yamlout_scalar(o, pp->deny[i], YAMLOUT_STRING);
		yamlout_seq_end(o);
	}
	if (pp->auto_rollback.enabled) {
		char runs[16];
		key(o, "auto_rollback");
		yamlout_map_start(o, 1);
		key(o, "min_runs");
		snprintf(runs, sizeof(runs), "%u", pp->auto_rollback.min_runs);
		yamlout_plain(o, runs);
		key(o, "max_failure_margin");
		policy_format_percent(pp->auto_rollback.margin_bp, pct);
		yamlout_plain(o, pct);
		yamlout_map_end(o);
	}
	yamlout_map_end(o);
}

int policy_write(const struct policy *p, const char *path, char **err)
{
	struct yamlout o;

	if (yamlout_begin(&o) < 0)
		return pkg_error(err, -ENOMEM, "out of memory");
	yamlout_map_start(&o, 0);
	key(&o, "plugins");
	yamlout_map_start(&o, 0);
	for (size_t i = 0; i < p->count; i++)
		write_plugin(&o, &p->plugins[i]);
	yamlout_map_end(&o);
	yamlout_map_end(&o);
	return yamlout_finish_file(&o, path, err);
}

int policy_lock(const char *home, int *fd, char **err)
{
	char *path = pkg_strdupf("%s/policy.lock", home);
	int r, f;

	if (path == NULL)
		return pkg_error(err, -ENOMEM, "out of memory");
	if ((r = pkg_mkdir_p(home)) < 0) {
		pkg_error(err, r, "%s: %s", home, strerror(-r));
		free(path);
		return r;
	}
	f = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (f < 0) {
		r = pkg_error(err, -errno, "%s: %s", path, strerror(errno));
		free(path);
		return r;
	}
	while (flock(f, LOCK_EX) < 0) {
		if (errno != EINTR) {
			r = pkg_error(err, -errno, "%s: cannot lock: %s", path, strerror(errno));
			close(f);
			free(path);
			return r;
		}
	}
	free(path);
	*fd = f;
	return 0;
}

void policy_unlock(int fd)
{
	if (fd >= 0)
		close(fd);
}
