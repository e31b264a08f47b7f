/* Conversion between page cells and JSON values. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bulkhead/text.h>
#include "sdk/src/runtime.h"
#include "sdk/src/values_json.h"

size_t rt_timestamp_text(bh_timestamp t, char *buf)
{
	int64_t days = t.sec / 86400, rem = t.sec % 86400, y;
	unsigned m, d;
	if (rem < 0) {
		rem += 86400;
		days--;
	}
	bh_civil_from_days(days, &y, &m, &d);
	return (size_t)snprintf(buf, 64, "%04lld-%02u-%02u %02d:%02d:%02d.%09d UTC", (long long)y, m, d,
				(int)(rem / 3600), (int)(rem / 60 % 60), (int)(rem % 60), (int)t.nsec);
}

json_t *rt_value_to_json(const bh_page *page, uint32_t row, uint32_t col)
{
	const bh_value *v = bh_page_cell(page, row, col);
	char buf[64];
	if (v->is_null)
		return json_null();
	switch (page->schema->columns[col].type) {
	case BH_TYPE_BOOLEAN:
		return json_boolean(v->u.b);
	case BH_TYPE_LONG:
		return json_integer(v->u.l);
	case BH_TYPE_DOUBLE:
		if (isnan(v->u.d))
			return json_string("NaN");
		if (isinf(v->u.d))
			return json_string(v->u.d > 0 ? "Infinity" : "-Infinity");
		return json_real(v->u.d);
	case BH_TYPE_STRING:
		return json_stringn(page->arena + v->u.s.off, v->u.s.len);
	case BH_TYPE_TIMESTAMP:
		rt_timestamp_text(v->u.t, buf);
		return json_string(buf);
	case BH_TYPE_JSON: {
		json_t *j = json_loadb(page->arena + v->u.s.off, v->u.s.len, JSON_DECODE_ANY, NULL);
		return j ? j : json_stringn(page->arena + v->u.s.off, v->u.s.len);
	}
	}
	return json_null();
}

int rt_page_to_json(const bh_page *page, json_t *rows, size_t max_rows)
{
	for (uint32_t r = 0; r < page->nrows && json_array_size(rows) < max_rows; r++) {
		json_t *rec = json_array();
		if (!rec)
			return -ENOMEM;
		for (uint32_t c = 0; c < page->ncols; c++)
			json_array_append_new(rec, rt_value_to_json(page, r, c));
		if (json_array_append_new(rows, rec) < 0)
			return -ENOMEM;
	}
	return 0;
}

static int set_cell(bh_page_builder *pb, uint32_t col, bh_type type, const json_t *v)
{
	switch (type) {
	case BH_TYPE_BOOLEAN:
		if (!json_is_boolean(v))
			return -EINVAL;
		bh_pb_boolean(pb, col, json_is_true(v));
		return 0;
	case BH_TYPE_LONG:
		if (!json_is_integer(v))
			return -EINVAL;
		bh_pb_long(pb, col, json_integer_value(v));
		return 0;
	case BH_TYPE_DOUBLE:
		if (json_is_number(v)) {
			bh_pb_double(pb, col, json_number_value(v));
			return 0;
		}
		if (json_is_string(v)) {
			double d;
			if (bh_parse_double(json_string_value(v), json_string_length(v), &d) < 0)
				return -EINVAL;
			bh_pb_double(pb, col, d);
			return 0;
		}
		return -EINVAL;
	case BH_TYPE_STRING:
		if (!json_is_string(v))
			return -EINVAL;
		return bh_pb_string(pb, col, json_string_value(v), json_string_length(v));
	case BH_TYPE_TIMESTAMP: {
		bh_timestamp t;
		if (!json_is_string(v) ||
		    bh_parse_timestamp(json_string_value(v), json_string_length(v), NULL, &t) < 0)
			return -EINVAL;
		bh_pb_timestamp(pb, col, t);
		return 0;
	}
	case BH_TYPE_JSON: {
		char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
		int r;
		if (!s)
			return -ENOMEM;
		r = bh_pb_string(pb, col, s, strlen(s));
		free(s);
		return r;
	}
	}
	return -EINVAL;
}

int rt_json_to_records(const json_t *rows, bh_page_builder *pb, char **err)
{
	const bh_schema *schema = pb->page.schema;
	size_t i;
	json_t *rec;
	if (!json_is_array(rows))
		return rt_fail(err, "records must be a JSON array of arrays");
	json_array_foreach(rows, i, rec) {
		int r;
		if (!json_is_array(rec) || json_array_size(rec) != schema->count)
			return rt_fail(err, "record %zu: expected an array of %u values", i + 1,
					      schema->count);
		for (uint32_t c = 0; c < schema->count; c++) {
			const json_t *v = json_array_get(rec, c);
			if (json_is_null(v)) {
				bh_pb_null(pb, c);
				continue;
			}
			r = set_cell(pb, c, schema->columns[c].type, v);
			if (r == -EINVAL)
				return rt_fail(err, "record %zu, column '%s': not a valid %s", i + 1,
						      schema->columns[c].name,
						      bh_type_name(schema->columns[c].type));
			if (r < 0)
				return r;
		}
		r = bh_pb_end_record(pb);
		if (r < 0)
			return r;
	}
	return 0;
}

int rt_set_record_bytes(json_t *obj, const char *bytes, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	json_t *v = json_stringn(bytes ? bytes : "", bytes ? len : 0);
	char *h;
	if (v)
		return json_object_set_new(obj, "record", v);
	h = malloc(len * 2 + 1);
	if (!h)
		return -ENOMEM;
	for (size_t i = 0; i < len; i++) {
		h[2 * i] = hex[(unsigned char)bytes[i] >> 4];
		h[2 * i + 1] = hex[(unsigned char)bytes[i] & 15];
	}
	h[len * 2] = '\0';
	v = json_string(h);
	free(h);
	return json_object_set_new(obj, "record_hex", v);
}
