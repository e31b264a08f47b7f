/* bench/check: reads benchmark outputs back and prints their checksum.
 *
 *   check [--format csv|jsonl] [--shortest] FILE...
 *
 * Every row is parsed strictly against the dataset's schema (bench/rowhash.h):
 * longs must be exact integers, doubles must read completely, strings are
 * unescaped (CSV doubled quotes; JSON escapes including \uXXXX surrogate
 * pairs) and hashed byte for byte.  A CSV header line (first field "id") is
 * skipped.  Prints "rows=R sum=S mixed=M" for all files together -- equal to
 * what bench/gen printed only when the outputs hold exactly the generated
 * rows, in any order.  A malformed row is an error naming the file and line.
 * The format is taken from the file name (.jsonl/.json) unless given.
 *
 * --shortest also requires every double to be written with as few
 * significant digits as read back to the same value (issue 5: "doubles print
 * as the shortest string that reads back"): a double whose digits, less one,
 * already round-trip is an error.  The test never fails a shortest output;
 * the ".0" of an integral value does not count as a digit. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench/rowhash.h"

#define CHECK_FIELD_MAX (1 << 20) /* bytes of one unescaped field */

struct input {
	const char *path;
	const char *p, *end;
	uint64_t line;
};

/* One parsed field: its unescaped bytes live in buf. */
struct field {
	char *buf;
	size_t len;
	int is_string; /* JSON: the value was a string (not a number) */
};

static struct field fields[RH_COLUMNS];
static struct field scratch;
static int want_shortest;

static int fail(const struct input *in, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "check: %s:%" PRIu64 ": ", in->path, in->line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return -1;
}

static int put(const struct input *in, struct field *f, const char *s, size_t n)
{
	if (f->len + n > CHECK_FIELD_MAX)
		return fail(in, "field longer than %d bytes", CHECK_FIELD_MAX);
	memcpy(f->buf + f->len, s, n);
	f->len += n;
	return 0;
}

static int parse_long(const struct input *in, const struct field *f, int64_t *out)
{
	size_t i = 0;
	int neg = 0;
	uint64_t v = 0, limit;

	if (f->len > 0 && f->buf[0] == '-') {
		neg = 1;
		i = 1;
	}
	if (i == f->len)
		return fail(in, "empty long");
	limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	for (; i < f->len; i++) {
		unsigned d = (unsigned char)f->buf[i] - '0';

		if (d > 9)
			return fail(in, "not a long: '%.*s'", (int)f->len, f->buf);
		if (v > (limit - d) / 10)
			return fail(in, "long out of range: '%.*s'", (int)f->len, f->buf);
		v = v * 10 + d;
	}
	*out = neg ? (int64_t)(0 - v) : (int64_t)v;
	return 0;
}

/* Digits of the mantissa, less leading and trailing zeros: "120.50e3" has 4. */
static int significant_digits(const char *s)
{
	int n = 0, zeros = 0, started = 0;

	for (; *s && *s != 'e' && *s != 'E'; s++) {
		if (*s < '0' || *s > '9')
			continue;
		if (*s == '0') {
			zeros += started;
			continue;
		}
		n += started ? zeros + 1 : 1;
		started = 1;
		zeros = 0;
	}
	return n;
}

static int parse_double(const struct input *in, struct field *f, double *out)
{
	char *end;

	if (f->len == 0 || f->len > 64)
		return fail(in, "not a double: '%.*s'", (int)f->len, f->buf);
	f->buf[f->len] = '\0';
	*out = strtod(f->buf, &end);
	if (end != f->buf + f->len)
		return fail(in, "not a double: '%s'", f->buf);
	if (want_shortest && isfinite(*out) && *out != 0) {
		int digits = significant_digits(f->buf);
		char shorter[40];

		if (digits > 1) {
			snprintf(shorter, sizeof shorter, "%.*e", digits - 2, *out);
			if (strtod(shorter, NULL) == *out) {
				/* Name the shortest form in the message. */
				for (int p = 0; p < 17; p++) {
					snprintf(shorter, sizeof shorter, "%.*e", p, *out);
					if (strtod(shorter, NULL) == *out)
						break;
				}
				return fail(in, "double '%s' is not the shortest form ('%s' reads back the same)",
					    f->buf, shorter);
			}
		}
	}
	return 0;
}

/* Hashes the row in fields[] in schema order. */
static int add_row(const struct input *in, struct rh_total *t, int json)
{
	uint64_t h = RH_ROW_SEED;

	for (int c = 0; c < RH_COLUMNS; c++) {
		struct field *f = &fields[c];
		int64_t l = 0;
		double d = 0;

		if (json && f->is_string != (rh_column_types[c] == RH_STRING))
			return fail(in, "column %s has the wrong JSON type", rh_column_names[c]);
		switch (rh_column_types[c]) {
		case RH_LONG:
			if (parse_long(in, f, &l) < 0)
				return -1;
			h = rh_long(h, l);
			break;
		case RH_DOUBLE:
			if (parse_double(in, f, &d) < 0)
				return -1;
			h = rh_double(h, d);
			break;
		case RH_STRING:
			h = rh_string(h, f->buf, f->len);
			break;
		}
	}
	rh_add_row(t, h);
	return 0;
}

