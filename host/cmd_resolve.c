/* bulkhead resolve: explain which plugin versions a tenant gets, without
 * running anything. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "host/config.h"
#include "host/packaging_cmds.h"
#include "host/pkgcmd.h"
#include "packaging/resolve.h"
#include "packaging/util.h"

static const char usage[] =
	"usage: bulkhead resolve [--tenant ID] [--json] [--var NAME=VALUE]... CONFIG|NAME[@CONSTRAINT]...\n"
	"  For each plugin of a transfer config (or each plugin named), prints the version\n"
	"  the tenant gets and why: deny and the config's version constraint filter the\n"
	"  installed versions, then the tenant's pin, the canary, the default, or the highest\n"
	"  installed release decides.  NAME@CONSTRAINT takes a constraint like '~> 1.4'.\n"
	"  --json prints an array of {name, version, reason, source, dir, ...}.\n";

#define RESOLVE_MAX_VARS 256

struct ctx {
	struct bh_cli *cli;
	const char *tenant;
	int json;
	struct policy *pol;
	struct store_entry *entries;
	size_t count;
	json_t *out;
	int failures;
};

static void report(struct ctx *c, const char *section, const char *name, const char *constraint)
{
	struct resolution res = {0};
	char *err = NULL;
	int r = policy_resolve(c->pol, c->entries, c->count, name, c->tenant, constraint, &res, &err);

	if (c->json) {
		json_t *o = json_object();
		json_object_set_new(o, "name", json_string(name));
		if (section)
			json_object_set_new(o, "section", json_string(section));
		json_object_set_new(o, "tenant", c->tenant ? json_string(c->tenant) : json_null());
		json_object_set_new(o, "constraint", constraint ? json_string(constraint) : json_null());
		if (r == 0) {
			json_object_set_new(o, "version", json_string(res.version));
			json_object_set_new(o, "source", json_string(resolution_source_name(res.source)));
			json_object_set_new(o, "reason", json_string(res.reason));
			json_object_set_new(o, "dir", json_string(res.dir));
			if (res.has_bucket)
				json_object_set_new(o, "bucket", json_integer(res.bucket));
		} else {
			json_object_set_new(o, "version", json_null());
			json_object_set_new(o, "reason", json_string(err ? err : "cannot resolve"));
			json_object_set_new(o, "error", json_true());
		}
		json_array_append_new(c->out, o);
	} else if (r == 0) {
		printf("%s%s%s %s: %s\n", section ? section : "", section ? ": " : "", name, res.version, res.reason);
	} else {
		printf("%s%s%s: cannot resolve: %s\n", section ? section : "", section ? ": " : "", name,
		       err ? err : "?");
	}
	if (r < 0)
		c->failures++;
	resolution_clear(&res);
	free(err);
}

/* The plugin that provides kind/type, or NULL. */
static const char *provider(const struct ctx *c, const char *kind, const char *type, char **err)
{
	const char *name = NULL;
	for (size_t i = 0; i < c->count; i++) {
		if (!manifest_find_component(c->entries[i].m, kind, type))
			continue;
		if (name && strcmp(name, c->entries[i].name) != 0) {
			pkg_error(err, -EINVAL, "%s '%s' is provided by two plugins, %s and %s", kind, type, name,
				  c->entries[i].name);
			return NULL;
		}
		name = c->entries[i].name;
	}
	if (!name)
		pkg_error(err, -ENOENT, "no installed plugin provides %s '%s'", kind, type);
	return name;
}

static void report_section(struct ctx *c, const struct cfg_section *s)
{
	char *err = NULL, label[160];
	if (s->type == NULL)
		return;
	snprintf(label, sizeof(label), "%s %s", s->kind, s->type);
	const char *name = provider(c, s->kind, s->type, &err);
	if (name == NULL) {
		if (c->json) {
			json_array_append_new(c->out, json_pack("{s:s, s:n, s:s, s:b}", "section", label, "version",
								"reason", err ? err : "?", "error", 1));
		} else {
			printf("%s: cannot resolve: %s\n", label, err ? err : "?");
		}
		c->failures++;
		free(err);
		return;
	}
	report(c, label, name, s->version);
}

