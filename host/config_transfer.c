/* The transfer file's structure: in/out/filters/exec, and each plugin
 * section's type and version.  Plugin options are checked later, against the
 * manifest of the version the resolver picks (config_validate.c). */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "host/config_internal.h"

static const char *const top_keys[] = {"in", "out", "filters", "exec"};
static const char *const input_reserved[] = {"type", "version", "decoders", "parser", NULL};
static const char *const output_reserved[] = {"type", "version", "formatter", "encoders", NULL};
static const char *const plain_reserved[] = {"type", "version", NULL};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define CFG_MAX_TYPE_NAME 64

static int valid_type_name(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > CFG_MAX_TYPE_NAME || !((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= '0' && s[0] <= '9')))
		return 0;
	for (i = 1; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_' ||
		      s[i] == '-'))
			return 0;
	return 1;
}

/* Unknown keys of map among allowed (count names), with a suggestion. */
static int check_keys(const struct cfg_node *map, const char *const *allowed, size_t count,
		      const char *where, struct cfg_error **err)
{
	size_t i, j;

	for (i = 0; i < map->count; i++) {
		char hint[512];
		for (j = 0; j < count; j++)
			if (strcmp(map->entries[i].key, allowed[j]) == 0)
				break;
		if (j < count)
			continue;
		cfg_hint(map->entries[i].key, allowed, count, hint, sizeof(hint));
		return cfg_fail(err, -EINVAL, &map->entries[i].key_pos, "unknown key '%s' in %s%s",
				map->entries[i].key, where, hint);
	}
	return 0;
}

static int read_section(const struct cfg_node *node, struct cfg_pos pos, const char *kind,
			const char *label, const char *const *reserved, struct cfg_section *out,
			struct cfg_error **err)
{
	const struct cfg_entry *type, *version;
	char buf[64];

	if (node->kind != CFG_MAP)
		return cfg_fail(err, -EINVAL, &node->pos,
				"expected a map with a 'type' key for %s, got %s", label,
				cfg_describe(node, buf, sizeof(buf)));
	type = cfg_map_entry(node, "type");
	if (type == NULL)
		return cfg_fail(err, -EINVAL, &pos, "missing 'type' for %s", label);
	/* `type: null` names the null output (as Embulk configs write it), even
	 * though a plain null is YAML's null everywhere else. */
	if (type->value->kind != CFG_SCALAR ||
	    (cfg_is_null(type->value) && strcmp(type->value->text, "null") != 0))
		return cfg_fail(err, -EINVAL, &type->value->pos,
				"expected a plugin type name for %s, got %s", label,
				cfg_describe(type->value, buf, sizeof(buf)));
	if (!valid_type_name(type->value->text, type->value->len))
		return cfg_fail(err, -EINVAL, &type->value->pos,
				"invalid plugin type %s for %s: lowercase letters, digits, '_' and "
				"'-', at most %d characters",
				cfg_describe(type->value, buf, sizeof(buf)), label, CFG_MAX_TYPE_NAME);
	version = cfg_map_entry(node, "version");
	memset(out, 0, sizeof(*out));
	if (version != NULL && !cfg_is_null(version->value)) {
		if (version->value->kind != CFG_SCALAR || version->value->len == 0 ||
		    memchr(version->value->text, '\0', version->value->len) != NULL)
			return cfg_fail(err, -EINVAL, &version->value->pos,
					"expected a version constraint such as \"^1.2\" for %s, got %s",
					label, cfg_describe(version->value, buf, sizeof(buf)));
		out->version = version->value->text;
	}
	out->kind = kind;
	out->type = type->value->text;
	out->node = node;
	out->pos = pos;
	out->reserved = reserved;
	return 0;
}

/* A list of sections (decoders, filters, encoders); caller frees *out. */
static int read_section_list(const struct cfg_entry *e, const char *kind,
			     struct cfg_section **out, size_t *count, struct cfg_error **err)
{
	const struct cfg_node *list = e->value;
	struct cfg_section *s;
	char buf[64], label[64];
	size_t i;
	int r;

