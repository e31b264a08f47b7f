/* Constraints, policy files, bucketing, resolution order and the automatic
 * canary rollback. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "packaging/constraint.h"
#include "packaging/policy.h"
#include "packaging/resolve.h"
#include "packaging/rollout.h"
#include "packaging/store.h"
#include "packaging/util.h"
#include "tests/unit/pkgtest.h"

#define HASH "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static char *dir;

static void setup(void)
{
	dir = pkgtest_tmpdir();
}

static void teardown(void)
{
	pkg_remove_tree(dir);
	free(dir);
}

/* ---- constraints -------------------------------------------------------- */

static int match(const char *c, const char *v)
{
	char *err = NULL;
	int r = constraint_match_text(c, v, &err);
	ck_assert_msg(r >= 0, "%s vs %s: %s", c, v, err);
	return r;
}

START_TEST(test_constraints)
{
	static const struct {
		const char *constraint, *version;
		int want;
	} cases[] = {
		{"1.4.2", "1.4.2", 1},         {"= 1.4.2", "1.4.2", 1},       {"=1.4.2", "1.4.3", 0},
		{"= 1.4", "1.4.0", 1},         {"!= 1.4.0", "1.4.0", 0},      {"!= 1.4.0", "1.4.1", 1},
		{"> 1.4.0", "1.4.1", 1},       {"> 1.4.0", "1.4.0", 0},       {">= 1.4.0", "1.4.0", 1},
		{"< 2", "1.99.99", 1},         {"< 2", "2.0.0", 0},           {"<= 2.0.0", "2.0.0", 1},
		{"~> 1.4", "1.4.0", 1},        {"~> 1.4", "1.9.3", 1},        {"~> 1.4", "2.0.0", 0},
		{"~> 1.4", "1.3.9", 0},        {"~> 1.4.2", "1.4.9", 1},      {"~> 1.4.2", "1.5.0", 0},
		{"~> 1.4.2", "1.4.1", 0},      {"~> 1", "7.0.0", 1},          {"~> 1", "0.9.0", 0},
		{">= 1.2, < 1.5", "1.4.9", 1}, {">= 1.2, < 1.5", "1.5.0", 0}, {">= 1.2,!= 1.3.0", "1.3.0", 0},
		{" >= 1.2 , != 1.3.0 ", "1.3.1", 1},
		/* Pre-releases: only = names them, or a term with a pre-release of the same core. */
		{">= 1.0.0", "1.5.0-rc.1", 0}, {"~> 1.4", "1.5.0-rc.1", 0},   {"= 1.5.0-rc.1", "1.5.0-rc.1", 1},
		{"1.5.0-rc.1", "1.5.0-rc.2", 0}, {">= 1.5.0-rc.1", "1.5.0-rc.2", 1},
		{">= 1.5.0-rc.1", "1.6.0-rc.1", 0}, {">= 1.5.0-rc.1", "1.5.0", 1},
		{"~> 1.5.0-rc.1", "1.5.0-rc.3", 1}, {"~> 1.5.0-rc.1", "1.5.0", 0},
		{"< 1.5.0", "1.5.0-rc.1", 0},
		/* Build metadata never matters. */
		{"= 1.4.2", "1.4.2+build.9", 1}, {"= 1.4.2+x", "1.4.2+y", 1}, {"> 1.4.2", "1.4.2+build.9", 0},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		ck_assert_msg(match(cases[i].constraint, cases[i].version) == cases[i].want, "'%s' vs %s: want %d",
			      cases[i].constraint, cases[i].version, cases[i].want);
}
END_TEST

START_TEST(test_bad_constraints)
{
	static const char *const bad[] = {"", ",", ">= 1.0,", ", >= 1", ">= 1,,< 2", "=> 1.0", "~ 1.0", "1.0.0.0",
					  ">= v1", "1.0-rc.1", "> ", "~>", "1.2.3 4", ">=1.0 <2.0"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct constraint c;
		char *err = NULL;
		ck_assert_msg(constraint_parse(bad[i], &c, &err) < 0, "accepted '%s'", bad[i]);
		ck_assert_ptr_nonnull(err);
		free(err);
	}
	char many[400] = "";
	for (int i = 0; i < 17; i++)
		strcat(many, i ? ",>=1" : ">=1");
	struct constraint c;
	char *err = NULL;
	ck_assert_int_lt(constraint_parse(many, &c, &err), 0);
	ck_assert_ptr_nonnull(strstr(err, "more than"));
	free(err);
}
END_TEST

/* ---- percent and buckets ------------------------------------------------ */

START_TEST(test_percent)
{
	uint32_t bp;
	char buf[16];
	static const struct {
		const char *text;
		uint32_t bp;
		const char *back;
	} ok[] = {{"0", 0, "0"},        {"10", 1000, "10"},   {"12.5", 1250, "12.5"}, {"0.01", 1, "0.01"},
		  {"99.99", 9999, "99.99"}, {"100", 10000, "100"}, {"100.00", 10000, "100"}, {"7.50", 750, "7.5"}};
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		ck_assert_int_eq(policy_parse_percent(ok[i].text, &bp), 0);
		ck_assert_uint_eq(bp, ok[i].bp);
		policy_format_percent(bp, buf);
		ck_assert_str_eq(buf, ok[i].back);
	}
	static const char *const bad[] = {"", "-1", "100.01", "101", "0.001", "1e2", "ten", "5.", ".5", "5%", "1000"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(policy_parse_percent(bad[i], &bp) < 0, "accepted '%s'", bad[i]);
}
END_TEST

START_TEST(test_bucket_distribution)
{
	/* 10% of 10,000 tenant ids lands within +-1% (900..1100), for several salts. */
	static const char *const salts[] = {"csv", "json", "csv-2024"};
	for (size_t s = 0; s < 3; s++) {
		unsigned in10 = 0, counts[10] = {0};
		char tenant[32];
		for (int i = 0; i < 10000; i++) {
			snprintf(tenant, sizeof(tenant), "tenant-%05d", i);
			uint32_t b = policy_bucket(salts[s], tenant);
			ck_assert_uint_lt(b, POLICY_BUCKETS);
			in10 += b < 1000;
			counts[b / 1000]++;
		}
		ck_assert_msg(in10 >= 900 && in10 <= 1100, "salt %s: %u of 10000 in 10%%", salts[s], in10);
		for (int d = 0; d < 10; d++)
			ck_assert_msg(counts[d] >= 850 && counts[d] <= 1150, "salt %s decile %d: %u", salts[s], d,
				      counts[d]);
	}
}
END_TEST

START_TEST(test_bucket_stable_and_salted)
{
	/* Stable across calls (and so across hosts and runs: it is SHA-256). */
	ck_assert_uint_eq(policy_bucket("csv", "acme"), policy_bucket("csv", "acme"));
	/* Known answers (computed with Python's hashlib): SHA-256("csv:acme"), first
	 * 8 bytes big-endian, mod 10000.  Any host must agree. */
	ck_assert_uint_eq(policy_bucket("csv", "acme"), 3600);
	ck_assert_uint_eq(policy_bucket("csv", "tenant-00001"), 7577);
	ck_assert_uint_eq(policy_bucket("json", "bob"), 2479);
	unsigned differ = 0;
	char tenant[32];
	for (int i = 0; i < 1000; i++) {
		snprintf(tenant, sizeof(tenant), "t%d", i);
		differ += policy_bucket("a", tenant) != policy_bucket("b", tenant);
	}
	ck_assert_uint_gt(differ, 950); /* a new salt reshuffles tenants */
	/* The separator matters: ("ab", "c") and ("a", "bc") are different inputs. */
	ck_assert_uint_ne(policy_bucket("ab", "c"), policy_bucket("a", "bc"));
}
END_TEST

/* ---- store fixtures ------------------------------------------------------ */

static void install_fake(const char *root, const char *name, const char *version)
{
	char *path = pkg_strdupf("%s/%s/%s/manifest.yml", root, name, version);
	pkgtest_write(path,
		      "name: %s\nversion: %s\nabi: \"1.0\"\ndescription: d\nlibrary: p.so\nkinds: [parser]\n"
		      "requires: {network: false}\ncomponents: {parser/%s: x}\noptions: {}\n"
		      "files: {p.so: \"sha256:" HASH "\"}\n",
		      name, version, name);
	free(path);
}

struct world {
	struct store_entry *e;
	size_t n;
	struct policy *pol;
};

static void world_load(struct world *w, const char *policy_text)
{
	char *root = pkg_strdupf("%s/store", dir), *ppath = pkg_strdupf("%s/policy.yml", dir), *err = NULL;
	char *roots[] = {root};
	pkgtest_write(ppath, "%s", policy_text);
	ck_assert_msg(store_scan(roots, 1, &w->e, &w->n, &err) == 0, "%s", err);
	ck_assert_msg(policy_load(ppath, &w->pol, &err) == 0, "%s", err);
	free(root);
	free(ppath);
}

static void world_free(struct world *w)
{
	store_entries_free(w->e, w->n);
	policy_free(w->pol);
}

static void standard_store(void)
{
	char *root = pkg_strdupf("%s/store", dir);
	static const char *const versions[] = {"1.3.0", "1.4.0", "1.4.2", "1.5.0", "1.6.0-rc.1"};
	for (size_t i = 0; i < 5; i++)
		install_fake(root, "csv", versions[i]);
	install_fake(root, "json", "0.9.0");
	free(root);
}

/* Resolves and returns the version (static buffer) or "ERR:<message>". */
static const char *resolve(struct world *w, const char *name, const char *tenant, const char *constraint,
			   enum resolution_source *src)
{
	static char buf[1024];
	struct resolution res = {0};
	char *err = NULL;
	if (policy_resolve(w->pol, w->e, w->n, name, tenant, constraint, &res, &err) < 0) {
		snprintf(buf, sizeof(buf), "ERR:%s", err);
		free(err);
		return buf;
	}
	snprintf(buf, sizeof(buf), "%s", res.version);
	ck_assert_ptr_nonnull(res.reason);
	ck_assert_ptr_nonnull(strstr(res.dir, res.version));
	if (src)
		*src = res.source;
	resolution_clear(&res);
	return buf;
}

static const char *const issue_policy = "plugins:\n"
					"  csv:\n"
					"    default: 1.4.2\n"
					"    canary: {version: 1.5.0, percent: 10}\n"
					"    pins: {acme: 1.3.0}\n"
					"    deny: [1.4.0]\n";

START_TEST(test_resolution_order)
{
	struct world w;
	enum resolution_source src = 0;
	standard_store();
	world_load(&w, issue_policy);

	/* Pin wins. */
	ck_assert_str_eq(resolve(&w, "csv", "acme", NULL, &src), "1.3.0");
	ck_assert_int_eq(src, RESOLVED_PIN);
	/* No tenant: no pin, no canary, so the default. */
	ck_assert_str_eq(resolve(&w, "csv", NULL, NULL, &src), "1.4.2");
	ck_assert_int_eq(src, RESOLVED_DEFAULT);
	/* Tenants split between canary and default by bucket. */
	unsigned canary = 0;
	char tenant[32];
	for (int i = 0; i < 2000; i++) {
		snprintf(tenant, sizeof(tenant), "t-%d", i);
		const char *v = resolve(&w, "csv", tenant, NULL, &src);
		int in = policy_bucket("csv", tenant) < 1000;
		ck_assert_str_eq(v, in ? "1.5.0" : "1.4.2");
		ck_assert_int_eq(src, in ? RESOLVED_CANARY : RESOLVED_DEFAULT);
		canary += in;
	}
	ck_assert_uint_gt(canary, 140);
	ck_assert_uint_lt(canary, 260);
	/* No policy for json: its highest release. */
	ck_assert_str_eq(resolve(&w, "json", "acme", NULL, &src), "0.9.0");
	ck_assert_int_eq(src, RESOLVED_HIGHEST);
	/* Not installed. */
	ck_assert_ptr_nonnull(strstr(resolve(&w, "xml", "acme", NULL, NULL), "ERR:plugin 'xml' is not installed"));
	world_free(&w);
}
END_TEST

START_TEST(test_deny_and_constraint)
{
	struct world w;
	enum resolution_source src;
	standard_store();
	world_load(&w, issue_policy);
	/* The config's constraint excludes the default: highest matching release. */
	ck_assert_str_eq(resolve(&w, "csv", NULL, "~> 1.4.0", &src), "1.4.2");
	ck_assert_str_eq(resolve(&w, "csv", NULL, ">= 1.5", &src), "1.5.0");
	ck_assert_int_eq(src, RESOLVED_HIGHEST);
	/* Denied versions are never chosen, even when asked for exactly. */
	ck_assert_ptr_nonnull(strstr(resolve(&w, "csv", NULL, "= 1.4.0", NULL), "ERR:"));
	ck_assert_str_eq(resolve(&w, "csv", NULL, "< 1.4.2", &src), "1.3.0");
	/* A pin the constraint excludes is an error, not a silent change. */
	const char *e = resolve(&w, "csv", "acme", ">= 1.4", NULL);
	ck_assert_msg(strstr(e, "ERR:tenant 'acme' is pinned to csv 1.3.0") != NULL, "%s", e);
	/* Pre-releases: never the highest unless named exactly. */
	ck_assert_str_eq(resolve(&w, "csv", NULL, ">= 1.5.0", &src), "1.5.0");
	ck_assert_str_eq(resolve(&w, "csv", NULL, "= 1.6.0-rc.1", &src), "1.6.0-rc.1");
	ck_assert_ptr_nonnull(strstr(resolve(&w, "csv", NULL, "> 1.5.0", NULL), "ERR:"));
	world_free(&w);

	/* deny that removes the default falls through to the highest release. */
	world_load(&w, "plugins:\n  csv:\n    default: 1.4.2\n    deny: [1.4.2, 1.5.0]\n");
	ck_assert_str_eq(resolve(&w, "csv", "x", NULL, &src), "1.4.0");
	ck_assert_int_eq(src, RESOLVED_HIGHEST);
	world_free(&w);
	/* Everything denied. */
	world_load(&w, "plugins:\n  json:\n    deny: [0.9.0]\n");
	ck_assert_ptr_nonnull(strstr(resolve(&w, "json", "x", NULL, NULL), "ERR:no installed version"));
	world_free(&w);
	/* A pre-release as the default is honoured: the operator named it. */
	world_load(&w, "plugins:\n  csv:\n    default: 1.6.0-rc.1\n");
	ck_assert_str_eq(resolve(&w, "csv", "x", NULL, &src), "1.6.0-rc.1");
	world_free(&w);
}
END_TEST

START_TEST(test_canary_monotonic)
{
	/* Raising 10% -> 20% keeps every tenant of the first 10% in the canary. */
	struct world w10, w20, w0;
	standard_store();
	world_load(&w10, "plugins:\n  csv:\n    default: 1.4.2\n    canary: {version: 1.5.0, percent: 10}\n");
	world_load(&w20, "plugins:\n  csv:\n    default: 1.4.2\n    canary: {version: 1.5.0, percent: 20}\n");
	world_load(&w0, "plugins:\n  csv:\n    default: 1.4.2\n    canary: {version: 1.5.0, percent: 0}\n");
	unsigned n10 = 0, n20 = 0;
	char tenant[32];
	for (int i = 0; i < 3000; i++) {
		snprintf(tenant, sizeof(tenant), "customer-%d", i);
		int a = strcmp(resolve(&w10, "csv", tenant, NULL, NULL), "1.5.0") == 0;
		int b = strcmp(resolve(&w20, "csv", tenant, NULL, NULL), "1.5.0") == 0;
		ck_assert_msg(!a || b, "%s left the canary when the percent rose", tenant);
		ck_assert_str_eq(resolve(&w0, "csv", tenant, NULL, NULL), "1.4.2");
		n10 += a;
		n20 += b;
	}
	ck_assert_uint_gt(n20, n10);
	world_free(&w10);
	world_free(&w20);
	world_free(&w0);

	/* A salt changes who is in, 100% takes everyone. */
	struct world ws, w100;
	world_load(&ws, "plugins:\n  csv:\n    default: 1.3.0\n    canary: {version: 1.5.0, percent: 50, salt: other}\n");
	world_load(&w100, "plugins:\n  csv:\n    default: 1.3.0\n    canary: {version: 1.5.0, percent: 100}\n");
	for (int i = 0; i < 200; i++) {
		snprintf(tenant, sizeof(tenant), "c%d", i);
		int in = policy_bucket("other", tenant) < 5000;
		ck_assert_str_eq(resolve(&ws, "csv", tenant, NULL, NULL), in ? "1.5.0" : "1.3.0");
		ck_assert_str_eq(resolve(&w100, "csv", tenant, NULL, NULL), "1.5.0");
	}
	world_free(&ws);
	world_free(&w100);
}
END_TEST

/* ---- policy files ----------------------------------------------------- */

START_TEST(test_policy_roundtrip)
{
	char *path = pkg_strdupf("%s/policy.yml", dir), *err = NULL;
	struct policy *p = NULL, *q = NULL;
	pkgtest_write(path, "plugins:\n  csv:\n    default: 1.4.2\n    canary: {version: 1.5.0, percent: 12.34, "
			    "salt: s1}\n    pins: {acme: 1.3.0, \"tenant with spaces\": 1.4.2}\n    deny: [1.4.0]\n"
			    "    auto_rollback: {min_runs: 20, max_failure_margin: 5}\n  json: {}\n");
	ck_assert_msg(policy_load(path, &p, &err) == 0, "%s", err);
	const struct policy_plugin *pp = policy_find(p, "csv");
	ck_assert_ptr_nonnull(pp);
	ck_assert_uint_eq(pp->canary.basis_points, 1234);
	ck_assert_str_eq(pp->canary.salt, "s1");
	ck_assert_str_eq(policy_pin_for(pp, "tenant with spaces"), "1.4.2");
	ck_assert(policy_is_denied(pp, "1.4.0"));
	ck_assert_uint_eq(pp->auto_rollback.min_runs, 20);
	ck_assert_uint_eq(pp->auto_rollback.margin_bp, 500);
	ck_assert_int_eq(policy_write(p, path, &err), 0);
	ck_assert_int_eq(policy_load(path, &q, &err), 0);
	const struct policy_plugin *qp = policy_find(q, "csv");
	ck_assert_uint_eq(qp->canary.basis_points, 1234);
	ck_assert_str_eq(qp->default_version, "1.4.2");
	ck_assert_uint_eq(qp->pin_count, 2);
	ck_assert_uint_eq(qp->auto_rollback.margin_bp, 500);
	ck_assert_ptr_nonnull(policy_find(q, "json"));
	policy_free(p);
	policy_free(q);
	/* A missing file is an empty policy. */
	char *missing = pkg_strdupf("%s/none.yml", dir);
	ck_assert_int_eq(policy_load(missing, &p, &err), 0);
	ck_assert_uint_eq(p->count, 0);
	policy_free(p);
	free(missing);
	free(path);
}
END_TEST

START_TEST(test_policy_errors)
{
	static const struct {
		const char *text, *want;
	} cases[] = {
		{"plugins:\n  csv:\n    defualt: 1.0.0\n", ":3:5: plugins.csv: unknown field 'defualt'"},
		{"plugin:\n  csv: {}\n", ":1:1: unknown field 'plugin'"},
		{"plugins:\n  csv:\n    default: latest\n", ":3:14: default: 'latest' is not a semantic version"},
		{"plugins:\n  csv:\n    canary: {version: 1.5.0, percent: 10.001}\n", ":3:39: canary.percent"},
		{"plugins:\n  csv:\n    canary: {version: 1.5.0, percent: 101}\n", "canary.percent"},
		{"plugins:\n  csv:\n    canary: {version: 1.5.0}\n", "missing field 'percent'"},
		{"plugins:\n  csv:\n    canary: {percent: 5}\n", "missing field 'version'"},
		{"plugins:\n  csv:\n    pins: [acme]\n", "pins: expected a mapping"},
		{"plugins:\n  csv:\n    deny: 1.0.0\n", "deny: expected a list"},
		{"plugins:\n  CSV: {}\n", "plugin name 'CSV'"},
		{"plugins:\n  csv:\n    auto_rollback: {min_runs: 0, max_failure_margin: 5}\n", "at least 1"},
		{"plugins:\n  csv:\n    auto_rollback: {min_runs: 10}\n", "missing field 'max_failure_margin'"},
		{"plugins:\n  csv: {}\n  csv: {}\n", "duplicate key 'csv'"},
	};
	char *path = pkg_strdupf("%s/policy.yml", dir);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct policy *p = NULL;
		char *err = NULL;
		pkgtest_write(path, "%s", cases[i].text);
		ck_assert_msg(policy_load(path, &p, &err) < 0, "accepted case %zu", i);
		ck_assert_msg(strstr(err, cases[i].want) != NULL, "case %zu: got '%s', want '%s'", i, err, cases[i].want);
		free(err);
	}
	free(path);
}
END_TEST

