/* Version resolution: deny + constraint filter, then pin, canary, default, highest. */
#include "packaging/resolve.h"
#include "packaging/constraint.h"
#include "packaging/semver.h"
#include "packaging/util.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A growing note buffer for the reason text; bounded by the fixed size. */
struct notes {
	char text[1024];
	size_t len;
};

static void __attribute__((format(printf, 2, 3))) note(struct notes *n, const char *fmt, ...)
{
	va_list ap;
	if (n->len >= sizeof(n->text) - 1)
		return;
	if (n->len > 0)
		n->len += (size_t)snprintf(n->text + n->len, sizeof(n->text) - n->len, "; ");
	if (n->len >= sizeof(n->text) - 1)
		return;
	va_start(ap, fmt);
	int k = vsnprintf(n->text + n->len, sizeof(n->text) - n->len, fmt, ap);
	va_end(ap);
	if (k > 0)
		n->len += (size_t)k;
	if (n->len > sizeof(n->text) - 1)
		n->len = sizeof(n->text) - 1;
}

const char *resolution_source_name(enum resolution_source s)
{
	switch (s) {
	case RESOLVED_PIN:
		return "pin";
	case RESOLVED_CANARY:
		return "canary";
	case RESOLVED_DEFAULT:
		return "default";
	case RESOLVED_HIGHEST:
		return "highest";
	}
	return "unknown";
}

void resolution_clear(struct resolution *r)
{
	free(r->name);
	free(r->version);
	free(r->dir);
	free(r->reason);
	memset(r, 0, sizeof(*r));
}

struct candidate {
	const struct store_entry *e;
	struct semver v;
	int usable; /* survives deny and the constraint */
	const char *why_not;
};

/* Why version is unusable: "not installed", "denied", ... or NULL if usable. */
static const struct candidate *find_candidate(const struct candidate *c, size_t n, const char *version)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(c[i].e->version, version) == 0)
			return &c[i];
	return NULL;
}

static const char *why_unusable(const struct candidate *c, size_t n, const char *version)
{
	const struct candidate *k = find_candidate(c, n, version);
	if (k == NULL)
		return "not installed";
	return k->usable ? NULL : k->why_not;
}

/* The constraint names this pre-release exactly with '='. */
static int named_exactly(const struct constraint *con, int have_con, const struct semver *v)
{
	if (!have_con)
		return 0;
	for (size_t i = 0; i < con->count; i++)
		if (con->terms[i].op == CON_EQ && con->terms[i].parts == 3 && semver_compare(&con->terms[i].v, v) == 0)
			return 1;
	return 0;
}

static int fill(struct resolution *out, const struct candidate *c, enum resolution_source src, const char *main,
		const struct notes *notes, int has_bucket, uint32_t bucket, char **err)
{
	struct resolution r = {0};
	r.name = strdup(c->e->name);
	r.version = strdup(c->e->version);
	r.dir = strdup(c->e->dir);
	r.reason = notes->len ? pkg_strdupf("%s (%s)", main, notes->text) : strdup(main);
	if (!r.name || !r.version || !r.dir || !r.reason) {
		resolution_clear(&r);
		return pkg_error(err, -ENOMEM, "out of memory");
	}
	r.source = src;
	r.has_bucket = has_bucket;
	r.bucket = bucket;
	r.entry = c->e;
	*out = r;
	return 0;
}

static char *list_versions(const struct candidate *c, size_t n)
{
	char buf[512];
	size_t len = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < n && len < sizeof(buf) - 1; i++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%s", i ? ", " : "", c[i].e->version);
	return strdup(buf);
}