/* CSV (RFC 4180: quotes doubled inside quoted fields, LF or CRLF). */
static int csv_record(struct input *in, struct rh_total *t, int first)
{
	const char *p = in->p, *end = in->end;
	int n = 0;

	for (;;) {
		struct field *f = n < RH_COLUMNS ? &fields[n] : &scratch;

		f->len = 0;
		if (p < end && *p == '"') {
			p++;
			for (;;) {
				const char *q = memchr(p, '"', (size_t)(end - p));

				if (!q)
					return fail(in, "unterminated quoted field");
				if (put(in, f, p, (size_t)(q - p)) < 0)
					return -1;
				for (const char *c = p; c < q; c++)
					in->line += *c == '\n';
				p = q + 1;
				if (p < end && *p == '"') {
					if (put(in, f, "\"", 1) < 0)
						return -1;
					p++;
					continue;
				}
				break;
			}
			if (p < end && *p != ',' && *p != '\n' && *p != '\r')
				return fail(in, "text after a closing quote");
		} else {
			const char *s = p;

			while (p < end && *p != ',' && *p != '\n')
				p++;
			if (put(in, f, s, (size_t)(p - s)) < 0)
				return -1;
		}
		n++;
		if (p < end && *p == ',') {
			p++;
			continue;
		}
		/* End of record: strip the CR of a CRLF from a bare last field. */
		if (f->len > 0 && f->buf[f->len - 1] == '\r')
			f->len--;
		else if (p < end && *p == '\r')
			p++;
		if (p < end && *p == '\n')
			p++;
		break;
	}
	in->p = p;
	if (n != RH_COLUMNS)
		return fail(in, "%d fields, expected %d", n, RH_COLUMNS);
	if (first && fields[0].len == 2 && !memcmp(fields[0].buf, "id", 2))
		return 0; /* header line */
	return add_row(in, t, 0);
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int json_hex4(struct input *in, const char **pp, unsigned *out)
{
	const char *p = *pp;
	unsigned v = 0;

	if (in->end - p < 4)
		return fail(in, "short \\u escape");
	for (int i = 0; i < 4; i++) {
		int h = hexval((unsigned char)p[i]);

		if (h < 0)
			return fail(in, "bad \\u escape");
		v = v * 16 + (unsigned)h;
	}
	*pp = p + 4;
	*out = v;
	return 0;
}

static int put_utf8(struct input *in, struct field *f, unsigned cp)
{
	char b[4];
	size_t n;

	if (cp < 0x80) {
		b[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		b[0] = (char)(0xc0 | cp >> 6);
		b[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		b[0] = (char)(0xe0 | cp >> 12);
		b[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		b[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		b[0] = (char)(0xf0 | cp >> 18);
		b[1] = (char)(0x80 | (cp >> 12 & 0x3f));
		b[2] = (char)(0x80 | (cp >> 6 & 0x3f));
		b[3] = (char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	return put(in, f, b, n);
}

static int json_string(struct input *in, const char **pp, struct field *f)
{
	const char *p = *pp + 1, *end = in->end;

	f->len = 0;
	for (;;) {
		const char *s = p;

		while (p < end && *p != '"' && *p != '\\' && *p != '\n')
			p++;
		if (put(in, f, s, (size_t)(p - s)) < 0)
			return -1;
		if (p >= end || *p == '\n')
			return fail(in, "unterminated string");
		if (*p == '"')
			break;
		if (++p >= end)
			return fail(in, "unterminated escape");
		char c = *p++;
		const char *simple = strchr("\"\\/bfnrt", c);
		unsigned cp, lo;

		if (simple && c) {
			static const char out[] = "\"\\/\b\f\n\r\t";

			if (put(in, f, &out[simple - "\"\\/bfnrt"], 1) < 0)
				return -1;
			continue;
		}
		if (c != 'u')
			return fail(in, "bad escape \\%c", c);
		if (json_hex4(in, &p, &cp) < 0)
			return -1;
		if (cp >= 0xd800 && cp < 0xdc00) {
			if (end - p < 2 || p[0] != '\\' || p[1] != 'u')
				return fail(in, "lone high surrogate");
			p += 2;
			if (json_hex4(in, &p, &lo) < 0)
				return -1;
			if (lo < 0xdc00 || lo > 0xdfff)
				return fail(in, "bad low surrogate");
			cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
		} else if (cp >= 0xdc00 && cp < 0xe000) {
			return fail(in, "lone low surrogate");
		}
		if (put_utf8(in, f, cp) < 0)
			return -1;
	}
	*pp = p + 1;
	f->is_string = 1;
	return 0;
}

static const char *skip_ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\r'))
		p++;
	return p;
}

/* One flat object per line; keys matched to the schema by name. */
static int jsonl_record(struct input *in, struct rh_total *t)
{
	const char *p = skip_ws(in->p, in->end), *end = in->end;
	int seen[RH_COLUMNS] = {0};

	if (p >= end || *p != '{')
		return fail(in, "not an object");
	p = skip_ws(p + 1, end);
	while (p < end && *p != '}') {
		int col = -1;

		if (*p != '"' || json_string(in, &p, &scratch) < 0)
			return fail(in, "expected a key");
		for (int c = 0; c < RH_COLUMNS; c++)
			if (strlen(rh_column_names[c]) == scratch.len &&
			    !memcmp(rh_column_names[c], scratch.buf, scratch.len))
				col = c;
		if (col < 0)
			return fail(in, "unknown key '%.*s'", (int)scratch.len, scratch.buf);
		if (seen[col]++)
			return fail(in, "repeated key '%s'", rh_column_names[col]);
		p = skip_ws(p, end);
		if (p >= end || *p != ':')
			return fail(in, "expected ':'");
		p = skip_ws(p + 1, end);
		struct field *f = &fields[col];

		if (p < end && *p == '"') {
			if (json_string(in, &p, f) < 0)
				return -1;
		} else {
			const char *s = p;

			while (p < end && strchr("+-0123456789.eE", *p) && *p)
				p++;
			if (p == s)
				return fail(in, "column %s: expected a number or string",
					    rh_column_names[col]);
			f->len = 0;
			if (put(in, f, s, (size_t)(p - s)) < 0)
				return -1;
			f->is_string = 0;
		}
		p = skip_ws(p, end);
		if (p < end && *p == ',')
			p = skip_ws(p + 1, end);
		else if (p >= end || *p != '}')
			return fail(in, "expected ',' or '}'");
	}
	if (p >= end)
		return fail(in, "unterminated object");
	p = skip_ws(p + 1, end);
	if (p < end && *p != '\n')
		return fail(in, "text after the object");
	in->p = p < end ? p + 1 : p;
	for (int c = 0; c < RH_COLUMNS; c++)
		if (!seen[c])
			return fail(in, "missing key '%s'", rh_column_names[c]);
	return add_row(in, t, 1);
}

static int check_file(const char *path, int json, struct rh_total *t)
{
	struct input in = {.path = path, .line = 1};
	struct stat st;
	void *map = NULL;
	int fd, r = -1;

	if ((fd = open(path, O_RDONLY)) < 0 || fstat(fd, &st) < 0) {
		fprintf(stderr, "check: %s: %s\n", path, strerror(errno));
		goto out;
	}
	if (st.st_size > 0) {
		map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (map == MAP_FAILED) {
			map = NULL;
			fprintf(stderr, "check: %s: mmap: %s\n", path, strerror(errno));
			goto out;
		}
		madvise(map, (size_t)st.st_size, MADV_SEQUENTIAL);
	}
	in.p = map;
	in.end = in.p + st.st_size;
	for (int first = 1; in.p < in.end; first = 0, in.line++) {
		if (*in.p == '\n') { /* blank line */
			in.p++;
			continue;
		}
		if ((json ? jsonl_record(&in, t) : csv_record(&in, t, first)) < 0)
			goto out;
	}
	r = 0;
out:
	if (map)
		munmap(map, (size_t)st.st_size);
	if (fd >= 0)
		close(fd);
	return r;
}

int main(int argc, char **argv)
{
	struct rh_total total = {0};
	int format = -1; /* -1: by file name, 0: csv, 1: jsonl */
	int files = 0;

	for (int c = 0; c < RH_COLUMNS; c++)
		if (!(fields[c].buf = malloc(CHECK_FIELD_MAX + 1)))
			return 1;
	if (!(scratch.buf = malloc(CHECK_FIELD_MAX + 1)))
		return 1;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--shortest")) {
			want_shortest = 1;
			continue;
		}
		if (!strcmp(argv[i], "--format") && i + 1 < argc) {
			format = !strcmp(argv[++i], "jsonl");
			continue;
		}
		const char *dot = strrchr(argv[i], '.');
		int json = format >= 0 ? format : dot && (!strcmp(dot, ".jsonl") || !strcmp(dot, ".json"));

		if (check_file(argv[i], json, &total) < 0)
			return 1;
		files++;
	}
	if (!files) {
		fputs("usage: check [--format csv|jsonl] [--shortest] FILE...\n", stderr);
		return 2;
	}
	printf("rows=%" PRIu64 " sum=%016" PRIx64 " mixed=%016" PRIx64 "\n", total.rows, total.sum,
	       total.mixed);
	return 0;
}