	if (cfg_is_null(list)) {
		*out = NULL;
		*count = 0;
		return 0;
	}
	if (list->kind != CFG_LIST)
		return cfg_fail(err, -EINVAL, &list->pos, "expected a list for '%s', got %s", e->key,
				cfg_describe(list, buf, sizeof(buf)));
	if (list->count > CFG_MAX_LIST_SECTIONS)
		return cfg_fail(err, -E2BIG, &list->items[CFG_MAX_LIST_SECTIONS]->pos,
				"more than %d entries in '%s' (CFG_MAX_LIST_SECTIONS)",
				CFG_MAX_LIST_SECTIONS, e->key);
	s = calloc(list->count ? list->count : 1, sizeof(*s));
	if (s == NULL)
		return cfg_fail(err, -ENOMEM, NULL, "out of memory");
	for (i = 0; i < list->count; i++) {
		snprintf(label, sizeof(label), "%s #%zu", kind, i + 1);
		r = read_section(list->items[i], list->items[i]->pos, kind, label, plain_reserved,
				 &s[i], err);
		if (r < 0) {
			free(s);
			return r;
		}
	}
	*out = s;
	*count = list->count;
	return 0;
}

static int bad_type(struct cfg_error **err, const struct cfg_node *v, const char *key,
		    const char *expected, int r)
{
	char buf[64];

	if (r == -ERANGE)
		return cfg_fail(err, -EINVAL, &v->pos, "'%s' is out of range, got %s", key,
				cfg_describe(v, buf, sizeof(buf)));
	return cfg_fail(err, -EINVAL, &v->pos, "expected %s for '%s', got %s", expected, key,
			cfg_describe(v, buf, sizeof(buf)));
}

static int read_long_in(const struct cfg_entry *e, long min, long max, long *out,
			struct cfg_error **err)
{
	int64_t v;
	int r = cfg_read_long(e->value, &v);

	if (r < 0)
		return bad_type(err, e->value, e->key, "a long", r);
	if (v < min || v > max)
		return cfg_fail(err, -EINVAL, &e->value->pos,
				"'%s' must be between %ld and %ld, got %lld", e->key, min, max,
				(long long)v);
	*out = (long)v;
	return 0;
}

static int scalar_text(const struct cfg_entry *e, const char *expected, struct cfg_error **err)
{
	if (e->value->kind != CFG_SCALAR || memchr(e->value->text, '\0', e->value->len) != NULL)
		return bad_type(err, e->value, e->key, expected, -EINVAL);
	return 0;
}

static int read_invalid_records(const struct cfg_entry *ir, struct cfg_exec *x,
				struct cfg_error **err)
{
	static const char *const keys[] = {"action", "max", "reject_file"};
	const struct cfg_node *m = ir->value;
	const struct cfg_entry *action = cfg_map_entry(m, "action");
	const struct cfg_entry *max = cfg_map_entry(m, "max");
	const struct cfg_entry *reject = cfg_map_entry(m, "reject_file");
	char buf[64];
	int r;

	if (m->kind != CFG_MAP)
		return bad_type(err, m, ir->key, "a map", -EINVAL);
	r = check_keys(m, keys, COUNT(keys), "exec.invalid_records", err);
	if (r < 0)
		return r;
	if (action != NULL && !cfg_is_null(action->value)) {
		const char *const actions[] = {"stop", "skip"};
		char hint[128];
		if ((r = scalar_text(action, "stop or skip", err)) < 0)
			return r;
		if (strcmp(action->value->text, "skip") == 0) {
			x->invalid_action = CFG_INVALID_SKIP;
		} else if (strcmp(action->value->text, "stop") != 0) {
			cfg_hint(action->value->text, actions, 2, hint, sizeof(hint));
			return cfg_fail(err, -EINVAL, &action->value->pos,
					"invalid action %s for invalid records%s",
					cfg_describe(action->value, buf, sizeof(buf)), hint);
		}
	}
	if (max != NULL && !cfg_is_null(max->value)) {
		if (x->invalid_action != CFG_INVALID_SKIP)
			return cfg_fail(err, -EINVAL, &max->key_pos,
					"'max' applies only with action: skip");
		r = read_long_in(max, 0, LONG_MAX,
				 &x->invalid_max, err);
		if (r < 0)
			return r;
	}
	if (reject != NULL && !cfg_is_null(reject->value)) {
		if (x->invalid_action != CFG_INVALID_SKIP)
			return cfg_fail(err, -EINVAL, &reject->key_pos,
					"'reject_file' applies only with action: skip");
		if ((r = scalar_text(reject, "a file path", err)) < 0)
			return r;
		if (reject->value->len == 0)
			return cfg_fail(err, -EINVAL, &reject->value->pos,
					"'reject_file' must not be empty");
		x->reject_file = reject->value->text;
	}
	/* Invariant: an invalid record is never dropped without a trace. */
	if (x->invalid_action == CFG_INVALID_SKIP && x->reject_file == NULL)
		return cfg_fail(err, -EINVAL, &ir->key_pos,
				"action: skip needs a 'reject_file' for the skipped records");
	return 0;
}

