/* Guessing csv parser options from a sample, like Embulk's guess: the
 * delimiter (, tab | ;) with the most consistent field count, the escape
 * style, a null_string token, whether the first line is a header, and each
 * column's narrowest type (long, double, boolean, timestamp with a format,
 * json, else string). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "plugins/csv/csv.h"

struct field {
	char *text; /* unescaped, NUL-terminated */
	size_t len;
	int quoted;
};

struct row {
	struct field *f;
	size_t n;
};

struct sample {
	struct row rows[CSV_GUESS_MAX_ROWS + 1];
	size_t nrows;
};

/* Timestamp formats tried in order; the first that reads every value wins. */
static const char *const ts_formats[] = {
	"%Y-%m-%d %H:%M:%S.%N %z", "%Y-%m-%d %H:%M:%S %z", "%Y-%m-%d %H:%M:%S.%N", "%Y-%m-%d %H:%M:%S",
	"%Y-%m-%dT%H:%M:%S.%N%z", "%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M:%S.%N", "%Y-%m-%dT%H:%M:%S",
	"%Y-%m-%d", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d", "%d/%b/%Y:%H:%M:%S %z", "%Y%m%d",
};
#define NFORMATS (sizeof(ts_formats) / sizeof(ts_formats[0]))

static const char *const null_tokens[] = { "\\N", "NULL", "null" };

static void sample_free(struct sample *s)
{
	for (size_t i = 0; i < s->nrows; i++) {
		for (size_t j = 0; j < s->rows[i].n; j++)
			free(s->rows[i].f[j].text);
		free(s->rows[i].f);
	}
	s->nrows = 0;
}

/* Splits [p, end) into records with delimiter d and "-quoting (doubled or
 * backslash-escaped quotes).  Stops at rows or at an incomplete last line. */
static int split(const char *p, const char *end, char d, struct sample *s)
{
	while (p < end && s->nrows < CSV_GUESS_MAX_ROWS + 1) {
		struct row row = { NULL, 0 };
		int done = 0;
		if (*p == '\n' || *p == '\r') { /* empty lines are skipped */
			p++;
			continue;
		}
		while (!done) {
			struct field fl = { NULL, 0, 0 };
			struct field *grown;
			char *buf = malloc((size_t)(end - p) + 1);
			if (!buf)
				return -ENOMEM;
			if (p < end && *p == '"') {
				fl.quoted = 1;
				for (p++; p < end; p++) {
					if (*p == '\\' && p + 1 < end && (p[1] == '"' || p[1] == '\\')) {
						buf[fl.len++] = *++p;
					} else if (*p == '"') {
						if (p + 1 < end && p[1] == '"') {
							buf[fl.len++] = *++p;
							continue;
						}
						break;
					} else {
						buf[fl.len++] = *p;
					}
				}
				if (p >= end) { /* unterminated: the sample ends inside it */
					free(buf);
					goto incomplete;
				}
				for (p++; p < end && *p != d && *p != '\n' && *p != '\r'; p++)
					; /* stray characters after the closing quote */
			} else {
				for (; p < end && *p != d && *p != '\n' && *p != '\r'; p++)
					buf[fl.len++] = *p;
			}
			buf[fl.len] = '\0';
			fl.text = buf;
			if (row.n >= CSV_GUESS_MAX_COLUMNS ||
			    !(grown = realloc(row.f, (row.n + 1) * sizeof(*row.f)))) {
				free(buf);
				goto incomplete;
			}
			row.f = grown;
			row.f[row.n++] = fl;
			if (p < end && *p == d) {
				p++;
				continue;
			}
			if (p >= end && s->nrows > 0)
				goto incomplete; /* a last line without its end may be cut off */
			if (p < end && *p == '\r')
				p++;
			if (p < end && *p == '\n')
				p++;
			done = 1;
		}
		s->rows[s->nrows++] = row;
		continue;
incomplete:
		for (size_t j = 0; j < row.n; j++)
			free(row.f[j].text);
		free(row.f);
		break;
	}
	return 0;
}

