/* One JSON object line -> one record, written straight into the page builder.
 *
 * The line is tokenized once; values are converted as they are met and
 * string bytes are decoded directly into the page arena, so a record costs no
 * allocation and no intermediate document. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_scan.h"
#include "jsonl.h"

enum token { TOKEN_STRING, TOKEN_NUMBER, TOKEN_TRUE, TOKEN_FALSE, TOKEN_NULL, TOKEN_CONTAINER };

/* A scanned value: [start, end) is its whole text (quotes included). */
struct value {
	enum token kind;
	const char *start, *end;
	int escaped; /* strings: contains a backslash */
	int integer; /* numbers: no fraction or exponent */
	int spaced;  /* containers: whitespace between tokens */
};

static uint32_t hash_key(const char *s, size_t n)
{
	uint32_t h = 2166136261u; /* FNV-1a */
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h;
}

int jsonl_spec_init(struct jsonl_spec *spec, const bh_schema *schema, const char *default_format,
		    int32_t timezone_offset, struct jsonl_invalid *why)
{
	uint32_t nslots = 8;
	struct jsonl_spec s = { .ncols = schema->count };

	while (nslots < schema->count * 2u)
		nslots <<= 1;
	s.cols = calloc(schema->count ? schema->count : 1, sizeof *s.cols);
	s.slots = calloc(nslots, sizeof *s.slots);
	if (s.cols == NULL || s.slots == NULL) {
		jsonl_spec_clear(&s);
		return -ENOMEM;
	}
	s.mask = nslots - 1;
	for (uint32_t i = 0; i < schema->count; i++) {
		const bh_column *c = &schema->columns[i];
		struct jsonl_column *col = &s.cols[i];
		col->name = c->name;
		col->name_len = strlen(c->name);
		col->type = c->type;
		col->timestamp_format = c->format != NULL ? c->format : default_format;
		col->timezone_offset = timezone_offset;
		uint32_t h = hash_key(col->name, col->name_len) & s.mask;
		while (s.slots[h] != 0) {
			if (strcmp(s.cols[s.slots[h] - 1].name, col->name) == 0) {
				snprintf(why->reason, sizeof why->reason,
					 "columns: '%s' is listed twice", col->name);
				jsonl_spec_clear(&s);
				return BH_ECONFIG;
			}
			h = (h + 1) & s.mask;
		}
		s.slots[h] = i + 1;
	}
	*spec = s;
	return 0;
}

void jsonl_spec_clear(struct jsonl_spec *spec)
{
	free(spec->cols);
	free(spec->slots);
	spec->cols = NULL;
	spec->slots = NULL;
}

int jsonl_scratch_init(struct jsonl_scratch *sc, uint32_t ncols)
{
	memset(sc, 0, sizeof *sc);
	sc->seen = calloc(ncols ? ncols : 1, sizeof *sc->seen);
	if (sc->seen == NULL)
		return -ENOMEM;
	sc->ncols = ncols;
	return 0;
}

void jsonl_scratch_clear(struct jsonl_scratch *sc)
{
	free(sc->buf);
	free(sc->seen);
	memset(sc, 0, sizeof *sc);
}

static int scratch_reserve(struct jsonl_scratch *sc, size_t n)
{
	if (n <= sc->cap)
		return 0;
	size_t cap = sc->cap ? sc->cap : 256;
	while (cap < n)
		cap *= 2;
	char *b = realloc(sc->buf, cap);
	if (b == NULL)
		return -ENOMEM;
	sc->buf = b;
	sc->cap = cap;
	return 0;
}

/* Finds the column named by key [k, k+n), trying `guess` first: objects of
 * one file usually list their keys in the same order. */
static int find_column(const struct jsonl_spec *spec, const char *k, size_t n, uint32_t guess)
{
	if (guess < spec->ncols && spec->cols[guess].name_len == n &&
	    memcmp(spec->cols[guess].name, k, n) == 0)
		return (int)guess;
	uint32_t h = hash_key(k, n) & spec->mask;
	while (spec->slots[h] != 0) {
		const struct jsonl_column *c = &spec->cols[spec->slots[h] - 1];
		if (c->name_len == n && memcmp(c->name, k, n) == 0)
			return (int)(spec->slots[h] - 1);
		h = (h + 1) & spec->mask;
	}
	return -1;
}

