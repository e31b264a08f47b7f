/* An example third-party plugin: the `upper` filter upper-cases ASCII letters
 * in chosen string columns.  It is built only against the installed SDK
 * (pkg-config bulkhead-sdk) — copy this folder to start a plugin of your own. */
#include <string.h>

#include <bulkhead/bulkhead.h>

/* Longest string this filter rewrites in place on the stack; longer ones are
 * copied in chunks. */
#define UPPER_CHUNK 4096

struct upper_state {
	const bh_schema *schema;
	unsigned char *selected; /* per column: rewrite it? */
};

static int upper_begin(bh_ctx *ctx, const bh_config *cfg, const bh_schema *in, void **state,
		       const bh_schema **out)
{
	static struct upper_state st; /* read-only after begin, shared by all tasks */
	static unsigned char selected[1024];
	size_t n = 0;
	int r;
	if (in->count > sizeof(selected))
		return bh_error(ctx, "upper supports at most %zu columns", sizeof(selected));
	memset(selected, 0, sizeof(selected));
	r = bh_host->config_list_length(ctx, cfg, "columns", &n);
	if (r < 0)
		return r;
	for (size_t i = 0; i < n; i++) {
		const char *name;
		uint32_t c;
		if ((r = bh_host->config_list_string(ctx, cfg, "columns", i, &name)) < 0)
			return r;
		for (c = 0; c < in->count && strcmp(in->columns[c].name, name) != 0; c++)
			;
		if (c == in->count) {
			bh_error(ctx, "columns: no column named '%s'", name);
			return BH_ECONFIG;
		}
		if (in->columns[c].type != BH_TYPE_STRING) {
			bh_error(ctx, "columns: '%s' is a %s column, not a string", name, bh_type_name(in->columns[c].type));
			return BH_ECONFIG;
		}
		selected[c] = 1;
	}
	st.schema = in;
	st.selected = selected;
	*state = &st;
	*out = in; /* the schema does not change */
	return 0;
}

static int upper_add(void *state, void *task_state, bh_ctx *ctx, const bh_page *in, bh_page_builder *out)
{
	const struct upper_state *st = state;
	char buf[UPPER_CHUNK];
	for (uint32_t row = 0; row < in->nrows; row++) {
		int r;
		for (uint32_t c = 0; c < in->ncols; c++) {
			size_t len;
			const char *s;
			if (!st->selected[c] || bh_page_is_null(in, row, c)) {
				if ((r = bh_pb_copy(out, c, in, row, c)) < 0)
					return r;
				continue;
			}
			s = bh_page_string(in, row, c, &len);
			if (len > sizeof(buf))
				return bh_error(ctx, "value longer than %d bytes", UPPER_CHUNK);
			for (size_t i = 0; i < len; i++)
				buf[i] = (s[i] >= 'a' && s[i] <= 'z') ? (char)(s[i] - 'a' + 'A') : s[i];
			if ((r = bh_pb_string(out, c, buf, len)) < 0)
				return r;
		}
		if ((r = bh_pb_end_record(out)) < 0)
			return r;
	}
	return 0;
}

static const bh_option upper_options[] = {
	{ "columns", BH_OPT_STRING_LIST, NULL, 1, "String columns to upper-case." },
	{ NULL, 0, NULL, 0, NULL },
};

static const bh_filter_vtable upper_filter = {
	.struct_size = sizeof(bh_filter_vtable),
	.begin = upper_begin,
	.add = upper_add,
};

static const bh_component upper_components[] = {
	{ sizeof(bh_component), BH_KIND_FILTER, "upper", "Upper-cases ASCII letters in string columns",
	  upper_options, &upper_filter },
};

static const bh_plugin upper_plugin = {
	.struct_size = sizeof(bh_plugin),
	.abi_major = BH_ABI_MAJOR,
	.abi_minor = BH_ABI_MINOR,
	.name = "upper",
	.version = "1.0.0",
	.description = "Example filter: upper-case string columns",
	.components = upper_components,
	.component_count = BH_COUNT(upper_components),
};

BH_PLUGIN_DEFINE(upper_plugin)
