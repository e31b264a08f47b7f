/* bulkhead policy: show and edit <home>/policy.yml (atomic, locked). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "host/packaging_cmds.h"
#include "host/pkgcmd.h"
#include "packaging/policy.h"
#include "packaging/semver.h"
#include "packaging/util.h"

static const char usage[] =
	"usage: bulkhead policy COMMAND ...\n"
	"  show [NAME]                         print the policy (or one plugin's part)\n"
	"  check                               check that every version the policy names is installed\n"
	"  set-default NAME VERSION            the version every other tenant gets\n"
	"  unset-default NAME\n"
	"  pin NAME TENANT VERSION             this tenant always gets VERSION\n"
	"  unpin NAME TENANT\n"
	"  canary NAME VERSION PERCENT [--salt SALT]   send PERCENT% of tenants to VERSION\n"
	"  canary NAME PERCENT                 change the running canary's percent (0-100, 0.01 steps)\n"
	"  canary NAME off                     remove the canary\n"
	"  deny NAME VERSION                   never resolve to VERSION\n"
	"  allow NAME VERSION                  undo deny\n"
	"  auto-rollback NAME MIN_RUNS MARGIN  roll the canary back to 0% when, after MIN_RUNS runs,\n"
	"                                      its failure rate exceeds the default's by MARGIN points\n"
	"  auto-rollback NAME off\n"
	"Every version named must be installed.  Edits are written atomically.\n";

struct edit {
	struct bh_cli *cli;
	struct policy *pol;
	struct store_entry *entries;
	size_t count;
	char *err;
};

static int need_installed(struct edit *ed, const char *name, const char *version)
{
	if (!semver_valid(version))
		return pkg_error(&ed->err, -EINVAL, "'%s' is not a semantic version", version);
	if (store_find(ed->entries, ed->count, name, version) == NULL)
		return pkg_error(&ed->err, -ENOENT, "%s@%s is not installed (see bulkhead plugin list)", name, version);
	return 0;
}

static int need_allowed(struct edit *ed, const struct policy_plugin *pp, const char *version)
{
	if (policy_is_denied(pp, version))
		return pkg_error(&ed->err, -EINVAL, "%s@%s is denied; allow it first", pp->name, version);
	return 0;
}

static int set_str(char **slot, const char *value)
{
	char *c = value ? strdup(value) : NULL;
	if (value && c == NULL)
		return -ENOMEM;
	free(*slot);
	*slot = c;
	return 0;
}

static int do_pin(struct edit *ed, struct policy_plugin *pp, const char *tenant, const char *version)
{
	int r;
	if (*tenant == '\0' || strlen(tenant) > POLICY_MAX_TENANT)
		return pkg_error(&ed->err, -EINVAL, "tenant ids have 1 to %d characters", POLICY_MAX_TENANT);
	if ((r = need_installed(ed, pp->name, version)) < 0 || (r = need_allowed(ed, pp, version)) < 0)
		return r;
	for (size_t i = 0; i < pp->pin_count; i++)
		if (strcmp(pp->pins[i].tenant, tenant) == 0)
			return set_str(&pp->pins[i].version, version);
	if (pp->pin_count >= POLICY_MAX_PINS)
		return pkg_error(&ed->err, -E2BIG, "more than %d pins", POLICY_MAX_PINS);
	struct policy_pin *np = realloc(pp->pins, (pp->pin_count + 1) * sizeof(*np));
	if (np == NULL)
		return -ENOMEM;
	pp->pins = np;
	np[pp->pin_count].tenant = strdup(tenant);
	np[pp->pin_count].version = strdup(version);
	pp->pin_count++;
	return np[pp->pin_count - 1].tenant && np[pp->pin_count - 1].version ? 0 : -ENOMEM;
}

static int do_unpin(struct edit *ed, struct policy_plugin *pp, const char *tenant)
{
	for (size_t i = 0; i < pp->pin_count; i++) {
		if (strcmp(pp->pins[i].tenant, tenant) != 0)
			continue;
		free(pp->pins[i].tenant);
		free(pp->pins[i].version);
		memmove(&pp->pins[i], &pp->pins[i + 1], (pp->pin_count - i - 1) * sizeof(*pp->pins));
		pp->pin_count--;
		return 0;
	}
	return pkg_error(&ed->err, -ENOENT, "tenant '%s' is not pinned for %s", tenant, pp->name);
}

static int do_canary(struct edit *ed, struct policy_plugin *pp, int argc, char **argv)
{
	const char *salt = NULL;
	uint32_t bp;
	int r, nargs = 0;
	char *args[2];

	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--salt") == 0 && i + 1 < argc)
			salt = argv[++i];
		else if (nargs < 2)
			args[nargs++] = argv[i];
		else
			return pkg_error(&ed->err, -EINVAL, "too many arguments for canary");
	}
	if (nargs == 1 && strcmp(args[0], "off") == 0) {
		free(pp->canary.version);
		free(pp->canary.salt);
		free(pp->canary.rolled_back);
		memset(&pp->canary, 0, sizeof(pp->canary));
		return 0;
	}
	if (nargs == 0)
		return pkg_error(&ed->err, -EINVAL, "canary needs VERSION PERCENT, PERCENT or off");
	const char *pct = args[nargs - 1];
	if (policy_parse_percent(pct, &bp) < 0)
		return pkg_error(&ed->err, -EINVAL, "percent '%s': expected 0 to 100 with at most two decimals", pct);
	if (salt && (*salt == '\0' || strlen(salt) > POLICY_MAX_SALT))
		return pkg_error(&ed->err, -EINVAL, "salt: 1 to %d characters", POLICY_MAX_SALT);
	if (nargs == 2) {
		if ((r = need_installed(ed, pp->name, args[0])) < 0 || (r = need_allowed(ed, pp, args[0])) < 0)
			return r;
		if ((r = set_str(&pp->canary.version, args[0])) < 0)
			return r;
	} else if (pp->canary.version == NULL) {
		return pkg_error(&ed->err, -EINVAL, "%s has no canary; give a version: canary %s VERSION %s", pp->name,
				 pp->name, pct);
	} else if ((r = need_installed(ed, pp->name, pp->canary.version)) < 0) {
		return r;
	}
	if (salt && (r = set_str(&pp->canary.salt, salt)) < 0)
		return r;
	pp->canary.basis_points = bp;
	/* The operator has decided again: a previous automatic rollback is history. */
	return set_str(&pp->canary.rolled_back, NULL);
}

