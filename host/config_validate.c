/* A plugin section checked against the option table of its manifest:
 * unknown keys, types, required options, defaults -> a JSON object of the
 * options the worker hands to the plugin. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "host/config_internal.h"
#include "packaging/manifest.h"

static const char *const column_types[] = {"boolean", "long", "double",
					    "string", "timestamp", "json"};

/* What is being checked, for messages: "option 'x' of parser 'csv'". */
struct subject {
	char what[256];
	struct cfg_error **err;
};

static int type_error(struct subject *s, const struct cfg_node *v, const char *expected,
		      const char *extra)
{
	char buf[64];

	return cfg_fail(s->err, -EINVAL, &v->pos, "%s: expected %s, got %s%s", s->what, expected,
			cfg_describe(v, buf, sizeof(buf)), extra);
}

static int as_json(struct subject *s, const struct cfg_node *v, json_t **out)
{
	return cfg_node_to_json(v, out, s->err);
}

static int text_json(struct subject *s, const struct cfg_node *v, json_t **out)
{
	json_t *j = json_stringn(v->text, v->len);

	if (j == NULL)
		return cfg_fail(s->err, -EINVAL, &v->pos, "%s: string is not valid UTF-8", s->what);
	*out = j;
	return 0;
}

static int convert_column(struct subject *s, const struct cfg_node *col, size_t index,
			  json_t *names_seen, json_t **out)
{
	const struct cfg_entry *name = cfg_map_entry(col, "name");
	const struct cfg_entry *type = cfg_map_entry(col, "type");
	struct subject sub = {.err = s->err};
	json_t *obj = NULL, *v = NULL;
	size_t i;
	int r;

	snprintf(sub.what, sizeof(sub.what), "%.200s, column #%zu", s->what, index + 1);
	if (col->kind != CFG_MAP)
		return type_error(&sub, col, "a map with name and type", "");
	if (name == NULL)
		return cfg_fail(s->err, -EINVAL, &col->pos, "%s: missing 'name'", sub.what);
	if (type == NULL)
		return cfg_fail(s->err, -EINVAL, &col->pos, "%s: missing 'type'", sub.what);
	if (name->value->kind != CFG_SCALAR || cfg_is_null(name->value) || name->value->len == 0 ||
	    memchr(name->value->text, '\0', name->value->len) != NULL)
		return type_error(&sub, name->value, "a column name", "");
	snprintf(sub.what, sizeof(sub.what), "%.200s, column '%.40s'", s->what, name->value->text);
	{
		json_t *first = json_object_get(names_seen, name->value->text);
		if (first != NULL)
			return cfg_fail(s->err, -EINVAL, &name->value->pos,
					"%s: duplicate column name (first at line %lld)", sub.what,
					(long long)json_integer_value(first));
		if (json_object_set_new(names_seen, name->value->text,
					json_integer((json_int_t)name->value->pos.line)) < 0)
			return text_json(s, name->value, &v); /* reports invalid UTF-8 */
	}
	if (type->value->kind != CFG_SCALAR)
		return type_error(&sub, type->value, "a column type", "");
	for (i = 0; i < sizeof(column_types) / sizeof(column_types[0]); i++)
		if (strcmp(type->value->text, column_types[i]) == 0)
			break;
	if (i == sizeof(column_types) / sizeof(column_types[0])) {
		char hint[256];
		cfg_hint(type->value->text, column_types, i, hint, sizeof(hint));
		return cfg_fail(s->err, -EINVAL, &type->value->pos, "%s: unknown column type '%s'%s",
				sub.what, type->value->text, hint);
	}
	obj = json_object();
	if (obj == NULL)
		return cfg_fail(s->err, -ENOMEM, NULL, "out of memory");
	for (i = 0; i < col->count; i++) {
		const struct cfg_entry *e = &col->entries[i];
		int textual = strcmp(e->key, "name") == 0 || strcmp(e->key, "type") == 0 ||
			      strcmp(e->key, "format") == 0 || strcmp(e->key, "timezone") == 0;
		if (textual && (e->value->kind != CFG_SCALAR || cfg_is_null(e->value))) {
			r = cfg_fail(s->err, -EINVAL, &e->value->pos, "%s: expected a string for '%s'",
				     sub.what, e->key);
			goto fail;
		}
		r = textual ? text_json(&sub, e->value, &v) : as_json(&sub, e->value, &v);
		if (r < 0)
			goto fail;
		if (json_object_set_new(obj, e->key, v) < 0) {
			r = cfg_fail(s->err, -EINVAL, &e->key_pos, "key is not valid UTF-8");
			goto fail;
		}
	}
	*out = obj;
	return 0;
fail:
	json_decref(obj);
	return r;
}