/* How well delimiter d splits the sample: lines with the most common field
 * count (> 1), or 0. */
static size_t delimiter_score(const char *p, const char *end, char d)
{
	struct sample s;
	size_t best = 0, counts[8] = { 0 }, fields[8] = { 0 }, kinds = 0;
	memset(&s, 0, sizeof(s));
	if (split(p, end, d, &s) < 0)
		return 0;
	for (size_t i = 0; i < s.nrows; i++) {
		size_t k;
		for (k = 0; k < kinds && fields[k] != s.rows[i].n; k++)
			;
		if (k == kinds && kinds < 8)
			fields[kinds++] = s.rows[i].n;
		if (k < 8)
			counts[k]++;
	}
	for (size_t k = 0; k < kinds; k++)
		if (fields[k] > 1 && counts[k] * 100 + fields[k] > best)
			best = counts[k] * 100 + fields[k];
	sample_free(&s);
	return best;
}

enum guess_type { G_NONE, G_BOOLEAN, G_LONG, G_DOUBLE, G_TIMESTAMP, G_JSON, G_STRING };

struct column_guess {
	enum guess_type type;
	unsigned formats_ok; /* bit i: ts_formats[i] read every value so far */
	int iso_ok;
	int seen, all_long, all_number; /* for dates written as numbers (20240131) */
};

static int is_null_value(const struct field *f, const char *null_string)
{
	if (null_string)
		return strcmp(f->text, null_string) == 0;
	return f->len == 0 && !f->quoted;
}

static int word_boolean(const char *s)
{
	static const char *const words[] = { "true", "false", "yes", "no", "on", "off" };
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strcasecmp(s, words[i]) == 0)
			return 1;
	return 0;
}

/* The narrowest type of one value, and which timestamp forms read it.  As in
 * Embulk, eight digits that make a plausible date are a %Y%m%d timestamp. */
static enum guess_type value_type(const struct field *f, unsigned *formats, int *iso, int *is_long,
				  int *is_number)
{
	int64_t l;
	double d;
	bh_timestamp t;
	*formats = 0;
	*iso = 0;
	*is_long = bh_parse_long(f->text, f->len, &l) == 0;
	*is_number = *is_long || (bh_parse_double(f->text, f->len, &d) == 0 && strpbrk(f->text, "0123456789"));
	if (*is_long && f->len == 8 && l >= 18000101 && l <= 22001231 &&
	    bh_parse_timestamp(f->text, f->len, "%Y%m%d", &t) == 0) {
		for (unsigned i = 0; i < NFORMATS; i++)
			if (strcmp(ts_formats[i], "%Y%m%d") == 0)
				*formats |= 1u << i;
		return G_TIMESTAMP;
	}
	if (*is_long)
		return G_LONG;
	if (*is_number)
		return G_DOUBLE;
	if (word_boolean(f->text))
		return G_BOOLEAN;
	for (unsigned i = 0; i < NFORMATS; i++)
		if (strcmp(ts_formats[i], "%Y%m%d") != 0 && bh_parse_timestamp(f->text, f->len, ts_formats[i], &t) == 0)
			*formats |= 1u << i;
	*iso = bh_parse_timestamp(f->text, f->len, NULL, &t) == 0;
	if (*formats || *iso)
		return G_TIMESTAMP;
	if ((f->text[0] == '{' || f->text[0] == '[') && csv_json_valid(f->text, f->len))
		return G_JSON;
	return G_STRING;
}

static void merge(struct column_guess *c, const struct field *f)
{
	unsigned formats;
	int iso, is_long, is_number;
	enum guess_type t = value_type(f, &formats, &iso, &is_long, &is_number);
	c->all_long = (c->seen ? c->all_long : 1) & is_long;
	c->all_number = (c->seen ? c->all_number : 1) & is_number;
	c->seen = 1;
	if (c->type == G_NONE) {
		c->type = t;
		c->formats_ok = formats;
		c->iso_ok = iso;
		return;
	}
	if (c->type == t) {
		c->formats_ok &= formats;
		c->iso_ok &= iso;
		if (t == G_TIMESTAMP && !c->formats_ok && !c->iso_ok)
			c->type = G_STRING;
		return;
	}
	if (c->all_long)
		c->type = G_LONG;
	else if (c->all_number)
		c->type = G_DOUBLE;
	else
		c->type = G_STRING;
}