static int resolve_config(struct ctx *c, const char *path, char **vars, size_t nvars)
{
	struct cfg_var_context vc = {.vars = vars, .var_count = nvars};
	struct transfer_config *tc = NULL;
	struct cfg_error *err = NULL;

	if (cfg_vars_check(vars, nvars, &err) < 0 || transfer_config_load(path, &vc, &tc, &err) < 0) {
		fprintf(stderr, "bulkhead: %s\n", err && err->text ? err->text : "cannot load the config");
		cfg_error_free(err);
		return -EINVAL;
	}
	report_section(c, &tc->input);
	for (size_t i = 0; i < tc->decoder_count; i++)
		report_section(c, &tc->decoders[i]);
	report_section(c, &tc->parser);
	for (size_t i = 0; i < tc->filter_count; i++)
		report_section(c, &tc->filters[i]);
	report_section(c, &tc->formatter);
	for (size_t i = 0; i < tc->encoder_count; i++)
		report_section(c, &tc->encoders[i]);
	report_section(c, &tc->output);
	transfer_config_free(tc);
	return 0;
}

int cmd_resolve(struct bh_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {{"tenant", required_argument, NULL, 't'},
					     {"json", no_argument, NULL, 'j'},
					     {"var", required_argument, NULL, 'v'},
					     {"help", no_argument, NULL, 'h'},
					     {NULL, 0, NULL, 0}};
	struct ctx c = {.cli = cli, .tenant = cli->tenant};
	char *vars[RESOLVE_MAX_VARS], *err = NULL;
	size_t nvars = 0;
	int opt, code = BH_EXIT_OK;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (opt) {
		case 't':
			c.tenant = optarg;
			break;
		case 'j':
			c.json = 1;
			break;
		case 'v':
			if (nvars == RESOLVE_MAX_VARS) {
				fprintf(stderr, "bulkhead: more than %d --var\n", RESOLVE_MAX_VARS);
				return BH_EXIT_USAGE;
			}
			vars[nvars++] = optarg;
			break;
		case 'h':
			fputs(usage, stdout);
			return BH_EXIT_OK;
		default:
			fputs(usage, stderr);
			return BH_EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		fputs(usage, stderr);
		return BH_EXIT_USAGE;
	}
	if (pkgcmd_load_policy(cli, &c.pol, &err) < 0)
		return pkgcmd_fail(&err, BH_EXIT_CONFIG, "cannot read the policy");
	if (pkgcmd_scan(cli, &c.entries, &c.count, &err) < 0) {
		code = pkgcmd_fail(&err, BH_EXIT_BUNDLE, "cannot read the plugin stores");
		goto done;
	}
	c.out = json_array();
	for (int i = optind; i < argc; i++) {
		const char *arg = argv[i];
		char *at = strchr(arg, '@');
		size_t nlen = at ? (size_t)(at - arg) : strlen(arg);
		char name[65];
		/* A bare plugin name (or name@constraint) rather than a config file. */
		if (nlen > 0 && nlen < sizeof(name) && !strchr(arg, '/') && access(arg, F_OK) != 0) {
			memcpy(name, arg, nlen);
			name[nlen] = '\0';
			if (pkg_is_identifier(name, 64)) {
				report(&c, NULL, name, at ? at + 1 : NULL);
				continue;
			}
		}
		if (resolve_config(&c, arg, vars, nvars) < 0) {
			code = BH_EXIT_CONFIG;
			goto done;
		}
	}
	if (c.json) {
		json_dumpf(c.out, stdout, JSON_INDENT(2));
		putchar('\n');
	}
	if (c.failures)
		code = BH_EXIT_CONFIG;
done:
	json_decref(c.out);
	store_entries_free(c.entries, c.count);
	policy_free(c.pol);
	return code;
}