static int convert_columns(struct subject *s, const struct cfg_node *v, json_t **out)
{
	json_t *arr, *seen, *col;
	size_t i;
	int r = 0;

	if (v->kind != CFG_LIST)
		return type_error(s, v, "a list of columns", " (e.g. [{name: id, type: long}])");
	arr = json_array();
	seen = json_object();
	if (arr == NULL || seen == NULL) {
		r = cfg_fail(s->err, -ENOMEM, NULL, "out of memory");
		goto out;
	}
	for (i = 0; i < v->count && r == 0; i++) {
		r = convert_column(s, v->items[i], i, seen, &col);
		if (r == 0 && json_array_append_new(arr, col) < 0)
			r = cfg_fail(s->err, -ENOMEM, NULL, "out of memory");
	}
out:
	json_decref(seen);
	if (r < 0) {
		json_decref(arr);
		return r;
	}
	*out = arr;
	return 0;
}

static int convert_string_list(struct subject *s, const struct cfg_node *v, json_t **out)
{
	json_t *arr, *item = NULL;
	size_t i;
	int r;

	if (v->kind == CFG_MAP)
		return type_error(s, v, "a list of strings or a string", "");
	arr = json_array();
	if (arr == NULL)
		return cfg_fail(s->err, -ENOMEM, NULL, "out of memory");
	for (i = 0; i < (v->kind == CFG_LIST ? v->count : 1); i++) {
		const struct cfg_node *n = v->kind == CFG_LIST ? v->items[i] : v;
		if (n->kind != CFG_SCALAR || cfg_is_null(n)) {
			json_decref(arr);
			return type_error(s, n, "a string in the list", "");
		}
		r = text_json(s, n, &item);
		if (r == 0 && json_array_append_new(arr, item) < 0)
			r = cfg_fail(s->err, -ENOMEM, NULL, "out of memory");
		if (r < 0) {
			json_decref(arr);
			return r;
		}
	}
	*out = arr;
	return 0;
}

/* Converts v for an option of type `type`.  -EPROTO for an unknown type. */
static int convert(struct subject *s, const struct cfg_node *v, const char *type, json_t **out)
{
	json_t *j = NULL;
	int r;

	if (strcmp(type, "boolean") == 0) {
		int b;
		if (cfg_read_boolean(v, &b) < 0)
			return type_error(s, v, "a boolean", " (true or false)");
		j = json_boolean(b);
	} else if (strcmp(type, "long") == 0) {
		int64_t l;
		r = cfg_read_long(v, &l);
		if (r < 0)
			return type_error(s, v, "a long", r == -ERANGE ? " (out of range)" : "");
		j = json_integer(l);
	} else if (strcmp(type, "double") == 0) {
		double d;
		r = cfg_read_double(v, &d);
		if (r < 0)
			return type_error(s, v, r == -ERANGE ? "a finite double" : "a double", "");
		j = json_real(d);
	} else if (strcmp(type, "string") == 0) {
		if (v->kind != CFG_SCALAR)
			return type_error(s, v, "a string", "");
		return text_json(s, v, out);
	} else if (strcmp(type, "string_list") == 0) {
		return convert_string_list(s, v, out);
	} else if (strcmp(type, "columns") == 0) {
		return convert_columns(s, v, out);
	} else if (strcmp(type, "map") == 0) {
		if (v->kind != CFG_MAP)
			return type_error(s, v, "a map", "");
		return as_json(s, v, out);
	} else if (strcmp(type, "list") == 0) {
		if (v->kind != CFG_LIST)
			return type_error(s, v, "a list", "");
		return as_json(s, v, out);
	} else if (strcmp(type, "any") == 0) {
		return as_json(s, v, out);
	} else {
		return cfg_fail(s->err, -EPROTO, NULL, "%s: the manifest declares unknown type '%s'",
				s->what, type);
	}
	if (j == NULL)
		return cfg_fail(s->err, -ENOMEM, NULL, "out of memory");
	*out = j;
	return 0;
}

/* The manifest's default text, typed like the option.  Structured types
 * parse it as YAML (so "[a, b]" is a list); a string stays text. */
