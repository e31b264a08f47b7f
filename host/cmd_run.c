/* bulkhead run | preview | check | guess: load the config, build the plan,
 * run the worker, and present the outcome. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bulkhead/text.h>
#include "host/commands.h"
#include "host/config.h"
#include "host/host_config.h"
#include "host/plan.h"
#include "packaging/rollout.h"
#include "host/report.h"
#include "host/table.h"

struct run_args {
	const char *config;
	const char *report;
	const char *next;
	const char *output; /* guess -o */
	char **vars;
	size_t var_count;
	bh_timestamp time;
	long preview_records;
};

static const char *const run_usage =
	"usage: bulkhead run CONFIG [options]\n"
	"Runs the transfer CONFIG describes (in: -> filters: -> out:) in a sandboxed worker.\n"
	"Output is published only when every task succeeded.\n\n"
	"  --var NAME=VALUE   define ${NAME} for the config (repeatable)\n"
	"  --time TIME        the run's logical time for ${time:FORMAT} (YYYY-MM-DD[ hh:mm:ss], default now)\n"
	"  --tenant ID        resolve plugin versions for this tenant (rollout policy)\n"
	"  --report FILE      write the JSON run report to FILE\n"
	"  --next FILE        write the config for the next incremental run to FILE\n"
	"  --quiet            no progress line and no summary\n"
	"  -h, --help         this help\n";

static const char *const preview_usage =
	"usage: bulkhead preview CONFIG [--records N] [--var NAME=VALUE] [--time TIME] [--tenant ID]\n"
	"Reads the first N records (default 20) through the input and filters and prints them as a\n"
	"table.  Nothing is written.\n";

static const char *const check_usage =
	"usage: bulkhead check CONFIG [--var NAME=VALUE] [--time TIME] [--tenant ID]\n"
	"Validates CONFIG against the plugins' option tables and starts every plugin's transaction\n"
	"(lists input files, checks output directories and connections) without moving data.\n";

static const char *const guess_usage =
	"usage: bulkhead guess SEED [-o OUT] [--var NAME=VALUE] [--tenant ID]\n"
	"Reads a sample through SEED's input and fills in decoders and parser settings (delimiter,\n"
	"header, typed columns) — written as YAML to OUT, or to stdout.\n";

static int parse_time(const char *text, bh_timestamp *out)
{
	if (text[0] == '@') {
		char *end;
		long long v = strtoll(text + 1, &end, 10);
		if (*end)
			return -EINVAL;
		out->sec = v;
		out->nsec = 0;
		return 0;
	}
	if (strlen(text) == 10) {
		char buf[32];
		snprintf(buf, sizeof(buf), "%s 00:00:00", text);
		return bh_parse_timestamp(buf, strlen(buf), NULL, out);
	}
	return bh_parse_timestamp(text, strlen(text), NULL, out);
}

