/* The rename filter, as in Embulk core: renames columns by an explicit map
 * and then by rules.  Only the schema changes; pages pass through copied. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "rules.h"

static const bh_option rename_options[] = {
	{ "columns", BH_OPT_MAP, NULL, 0,
	  "Explicit renames, old name: new name, applied first. Every old name must be an "
	  "input column." },
	{ "rules", BH_OPT_LIST, NULL, 0,
	  "Rules applied to every name in order, after columns: {rule: lower_to_upper}, "
	  "{rule: upper_to_lower}, {rule: character_types, pass_types: [a-z, A-Z, 0-9], "
	  "pass_characters: \"_\", replace: \"_\"}, {rule: first_character_types, pass_types, "
	  "pass_characters, replace | prefix}, {rule: truncate, max_length}, {rule: "
	  "regex_replace, match (POSIX extended), replace ($1 for groups)}, {rule: "
	  "unique_number_suffix, delimiter: \"_\", digits, max_length, offset: 1}. Two "
	  "columns ending with one name is an error (unique_number_suffix resolves it)." },
	{ NULL, 0, NULL, 0, NULL },
};

struct rename_state {
	char **names;
	uint32_t ncols;
};

/* The input column closest to name, for a hint; NULL also when out of
 * memory, since the error stands without it.  Points into in. */
static const char *closest_column(const bh_schema *in, const char *name)
{
	const char **names = malloc(((size_t)in->count + 1) * sizeof *names);
	const char *best;

	if (names == NULL)
		return NULL;
	for (uint32_t i = 0; i < in->count; i++)
		names[i] = in->columns[i].name;
	best = bh_did_you_mean(name, names, in->count);
	free(names);
	return best;
}

static int unknown_column(bh_ctx *ctx, const char *name, const bh_schema *in)
{
	const char *best = closest_column(in, name);

	if (best != NULL)
		bh_error(ctx, "columns: no input column '%s' (did you mean '%s'?)", name, best);
	else
		bh_error(ctx, "columns: no input column '%s'", name);
	return BH_ECONFIG;
}

static void rename_end(void *state)
{
	struct rename_state *st = state;
	if (st == NULL)
		return;
	for (uint32_t i = 0; i < st->ncols; i++)
		free(st->names[i]);
	free(st->names);
	free(st);
}

/* The explicit map: every key must name an input column. */
static int apply_map(bh_ctx *ctx, const json_t *map, const bh_schema *in, char **names)
{
	const char *old;
	json_t *v;

	if (!json_is_object(map)) {
		bh_error(ctx, "columns: expected a mapping of old name to new name");
		return BH_ECONFIG;
	}
	json_object_foreach((json_t *)map, old, v) {
		uint32_t i;
		for (i = 0; i < in->count; i++)
			if (strcmp(in->columns[i].name, old) == 0)
				break;
		if (i == in->count)
			return unknown_column(ctx, old, in);
		if (!json_is_string(v) || json_string_length(v) == 0) {
			bh_error(ctx, "columns.%s: the new name must be a non-empty string", old);
			return BH_ECONFIG;
		}
		char *s = strdup(json_string_value(v));
		if (s == NULL)
			return -ENOMEM;
		free(names[i]);
		names[i] = s;
	}
	return 0;
}

