/* Constant column values of the columns filter (see constant.h). */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "constant.h"

int columns_type_from_name(const char *name, bh_type *out)
{
	for (int t = BH_TYPE_BOOLEAN; t <= BH_TYPE_JSON; t++)
		if (strcmp(name, bh_type_name((bh_type)t)) == 0) {
			*out = (bh_type)t;
			return 0;
		}
	return -EINVAL;
}

static int set_bytes(struct columns_constant *c, const char *s, size_t n)
{
	c->bytes = malloc(n ? n : 1);
	if (c->bytes == NULL)
		return -ENOMEM;
	memcpy(c->bytes, s, n);
	c->len = n;
	return 0;
}

static int bad(bh_ctx *ctx, const char *what, bh_type type, const json_t *v)
{
	char *text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	bh_error(ctx, "%s: %s is not a valid %s value", what, text ? text : "value",
		 bh_type_name(type));
	free(text);
	return BH_ECONFIG;
}

int columns_constant_parse(bh_ctx *ctx, const char *what, bh_type type, const json_t *v,
			   const char *format, struct columns_constant *out)
{
	struct columns_constant c = { 0 };
	const char *s = json_is_string(v) ? json_string_value(v) : NULL;
	size_t n = json_is_string(v) ? json_string_length(v) : 0;
	double d;
	int r = 0;

	if (v == NULL || json_is_null(v)) {
		out->is_null = 1;
		out->bytes = NULL;
		out->len = 0;
		return 0;
	}
	switch (type) {
	case BH_TYPE_BOOLEAN:
		if (json_is_boolean(v))
			c.value.u.b = json_is_true(v);
		else if (s == NULL || bh_parse_boolean(s, n, &c.value.u.b) < 0)
			return bad(ctx, what, type, v);
		break;
	case BH_TYPE_LONG:
		if (json_is_integer(v))
			c.value.u.l = json_integer_value(v);
		else if (s == NULL || bh_parse_long(s, n, &c.value.u.l) < 0)
			return bad(ctx, what, type, v);
		break;
	case BH_TYPE_DOUBLE:
		if (json_is_number(v))
			c.value.u.d = json_number_value(v);
		else if (s == NULL || bh_parse_double(s, n, &c.value.u.d) < 0)
			return bad(ctx, what, type, v);
		break;
	case BH_TYPE_TIMESTAMP:
		if (json_is_integer(v)) {
			c.value.u.t.sec = json_integer_value(v);
		} else if (json_is_real(v)) {
			/* Seconds since the epoch with a fraction. */
			d = json_real_value(v);
			if (!(fabs(d) < 9.2e18))
				return bad(ctx, what, type, v);
			c.value.u.t.sec = (int64_t)floor(d);
			c.value.u.t.nsec = (int32_t)((d - floor(d)) * 1e9);
		} else if (s == NULL || bh_parse_timestamp(s, n, format, &c.value.u.t) < 0)
			return bad(ctx, what, type, v);
		break;
	case BH_TYPE_STRING:
		if (s != NULL)
			r = set_bytes(&c, s, n);
		else if (json_is_boolean(v))
			r = json_is_true(v) ? set_bytes(&c, "true", 4) : set_bytes(&c, "false", 5);
		else if (json_is_number(v)) {
			char *text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
			if (text == NULL)
				return -ENOMEM;
			r = set_bytes(&c, text, strlen(text));
			free(text);
		} else
			return bad(ctx, what, type, v);
		break;
	case BH_TYPE_JSON: {
		/* A string holds JSON text (as YAML users write it); anything
		 * else is the value itself. */
		json_t *parsed = NULL;
		char *text;
		if (s != NULL) {
			json_error_t jerr;
			parsed = json_loadb(s, n, JSON_DECODE_ANY, &jerr);
			if (parsed == NULL) {
				bh_error(ctx, "%s: not JSON text: %s", what, jerr.text);
				return BH_ECONFIG;
			}
		}
		text = json_dumps(parsed ? parsed : v, JSON_COMPACT | JSON_ENCODE_ANY);
		json_decref(parsed);
		if (text == NULL)
			return -ENOMEM;
		r = set_bytes(&c, text, strlen(text));
		free(text);
		break;
	}
	}
	if (r < 0)
		return r;
	*out = c;
	return 0;
}

void columns_constant_clear(struct columns_constant *c)
{
	free(c->bytes);
	c->bytes = NULL;
}

int columns_constant_put(const struct columns_constant *c, bh_type type, bh_page_builder *pb,
			 uint32_t col)
{
	if (c->is_null) {
		bh_pb_null(pb, col);
		return 0;
	}
	switch (type) {
	case BH_TYPE_BOOLEAN:
		bh_pb_boolean(pb, col, c->value.u.b);
		return 0;
	case BH_TYPE_LONG:
		bh_pb_long(pb, col, c->value.u.l);
		return 0;
	case BH_TYPE_DOUBLE:
		bh_pb_double(pb, col, c->value.u.d);
		return 0;
	case BH_TYPE_TIMESTAMP:
		bh_pb_timestamp(pb, col, c->value.u.t);
		return 0;
	case BH_TYPE_STRING:
	case BH_TYPE_JSON:
		return bh_pb_string(pb, col, c->bytes, c->len);
	}
	return -EINVAL;
}