static int read_resources(const struct cfg_entry *res, struct cfg_exec *x, struct cfg_error **err)
{
	static const char *const keys[] = {"memory", "cpus", "pids", "timeout"};
	const struct cfg_node *m = res->value;
	const char *why;
	char buf[64];
	size_t i;
	int r;

	if (m->kind != CFG_MAP)
		return bad_type(err, m, res->key, "a map", -EINVAL);
	r = check_keys(m, keys, COUNT(keys), "exec.resources", err);
	if (r < 0)
		return r;
	for (i = 0; i < m->count; i++) {
		const struct cfg_entry *e = &m->entries[i];
		const struct cfg_node *v = e->value;
		if (cfg_is_null(v))
			continue;
		if (strcmp(e->key, "pids") == 0) {
			r = read_long_in(e, 1, CFG_MAX_PIDS, &x->pids, err);
		} else if (strcmp(e->key, "cpus") == 0) {
			double d;
			r = cfg_read_double(v, &d);
			if (r < 0)
				return bad_type(err, v, e->key, "a number of CPUs such as 1.5", r);
			if (!(d > 0) || d > CFG_MAX_CPUS)
				return cfg_fail(err, -EINVAL, &v->pos,
						"'cpus' must be more than 0 and at most %g, got %s",
						CFG_MAX_CPUS, cfg_describe(v, buf, sizeof(buf)));
			x->cpus = d;
		} else if (strcmp(e->key, "memory") == 0) {
			if ((r = scalar_text(e, "a size such as \"512MiB\"", err)) < 0)
				return r;
			r = cfg_parse_size(v->text, &x->memory_bytes, &why);
			if (r < 0)
				return cfg_fail(err, -EINVAL, &v->pos, "invalid memory size %s: %s",
						cfg_describe(v, buf, sizeof(buf)), why);
			if (x->memory_bytes == 0)
				return cfg_fail(err, -EINVAL, &v->pos, "'memory' must be more than 0");
		} else {
			if ((r = scalar_text(e, "a duration such as \"30m\"", err)) < 0)
				return r;
			r = cfg_parse_duration(v->text, &x->timeout_ns, &why);
			if (r < 0)
				return cfg_fail(err, -EINVAL, &v->pos, "invalid timeout %s: %s",
						cfg_describe(v, buf, sizeof(buf)), why);
			if (x->timeout_ns == 0)
				return cfg_fail(err, -EINVAL, &v->pos, "'timeout' must be more than 0");
		}
		if (r < 0)
			return r;
	}
	return 0;
}

/* exec.split_size: a size such as "64MiB", or 0 (never split). */
static int read_split_size(const struct cfg_entry *e, struct cfg_exec *x, struct cfg_error **err)
{
	const struct cfg_node *v = e->value;
	const char *why;
	char buf[64];
	int r = scalar_text(e, "a size such as \"64MiB\", or 0", err);
	if (r < 0)
		return r;
	r = cfg_parse_size(v->text, &x->split_size, &why);
	if (r < 0)
		return cfg_fail(err, -EINVAL, &v->pos, "invalid split_size %s: %s",
				cfg_describe(v, buf, sizeof(buf)), why);
	x->split_size_set = 1;
	return 0;
}

static int read_exec(const struct cfg_entry *ex, struct cfg_exec *x, struct cfg_error **err)
{
	static const char *const keys[] = {"max_threads", "page_records", "invalid_records",
					   "resources", "allow_unenforced_limits", "split_size"};
	const struct cfg_node *m = ex->value;
	size_t i;
	int r = 0;

	if (cfg_is_null(m))
		return 0;
	if (m->kind != CFG_MAP)
		return bad_type(err, m, ex->key, "a map", -EINVAL);
	r = check_keys(m, keys, COUNT(keys), "exec", err);
	if (r < 0)
		return r;
	for (i = 0; i < m->count && r == 0; i++) {
		const struct cfg_entry *e = &m->entries[i];
		if (cfg_is_null(e->value))
			continue;
		if (strcmp(e->key, "max_threads") == 0) {
			r = read_long_in(e, 1, CFG_MAX_THREADS, &x->max_threads, err);
		} else if (strcmp(e->key, "page_records") == 0) {
			r = read_long_in(e, 1, CFG_MAX_PAGE_RECORDS, &x->page_records, err);
		} else if (strcmp(e->key, "invalid_records") == 0) {
			r = read_invalid_records(e, x, err);
		} else if (strcmp(e->key, "resources") == 0) {
			r = read_resources(e, x, err);
		} else if (strcmp(e->key, "split_size") == 0) {
			r = read_split_size(e, x, err);
		} else {
			r = cfg_read_boolean(e->value, &x->allow_unenforced_limits);
			if (r < 0)
				r = bad_type(err, e->value, e->key, "a boolean", r);
		}
	}
	return r;
}

