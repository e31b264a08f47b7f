/* The node tree: scalar resolution, lookups, copies and conversion to JSON. */
#include <errno.h>
#include <locale.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "host/config_internal.h"

static int text_is(const char *t, size_t n, const char *const *words)
{
	for (; *words != NULL; words++)
		if (strlen(*words) == n && memcmp(t, *words, n) == 0)
			return 1;
	return 0;
}

static int all_digits(const char *s, size_t n, int base)
{
	size_t i;

	if (n == 0)
		return 0;
	for (i = 0; i < n; i++) {
		char c = s[i];
		int ok = base == 16 ? ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
				       (c >= 'A' && c <= 'F'))
				    : (c >= '0' && c < '0' + base);
		if (!ok)
			return 0;
	}
	return 1;
}

/* [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)? with a . or an exponent */
static int is_decimal_float(const char *s, size_t n)
{
	size_t i = 0, digits = 0;
	int dot = 0, exp = 0;

	if (i < n && (s[i] == '-' || s[i] == '+'))
		i++;
	for (; i < n && s[i] >= '0' && s[i] <= '9'; i++)
		digits++;
	if (i < n && s[i] == '.') {
		dot = 1;
		for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++)
			digits++;
	}
	if (digits == 0)
		return 0;
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		size_t ed = 0;
		exp = 1;
		i++;
		if (i < n && (s[i] == '-' || s[i] == '+'))
			i++;
		for (; i < n && s[i] >= '0' && s[i] <= '9'; i++)
			ed++;
		if (ed == 0)
			return 0;
	}
	return i == n && (dot || exp);
}

static double parse_c_double(const char *s, size_t n)
{
	/* strtod follows LC_NUMERIC; config text is always written with a '.'. */
	static locale_t c_locale;
	char buf[128];

	if (n >= sizeof(buf))
		n = sizeof(buf) - 1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (c_locale == (locale_t)0)
		c_locale = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
	if (c_locale == (locale_t)0)
		return strtod(buf, NULL);
	return strtod_l(buf, NULL, c_locale);
}

void cfg_resolve_plain(const char *t, size_t n, struct cfg_scalar *out)
{
	static const char *const nulls[] = {"~", "null", "Null", "NULL", NULL};
	static const char *const trues[] = {"true", "True", "TRUE", "yes", "Yes", "YES", NULL};
	static const char *const falses[] = {"false", "False", "FALSE", "no", "No", "NO", NULL};
	static const char *const infs[] = {".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", NULL};
	static const char *const ninfs[] = {"-.inf", "-.Inf", "-.INF", NULL};
	static const char *const nans[] = {".nan", ".NaN", ".NAN", NULL};
	const char *d = t;
	size_t dn = n;
	int neg = 0, base = 10;

	memset(out, 0, sizeof(*out));
	out->type = CFG_STRING;
	if (memchr(t, '\0', n) != NULL)
		return;
	if (n == 0 || text_is(t, n, nulls)) {
		out->type = CFG_NULL;
		return;
	}
	if (text_is(t, n, trues) || text_is(t, n, falses)) {
		out->type = CFG_BOOL;
		out->boolean = text_is(t, n, trues);
		return;
	}
	if (text_is(t, n, infs) || text_is(t, n, ninfs) || text_is(t, n, nans)) {
		out->type = CFG_FLOAT;
		out->d = text_is(t, n, nans) ? NAN : text_is(t, n, infs) ? INFINITY : -INFINITY;
		return;
	}
	if (dn > 0 && (d[0] == '-' || d[0] == '+')) {
		neg = d[0] == '-';
		d++;
		dn--;
	}
	if (dn > 2 && d[0] == '0' && (d[1] == 'x' || d[1] == 'o')) {
		base = d[1] == 'x' ? 16 : 8;
		d += 2;
		dn -= 2;
	}
	if (all_digits(d, dn, base)) {
		uint64_t v = 0, limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
		size_t i;
		out->type = CFG_INT;
		for (i = 0; i < dn; i++) {
			unsigned digit = d[i] <= '9' ? (unsigned)(d[i] - '0')
						     : (unsigned)((d[i] | 0x20) - 'a' + 10);
			if (v > (limit - digit) / (uint64_t)base) {
				out->overflow = 1;
				return;
			}
			v = v * (uint64_t)base + digit;
		}
		out->i = neg ? (v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v) : (int64_t)v;
		return;
	}
	if (is_decimal_float(t, n)) {
		out->type = CFG_FLOAT;
		out->d = parse_c_double(t, n);
	}
}

