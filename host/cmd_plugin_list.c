/* bulkhead plugin list | info */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "host/packaging_cmds.h"
#include "host/pkgcmd.h"
#include "packaging/resolve.h"
#include "packaging/util.h"

/* What the policy does with one installed version, for people and for JSON. */
struct usage {
	int is_default, is_fallback, denied, shadowed;
	int canary; /* 1 when it is the canary version */
	uint32_t canary_bp;
	json_t *pins; /* array of tenant ids */
};

static void usage_of(const struct policy *pol, const struct store_entry *e, size_t n, size_t idx, struct usage *u)
{
	const struct policy_plugin *pp = policy_find(pol, e[idx].name);
	struct resolution res = {0};
	char *err = NULL;

	memset(u, 0, sizeof(*u));
	u->pins = json_array();
	u->shadowed = store_find(e, n, e[idx].name, e[idx].version) != &e[idx];
	if (u->shadowed)
		return;
	if (pp) {
		u->is_default = pp->default_version && strcmp(pp->default_version, e[idx].version) == 0;
		u->denied = policy_is_denied(pp, e[idx].version);
		if (pp->canary.version && strcmp(pp->canary.version, e[idx].version) == 0) {
			u->canary = 1;
			u->canary_bp = pp->canary.basis_points;
		}
		for (size_t i = 0; i < pp->pin_count; i++)
			if (strcmp(pp->pins[i].version, e[idx].version) == 0)
				json_array_append_new(u->pins, json_string(pp->pins[i].tenant));
	}
	/* Who gets it without a pin or canary: resolve for no tenant. */
	if (policy_resolve(pol, e, n, e[idx].name, NULL, NULL, &res, &err) == 0 && res.entry == &e[idx])
		u->is_fallback = 1;
	resolution_clear(&res);
	free(err);
}

static char *usage_text(const struct usage *u)
{
	char buf[1024], pct[16];
	size_t len = 0;
	buf[0] = '\0';
#define ADD(...) len += (size_t)snprintf(buf + len, len < sizeof(buf) ? sizeof(buf) - len : 0, __VA_ARGS__)
	if (u->shadowed)
		ADD("shadowed by the same version in an earlier store");
	if (u->denied)
		ADD("%sdenied", len ? "; " : "");
	if (u->is_fallback)
		ADD("%s%s", len ? "; " : "", u->is_default ? "default: every tenant not pinned or in the canary"
							   : "every tenant not pinned or in the canary (highest release)");
	else if (u->is_default)
		ADD("%sdefault (not in effect)", len ? "; " : "");
	if (u->canary) {
		policy_format_percent(u->canary_bp, pct);
		ADD("%scanary: %s%% of tenants", len ? "; " : "", pct);
	}
	size_t npins = json_array_size(u->pins);
	if (npins) {
		ADD("%spinned: ", len ? "; " : "");
		for (size_t i = 0; i < npins && i < 10; i++)
			ADD("%s%s", i ? ", " : "", json_string_value(json_array_get(u->pins, i)));
		if (npins > 10)
			ADD(" and %zu more", npins - 10);
	}
	if (len == 0)
		ADD("no tenants");
#undef ADD
	if (len >= sizeof(buf))
		strcpy(buf + sizeof(buf) - 4, "...");
	return strdup(buf);
}