static int plan_names(bh_ctx *ctx, json_t *config, const bh_schema *in, char **names)
{
	json_t *map = json_object_get(config, "columns"), *list = json_object_get(config, "rules");
	struct rename_rule *rules = NULL;
	size_t nrules = 0;
	int r = 0;

	if (map != NULL && json_is_null(map))
		map = NULL;
	if (list != NULL && json_is_null(list))
		list = NULL;
	if (map == NULL && list == NULL) {
		bh_error(ctx, "set columns, rules, or both");
		return BH_ECONFIG;
	}
	if (list != NULL && !json_is_array(list)) {
		bh_error(ctx, "rules: expected a list");
		return BH_ECONFIG;
	}
	if (map != NULL)
		r = apply_map(ctx, map, in, names);
	if (r == 0 && list != NULL)
		r = rename_rules_parse(ctx, list, &rules, &nrules);
	for (size_t i = 0; r == 0 && i < nrules; i++)
		r = rename_rules_apply(ctx, rules, i, names, in->count);
	rename_rules_free(rules, nrules);
	if (r < 0)
		return r;
	for (uint32_t a = 0; a < in->count; a++) {
		if (names[a][0] == '\0') {
			bh_error(ctx, "column '%s' would have an empty name", in->columns[a].name);
			return BH_ECONFIG;
		}
		for (uint32_t b = 0; b < a; b++)
			if (strcmp(names[a], names[b]) == 0) {
				bh_error(ctx, "columns '%s' and '%s' would both be named '%s'",
					 in->columns[b].name, in->columns[a].name, names[a]);
				return BH_ECONFIG;
			}
	}
	return 0;
}

static int rename_begin(bh_ctx *ctx, const bh_config *cfg, const bh_schema *in, void **state,
			const bh_schema **out)
{
	struct rename_state *st = calloc(1, sizeof *st);
	json_t *config = NULL;
	bh_schema *schema;
	char *text = NULL;
	int r;

	if (st == NULL)
		return -ENOMEM;
	st->names = calloc(in->count ? in->count : 1, sizeof *st->names);
	if (st->names == NULL) {
		r = -ENOMEM;
		goto fail;
	}
	st->ncols = in->count;
	for (uint32_t i = 0; i < in->count; i++)
		if ((st->names[i] = strdup(in->columns[i].name)) == NULL) {
			r = -ENOMEM;
			goto fail;
		}
	r = bh_host->config_json(ctx, cfg, &text);
	if (r < 0)
		goto fail;
	config = json_loads(text, 0, NULL);
	free(text);
	if (config == NULL) {
		r = bh_error(ctx, "config is not a JSON object");
		goto fail;
	}
	r = plan_names(ctx, config, in, st->names);
	if (r < 0)
		goto fail;
	r = bh_host->schema_new(ctx, in->count, &schema);
	for (uint32_t i = 0; r == 0 && i < in->count; i++)
		r = bh_host->schema_set(ctx, schema, i, st->names[i], in->columns[i].type,
					in->columns[i].format);
	if (r < 0)
		goto fail;
	json_decref(config);
	*state = st;
	*out = schema;
	return 0;
fail:
	json_decref(config);
	rename_end(st);
	return r;
}

static int rename_add(void *state, void *task_state, bh_ctx *ctx, const bh_page *in,
		      bh_page_builder *out)
{
	int r;

	for (uint32_t row = 0; row < in->nrows; row++) {
		for (uint32_t col = 0; col < in->ncols; col++) {
			r = bh_pb_copy(out, col, in, row, col);
			if (r < 0) {
				bh_pb_discard_record(out);
				return r;
			}
		}
		r = bh_pb_end_record(out);
		if (r < 0)
			return r;
	}
	return 0;
}

static const bh_filter_vtable rename_vtable = {
	.struct_size = sizeof(bh_filter_vtable),
	.begin = rename_begin,
	.add = rename_add,
	.end = rename_end,
};

static const bh_component rename_components[] = {
	{
		.struct_size = sizeof(bh_component),
		.kind = BH_KIND_FILTER,
		.type = "rename",
		.description = "Renames columns by a map and by rules; values pass unchanged",
		.options = rename_options,
		.vtable = &rename_vtable,
	},
};

static const bh_plugin rename_plugin = {
	.struct_size = sizeof(bh_plugin),
	.abi_major = BH_ABI_MAJOR,
	.abi_minor = BH_ABI_MINOR,
	.name = "rename",
	.version = "1.0.0",
	.description = "Column rename filter",
	.components = rename_components,
	.component_count = BH_COUNT(rename_components),
};

BH_PLUGIN_DEFINE(rename_plugin)