int cfg_scalar_resolve(const struct cfg_node *node, struct cfg_scalar *out)
{
	if (node->kind != CFG_SCALAR)
		return -EINVAL;
	if (node->quoted) {
		memset(out, 0, sizeof(*out));
		out->type = CFG_STRING;
		return 0;
	}
	cfg_resolve_plain(node->text, node->len, out);
	return 0;
}

const struct cfg_entry *cfg_map_entry(const struct cfg_node *map, const char *key)
{
	size_t i;

	if (map == NULL || map->kind != CFG_MAP)
		return NULL;
	for (i = 0; i < map->count; i++)
		if (strcmp(map->entries[i].key, key) == 0)
			return &map->entries[i];
	return NULL;
}

const struct cfg_node *cfg_map_get(const struct cfg_node *map, const char *key)
{
	const struct cfg_entry *e = cfg_map_entry(map, key);
	return e != NULL ? e->value : NULL;
}

void cfg_node_free(struct cfg_node *node)
{
	size_t i;

	if (node == NULL)
		return;
	if (node->kind == CFG_MAP) {
		for (i = 0; i < node->count; i++) {
			free(node->entries[i].key);
			cfg_node_free(node->entries[i].value);
		}
	} else if (node->kind == CFG_LIST) {
		for (i = 0; i < node->count; i++)
			cfg_node_free(node->items[i]);
	}
	free(node->entries);
	free(node->items);
	free(node->text);
	free(node->source);
	free(node);
}

void cfg_doc_free(struct cfg_doc *doc)
{
	if (doc == NULL)
		return;
	cfg_node_free(doc->root);
	free(doc->file);
	free(doc);
}

int cfg_node_copy(const struct cfg_node *node, long *budget, struct cfg_node **out)
{
	struct cfg_node *c;
	size_t i;
	int r = -ENOMEM;

	if (--*budget < 0)
		return -E2BIG;
	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return -ENOMEM;
	*c = *node;
	c->text = NULL;
	c->source = NULL;
	c->entries = NULL;
	c->items = NULL;
	c->count = 0;
	if (node->kind == CFG_SCALAR) {
		c->text = malloc(node->len + 1);
		if (c->text == NULL)
			goto fail;
		memcpy(c->text, node->text, node->len + 1);
		if (node->source != NULL) {
			c->source = malloc(node->source_len + 1);
			if (c->source == NULL)
				goto fail;
			memcpy(c->source, node->source, node->source_len + 1);
		}
	} else if (node->kind == CFG_MAP && node->count > 0) {
		c->entries = calloc(node->count, sizeof(*c->entries));
		if (c->entries == NULL)
			goto fail;
		for (i = 0; i < node->count; i++) {
			c->entries[i].key_pos = node->entries[i].key_pos;
			c->entries[i].key = strdup(node->entries[i].key);
			c->count = i + 1;
			if (c->entries[i].key == NULL)
				goto fail;
			r = cfg_node_copy(node->entries[i].value, budget, &c->entries[i].value);
			if (r < 0)
				goto fail;
		}
	} else if (node->kind == CFG_LIST && node->count > 0) {
		c->items = calloc(node->count, sizeof(*c->items));
		if (c->items == NULL)
			goto fail;
		for (i = 0; i < node->count; i++) {
			c->count = i + 1;
			r = cfg_node_copy(node->items[i], budget, &c->items[i]);
			if (r < 0)
				goto fail;
		}
	}
	*out = c;
	return 0;
fail:
	cfg_node_free(c);
	return r;
}