int policy_resolve(const struct policy *policy, const struct store_entry *entries, size_t n,
		   const char *plugin_name, const char *tenant, const char *constraint, struct resolution *out,
		   char **err)
{
	const struct policy_plugin *pp = policy ? policy_find(policy, plugin_name) : NULL;
	struct constraint con;
	int have_con = constraint != NULL && constraint[0] != '\0';
	struct candidate *cand = NULL;
	size_t nc = 0, usable = 0;
	struct notes notes = {.len = 0};
	char main[512];
	int r;

	notes.text[0] = '\0';
	if (have_con && (r = constraint_parse(constraint, &con, err)) < 0)
		return r;
	cand = calloc(n ? n : 1, sizeof(*cand));
	if (cand == NULL)
		return pkg_error(err, -ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++) {
		if (strcmp(entries[i].name, plugin_name) != 0)
			continue;
		/* The same version in a later root is shadowed by the earlier one. */
		if (nc > 0 && strcmp(cand[nc - 1].e->version, entries[i].version) == 0)
			continue;
		struct candidate *c = &cand[nc++];
		c->e = &entries[i];
		(void)semver_parse(entries[i].version, &c->v);
		c->usable = 1;
		if (policy_is_denied(pp, c->e->version)) {
			c->usable = 0;
			c->why_not = "denied by the policy";
		} else if (have_con && !constraint_match(&con, &c->v)) {
			c->usable = 0;
			c->why_not = "excluded by the version constraint";
		}
		usable += c->usable;
	}
	if (nc == 0) {
		r = pkg_error(err, -ENOENT, "plugin '%s' is not installed in any store", plugin_name);
		goto out;
	}
	if (usable == 0) {
		char *all = list_versions(cand, nc);
		r = pkg_error(err, -ENOENT, "no installed version of '%s' is allowed: installed %s%s%s%s", plugin_name,
			      all ? all : "?", have_con ? "; constraint " : "", have_con ? constraint : "",
			      pp && pp->deny_count ? "; some are denied by the policy" : "");
		free(all);
		goto out;
	}
	for (size_t i = 0; i < nc; i++)
		if (!cand[i].usable)
			note(&notes, "%s %s", cand[i].e->version,
			     strcmp(cand[i].why_not, "denied by the policy") == 0 ? "denied" : "excluded by constraint");

	/* 1. The tenant's pin. */
	const char *pin = pp ? policy_pin_for(pp, tenant) : NULL;
	if (pin != NULL) {
		const char *why = why_unusable(cand, nc, pin);
		if (why != NULL) {
			r = pkg_error(err, -EINVAL, "tenant '%s' is pinned to %s %s, which is %s%s%s", tenant,
				      plugin_name, pin, why, have_con ? ": " : "", have_con ? constraint : "");
			goto out;
		}
		snprintf(main, sizeof(main), "pinned: tenant '%s' is pinned to %s", tenant, pin);
		r = fill(out, find_candidate(cand, nc, pin), RESOLVED_PIN, main, &notes, 0, 0, err);
		goto out;
	}

	/* 2. The canary, for tenants whose bucket is under the percent. */
	int has_bucket = 0;
	uint32_t bucket = 0;
	if (pp && pp->canary.version) {
		char pct[16];
		const char *salt = pp->canary.salt ? pp->canary.salt : plugin_name;
		policy_format_percent(pp->canary.basis_points, pct);
		if (tenant == NULL) {
			note(&notes, "no tenant, so not in canary %s", pp->canary.version);
		} else {
			has_bucket = 1;
			bucket = policy_bucket(salt, tenant);
			if (bucket < pp->canary.basis_points) {
				const char *why = why_unusable(cand, nc, pp->canary.version);
				if (why == NULL) {
					snprintf(main, sizeof(main),
						 "canary: tenant '%s' is in bucket %u, under %s%% (%u of %u) for canary %s",
						 tenant, bucket, pct, pp->canary.basis_points, POLICY_BUCKETS,
						 pp->canary.version);
					r = fill(out, find_candidate(cand, nc, pp->canary.version), RESOLVED_CANARY, main,
						 &notes, 1, bucket, err);
					goto out;
				}
				note(&notes, "canary %s skipped: %s", pp->canary.version, why);
			} else {
				note(&notes, "bucket %u is not under canary %s's %s%%", bucket, pp->canary.version, pct);
			}
		}
	}

	/* 3. The policy default. */
	if (pp && pp->default_version) {
		const char *why = why_unusable(cand, nc, pp->default_version);
		if (why == NULL) {
			snprintf(main, sizeof(main), "default: the policy default for %s is %s", plugin_name,
				 pp->default_version);
			r = fill(out, find_candidate(cand, nc, pp->default_version), RESOLVED_DEFAULT, main, &notes,
				 has_bucket, bucket, err);
			goto out;
		}
		note(&notes, "default %s skipped: %s", pp->default_version, why);
	}

	/* 4. The highest installed release; candidates are sorted ascending. */
	for (size_t i = nc; i-- > 0;) {
		struct candidate *c = &cand[i];
		if (!c->usable)
			continue;
		if (semver_is_prerelease(&c->v) && !named_exactly(&con, have_con, &c->v))
			continue;
		snprintf(main, sizeof(main), "highest: %s is the highest installed %s%s%s",
			 c->e->version, semver_is_prerelease(&c->v) ? "version named by " : "release",
			 have_con ? (semver_is_prerelease(&c->v) ? "" : " matching ") : "", have_con ? constraint : "");
		if (!pp)
			note(&notes, "no policy for %s", plugin_name);
		r = fill(out, c, RESOLVED_HIGHEST, main, &notes, has_bucket, bucket, err);
		goto out;
	}
	r = pkg_error(err, -ENOENT,
		      "only pre-releases of '%s' are allowed (%s); name one exactly (pin, default, canary or "
		      "version: \"= X\")", plugin_name, notes.len ? notes.text : "none is a release");
out:
	free(cand);
	return r;
}
