/* The columns filter: selects, reorders, renames, adds and drops columns,
 * in the manner of embulk-filter-column.  The output schema is decided once
 * in begin(); pages are then rebuilt cell by cell with bh_pb_copy. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "constant.h"

static const bh_option columns_options[] = {
	{ "columns", BH_OPT_LIST, NULL, 0,
	  "Columns to keep, in output order. Each entry is a column name or a mapping "
	  "{name, src, type, default, format}: src takes the values of input column src "
	  "under the new name; default replaces nulls of a kept column; a name that is not "
	  "an input column, given a type, adds a constant column holding default (or null). "
	  "Cannot be combined with drop_columns." },
	{ "add_columns", BH_OPT_LIST, NULL, 0,
	  "Constant columns appended after the others: a list of {name, type, default, "
	  "format}. default is read as the column's type (timestamps with format, json "
	  "columns from JSON text); without it the column is null." },
	{ "drop_columns", BH_OPT_LIST, NULL, 0,
	  "Columns to remove: a list of names or {name} mappings; the others keep their "
	  "order." },
	{ NULL, 0, NULL, 0, NULL },
};

/* One output column: copied from input column src, or a constant. */
struct out_column {
	const char *name; /* points into the config JSON kept in the state */
	bh_type type;
	const char *format;
	int src;             /* input column, or -1 for a constant */
	int has_constant;    /* a constant column, or a default for nulls of src */
	struct columns_constant constant;
};

struct columns_state {
	json_t *config;
	uint32_t ncols;
	struct out_column *cols;
	const bh_schema *in;
};

static int find_input(const bh_schema *in, const char *name)
{
	for (uint32_t i = 0; i < in->count; i++)
		if (strcmp(in->columns[i].name, name) == 0)
			return (int)i;
	return -1;
}

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

/* "what: no input column 'x' (did you mean 'y'?)" */
static int unknown_column(bh_ctx *ctx, const char *what, const char *name, const bh_schema *in)
{
	const char *best = closest_column(in, name);

	if (best != NULL)
		bh_error(ctx, "%s: no input column '%s' (did you mean '%s'?)", what, name, best);
	else
		bh_error(ctx, "%s: no input column '%s'", what, name);
	return BH_ECONFIG;
}

/* Accepts only `allowed` keys in an entry, naming the stray one. */
static int check_keys(bh_ctx *ctx, const char *what, const json_t *entry, const char *const *allowed)
{
	const char *key;
	json_t *v;
	json_object_foreach((json_t *)entry, key, v) {
		size_t i;
		for (i = 0; allowed[i] != NULL; i++)
			if (strcmp(key, allowed[i]) == 0)
				break;
		if (allowed[i] == NULL) {
			bh_error(ctx, "%s: unknown key '%s'", what, key);
			return BH_ECONFIG;
		}
	}
	return 0;
}

static int string_member(bh_ctx *ctx, const char *what, const json_t *entry, const char *key,
			 int required, const char **out)
{
	json_t *v = json_object_get(entry, key);
	if (v == NULL || json_is_null(v)) {
		if (required) {
			bh_error(ctx, "%s: '%s' is required", what, key);
			return BH_ECONFIG;
		}
		*out = NULL;
		return 0;
	}
	if (!json_is_string(v) || json_string_length(v) == 0) {
		bh_error(ctx, "%s.%s: expected a non-empty string", what, key);
		return BH_ECONFIG;
	}
	*out = json_string_value(v);
	return 0;
}

