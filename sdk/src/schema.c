/* Schemas: JSON conversion and copies owned by a context. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sdk/src/runtime.h"

json_t *rt_schema_to_json(const bh_schema *s)
{
	json_t *a = json_array();
	for (uint32_t i = 0; a && i < s->count; i++) {
		json_t *c = json_pack("{s:s, s:s}", "name", s->columns[i].name, "type",
				      bh_type_name(s->columns[i].type));
		if (c && s->columns[i].format)
			json_object_set_new(c, "format", json_string(s->columns[i].format));
		if (!c || json_array_append_new(a, c) < 0) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

int rt_schema_from_json(bh_ctx *ctx, const json_t *j, const bh_schema **out, char **err)
{
	bh_schema *s;
	bh_column *cols;
	size_t n;
	if (!json_is_array(j))
		return rt_fail(err, "expected a list of columns");
	n = json_array_size(j);
	if (n > UINT32_MAX / 2)
		return rt_fail(err, "too many columns (%zu)", n);
	s = rt_ctx_alloc(ctx, sizeof(*s));
	cols = rt_ctx_alloc(ctx, sizeof(*cols) * (n ? n : 1));
	if (!s || !cols)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		json_t *c = json_array_get(j, i);
		json_t *name = json_object_get(c, "name"), *type = json_object_get(c, "type");
		json_t *format = json_object_get(c, "format");
		bh_type t;
		if (!json_is_object(c))
			return rt_fail(err, "column %zu: expected a mapping", i + 1);
		if (!json_is_string(name))
			return rt_fail(err, "column %zu: 'name' must be a string", i + 1);
		if (!json_is_string(type))
			return rt_fail(err, "column %zu (%s): 'type' must be a string", i + 1,
				    json_string_value(name));
		if (rt_type_from_name(json_string_value(type), &t) < 0)
			return rt_fail(err,
				    "column %zu: unknown type '%s' (expected boolean, long, double, string, timestamp or json)",
				    i + 1, json_string_value(type));
		cols[i].name = rt_ctx_strdup(ctx, json_string_value(name));
		cols[i].type = t;
		cols[i].format = json_is_string(format) ? rt_ctx_strdup(ctx, json_string_value(format)) : NULL;
		if (!cols[i].name)
			return -ENOMEM;
	}
	s->count = (uint32_t)n;
	s->columns = cols;
	*out = s;
	return 0;
}

const bh_schema *rt_schema_copy(bh_ctx *ctx, const bh_schema *src)
{
	bh_schema *s = rt_ctx_alloc(ctx, sizeof(*s));
	bh_column *cols = rt_ctx_alloc(ctx, sizeof(*cols) * (src->count ? src->count : 1));
	if (!s || !cols)
		return NULL;
	for (uint32_t i = 0; i < src->count; i++) {
		cols[i].name = rt_ctx_strdup(ctx, src->columns[i].name);
		cols[i].type = src->columns[i].type;
		cols[i].format = src->columns[i].format ? rt_ctx_strdup(ctx, src->columns[i].format) : NULL;
	}
	s->count = src->count;
	s->columns = cols;
	return s;
}