void transfer_config_free(struct transfer_config *tc)
{
	if (tc == NULL)
		return;
	free(tc->decoders);
	free(tc->filters);
	free(tc->encoders);
	cfg_doc_free(tc->doc);
	free(tc);
}

static int read_input(const struct cfg_entry *e, struct transfer_config *tc, struct cfg_error **err)
{
	const struct cfg_entry *sub;
	int r = read_section(e->value, e->key_pos, "input", "in", input_reserved, &tc->input, err);

	if (r < 0)
		return r;
	sub = cfg_map_entry(e->value, "decoders");
	if (sub != NULL && (r = read_section_list(sub, "decoder", &tc->decoders,
						  &tc->decoder_count, err)) < 0)
		return r;
	sub = cfg_map_entry(e->value, "parser");
	if (sub != NULL && !cfg_is_null(sub->value))
		r = read_section(sub->value, sub->key_pos, "parser", "parser", plain_reserved,
				 &tc->parser, err);
	return r;
}

static int read_output(const struct cfg_entry *e, struct transfer_config *tc,
		       struct cfg_error **err)
{
	const struct cfg_entry *sub;
	int r = read_section(e->value, e->key_pos, "output", "out", output_reserved, &tc->output,
			     err);

	if (r < 0)
		return r;
	sub = cfg_map_entry(e->value, "encoders");
	if (sub != NULL && (r = read_section_list(sub, "encoder", &tc->encoders,
						  &tc->encoder_count, err)) < 0)
		return r;
	sub = cfg_map_entry(e->value, "formatter");
	if (sub != NULL && !cfg_is_null(sub->value))
		r = read_section(sub->value, sub->key_pos, "formatter", "formatter", plain_reserved,
				 &tc->formatter, err);
	return r;
}

int transfer_config_from_doc(struct cfg_doc *doc, struct transfer_config **out,
			     struct cfg_error **err)
{
	const struct cfg_node *root = doc->root;
	const struct cfg_entry *in, *outp, *filters, *exec;
	struct transfer_config *tc;
	int r;

	r = check_keys(root, top_keys, COUNT(top_keys), "the transfer", err);
	if (r < 0)
		return r;
	in = cfg_map_entry(root, "in");
	outp = cfg_map_entry(root, "out");
	if (in == NULL)
		return cfg_fail(err, -EINVAL, &root->pos, "missing 'in': the input section");
	if (outp == NULL)
		return cfg_fail(err, -EINVAL, &root->pos, "missing 'out': the output section");
	tc = calloc(1, sizeof(*tc));
	if (tc == NULL)
		return cfg_fail(err, -ENOMEM, NULL, "out of memory");
	tc->exec.invalid_max = -1;
	r = read_input(in, tc, err);
	if (r == 0)
		r = read_output(outp, tc, err);
	filters = cfg_map_entry(root, "filters");
	if (r == 0 && filters != NULL)
		r = read_section_list(filters, "filter", &tc->filters, &tc->filter_count, err);
	exec = cfg_map_entry(root, "exec");
	if (r == 0 && exec != NULL)
		r = read_exec(exec, &tc->exec, err);
	if (r < 0) {
		transfer_config_free(tc); /* tc->doc is still NULL: doc stays the caller's */
		return r;
	}
	tc->doc = doc;
	*out = tc;
	return 0;
}

int transfer_config_load(const char *path, const struct cfg_var_context *vars,
			 struct transfer_config **out, struct cfg_error **err)
{
	struct cfg_doc *doc;
	int r;

	r = cfg_load_file(path, &doc, err);
	if (r < 0)
		return r;
	r = cfg_expand(doc, vars, err);
	if (r == 0)
		r = transfer_config_from_doc(doc, out, err);
	if (r < 0)
		cfg_doc_free(doc);
	return r;
}