/* Reads one entry of columns / add_columns into c. */
static int read_entry(bh_ctx *ctx, const char *what, const json_t *entry, const bh_schema *in,
		      int adding, struct out_column *c)
{
	static const char *const keep_keys[] = { "name", "src", "type", "default", "format", NULL };
	static const char *const add_keys[] = { "name", "type", "default", "format", NULL };
	const char *src = NULL, *type = NULL;
	json_t *def;
	int r;

	c->src = -1;
	if (!adding && json_is_string(entry)) {
		c->name = json_string_value(entry);
		c->src = find_input(in, c->name);
		if (c->src < 0)
			return unknown_column(ctx, what, c->name, in);
		c->type = in->columns[c->src].type;
		c->format = in->columns[c->src].format;
		return 0;
	}
	if (!json_is_object(entry)) {
		bh_error(ctx, "%s: expected a mapping with a name", what);
		return BH_ECONFIG;
	}
	r = check_keys(ctx, what, entry, adding ? add_keys : keep_keys);
	if (r == 0)
		r = string_member(ctx, what, entry, "name", 1, &c->name);
	if (r == 0 && !adding)
		r = string_member(ctx, what, entry, "src", 0, &src);
	if (r == 0)
		r = string_member(ctx, what, entry, "type", adding, &type);
	if (r == 0)
		r = string_member(ctx, what, entry, "format", 0, &c->format);
	if (r < 0)
		return r;
	if (type != NULL && columns_type_from_name(type, &c->type) < 0) {
		bh_error(ctx, "%s.type: '%s' is not boolean, long, double, string, timestamp or json",
			 what, type);
		return BH_ECONFIG;
	}
	if (!adding) {
		c->src = find_input(in, src != NULL ? src : c->name);
		if (c->src < 0 && src != NULL) {
			char where[96];
			snprintf(where, sizeof where, "%s.src", what);
			return unknown_column(ctx, where, src, in);
		}
		if (c->src < 0 && type == NULL)
			return unknown_column(ctx, what, c->name, in);
	}
	if (c->src >= 0) {
		const bh_column *ic = &in->columns[c->src];
		if (type != NULL && c->type != ic->type) {
			bh_error(ctx, "%s: input column '%s' is %s, not %s (this filter does not convert types)",
				 what, ic->name, bh_type_name(ic->type), type);
			return BH_ECONFIG;
		}
		c->type = ic->type;
		if (c->format == NULL)
			c->format = ic->format;
	}
	def = json_object_get(entry, "default");
	if (c->src >= 0 && (def == NULL || json_is_null(def)))
		return 0;
	char where[96];
	c->has_constant = 1;
	snprintf(where, sizeof where, "%s.default", what);
	return columns_constant_parse(ctx, where, c->type, def, c->format, &c->constant);
}

static int list_entries(bh_ctx *ctx, const json_t *config, const char *key, const json_t **out)
{
	const json_t *v = json_object_get(config, key);
	if (v == NULL || json_is_null(v)) {
		*out = NULL;
		return 0;
	}
	if (!json_is_array(v)) {
		bh_error(ctx, "%s: expected a list", key);
		return BH_ECONFIG;
	}
	*out = v;
	return 0;
}

static void columns_end(void *state)
{
	struct columns_state *st = state;
	if (st == NULL)
		return;
	for (uint32_t i = 0; i < st->ncols; i++)
		columns_constant_clear(&st->cols[i].constant);
	free(st->cols);
	json_decref(st->config);
	free(st);
}

/* The output columns from the config: kept (or all but dropped), then added. */
static int plan_columns(bh_ctx *ctx, struct columns_state *st, const bh_schema *in)
{
	const json_t *keep, *add, *drop, *e;
	char what[64];
	size_t i, n = 0;
	int r;

	if ((r = list_entries(ctx, st->config, "columns", &keep)) < 0 ||
	    (r = list_entries(ctx, st->config, "add_columns", &add)) < 0 ||
	    (r = list_entries(ctx, st->config, "drop_columns", &drop)) < 0)
		return r;
	if (keep == NULL && add == NULL && drop == NULL) {
		bh_error(ctx, "set at least one of columns, add_columns and drop_columns");
		return BH_ECONFIG;
	}
	if (keep != NULL && drop != NULL) {
		bh_error(ctx, "columns and drop_columns cannot be combined: columns already lists what stays");
		return BH_ECONFIG;
	}
	st->cols = calloc((keep ? json_array_size(keep) : in->count) +
				  (add ? json_array_size(add) : 0) + 1,
			  sizeof *st->cols);
	if (st->cols == NULL)
		return -ENOMEM;
	if (keep != NULL) {
		json_array_foreach(keep, i, e) {
			snprintf(what, sizeof what, "columns[%zu]", i);
			r = read_entry(ctx, what, e, in, 0, &st->cols[n]);
			st->ncols = (uint32_t)++n;
			if (r < 0)
				return r;
		}
	} else {
		unsigned char *dropped = calloc(in->count + 1, 1);
		if (dropped == NULL)
			return -ENOMEM;
		json_array_foreach(drop, i, e) {
			const char *name = NULL;
			snprintf(what, sizeof what, "drop_columns[%zu]", i);
			if (json_is_string(e))
				name = json_string_value(e);
			else if (json_is_object(e)) {
				static const char *const drop_keys[] = { "name", NULL };
				r = check_keys(ctx, what, e, drop_keys);
				if (r == 0)
					r = string_member(ctx, what, e, "name", 1, &name);
				if (r < 0) {
					free(dropped);
					return r;
				}
			} else {
				bh_error(ctx, "%s: expected a name or {name: ...}", what);
				free(dropped);
				return BH_ECONFIG;
			}
			int col = find_input(in, name);
			if (col < 0) {
				free(dropped);
				return unknown_column(ctx, what, name, in);
			}
			dropped[col] = 1;
		}
		for (uint32_t c = 0; c < in->count; c++) {
			if (dropped[c])
				continue;
			st->cols[n].name = in->columns[c].name;
			st->cols[n].type = in->columns[c].type;
			st->cols[n].format = in->columns[c].format;
			st->cols[n].src = (int)c;
			st->ncols = (uint32_t)++n;
		}
		free(dropped);
	}
	if (add != NULL) {
		json_array_foreach(add, i, e) {
			snprintf(what, sizeof what, "add_columns[%zu]", i);
			r = read_entry(ctx, what, e, in, 1, &st->cols[n]);
			st->ncols = (uint32_t)++n;
			if (r < 0)
				return r;
		}
	}
	for (uint32_t a = 0; a < st->ncols; a++)
		for (uint32_t b = 0; b < a; b++)
			if (strcmp(st->cols[a].name, st->cols[b].name) == 0) {
				bh_error(ctx, "output column '%s' would appear twice", st->cols[a].name);
				return BH_ECONFIG;
			}
	return 0;
}