static int do_deny(struct edit *ed, struct policy_plugin *pp, const char *version, int deny)
{
	int r;
	if (!deny) {
		for (size_t i = 0; i < pp->deny_count; i++) {
			if (strcmp(pp->deny[i], version) != 0)
				continue;
			free(pp->deny[i]);
			memmove(&pp->deny[i], &pp->deny[i + 1], (pp->deny_count - i - 1) * sizeof(char *));
			pp->deny_count--;
			return 0;
		}
		return pkg_error(&ed->err, -ENOENT, "%s@%s is not denied", pp->name, version);
	}
	if ((r = need_installed(ed, pp->name, version)) < 0)
		return r;
	if (policy_is_denied(pp, version))
		return 0;
	if (pp->deny_count >= POLICY_MAX_DENY)
		return pkg_error(&ed->err, -E2BIG, "more than %d denied versions", POLICY_MAX_DENY);
	char **nd = realloc(pp->deny, (pp->deny_count + 1) * sizeof(char *));
	if (nd == NULL)
		return -ENOMEM;
	pp->deny = nd;
	if ((nd[pp->deny_count] = strdup(version)) == NULL)
		return -ENOMEM;
	pp->deny_count++;
	if ((pp->default_version && strcmp(pp->default_version, version) == 0) ||
	    (pp->canary.version && strcmp(pp->canary.version, version) == 0))
		fprintf(stderr, "bulkhead: warning: %s@%s is the %s; tenants will fall through to the next rule\n",
			pp->name, version,
			pp->default_version && strcmp(pp->default_version, version) == 0 ? "default" : "canary");
	return 0;
}