/* Fills why->reason with "column 'name': what, got <value text>". */
static int invalid_value(struct jsonl_invalid *why, const char *line, const struct jsonl_column *c,
			 const struct value *v, const char *what)
{
	size_t n = (size_t)(v->end - v->start);
	const char *more = "";
	if (n > 60) {
		n = 60;
		/* Cut at a character boundary so the message stays valid UTF-8. */
		while (n > 0 && ((unsigned char)v->start[n] & 0xC0) == 0x80)
			n--;
		more = "...";
	}
	why->offset = (size_t)(v->start - line);
	snprintf(why->reason, sizeof why->reason, "column '%s': %s, got %.*s%s", c->name, what,
		 (int)n, v->start, more);
	return 2;
}

/* A string whose escapes do not decode (or no memory to decode it). */
static int bad_string(struct jsonl_invalid *why, const char *line, const struct jsonl_column *c,
		      const struct value *v, const char *reason, int r)
{
	if (r != -EINVAL)
		return r;
	return invalid_value(why, line, c, v, reason);
}

/* The decoded bytes of a string value, in place when it has no escapes. */
static int string_bytes(struct jsonl_scratch *sc, const struct value *v, const char **s, size_t *n,
			const char **reason)
{
	const char *b = v->start + 1, *e = v->end - 1;
	if (!v->escaped) {
		*s = b;
		*n = (size_t)(e - b);
		return 0;
	}
	int r = scratch_reserve(sc, (size_t)(e - b) + 1);
	if (r < 0)
		return r;
	r = json_scan_unescape(b, e, sc->buf, n, reason);
	if (r < 0)
		return r;
	*s = sc->buf;
	return 0;
}

/* Room for n more arena bytes; *dst is where they go.  arena_commit() then
 * makes the bytes written there (at most n) the cell of a column. */
static int arena_room(bh_page_builder *pb, size_t n, char **dst)
{
	bh_page *p = &pb->page;
	if (n > UINT32_MAX)
		return -E2BIG;
	if (p->arena_cap - p->arena_len < n) {
		int r = pb->reserve(pb, n);
		if (r < 0)
			return r;
	}
	*dst = p->arena + p->arena_len;
	return 0;
}

static void arena_commit(bh_page_builder *pb, uint32_t col, size_t n)
{
	bh_value *c = bh_pb_cell(pb, col);
	c->u.s.off = (uint32_t)pb->page.arena_len;
	c->u.s.len = (uint32_t)n;
	c->is_null = 0;
	pb->page.arena_len += n;
}

/* The value's text, compacted when it is a container with whitespace. */
static int put_text(bh_page_builder *pb, uint32_t col, const struct value *v)
{
	size_t n = (size_t)(v->end - v->start);
	char *dst;
	int r = arena_room(pb, n, &dst);
	if (r < 0)
		return r;
	if (v->kind == TOKEN_CONTAINER && v->spaced)
		n = json_scan_compact(v->start, v->end, dst);
	else
		memcpy(dst, v->start, n);
	arena_commit(pb, col, n);
	return 0;
}

static int put_string(bh_page_builder *pb, uint32_t col, const struct value *v, const char **reason)
{
	const char *b = v->start + 1, *e = v->end - 1;
	size_t n = (size_t)(e - b);
	char *dst;
	int r = arena_room(pb, n, &dst);
	if (r < 0)
		return r;
	if (v->escaped) {
		r = json_scan_unescape(b, e, dst, &n, reason);
		if (r < 0)
			return r;
	} else
		memcpy(dst, b, n);
	arena_commit(pb, col, n);
	return 0;
}

/* Digits of an integer token, without calls for the common short case. */
static int number_long(const char *s, size_t n, int64_t *out)
{
	if (n > 0 && n <= 18) {
		int neg = s[0] == '-';
		int64_t v = 0;
		for (size_t i = (size_t)neg; i < n; i++)
			v = v * 10 + (s[i] - '0');
		*out = neg ? -v : v;
		return 0;
	}
	return bh_parse_long(s, n, out);
}

static int double_to_long(double d, int64_t *out)
{
	/* 2^63 is exact in a double; everything in [-2^63, 2^63) fits. */
	if (!(d >= -9223372036854775808.0 && d < 9223372036854775808.0) || d != floor(d))
		return -ERANGE;
	*out = (int64_t)d;
	return 0;
}

/* Text without a zone of its own is local time at the column's timezone. */
static int to_timestamp(const struct jsonl_column *c, const char *s, size_t n, bh_timestamp *out)
{
	return bh_parse_timestamp_at(s, n, c->timestamp_format, c->timezone_offset, out);
}

/* Converts v into column col of the current record.  Returns 0, 2 (invalid,
 * why filled) or a negative errno. */