int cmd_plugin_list(struct bh_cli *cli, int argc, char **argv)
{
	static const char usage[] = "usage: bulkhead plugin list [--json]\n"
				    "  Every installed version of every plugin, its store, and which tenants\n"
				    "  the policy sends to it.\n";
	struct store_entry *e = NULL;
	struct policy *pol = NULL;
	size_t n = 0;
	char *err = NULL;
	int json = 0, code = BH_EXIT_OK;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0) {
			json = 1;
		} else if (pkgcmd_is_help(argv[i])) {
			fputs(usage, stdout);
			return BH_EXIT_OK;
		} else {
			fputs(usage, stderr);
			return BH_EXIT_USAGE;
		}
	}
	if (pkgcmd_load_policy(cli, &pol, &err) < 0)
		return pkgcmd_fail(&err, BH_EXIT_CONFIG, "cannot read the policy");
	if (pkgcmd_scan(cli, &e, &n, &err) < 0) {
		code = pkgcmd_fail(&err, BH_EXIT_BUNDLE, "cannot read the plugin stores");
		goto done;
	}
	json_t *arr = json ? json_array() : NULL;
	size_t wname = 4, wver = 7;
	for (size_t i = 0; i < n; i++) {
		if (strlen(e[i].name) > wname)
			wname = strlen(e[i].name);
		if (strlen(e[i].version) > wver)
			wver = strlen(e[i].version);
	}
	if (!json && n > 0)
		printf("%-*s  %-*s  %s\n", (int)wname, "NAME", (int)wver, "VERSION", "TENANTS / STORE");
	for (size_t i = 0; i < n; i++) {
		struct usage u;
		usage_of(pol, e, n, i, &u);
		if (json) {
			json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:b, s:b, s:b, s:b, s:O}", "name", e[i].name,
					      "version", e[i].version, "description", e[i].m->description, "store",
					      e[i].root, "dir", e[i].dir, "default", u.is_default, "fallback",
					      u.is_fallback, "denied", u.denied, "shadowed", u.shadowed, "pins", u.pins);
			if (o && u.canary) {
				json_object_set_new(o, "canary_percent", json_real(u.canary_bp / 100.0));
			} else if (o) {
				json_object_set_new(o, "canary_percent", json_null());
			}
			json_array_append_new(arr, o);
		} else {
			char *t = usage_text(&u);
			printf("%-*s  %-*s  %s\n%-*s  %-*s  %s\n", (int)wname, e[i].name, (int)wver, e[i].version,
			       t ? t : "", (int)wname, "", (int)wver, "", e[i].root);
			free(t);
		}
		json_decref(u.pins);
	}
	if (json) {
		json_dumpf(arr, stdout, JSON_INDENT(2));
		putchar('\n');
		json_decref(arr);
	} else if (n == 0 && !cli->quiet) {
		printf("no plugins installed (stores: ");
		for (size_t i = 0; i < cli->store_count; i++)
			printf("%s%s", i ? ", " : "", cli->store_path[i]);
		printf(")\n");
	}
done:
	store_entries_free(e, n);
	policy_free(pol);
	return code;
}

static json_t *manifest_json(const struct store_entry *e)
{
	const struct manifest *m = e->m;
	json_t *comps = json_array(), *kinds = json_array(), *files = json_object();
	for (size_t i = 0; i < m->kind_count; i++)
		json_array_append_new(kinds, json_string(m->kinds[i]));
	for (size_t i = 0; i < m->file_count; i++)
		json_object_set_new(files, m->files[i].path, json_pack("s++", "sha256:", m->files[i].sha256, ""));
	for (size_t i = 0; i < m->component_count; i++) {
		const struct manifest_component *c = &m->components[i];
		json_t *opts = json_array();
		for (size_t j = 0; j < c->option_count; j++) {
			const struct manifest_option *o = &c->options[j];
			json_array_append_new(opts, json_pack("{s:s, s:s, s:o, s:b, s:s}", "name", o->name, "type", o->type,
							      "default",
							      o->default_value ? json_string(o->default_value) : json_null(),
							      "required", o->required, "description", o->description));
		}
		json_array_append_new(comps, json_pack("{s:s, s:s, s:s, s:o}", "kind", c->kind, "type", c->type,
						       "description", c->description, "options", opts));
	}
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:{s:b}, s:o, s:o, s:s, s:s}", "name", m->name, "version",
			 m->version, "abi", m->abi, "description", m->description, "library", m->library, "kinds",
			 kinds, "requires", "network", m->network, "components", comps, "files", files, "dir", e->dir,
			 "store", e->root);
}