static int do_auto_rollback(struct edit *ed, struct policy_plugin *pp, int argc, char **argv)
{
	if (argc == 1 && strcmp(argv[0], "off") == 0) {
		memset(&pp->auto_rollback, 0, sizeof(pp->auto_rollback));
		return 0;
	}
	if (argc != 2)
		return pkg_error(&ed->err, -EINVAL, "auto-rollback needs MIN_RUNS MARGIN, or off");
	char *end;
	unsigned long runs = strtoul(argv[0], &end, 10);
	if (*argv[0] < '0' || *argv[0] > '9' || *end || runs == 0 || runs > 1000000)
		return pkg_error(&ed->err, -EINVAL, "MIN_RUNS: a whole number from 1 to 1000000");
	if (policy_parse_percent(argv[1], &pp->auto_rollback.margin_bp) < 0)
		return pkg_error(&ed->err, -EINVAL, "MARGIN: percentage points, 0 to 100 with at most two decimals");
	pp->auto_rollback.min_runs = (uint32_t)runs;
	pp->auto_rollback.enabled = 1;
	return 0;
}

/* Every version the policy names, checked against the stores. */
static int check_all(struct edit *ed)
{
	int problems = 0;
	for (size_t i = 0; i < ed->pol->count; i++) {
		const struct policy_plugin *pp = &ed->pol->plugins[i];
		const char *names[3] = {pp->default_version, pp->canary.version, NULL};
		for (int k = 0; k < 2; k++) {
			if (names[k] && !store_find(ed->entries, ed->count, pp->name, names[k])) {
				fprintf(stderr, "bulkhead: %s: %s %s is not installed\n", pp->name,
					k == 0 ? "default" : "canary", names[k]);
				problems++;
			}
		}
		for (size_t j = 0; j < pp->pin_count; j++)
			if (!store_find(ed->entries, ed->count, pp->name, pp->pins[j].version)) {
				fprintf(stderr, "bulkhead: %s: tenant %s is pinned to %s, which is not installed\n",
					pp->name, pp->pins[j].tenant, pp->pins[j].version);
				problems++;
			}
	}
	return problems;
}

static int show(struct edit *ed, const char *name)
{
	struct policy one = {0};
	const struct policy *what = ed->pol;
	char *path = NULL, *text = NULL;
	size_t len = 0;
	int r;

	if (name) {
		const struct policy_plugin *pp = policy_find(ed->pol, name);
		if (pp == NULL) {
			printf("# no policy for %s: tenants get its highest installed release\n", name);
			return 0;
		}
		one.plugins = (struct policy_plugin *)pp;
		one.count = 1;
		what = &one;
	}
	/* Write to a temp file and print it, so show prints exactly what a file would hold. */
	const char *tmp = getenv("TMPDIR");
	path = pkg_strdupf("%s/bhpolicy-%ld.yml", tmp && *tmp ? tmp : "/tmp", (long)getpid());
	if (path == NULL)
		return -ENOMEM;
	if ((r = policy_write(what, path, &ed->err)) == 0 && (r = pkg_read_file(path, POLICY_MAX_BYTES, &text, &len)) == 0)
		fwrite(text, 1, len, stdout);
	unlink(path);
	free(path);
	free(text);
	return r;
}