static int convert_default(struct subject *s, const struct manifest_option *opt, json_t **out)
{
	const char *t = opt->default_value;
	struct cfg_error *inner = NULL;
	struct cfg_doc *doc = NULL;
	struct cfg_node plain = {.kind = CFG_SCALAR};
	char *wrapped = NULL, *w;
	size_t i, n = strlen(t);
	int r;

	if (s->err != NULL)
		*s->err = NULL;
	if (strcmp(opt->type, "string") == 0) {
		*out = json_string(t);
		return *out ? 0 : cfg_fail(s->err, -EPROTO, NULL, "%s: default is not UTF-8", s->what);
	}
	if (strcmp(opt->type, "boolean") == 0 || strcmp(opt->type, "long") == 0 ||
	    strcmp(opt->type, "double") == 0) {
		plain.text = (char *)t;
		plain.len = n;
		r = convert(s, &plain, opt->type, out);
		goto done;
	}
	/* "v:\n" then the text indented, so block and flow YAML both read. */
	wrapped = malloc(4 + 3 * n + 2);
	if (wrapped == NULL)
		return cfg_fail(s->err, -ENOMEM, NULL, "out of memory");
	w = wrapped + sprintf(wrapped, "v:\n  ");
	for (i = 0; i < n; i++) {
		*w++ = t[i];
		if (t[i] == '\n') {
			*w++ = ' ';
			*w++ = ' ';
		}
	}
	*w = '\0';
	r = cfg_load_string("default", wrapped, (size_t)(w - wrapped), &doc, &inner);
	cfg_error_free(inner);
	inner = NULL;
	if (r == 0 && doc->root->count == 1) {
		r = convert(s, doc->root->entries[0].value, opt->type, out);
	} else if (strcmp(opt->type, "string_list") == 0 || strcmp(opt->type, "any") == 0) {
		/* Not YAML: one string, as a config could have written it quoted. */
		*out = strcmp(opt->type, "any") == 0 ? json_string(t) : json_pack("[s]", t);
		r = *out ? 0 : -ENOMEM;
	} else {
		r = -EINVAL;
	}
done:
	cfg_doc_free(doc);
	free(wrapped);
	if (r < 0 && s->err != NULL && *s->err != NULL) {
		/* Re-word: a bad default is the plugin's bug, not the user's. */
		char *msg = strdup((*s->err)->message);
		cfg_error_free(*s->err);
		*s->err = NULL;
		r = cfg_fail(s->err, -EPROTO, NULL, "invalid default '%s' in the plugin manifest (%s)",
			     t, msg ? msg : "");
		free(msg);
	} else if (r < 0) {
		r = cfg_fail(s->err, -EPROTO, NULL, "%s: invalid default '%s' in the plugin manifest",
			     s->what, t);
	}
	return r;
}

static int is_reserved(const struct cfg_section *sec, const char *key)
{
	const char *const *k;

	for (k = sec->reserved; k != NULL && *k != NULL; k++)
		if (strcmp(*k, key) == 0)
			return 1;
	return 0;
}

int cfg_validate_section(const struct cfg_section *sec, const struct manifest_component *comp,
			 json_t **out, struct cfg_error **err)
{
	struct subject s = {.err = err};
	const char **names = NULL;
	json_t *obj = NULL, *v;
	size_t i, j;
	int r = 0;

	if (sec->node == NULL || sec->node->kind != CFG_MAP || comp == NULL)
		return cfg_fail(err, -EINVAL, NULL, "no section to validate");
	names = calloc(comp->option_count + 1, sizeof(*names));
	obj = json_object();
	if (names == NULL || obj == NULL) {
		r = cfg_fail(err, -ENOMEM, NULL, "out of memory");
		goto out;
	}
	for (i = 0; i < comp->option_count; i++)
		names[i] = comp->options[i].name;
	for (i = 0; i < sec->node->count; i++) {
		const struct cfg_entry *e = &sec->node->entries[i];
		const struct manifest_option *opt = NULL;
		if (is_reserved(sec, e->key))
			continue;
		for (j = 0; j < comp->option_count; j++)
			if (strcmp(comp->options[j].name, e->key) == 0)
				opt = &comp->options[j];
		if (opt == NULL) {
			char hint[512];
			if (comp->option_count == 0)
				snprintf(hint, sizeof(hint), " (it has no options)");
			else
				cfg_hint(e->key, names, comp->option_count, hint, sizeof(hint));
			r = cfg_fail(err, -EINVAL, &e->key_pos, "unknown option '%s' for %s '%s'%s",
				     e->key, sec->kind, sec->type, hint);
			goto out;
		}
		snprintf(s.what, sizeof(s.what), "option '%s' of %s '%s'", e->key, sec->kind,
			 sec->type);
		/* An explicit null means "not set": the default applies. */
		if (cfg_is_null(e->value)) {
			if (opt->required && opt->default_value == NULL) {
				r = cfg_fail(err, -EINVAL, &e->value->pos, "%s is required, not null",
					     s.what);
				goto out;
			}
			continue;
		}
		r = convert(&s, e->value, opt->type, &v);
		if (r < 0)
			goto out;
		if (json_object_set_new(obj, e->key, v) < 0) {
			r = cfg_fail(err, -ENOMEM, NULL, "out of memory");
			goto out;
		}
	}
	for (i = 0; i < comp->option_count; i++) {
		const struct manifest_option *opt = &comp->options[i];
		if (json_object_get(obj, opt->name) != NULL)
			continue;
		snprintf(s.what, sizeof(s.what), "option '%s' of %s '%s'", opt->name, sec->kind,
			 sec->type);
		if (opt->default_value != NULL) {
			r = convert_default(&s, opt, &v);
			if (r < 0)
				goto out;
			if (json_object_set_new(obj, opt->name, v) < 0) {
				r = cfg_fail(err, -ENOMEM, NULL, "out of memory");
				goto out;
			}
		} else if (opt->required) {
			r = cfg_fail(err, -EINVAL, &sec->pos, "missing required option '%s' for %s '%s'",
				     opt->name, sec->kind, sec->type);
			goto out;
		}
	}
	*out = obj;
	obj = NULL;
out:
	json_decref(obj);
	free(names);
	return r;
}