static int columns_begin(bh_ctx *ctx, const bh_config *cfg, const bh_schema *in, void **state,
			 const bh_schema **out)
{
	struct columns_state *st = calloc(1, sizeof *st);
	bh_schema *schema;
	char *text = NULL;
	int r;

	if (st == NULL)
		return -ENOMEM;
	st->in = in;
	r = bh_host->config_json(ctx, cfg, &text);
	if (r < 0)
		goto fail;
	st->config = json_loads(text, 0, NULL);
	free(text);
	if (st->config == NULL) {
		r = bh_error(ctx, "config is not a JSON object");
		goto fail;
	}
	r = plan_columns(ctx, st, in);
	if (r < 0)
		goto fail;
	r = bh_host->schema_new(ctx, st->ncols, &schema);
	for (uint32_t i = 0; r == 0 && i < st->ncols; i++) {
		const struct out_column *c = &st->cols[i];
		r = bh_host->schema_set(ctx, schema, i, c->name, c->type,
					c->type == BH_TYPE_TIMESTAMP ? c->format : NULL);
	}
	if (r < 0)
		goto fail;
	*state = st;
	*out = schema;
	return 0;
fail:
	columns_end(st);
	return r;
}

static int columns_add(void *state, void *task_state, bh_ctx *ctx, const bh_page *in,
		       bh_page_builder *out)
{
	const struct columns_state *st = state;
	int r;

	for (uint32_t row = 0; row < in->nrows; row++) {
		for (uint32_t i = 0; i < st->ncols; i++) {
			const struct out_column *c = &st->cols[i];
			if (c->src >= 0 && !(c->has_constant && bh_page_is_null(in, row, (uint32_t)c->src)))
				r = bh_pb_copy(out, i, in, row, (uint32_t)c->src);
			else
				r = columns_constant_put(&c->constant, c->type, out, i);
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

static const bh_filter_vtable columns_vtable = {
	.struct_size = sizeof(bh_filter_vtable),
	.begin = columns_begin,
	.add = columns_add,
	.end = columns_end,
};

static const bh_component columns_components[] = {
	{
		.struct_size = sizeof(bh_component),
		.kind = BH_KIND_FILTER,
		.type = "columns",
		.description = "Selects, reorders, renames, adds and drops columns",
		.options = columns_options,
		.vtable = &columns_vtable,
	},
};

static const bh_plugin columns_plugin = {
	.struct_size = sizeof(bh_plugin),
	.abi_major = BH_ABI_MAJOR,
	.abi_minor = BH_ABI_MINOR,
	.name = "columns",
	.version = "1.0.0",
	.description = "Column selection filter",
	.components = columns_components,
	.component_count = BH_COUNT(columns_components),
};

BH_PLUGIN_DEFINE(columns_plugin)