int cmd_policy(struct bh_cli *cli, int argc, char **argv)
{
	struct edit ed = {.cli = cli};
	char *path = NULL;
	int lock = -1, r = 0, code = BH_EXIT_OK;

	if (argc < 2 || pkgcmd_is_help(argv[1])) {
		fputs(usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? BH_EXIT_USAGE : BH_EXIT_OK;
	}
	const char *sub = argv[1];
	int edit = strcmp(sub, "show") != 0 && strcmp(sub, "check") != 0;
	static const struct {
		const char *name;
		int min, max; /* arguments after the subcommand */
	} subs[] = {{"show", 0, 1},        {"check", 0, 0},  {"set-default", 2, 2}, {"unset-default", 1, 1},
		    {"pin", 3, 3},         {"unpin", 2, 2},  {"canary", 2, 5},      {"deny", 2, 2},
		    {"allow", 2, 2},       {"auto-rollback", 2, 3}};
	size_t k;
	for (k = 0; k < sizeof(subs) / sizeof(subs[0]); k++)
		if (strcmp(subs[k].name, sub) == 0)
			break;
	if (k == sizeof(subs) / sizeof(subs[0]) || argc - 2 < subs[k].min || argc - 2 > subs[k].max) {
		fputs(usage, stderr);
		return BH_EXIT_USAGE;
	}
	if (argc > 2 && strcmp(sub, "check") != 0 && !pkg_is_identifier(argv[2], 64)) {
		fprintf(stderr, "bulkhead: '%s' is not a plugin name\n", argv[2]);
		return BH_EXIT_USAGE;
	}
	path = policy_path(cli->home);
	if (path == NULL)
		return BH_EXIT_INTERNAL;
	if (edit && (r = policy_lock(cli->home, &lock, &ed.err)) < 0) {
		code = pkgcmd_fail(&ed.err, BH_EXIT_INTERNAL, "cannot lock the policy");
		goto done;
	}
	if ((r = policy_load(path, &ed.pol, &ed.err)) < 0) {
		code = pkgcmd_fail(&ed.err, BH_EXIT_CONFIG, "cannot read the policy");
		goto done;
	}
	if (strcmp(sub, "show") == 0) {
		if (show(&ed, argc > 2 ? argv[2] : NULL) < 0)
			code = pkgcmd_fail(&ed.err, BH_EXIT_INTERNAL, "cannot print the policy");
		goto done;
	}
	if ((r = pkgcmd_scan(cli, &ed.entries, &ed.count, &ed.err)) < 0) {
		code = pkgcmd_fail(&ed.err, BH_EXIT_BUNDLE, "cannot read the plugin stores");
		goto done;
	}
	if (strcmp(sub, "check") == 0) {
		int problems = check_all(&ed);
		if (problems)
			code = BH_EXIT_CONFIG;
		else if (!cli->quiet)
			printf("policy ok: every version it names is installed\n");
		goto done;
	}
	struct policy_plugin *pp = policy_get_or_add(ed.pol, argv[2]);
	if (pp == NULL) {
		code = BH_EXIT_INTERNAL;
		goto done;
	}
	if (strcmp(sub, "set-default") == 0) {
		if ((r = need_installed(&ed, pp->name, argv[3])) == 0 && (r = need_allowed(&ed, pp, argv[3])) == 0)
			r = set_str(&pp->default_version, argv[3]);
	} else if (strcmp(sub, "unset-default") == 0) {
		r = set_str(&pp->default_version, NULL);
	} else if (strcmp(sub, "pin") == 0) {
		r = do_pin(&ed, pp, argv[3], argv[4]);
	} else if (strcmp(sub, "unpin") == 0) {
		r = do_unpin(&ed, pp, argv[3]);
	} else if (strcmp(sub, "canary") == 0) {
		r = do_canary(&ed, pp, argc - 3, argv + 3);
	} else if (strcmp(sub, "deny") == 0 || strcmp(sub, "allow") == 0) {
		r = do_deny(&ed, pp, argv[3], strcmp(sub, "deny") == 0);
	} else {
		r = do_auto_rollback(&ed, pp, argc - 3, argv + 3);
	}
	if (r == -ENOMEM && ed.err == NULL)
		pkg_error(&ed.err, r, "out of memory");
	if (r < 0) {
		code = pkgcmd_fail(&ed.err, r == -ENOMEM ? BH_EXIT_INTERNAL : BH_EXIT_CONFIG, "policy not changed");
		goto done;
	}
	if ((r = policy_write(ed.pol, path, &ed.err)) < 0) {
		code = pkgcmd_fail(&ed.err, BH_EXIT_INTERNAL, "cannot write the policy");
		goto done;
	}
	if (!cli->quiet) {
		struct policy one = {.plugins = pp, .count = 1};
		(void)one;
		printf("policy for %s updated (%s)\n", pp->name, path);
	}
done:
	store_entries_free(ed.entries, ed.count);
	policy_free(ed.pol);
	policy_unlock(lock);
	free(ed.err);
	free(path);
	return code;
}