/* Parses a command's options; returns -1 after printing usage to stderr, 1 for --help. */
static int parse_args(struct bh_cli *cli, int argc, char **argv, const char *usage, struct run_args *a)
{
	enum { O_VAR = 1000, O_TIME, O_TENANT, O_REPORT, O_NEXT, O_QUIET, O_RECORDS };
	static const struct option opts[] = {
		{ "var", required_argument, NULL, O_VAR },	   { "time", required_argument, NULL, O_TIME },
		{ "tenant", required_argument, NULL, O_TENANT }, { "report", required_argument, NULL, O_REPORT },
		{ "next", required_argument, NULL, O_NEXT },	   { "quiet", no_argument, NULL, O_QUIET },
		{ "records", required_argument, NULL, O_RECORDS }, { "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },		   { NULL, 0, NULL, 0 },
	};
	struct timespec now;
	int c;
	memset(a, 0, sizeof(*a));
	clock_gettime(CLOCK_REALTIME, &now);
	a->time.sec = now.tv_sec;
	a->time.nsec = (int32_t)now.tv_nsec;
	a->preview_records = 20;
	optind = 1;
	while ((c = getopt_long(argc, argv, "ho:q", opts, NULL)) != -1) {
		switch (c) {
		case O_VAR: {
			char **grown = realloc(a->vars, (a->var_count + 1) * sizeof(*grown));
			if (!grown)
				return -1;
			a->vars = grown;
			a->vars[a->var_count++] = optarg;
			break;
		}
		case O_TIME:
			if (parse_time(optarg, &a->time) < 0) {
				fprintf(stderr, "bulkhead: --time '%s': expected YYYY-MM-DD, 'YYYY-MM-DD hh:mm:ss[Z]' or @EPOCH\n",
					optarg);
				return -1;
			}
			break;
		case O_TENANT:
			cli->tenant = optarg;
			break;
		case O_REPORT:
			a->report = optarg;
			break;
		case O_NEXT:
			a->next = optarg;
			break;
		case 'q':
		case O_QUIET:
			cli->quiet = 1;
			break;
		case O_RECORDS:
			a->preview_records = strtol(optarg, NULL, 10);
			if (a->preview_records < 1) {
				fprintf(stderr, "bulkhead: --records must be a positive number\n");
				return -1;
			}
			break;
		case 'o':
			a->output = optarg;
			break;
		case 'h':
			fputs(usage, stdout);
			return 1;
		default:
			fputs(usage, stderr);
			return -1;
		}
	}
	if (optind != argc - 1) {
		fputs(usage, stderr);
		return -1;
	}
	a->config = argv[optind];
	return 0;
}

static int load(struct run_args *a, struct transfer_config **tc)
{
	struct cfg_var_context vars = { .vars = a->vars, .var_count = a->var_count, .time_sec = a->time.sec,
					.time_nsec = a->time.nsec };
	struct cfg_error *err = NULL;
	if (cfg_vars_check(a->vars, a->var_count, &err) < 0 ||
	    transfer_config_load(a->config, &vars, tc, &err) < 0) {
		fprintf(stderr, "bulkhead: %s\n", err && err->text ? err->text : "cannot load the config");
		cfg_error_free(err);
		return -1;
	}
	return 0;
}

static int plan_exit_code(int r)
{
	return r == -ENOENT || r == -EINVAL || r == -EPROTO ? BH_EXIT_CONFIG : BH_EXIT_INTERNAL;
}

/* Loads, plans and runs in mode; fills result.  Returns an exit code. */
static int execute(struct bh_cli *cli, struct run_args *a, const char *mode, struct plan_result *plan,
		   struct host_run_result *result, struct transfer_config **tc_out)
{
	struct transfer_config *tc = NULL;
	char *err = NULL;
	int r;
	memset(result, 0, sizeof(*result));
	memset(plan, 0, sizeof(*plan));
	if (load(a, &tc) < 0)
		return BH_EXIT_CONFIG;
	r = host_config_load(cli->home, cli->tenant, &plan->host, &err);
	if (r == 0)
		r = host_config_apply(&plan->host, &tc->exec, cli->tenant, &err);
	if (r < 0) {
		fprintf(stderr, "bulkhead: %s\n", err ? err : "invalid host configuration");
		free(err);
		transfer_config_free(tc);
		return BH_EXIT_CONFIG;
	}
	r = plan_build(cli, tc, mode, plan, &err);
	if (r < 0) {
		fprintf(stderr, "bulkhead: %s\n", err ? err : "cannot plan the transfer");
		free(err);
		transfer_config_free(tc);
		return plan_exit_code(r);
	}
	json_object_set_new(plan->plan, "run_time", json_pack("{s:I, s:I}", "sec", (json_int_t)a->time.sec, "nsec",
							      (json_int_t)a->time.nsec));
	json_object_set_new(plan->plan, "preview_records", json_integer(a->preview_records));
	plan->opts.progress = strcmp(mode, "run") == 0;
	plan->opts.limits = &tc->exec;
	plan->opts.cgroup_parent = plan->host.cgroup_parent;
	host_run_worker(cli, plan->plan, &plan->opts, result);
	if (result->exit_code != BH_EXIT_OK)
		fprintf(stderr, "bulkhead: %s\n", result->message ? result->message : "failed");
	if (tc_out)
		*tc_out = tc;
	else
		transfer_config_free(tc);
	return result->exit_code;
}

static int write_next(const char *path, const struct transfer_config *tc, const json_t *next)
{
	json_t *root = NULL;
	struct cfg_error *cerr = NULL;
	char *tmp = NULL;
	FILE *f;
	int r = -1;
	if (cfg_node_to_json_source(tc->doc->root, &root, &cerr) < 0) {
		cfg_error_free(cerr);
		return -1;
	}
	/* The next config is this one with the keys the plugins asked to change. */
	{
		json_t *in = json_object_get(root, "in"), *nin = json_object_get(next, "in"), *np;
		json_object_update(in, nin);
		if ((np = json_object_get(nin, "parser")) && json_object_get(in, "parser"))
			json_object_update(json_object_get(in, "parser"), np);
	}
	if (asprintf(&tmp, "%s.bh-tmp-%d", path, (int)getpid()) < 0)
		goto out;
	f = fopen(tmp, "w");
	if (!f)
		goto out;
	fputs("# written by bulkhead run --next: the config for the next incremental run\n", f);
	r = cfg_emit_yaml(root, f);
	if (fclose(f) != 0 || r < 0 || rename(tmp, path) < 0) {
		unlink(tmp);
		r = -1;
	}
out:
	free(tmp);
	json_decref(root);
	return r;
}

static enum resolution_source source_from_name(const char *name)
{
	static const enum resolution_source all[] = { RESOLVED_PIN, RESOLVED_CANARY, RESOLVED_DEFAULT,
						      RESOLVED_HIGHEST };
	for (size_t i = 0; name && i < sizeof(all) / sizeof(all[0]); i++)
		if (strcmp(resolution_source_name(all[i]), name) == 0)
			return all[i];
	return RESOLVED_HIGHEST;
}

/* Canary safety: one outcome per plugin version used, then the policy's
 * automatic rollback check.  Runs stopped by a config error never ran a
 * plugin and are not counted. */
static void record_outcomes(struct bh_cli *cli, const struct plan_result *plan, int code)
{
	size_t i, j;
	json_t *p, *q;
	if (code == BH_EXIT_CONFIG || code == BH_EXIT_USAGE || !plan->plugins)
		return;
	json_array_foreach(plan->plugins, i, p) {
		const char *name = json_string_value(json_object_get(p, "name"));
		struct resolution res = { 0 };
		char *rolled_back = NULL, *err = NULL;
		int seen = 0;
		json_array_foreach(plan->plugins, j, q) if (j < i &&
							    strcmp(json_string_value(json_object_get(q, "name")), name) == 0)
			seen = 1;
		if (seen)
			continue;
		res.name = (char *)name;
		res.version = (char *)json_string_value(json_object_get(p, "version"));
		res.source = source_from_name(json_string_value(json_object_get(p, "source")));
		if (rollout_after_run(cli->home, &res, cli->tenant, code == BH_EXIT_OK, &rolled_back, &err) < 0) {
			fprintf(stderr, "bulkhead: warning: cannot record the outcome for %s: %s\n", name,
				err ? err : "unknown error");
		} else if (rolled_back) {
			fprintf(stderr, "bulkhead: canary of %s rolled back: %s\n", name, rolled_back);
		}
		free(rolled_back);
		free(err);
	}
}

static void summary(const struct host_run_result *res)
{
	json_t *c = json_object_get(res->done, "counts");
	fprintf(stderr, "bulkhead: %lld records in, %lld out, %lld invalid, %lld bytes read, %.2f s\n",
		(long long)json_integer_value(json_object_get(c, "records_in")),
		(long long)json_integer_value(json_object_get(c, "records_out")),
		(long long)json_integer_value(json_object_get(c, "invalid")),
		(long long)json_integer_value(json_object_get(c, "bytes")), res->wall_seconds);
}

/* What a command does with the worker's outcome; returns the exit code. */
typedef int (*present_fn)(struct bh_cli *cli, const struct run_args *a, const struct plan_result *plan,
			  const struct host_run_result *res, const struct transfer_config *tc, int code);

/* The shape every transfer command shares: options, load + plan + run, present, free. */
static int command(struct bh_cli *cli, int argc, char **argv, const char *usage, const char *mode,
		   present_fn present)
{
	struct run_args a;
	struct plan_result plan;
	struct host_run_result res;
	struct transfer_config *tc = NULL;
	int code, pr = parse_args(cli, argc, argv, usage, &a);
	if (pr != 0)
		return pr > 0 ? BH_EXIT_OK : BH_EXIT_USAGE;
	code = execute(cli, &a, mode, &plan, &res, &tc);
	code = present(cli, &a, &plan, &res, tc, code);
	transfer_config_free(tc);
	plan_result_free(&plan);
	host_run_result_free(&res);
	free(a.vars);
	return code;
}

static int present_run(struct bh_cli *cli, const struct run_args *a, const struct plan_result *plan,
		       const struct host_run_result *res, const struct transfer_config *tc, int code)
{
	if (a->report && report_write(a->report, cli, a->config, plan, res, code) < 0) {
		fprintf(stderr, "bulkhead: cannot write the report to %s\n", a->report);
		if (code == BH_EXIT_OK)
			code = BH_EXIT_INTERNAL;
	}
	if (code == BH_EXIT_OK && a->next && write_next(a->next, tc, json_object_get(res->done, "next")) < 0) {
		fprintf(stderr, "bulkhead: cannot write the next config to %s\n", a->next);
		code = BH_EXIT_INTERNAL;
	}
	record_outcomes(cli, plan, code);
	if (code == BH_EXIT_OK && !cli->quiet)
		summary(res);
	return code;
}

static int present_preview(struct bh_cli *cli, const struct run_args *a, const struct plan_result *plan,
			   const struct host_run_result *res, const struct transfer_config *tc, int code)
{
	if (code == BH_EXIT_OK)
		table_print(stdout, json_object_get(res->done, "schema"), json_object_get(res->done, "records"));
	return code;
}

static int present_check(struct bh_cli *cli, const struct run_args *a, const struct plan_result *plan,
			 const struct host_run_result *res, const struct transfer_config *tc, int code)
{
	size_t i;
	json_t *p;
	if (code != BH_EXIT_OK)
		return code;
	printf("%s: ok\n", a->config);
	json_array_foreach(plan->plugins, i, p)
		printf("  %-9s %-10s %s %s (%s)\n", json_string_value(json_object_get(p, "kind")),
		       json_string_value(json_object_get(p, "type")), json_string_value(json_object_get(p, "name")),
		       json_string_value(json_object_get(p, "version")), json_string_value(json_object_get(p, "reason")));
	return code;
}

static int present_guess(struct bh_cli *cli, const struct run_args *a, const struct plan_result *plan,
			 const struct host_run_result *res, const struct transfer_config *tc, int code)
{
	struct cfg_error *cerr = NULL;
	json_t *root = NULL, *guess = json_object_get(res->done, "guess"), *in;
	FILE *f = stdout;
	if (code != BH_EXIT_OK)
		return code;
	if (cfg_node_to_json_source(tc->doc->root, &root, &cerr) < 0) {
		cfg_error_free(cerr);
		return BH_EXIT_INTERNAL;
	}
	in = json_object_get(root, "in");
	if (json_array_size(json_object_get(guess, "decoders")))
		json_object_set(in, "decoders", json_object_get(guess, "decoders"));
	json_object_set(in, "parser", json_object_get(guess, "parser"));
	if (a->output && !(f = fopen(a->output, "w"))) {
		fprintf(stderr, "bulkhead: cannot write %s\n", a->output);
		json_decref(root);
		return BH_EXIT_INTERNAL;
	}
	if (cfg_emit_yaml(root, f) < 0)
		code = BH_EXIT_INTERNAL;
	if (f != stdout && fclose(f) != 0)
		code = BH_EXIT_INTERNAL;
	if (a->output && code == BH_EXIT_OK && !cli->quiet)
		fprintf(stderr, "bulkhead: wrote %s\n", a->output);
	json_decref(root);
	return code;
}

int cmd_run(struct bh_cli *cli, int argc, char **argv)
{
	return command(cli, argc, argv, run_usage, "run", present_run);
}

int cmd_preview(struct bh_cli *cli, int argc, char **argv)
{
	return command(cli, argc, argv, preview_usage, "preview", present_preview);
}

int cmd_check(struct bh_cli *cli, int argc, char **argv)
{
	return command(cli, argc, argv, check_usage, "check", present_check);
}

int cmd_guess(struct bh_cli *cli, int argc, char **argv)
{
	return command(cli, argc, argv, guess_usage, "guess", present_guess);
}