/* ---- outcomes and auto rollback --------------------------------------- */

START_TEST(test_auto_rollback)
{
	char *ppath = pkg_strdupf("%s/policy.yml", dir), *err = NULL, *why = NULL;
	struct policy *p = NULL;
	pkgtest_write(ppath, "plugins:\n  csv:\n    default: 1.4.2\n    canary: {version: 1.5.0, percent: 10}\n"
			     "    auto_rollback: {min_runs: 10, max_failure_margin: 20}\n");
	/* Default: 1 failure in 20 (5%). */
	for (int i = 0; i < 20; i++)
		ck_assert_int_eq(rollout_record(dir, "csv", "1.4.2", "default", "t", i != 0, &err), 0);
	/* Canary: 3 failures in 9 runs; under min_runs, so nothing happens yet. */
	for (int i = 0; i < 9; i++)
		ck_assert_int_eq(rollout_record(dir, "csv", "1.5.0", "canary", "t", i >= 3, &err), 0);
	ck_assert_int_eq(rollout_check(dir, "csv", &why, &err), 0);
	ck_assert_ptr_null(why);
	ck_assert_int_eq(policy_load(ppath, &p, &err), 0);
	ck_assert_uint_eq(policy_find(p, "csv")->canary.basis_points, 1000);
	policy_free(p);
	/* The tenth canary run fails: 4/10 = 40% > 5% + 20 points: roll back. */
	struct resolution res = {.name = "csv", .version = "1.5.0", .source = RESOLVED_CANARY};
	ck_assert_int_eq(rollout_after_run(dir, &res, "tenant x", 0, &why, &err), 0);
	ck_assert_ptr_nonnull(why);
	ck_assert_ptr_nonnull(strstr(why, "4 of 10"));
	ck_assert_int_eq(policy_load(ppath, &p, &err), 0);
	const struct policy_plugin *pp = policy_find(p, "csv");
	ck_assert_uint_eq(pp->canary.basis_points, 0);
	ck_assert_str_eq(pp->canary.version, "1.5.0");
	ck_assert_str_eq(pp->canary.rolled_back, why);
	ck_assert_str_eq(pp->default_version, "1.4.2");
	policy_free(p);
	free(why);
	why = NULL;
	/* Recorded in the log; status sees both versions. */
	struct rollout_status st;
	ck_assert_int_eq(rollout_read(dir, "csv", &st, &err), 0);
	ck_assert_uint_eq(st.count, 2);
	ck_assert_str_eq(st.versions[0].version, "1.4.2");
	ck_assert_uint_eq(st.versions[0].runs, 20);
	ck_assert_uint_eq(st.versions[0].failures, 1);
	ck_assert_uint_eq(st.versions[1].runs, 10);
	ck_assert_uint_eq(st.versions[1].failures, 4);
	ck_assert_uint_eq(st.rollback_count, 1);
	rollout_status_clear(&st);
	/* Already at 0%: no second rollback. */
	ck_assert_int_eq(rollout_check(dir, "csv", &why, &err), 0);
	ck_assert_ptr_null(why);
	free(ppath);
}
END_TEST