static void print_info(const struct store_entry *e, const struct store_entry *all, size_t n)
{
	const struct manifest *m = e->m;
	printf("%s %s - %s\n", m->name, m->version, m->description);
	printf("  abi %s, library %s, network %s\n", m->abi, m->library, m->network ? "yes" : "no");
	printf("  installed in %s\n", e->dir);
	printf("  installed versions:");
	for (size_t i = 0; i < n; i++)
		if (strcmp(all[i].name, m->name) == 0 && store_find(all, n, all[i].name, all[i].version) == &all[i])
			printf(" %s", all[i].version);
	printf("\n");
	for (size_t i = 0; i < m->component_count; i++) {
		const struct manifest_component *c = &m->components[i];
		size_t wn = 6, wt = 4, wd = 7;
		printf("\n%s %s: %s\n", c->kind, c->type, c->description);
		if (c->option_count == 0) {
			printf("  (no options)\n");
			continue;
		}
		for (size_t j = 0; j < c->option_count; j++) {
			const struct manifest_option *o = &c->options[j];
			size_t dl = o->default_value ? strlen(o->default_value) + 2 : 1;
			if (strlen(o->name) > wn)
				wn = strlen(o->name);
			if (strlen(o->type) > wt)
				wt = strlen(o->type);
			if (dl > wd && dl <= 24)
				wd = dl;
		}
		printf("  %-*s  %-*s  %-*s  %-8s  %s\n", (int)wn, "OPTION", (int)wt, "TYPE", (int)wd, "DEFAULT",
		       "REQUIRED", "DESCRIPTION");
		for (size_t j = 0; j < c->option_count; j++) {
			const struct manifest_option *o = &c->options[j];
			char def[64];
			if (o->default_value && (o->default_value[0] == '\0' || strpbrk(o->default_value, " ,")))
				snprintf(def, sizeof(def), "\"%.40s\"", o->default_value);
			else if (o->default_value)
				snprintf(def, sizeof(def), "%.40s", o->default_value);
			else
				snprintf(def, sizeof(def), "-");
			printf("  %-*s  %-*s  %-*s  %-8s  %s\n", (int)wn, o->name, (int)wt, o->type, (int)wd, def,
			       o->required ? "yes" : "no", o->description);
		}
	}
}

int cmd_plugin_info(struct bh_cli *cli, int argc, char **argv)
{
	static const char usage[] =
		"usage: bulkhead plugin info NAME[@VERSION] [--json]\n"
		"  The plugin's manifest, its components and their options.  Without a version,\n"
		"  the version tenants get by default.\n";
	struct store_entry *e = NULL;
	struct policy *pol = NULL;
	struct resolution res = {0};
	size_t n = 0;
	char *err = NULL, *ref = NULL, *name, *version;
	int json = 0, code = BH_EXIT_OK;
	int r = pkgcmd_ref_args(argc, argv, usage, "--json", &json, &ref, &name, &version);

	if (r != 0)
		return r > 0 ? BH_EXIT_OK : BH_EXIT_USAGE;
	if (pkgcmd_load_policy(cli, &pol, &err) < 0) {
		code = pkgcmd_fail(&err, BH_EXIT_CONFIG, "cannot read the policy");
		goto done;
	}
	if (pkgcmd_scan(cli, &e, &n, &err) < 0) {
		code = pkgcmd_fail(&err, BH_EXIT_BUNDLE, "cannot read the plugin stores");
		goto done;
	}
	const struct store_entry *pick = NULL;
	if (version) {
		pick = store_find(e, n, name, version);
		if (pick == NULL) {
			fprintf(stderr, "bulkhead: %s@%s is not installed\n", name, version);
			code = BH_EXIT_CONFIG;
			goto done;
		}
	} else {
		if (policy_resolve(pol, e, n, name, NULL, NULL, &res, &err) < 0) {
			code = pkgcmd_fail(&err, BH_EXIT_CONFIG, "not installed");
			goto done;
		}
		pick = res.entry;
	}
	if (json) {
		json_t *o = manifest_json(pick);
		json_dumpf(o, stdout, JSON_INDENT(2));
		putchar('\n');
		json_decref(o);
	} else {
		print_info(pick, e, n);
	}
done:
	resolution_clear(&res);
	store_entries_free(e, n);
	policy_free(pol);
	free(ref);
	return code;
}