static int convert(const struct jsonl_spec *spec, struct jsonl_scratch *sc, const char *line,
		   uint32_t col, const struct value *v, bh_page_builder *pb, struct jsonl_invalid *why)
{
	const struct jsonl_column *c = &spec->cols[col];
	const char *s, *reason = NULL;
	size_t n;
	int64_t l;
	double d;
	int b, r;

	if (v->kind == TOKEN_NULL) {
		bh_pb_null(pb, col);
		return 0;
	}
	switch (c->type) {
	case BH_TYPE_STRING:
		if (v->kind == TOKEN_STRING)
			r = put_string(pb, col, v, &reason);
		else
			r = put_text(pb, col, v);
		break;
	case BH_TYPE_JSON:
		r = put_text(pb, col, v);
		break;
	case BH_TYPE_LONG:
		switch (v->kind) {
		case TOKEN_NUMBER:
			if (v->integer) {
				if (number_long(v->start, (size_t)(v->end - v->start), &l) < 0)
					return invalid_value(why, line, c, v, "integer out of range for long");
			} else if (bh_parse_double(v->start, (size_t)(v->end - v->start), &d) < 0 ||
				   double_to_long(d, &l) < 0)
				return invalid_value(why, line, c, v, "not an integer");
			break;
		case TOKEN_STRING:
			r = string_bytes(sc, v, &s, &n, &reason);
			if (r < 0)
				return bad_string(why, line, c, v, reason, r);
			if (bh_parse_long(s, n, &l) < 0)
				return invalid_value(why, line, c, v, "cannot convert to long");
			break;
		case TOKEN_TRUE:
		case TOKEN_FALSE:
			l = v->kind == TOKEN_TRUE;
			break;
		default:
			return invalid_value(why, line, c, v, "cannot convert to long");
		}
		bh_pb_long(pb, col, l);
		return 0;
	case BH_TYPE_DOUBLE:
		switch (v->kind) {
		case TOKEN_NUMBER:
			if (bh_parse_double(v->start, (size_t)(v->end - v->start), &d) < 0)
				return invalid_value(why, line, c, v, "number out of range for double");
			break;
		case TOKEN_STRING:
			r = string_bytes(sc, v, &s, &n, &reason);
			if (r < 0)
				return bad_string(why, line, c, v, reason, r);
			if (bh_parse_double(s, n, &d) < 0)
				return invalid_value(why, line, c, v, "cannot convert to double");
			break;
		case TOKEN_TRUE:
		case TOKEN_FALSE:
			d = v->kind == TOKEN_TRUE;
			break;
		default:
			return invalid_value(why, line, c, v, "cannot convert to double");
		}
		bh_pb_double(pb, col, d);
		return 0;
	case BH_TYPE_BOOLEAN:
		switch (v->kind) {
		case TOKEN_TRUE:
		case TOKEN_FALSE:
			b = v->kind == TOKEN_TRUE;
			break;
		case TOKEN_NUMBER:
			if (bh_parse_boolean(v->start, (size_t)(v->end - v->start), &b) < 0)
				return invalid_value(why, line, c, v, "cannot convert to boolean");
			break;
		case TOKEN_STRING:
			r = string_bytes(sc, v, &s, &n, &reason);
			if (r < 0)
				return bad_string(why, line, c, v, reason, r);
			if (bh_parse_boolean(s, n, &b) < 0)
				return invalid_value(why, line, c, v, "cannot convert to boolean");
			break;
		default:
			return invalid_value(why, line, c, v, "cannot convert to boolean");
		}
		bh_pb_boolean(pb, col, b);
		return 0;
	case BH_TYPE_TIMESTAMP: {
		bh_timestamp t;
		switch (v->kind) {
		case TOKEN_STRING:
			r = string_bytes(sc, v, &s, &n, &reason);
			if (r < 0)
				return bad_string(why, line, c, v, reason, r);
			if (to_timestamp(c, s, n, &t) < 0)
				return invalid_value(why, line, c, v,
						     c->timestamp_format != NULL
							     ? "timestamp does not match its format"
							     : "cannot convert to timestamp");
			break;
		case TOKEN_NUMBER:
			/* Seconds since the epoch, possibly with a fraction. */
			if (v->integer) {
				if (number_long(v->start, (size_t)(v->end - v->start), &l) < 0)
					return invalid_value(why, line, c, v, "epoch seconds out of range");
				t.sec = l;
				t.nsec = 0;
			} else {
				double whole;
				if (bh_parse_double(v->start, (size_t)(v->end - v->start), &d) < 0 ||
				    !(fabs(d) < 9.2e18))
					return invalid_value(why, line, c, v, "epoch seconds out of range");
				whole = floor(d);
				t.sec = (int64_t)whole;
				t.nsec = (int32_t)llround((d - whole) * 1e9);
				if (t.nsec >= 1000000000) {
					t.sec++;
					t.nsec -= 1000000000;
				}
			}
			break;
		default:
			return invalid_value(why, line, c, v, "cannot convert to timestamp");
		}
		bh_pb_timestamp(pb, col, t);
		return 0;
	}
	default:
		return -EINVAL;
	}
	if (r == -EINVAL && reason != NULL) {
		why->offset = (size_t)(v->start - line);
		snprintf(why->reason, sizeof why->reason, "column '%s': %s", c->name, reason);
		return 2;
	}
	return r;
}