START_TEST(test_no_rollback_within_margin)
{
	char *ppath = pkg_strdupf("%s/policy.yml", dir), *err = NULL, *why = NULL;
	pkgtest_write(ppath, "plugins:\n  csv:\n    default: 1.4.2\n    canary: {version: 1.5.0, percent: 10}\n"
			     "    auto_rollback: {min_runs: 5, max_failure_margin: 10}\n");
	for (int i = 0; i < 10; i++)
		rollout_record(dir, "csv", "1.4.2", "default", "t", i >= 2, &err); /* 20% */
	for (int i = 0; i < 10; i++)
		rollout_record(dir, "csv", "1.5.0", "canary", "t", i >= 3, &err); /* 30%: exactly 10 points */
	ck_assert_int_eq(rollout_check(dir, "csv", &why, &err), 0);
	ck_assert_ptr_null(why);
	/* Without an auto_rollback setting nothing ever happens. */
	pkgtest_write(ppath, "plugins:\n  csv:\n    default: 1.4.2\n    canary: {version: 1.5.0, percent: 10}\n");
	for (int i = 0; i < 30; i++)
		rollout_record(dir, "csv", "1.5.0", "canary", "t", 0, &err);
	ck_assert_int_eq(rollout_check(dir, "csv", &why, &err), 0);
	ck_assert_ptr_null(why);
	free(ppath);
}
END_TEST

