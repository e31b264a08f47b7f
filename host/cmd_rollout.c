/* bulkhead rollout status NAME: canary vs default outcomes. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "host/packaging_cmds.h"
#include "host/pkgcmd.h"
#include "packaging/rollout.h"
#include "packaging/util.h"

static const char usage[] =
	"usage: bulkhead rollout status NAME [--json]\n"
	"  Runs and failures per version of NAME from <home>/outcomes/NAME.log, the canary\n"
	"  and default failure rates, the auto-rollback rule and any rollbacks.\n"
	"       bulkhead rollout check NAME\n"
	"  Applies the auto-rollback rule now (runs do this after every run).\n";

static const struct rollout_counts *find(const struct rollout_status *s, const char *v)
{
	for (size_t i = 0; v && i < s->count; i++)
		if (strcmp(s->versions[i].version, v) == 0)
			return &s->versions[i];
	return NULL;
}

static void rate_text(const struct rollout_counts *c, char *buf, size_t len)
{
	if (c == NULL || c->runs == 0) {
		snprintf(buf, len, "no runs");
		return;
	}
	snprintf(buf, len, "%u/%u failed (%.2f%%)", c->failures, c->runs, 100.0 * c->failures / c->runs);
}

int cmd_rollout(struct bh_cli *cli, int argc, char **argv)
{
	struct rollout_status st = {0};
	struct policy *pol = NULL;
	char *err = NULL, *name = NULL;
	int json = 0, code = BH_EXIT_OK;

	if (argc >= 2 && pkgcmd_is_help(argv[1])) {
		fputs(usage, stdout);
		return BH_EXIT_OK;
	}
	if (argc < 3 || (strcmp(argv[1], "status") != 0 && strcmp(argv[1], "check") != 0)) {
		fputs(usage, stderr);
		return BH_EXIT_USAGE;
	}
	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			json = 1;
		else if (!name && pkg_is_identifier(argv[i], 64))
			name = argv[i];
		else {
			fputs(usage, stderr);
			return BH_EXIT_USAGE;
		}
	}
	if (name == NULL) {
		fputs(usage, stderr);
		return BH_EXIT_USAGE;
	}
	if (strcmp(argv[1], "check") == 0) {
		char *why = NULL;
		if (rollout_check(cli->home, name, &why, &err) < 0)
			return pkgcmd_fail(&err, BH_EXIT_CONFIG, "cannot check the rollout");
		if (!cli->quiet)
			printf(why ? "%s: canary rolled back: %s\n" : "%s: nothing to do\n", name, why);
		free(why);
		return BH_EXIT_OK;
	}
	if (pkgcmd_load_policy(cli, &pol, &err) < 0)
		return pkgcmd_fail(&err, BH_EXIT_CONFIG, "cannot read the policy");
	if (rollout_read(cli->home, name, &st, &err) < 0) {
		code = pkgcmd_fail(&err, BH_EXIT_INTERNAL, "cannot read the outcome log");
		goto done;
	}
	const struct policy_plugin *pp = policy_find(pol, name);
	const char *cv = pp ? pp->canary.version : NULL, *dv = pp ? pp->default_version : NULL;
	char pct[16] = "0", margin[16] = "";
	if (pp && cv)
		policy_format_percent(pp->canary.basis_points, pct);
	if (pp && pp->auto_rollback.enabled)
		policy_format_percent(pp->auto_rollback.margin_bp, margin);
	if (json) {
		json_t *o = json_object(), *vers = json_array(), *rbs = json_array();
		for (size_t i = 0; i < st.count; i++)
			json_array_append_new(vers, json_pack("{s:s, s:i, s:i}", "version", st.versions[i].version, "runs",
							      st.versions[i].runs, "failures", st.versions[i].failures));
		for (size_t i = 0; i < st.rollback_count; i++)
			json_array_append_new(rbs, json_string(st.rollbacks[i]));
		json_object_set_new(o, "name", json_string(name));
		json_object_set_new(o, "default", dv ? json_string(dv) : json_null());
		json_object_set_new(o, "canary", cv ? json_pack("{s:s, s:f, s:o}", "version", cv, "percent",
								   pp->canary.basis_points / 100.0, "rolled_back",
								   pp->canary.rolled_back ? json_string(pp->canary.rolled_back)
											  : json_null())
						    : json_null());
		json_object_set_new(o, "auto_rollback",
				    pp && pp->auto_rollback.enabled
					    ? json_pack("{s:i, s:f}", "min_runs", pp->auto_rollback.min_runs,
							"max_failure_margin", pp->auto_rollback.margin_bp / 100.0)
					    : json_null());
		json_object_set_new(o, "versions", vers);
		json_object_set_new(o, "rollbacks", rbs);
		json_dumpf(o, stdout, JSON_INDENT(2));
		putchar('\n');
		json_decref(o);
		goto done;
	}
	char rate[64];
	printf("%s\n", name);
	rate_text(find(&st, dv), rate, sizeof(rate));
	printf("  default %-12s %s\n", dv ? dv : "(none)", rate);
	rate_text(find(&st, cv), rate, sizeof(rate));
	if (cv)
		printf("  canary  %-12s %s, at %s%% of tenants\n", cv, rate, pct);
	else
		printf("  canary  (none)\n");
	if (pp && pp->canary.rolled_back)
		printf("  rolled back: %s\n", pp->canary.rolled_back);
	if (pp && pp->auto_rollback.enabled)
		printf("  auto rollback: after %u canary runs, when its failure rate exceeds the default's by more "
		       "than %s points\n", pp->auto_rollback.min_runs, margin);
	else
		printf("  auto rollback: off\n");
	if (st.count) {
		printf("  all versions:\n");
		for (size_t i = 0; i < st.count; i++) {
			rate_text(&st.versions[i], rate, sizeof(rate));
			printf("    %-12s %s\n", st.versions[i].version, rate);
		}
	}
	for (size_t i = 0; i < st.rollback_count; i++)
		printf("  log: %s\n", st.rollbacks[i]);
done:
	rollout_status_clear(&st);
	policy_free(pol);
	return code;
}