static int identifier_like(const struct field *f)
{
	if (f->len == 0 || !((f->text[0] >= 'A' && f->text[0] <= 'Z') || (f->text[0] >= 'a' && f->text[0] <= 'z') ||
			     f->text[0] == '_' || (unsigned char)f->text[0] >= 0x80))
		return 0;
	for (size_t i = 0; i < f->len; i++) {
		unsigned char c = (unsigned char)f->text[i];
		if (!(c >= 0x80 || c == '_' || c == ' ' || c == '-' || c == '.' || (c >= '0' && c <= '9') ||
		      (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')))
			return 0;
	}
	return 1;
}

/* ---- JSON text output ---------------------------------------------------- */

struct text {
	char *s;
	size_t len, cap;
	int failed;
};

static void add(struct text *t, const char *s, size_t n)
{
	if (t->failed)
		return;
	if (t->cap - t->len <= n) {
		size_t cap = t->cap ? t->cap : 256;
		char *b;
		while (cap - t->len <= n)
			cap *= 2;
		if (!(b = realloc(t->s, cap))) {
			t->failed = 1;
			return;
		}
		t->s = b;
		t->cap = cap;
	}
	memcpy(t->s + t->len, s, n);
	t->len += n;
	t->s[t->len] = '\0';
}

static void addf(struct text *t, const char *fmt, ...) BH_PRINTF(2, 3);
static void addf(struct text *t, const char *fmt, ...)
{
	char buf[64];
	va_list ap;
	int n;
	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	add(t, buf, n < 0 ? 0 : (size_t)n);
}

static void add_json_string(struct text *t, const char *s, size_t n)
{
	add(t, "\"", 1);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"' || c == '\\') {
			char e[2] = { '\\', (char)c };
			add(t, e, 2);
		} else if (c < 0x20) {
			addf(t, "\\u%04x", c);
		} else {
			add(t, s + i, 1);
		}
	}
	add(t, "\"", 1);
}

static const char *type_name(enum guess_type t)
{
	switch (t) {
	case G_BOOLEAN: return "boolean";
	case G_LONG: return "long";
	case G_DOUBLE: return "double";
	case G_TIMESTAMP: return "timestamp";
	case G_JSON: return "json";
	default: return "string";
	}
}

/* ---- the guess ------------------------------------------------------------ */

static const char *guess_null_string(const struct sample *s)
{
	size_t best = 0;
	const char *token = NULL;
	for (size_t k = 0; k < sizeof(null_tokens) / sizeof(null_tokens[0]); k++) {
		size_t count = 0;
		for (size_t i = 0; i < s->nrows; i++)
			for (size_t j = 0; j < s->rows[i].n; j++)
				count += !s->rows[i].f[j].quoted && strcmp(s->rows[i].f[j].text, null_tokens[k]) == 0;
		if (count > best) {
			best = count;
			token = null_tokens[k];
		}
	}
	return token;
}

static void write_columns(struct text *out, const struct sample *s, int header, const struct column_guess *g,
			  size_t ncols)
{
	add(out, "\"columns\":[", 11);
	for (size_t j = 0; j < ncols; j++) {
		const struct field *h = header && j < s->rows[0].n ? &s->rows[0].f[j] : NULL;
		int dup = 0;
		if (j)
			add(out, ",", 1);
		add(out, "{\"name\":", 8);
		for (size_t k = 0; h && h->len && k < j; k++)
			dup |= k < s->rows[0].n && strcmp(s->rows[0].f[k].text, h->text) == 0;
		if (h && h->len && !dup && csv_utf8_valid(h->text, h->len))
			add_json_string(out, h->text, h->len);
		else
			addf(out, "\"c%zu\"", j);
		addf(out, ",\"type\":\"%s\"", type_name(g[j].type));
		if (g[j].type == G_TIMESTAMP && g[j].formats_ok) {
			unsigned i = (unsigned)__builtin_ctz(g[j].formats_ok);
			add(out, ",\"format\":", 10);
			add_json_string(out, ts_formats[i], strlen(ts_formats[i]));
		}
		add(out, "}", 1);
	}
	add(out, "]", 1);
}

int csv_guess(bh_ctx *ctx, const char *sample, size_t len, char **out)
{
	static const char candidates[] = { ',', '\t', '|', ';' };
	const char *p = sample, *end = sample + len;
	struct sample s;
	struct column_guess *g = NULL;
	struct text text = { NULL, 0, 0, 0 };
	const char *null_string;
	size_t best = 0, ncols = 0;
	char delim = ',';
	int header = 0, backslash = 0, r = 0;

	if (len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
		p += 3;
	for (size_t i = 0; i < sizeof(candidates); i++) {
		size_t score = delimiter_score(p, end, candidates[i]);
		if (score > best) {
			best = score;
			delim = candidates[i];
		}
	}
	memset(&s, 0, sizeof(s));
	if ((r = split(p, end, delim, &s)) < 0)
		goto out;
	if (s.nrows == 0) {
		bh_error(ctx, "csv guess: the sample has no complete line");
		r = BH_EDATA;
		goto out;
	}
	for (const char *q = p; q + 1 < end; q++)
		backslash |= q[0] == '\\' && q[1] == '"';
	null_string = guess_null_string(&s);
	for (size_t i = 0; i < s.nrows; i++)
		if (s.rows[i].n > ncols)
			ncols = s.rows[i].n;
	g = calloc(ncols, sizeof(*g));
	if (!g) {
		r = -ENOMEM;
		goto out;
	}
	for (size_t i = 1; i < s.nrows; i++)
		for (size_t j = 0; j < s.rows[i].n; j++)
			if (!is_null_value(&s.rows[i].f[j], null_string))
				merge(&g[j], &s.rows[i].f[j]);
	/* A header: every first-row value is a distinct name, and either it does
	 * not fit a typed column below it or everything is text anyway. */
	header = 1;
	for (size_t j = 0; j < s.rows[0].n && header; j++) {
		const struct field *f = &s.rows[0].f[j];
		header = identifier_like(f);
		for (size_t k = 0; k < j && header; k++)
			header = strcmp(s.rows[0].f[k].text, f->text) != 0;
	}
	if (header && s.nrows > 1) {
		int typed = 0, misfit = 0;
		for (size_t j = 0; j < ncols; j++) {
			if (g[j].type != G_STRING && g[j].type != G_NONE) {
				struct column_guess one = g[j];
				typed = 1;
				if (j < s.rows[0].n) {
					merge(&one, &s.rows[0].f[j]);
					misfit |= one.type != g[j].type;
				}
			}
		}
		header = typed ? misfit : 1;
	}
	if (!header) /* the first row is data too */
		for (size_t j = 0; j < s.rows[0].n; j++)
			if (!is_null_value(&s.rows[0].f[j], null_string))
				merge(&g[j], &s.rows[0].f[j]);
	for (size_t j = 0; j < ncols; j++)
		if (g[j].type == G_NONE)
			g[j].type = G_STRING;

	add(&text, "{\"type\":\"csv\",\"delimiter\":", 26);
	add_json_string(&text, &delim, 1);
	add(&text, ",\"quote\":\"\\\"\",\"escape\":", 23);
	add(&text, backslash ? "\"\\\\\"" : "\"\\\"\"", 4);
	addf(&text, ",\"skip_header_lines\":%d", header);
	if (null_string) {
		add(&text, ",\"null_string\":", 15);
		add_json_string(&text, null_string, strlen(null_string));
	}
	add(&text, ",", 1);
	write_columns(&text, &s, header, g, ncols);
	add(&text, "}", 1);
	if (text.failed) {
		r = -ENOMEM;
		goto out;
	}
	*out = text.s;
	text.s = NULL;
out:
	free(text.s);
	free(g);
	sample_free(&s);
	return r;
}
