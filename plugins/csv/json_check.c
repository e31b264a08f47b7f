/* A JSON syntax check for json columns (RFC 8259), without building values. */
#include <stddef.h>
#include <string.h>

#include "plugins/csv/csv.h"

struct cursor {
	const unsigned char *p, *end;
};

static void skip_ws(struct cursor *c)
{
	while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r'))
		c->p++;
}

static int literal(struct cursor *c, const char *word)
{
	size_t n = strlen(word);
	if ((size_t)(c->end - c->p) < n || memcmp(c->p, word, n) != 0)
		return 0;
	c->p += n;
	return 1;
}

static int digits(struct cursor *c)
{
	const unsigned char *start = c->p;
	while (c->p < c->end && *c->p >= '0' && *c->p <= '9')
		c->p++;
	return c->p > start;
}

static int number(struct cursor *c)
{
	if (c->p < c->end && *c->p == '-')
		c->p++;
	if (c->p < c->end && *c->p == '0')
		c->p++;
	else if (!digits(c))
		return 0;
	if (c->p < c->end && *c->p == '.') {
		c->p++;
		if (!digits(c))
			return 0;
	}
	if (c->p < c->end && (*c->p == 'e' || *c->p == 'E')) {
		c->p++;
		if (c->p < c->end && (*c->p == '+' || *c->p == '-'))
			c->p++;
		if (!digits(c))
			return 0;
	}
	return 1;
}

static int hex4(struct cursor *c)
{
	for (int i = 0; i < 4; i++, c->p++) {
		unsigned char h = c->p < c->end ? *c->p : 0;
		if (!((h >= '0' && h <= '9') || (h >= 'a' && h <= 'f') || (h >= 'A' && h <= 'F')))
			return 0;
	}
	return 1;
}

static int string(struct cursor *c)
{
	c->p++; /* the opening quote */
	while (c->p < c->end) {
		unsigned char ch = *c->p++;
		if (ch == '"')
			return 1;
		if (ch < 0x20)
			return 0;
		if (ch == '\\') {
			if (c->p >= c->end)
				return 0;
			ch = *c->p++;
			if (ch == 'u') {
				if (!hex4(c))
					return 0;
			} else if (!strchr("\"\\/bfnrt", ch) || ch == 0) {
				return 0;
			}
		}
	}
	return 0;
}

static int value(struct cursor *c, int depth)
{
	if (depth > CSV_JSON_MAX_DEPTH)
		return 0;
	skip_ws(c);
	if (c->p >= c->end)
		return 0;
	switch (*c->p) {
	case '{':
	case '[': {
		unsigned char close = *c->p == '{' ? '}' : ']';
		int object = close == '}';
		c->p++;
		skip_ws(c);
		if (c->p < c->end && *c->p == close) {
			c->p++;
			return 1;
		}
		for (;;) {
			if (object) {
				skip_ws(c);
				if (c->p >= c->end || *c->p != '"' || !string(c))
					return 0;
				skip_ws(c);
				if (c->p >= c->end || *c->p++ != ':')
					return 0;
			}
			if (!value(c, depth + 1))
				return 0;
			skip_ws(c);
			if (c->p >= c->end)
				return 0;
			if (*c->p == ',') {
				c->p++;
				continue;
			}
			if (*c->p++ != close)
				return 0;
			return 1;
		}
	}
	case '"': return string(c);
	case 't': return literal(c, "true");
	case 'f': return literal(c, "false");
	case 'n': return literal(c, "null");
	default: return number(c);
	}
}

int csv_json_valid(const char *s, size_t n)
{
	struct cursor c = { (const unsigned char *)s, (const unsigned char *)s + n };
	if (!value(&c, 0))
		return 0;
	skip_ws(&c);
	return c.p == c.end;
}