START_TEST(test_log_bounded)
{
	char *err = NULL, *path = pkg_strdupf("%s/outcomes/csv.log", dir);
	struct stat st;
	/* ~40 bytes a line: 60,000 lines would be 2.4 MB unbounded. */
	for (int i = 0; i < 60000; i++)
		ck_assert_int_eq(rollout_record(dir, "csv", "1.4.2", "default", "tenant", 1, &err), 0);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_le(st.st_size, ROLLOUT_LOG_MAX_BYTES);
	struct rollout_status s;
	ck_assert_int_eq(rollout_read(dir, "csv", &s, &err), 0);
	ck_assert_uint_gt(s.versions[0].runs, 10000);
	rollout_status_clear(&s);
	free(path);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("policy");
	TCase *tc = tcase_create("policy");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_constraints);
	tcase_add_test(tc, test_bad_constraints);
	tcase_add_test(tc, test_percent);
	tcase_add_test(tc, test_bucket_distribution);
	tcase_add_test(tc, test_bucket_stable_and_salted);
	tcase_add_test(tc, test_resolution_order);
	tcase_add_test(tc, test_deny_and_constraint);
	tcase_add_test(tc, test_canary_monotonic);
	tcase_add_test(tc, test_policy_roundtrip);
	tcase_add_test(tc, test_policy_errors);
	tcase_add_test(tc, test_auto_rollback);
	tcase_add_test(tc, test_no_rollback_within_margin);
	tcase_add_test(tc, test_log_bounded);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