static json_t *scalar_to_json(const struct cfg_node *node, int source)
{
	const char *text = source && node->source ? node->source : node->text;
	size_t len = source && node->source ? node->source_len : node->len;
	struct cfg_scalar s;

	if (node->quoted)
		return json_stringn(text, len);
	cfg_resolve_plain(text, len, &s);
	switch (s.type) {
	case CFG_NULL:
		return json_null();
	case CFG_BOOL:
		return json_boolean(s.boolean);
	case CFG_INT:
		if (!s.overflow)
			return json_integer(s.i);
		break;
	case CFG_FLOAT:
		if (isfinite(s.d))
			return json_real(s.d);
		break;
	case CFG_STRING:
		break;
	}
	/* JSON has no infinities and jansson no big integers: keep the text. */
	return json_stringn(text, len);
}

static int to_json(const struct cfg_node *node, int source, json_t **out, struct cfg_error **err)
{
	json_t *j = NULL, *child = NULL;
	size_t i;
	int r;

	if (node->kind == CFG_SCALAR) {
		j = scalar_to_json(node, source);
		if (j == NULL)
			return cfg_fail(err, -EINVAL, &node->pos, "string is not valid UTF-8");
		*out = j;
		return 0;
	}
	j = node->kind == CFG_MAP ? json_object() : json_array();
	if (j == NULL)
		return cfg_fail(err, -ENOMEM, NULL, "out of memory");
	for (i = 0; i < node->count; i++) {
		const struct cfg_node *c =
			node->kind == CFG_MAP ? node->entries[i].value : node->items[i];
		r = to_json(c, source, &child, err);
		if (r < 0)
			goto fail;
		if (node->kind == CFG_MAP)
			r = json_object_set_new(j, node->entries[i].key, child);
		else
			r = json_array_append_new(j, child);
		child = NULL;
		if (r < 0) {
			r = node->kind == CFG_MAP
				    ? cfg_fail(err, -EINVAL, &node->entries[i].key_pos,
					       "key is not valid UTF-8")
				    : cfg_fail(err, -ENOMEM, NULL, "out of memory");
			goto fail;
		}
	}
	*out = j;
	return 0;
fail:
	json_decref(j);
	return r;
}

int cfg_node_to_json(const struct cfg_node *node, json_t **out, struct cfg_error **err)
{
	return to_json(node, 0, out, err);
}

int cfg_node_to_json_source(const struct cfg_node *node, json_t **out, struct cfg_error **err)
{
	return to_json(node, 1, out, err);
}

int cfg_is_null(const struct cfg_node *node)
{
	struct cfg_scalar s;

	if (node->kind != CFG_SCALAR || node->quoted)
		return 0;
	cfg_resolve_plain(node->text, node->len, &s);
	return s.type == CFG_NULL;
}

int cfg_read_long(const struct cfg_node *node, int64_t *out)
{
	struct cfg_scalar s;

	if (node->kind != CFG_SCALAR)
		return -EINVAL;
	cfg_resolve_plain(node->text, node->len, &s);
	if (s.type != CFG_INT)
		return -EINVAL;
	if (s.overflow)
		return -ERANGE;
	*out = s.i;
	return 0;
}

int cfg_read_double(const struct cfg_node *node, double *out)
{
	struct cfg_scalar s;

	if (node->kind != CFG_SCALAR)
		return -EINVAL;
	cfg_resolve_plain(node->text, node->len, &s);
	if (s.type == CFG_INT && !s.overflow) {
		*out = (double)s.i;
		return 0;
	}
	if (s.type == CFG_INT)
		s.d = parse_c_double(node->text, node->len);
	else if (s.type != CFG_FLOAT)
		return -EINVAL;
	if (!isfinite(s.d))
		return -ERANGE;
	*out = s.d;
	return 0;
}

int cfg_read_boolean(const struct cfg_node *node, int *out)
{
	struct cfg_scalar s;

	if (node->kind != CFG_SCALAR)
		return -EINVAL;
	cfg_resolve_plain(node->text, node->len, &s);
	if (s.type != CFG_BOOL)
		return -EINVAL;
	*out = s.boolean;
	return 0;
}