/* Scans the value at *pp into v. */
static int scan_value(const char **pp, const char *end, struct value *v, const char **reason)
{
	const char *p = *pp;
	int r;

	v->start = p;
	v->escaped = v->integer = v->spaced = 0;
	switch (*p) {
	case '"':
		v->kind = TOKEN_STRING;
		r = json_scan_string(&p, end, &v->escaped, reason);
		break;
	case 't':
		v->kind = TOKEN_TRUE;
		r = json_scan_literal(&p, end, "true", 4, reason);
		break;
	case 'f':
		v->kind = TOKEN_FALSE;
		r = json_scan_literal(&p, end, "false", 5, reason);
		break;
	case 'n':
		v->kind = TOKEN_NULL;
		r = json_scan_literal(&p, end, "null", 4, reason);
		break;
	case '{':
	case '[':
		v->kind = TOKEN_CONTAINER;
		r = json_scan_value(&p, end, &v->spaced, reason);
		break;
	default:
		v->kind = TOKEN_NUMBER;
		r = json_scan_number(&p, end, &v->integer, reason);
		break;
	}
	*pp = p;
	v->end = p;
	return r;
}

static int syntax_error(struct jsonl_invalid *why, const char *line, const char *at,
			const char *reason)
{
	why->offset = (size_t)(at - line);
	snprintf(why->reason, sizeof why->reason, "invalid JSON: %s", reason);
	return 2;
}

int jsonl_record_read(const struct jsonl_spec *spec, struct jsonl_scratch *sc, const char *line,
		      size_t len, bh_page_builder *pb, struct jsonl_invalid *why)
{
	const char *p = line, *end = line + len, *reason;
	uint64_t stamp = ++sc->stamp;
	uint32_t guess = 0;
	struct value v;
	int r;

	p = json_scan_ws(p, end);
	if (p == end)
		return 1;
	if (*p != '{') {
		why->offset = (size_t)(p - line);
		snprintf(why->reason, sizeof why->reason, "expected a JSON object, got %s",
			 *p == '[' ? "an array" : "another value");
		return 2;
	}
	p = json_scan_ws(p + 1, end);
	if (p < end && *p == '}') {
		p++;
		goto closed;
	}
	for (;;) {
		const char *key, *key_end;
		size_t key_len;
		int escaped, col;

		if (p >= end || *p != '"')
			return syntax_error(why, line, p, "expected a string key in object");
		key = p;
		if (json_scan_string(&p, end, &escaped, &reason) < 0)
			return syntax_error(why, line, p, reason);
		key_end = p - 1;
		key++;
		key_len = (size_t)(key_end - key);
		if (escaped) {
			r = scratch_reserve(sc, key_len + 1);
			if (r < 0)
				return r;
			if (json_scan_unescape(key, key_end, sc->buf, &key_len, &reason) < 0)
				return syntax_error(why, line, key - 1, reason);
			key = sc->buf;
		}
		col = find_column(spec, key, key_len, guess);
		p = json_scan_ws(p, end);
		if (p >= end || *p != ':')
			return syntax_error(why, line, p, "expected ':' after object key");
		p = json_scan_ws(p + 1, end);
		if (p >= end)
			return syntax_error(why, line, p, "unexpected end of line, expected a value");
		if (scan_value(&p, end, &v, &reason) < 0)
			return syntax_error(why, line, p, reason);
		if (col >= 0) {
			/* A repeated key: the last one wins, as in most JSON readers. */
			r = convert(spec, sc, line, (uint32_t)col, &v, pb, why);
			if (r != 0)
				return r;
			sc->seen[col] = stamp;
			guess = (uint32_t)col + 1;
		}
		p = json_scan_ws(p, end);
		if (p < end && *p == ',') {
			p = json_scan_ws(p + 1, end);
			continue;
		}
		if (p < end && *p == '}') {
			p++;
			break;
		}
		return syntax_error(why, line, p, "expected ',' or '}' in object");
	}
closed:
	p = json_scan_ws(p, end);
	if (p != end)
		return syntax_error(why, line, p, "unexpected data after the object");
	for (uint32_t i = 0; i < spec->ncols; i++)
		if (sc->seen[i] != stamp)
			bh_pb_null(pb, i);
	return 0;
}
