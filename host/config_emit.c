/* JSON -> block-style YAML that reads back to the same JSON (bulkhead guess
 * -o, --next).  Strings are written plain only when plain text reads back as
 * the same string; otherwise double-quoted with escapes. */
#include <errno.h>
#include <locale.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "host/config_internal.h"

static int needs_quotes(const char *s, size_t n)
{
	static const char indicators[] = "-?:,[]{}#&*!|>'\"%@`";
	struct cfg_scalar r;
	size_t i;

	if (n == 0 || strchr(indicators, s[0]) != NULL || s[0] == ' ' || s[n - 1] == ' ')
		return 1;
	if (n >= 3 && memcmp(s, "...", 3) == 0)
		return 1;
	if (s[n - 1] == ':')
		return 1;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		/* Non-ASCII includes YAML's extra line breaks (NEL, LS, PS). */
		if (c < 0x20 || c >= 0x7f)
			return 1;
		if (c == ':' && i + 1 < n && s[i + 1] == ' ')
			return 1;
		if (c == '#' && i > 0 && s[i - 1] == ' ')
			return 1;
	}
	cfg_resolve_plain(s, n, &r);
	return r.type != CFG_STRING;
}

static void write_quoted(const char *s, size_t n, FILE *f)
{
	size_t i;

	fputc('"', f);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		switch (c) {
		case '"': fputs("\\\"", f); break;
		case '\\': fputs("\\\\", f); break;
		case '\n': fputs("\\n", f); break;
		case '\t': fputs("\\t", f); break;
		case '\r': fputs("\\r", f); break;
		case '\0': fputs("\\0", f); break;
		default:
			if (c < 0x20 || c == 0x7f) {
				fprintf(f, "\\x%02x", c);
			} else if (c == 0xC2 && i + 1 < n && (unsigned char)s[i + 1] == 0x85) {
				fputs("\\N", f); /* NEL */
				i++;
			} else if (c == 0xE2 && i + 2 < n && (unsigned char)s[i + 1] == 0x80 &&
				   ((unsigned char)s[i + 2] == 0xA8 || (unsigned char)s[i + 2] == 0xA9)) {
				fputs((unsigned char)s[i + 2] == 0xA8 ? "\\L" : "\\P", f);
				i += 2;
			} else if (c == 0xEF && i + 2 < n && (unsigned char)s[i + 1] == 0xBB &&
				   (unsigned char)s[i + 2] == 0xBF) {
				fputs("\\uFEFF", f); /* a BOM inside text would be dropped */
				i += 2;
			} else {
				fputc(c, f);
			}
		}
	}
	fputc('"', f);
}

/* Multi-line text reads best as a literal block (SQL, templates).  Only
 * plain printable ASCII lines qualify, and not text that starts with a
 * space or a line break (that would need an indentation indicator). */
static int fits_literal(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || memchr(s, '\n', n) == NULL || s[0] == ' ' || s[0] == '\n')
		return 0;
	for (i = 0; i < n; i++)
		if (s[i] != '\n' && (s[i] < 0x20 || s[i] >= 0x7f))
			return 0;
	return 1;
}

static void write_literal(const char *s, size_t n, int indent, FILE *f)
{
	size_t trailing = 0, i, start = 0;

	while (trailing < n && s[n - 1 - trailing] == '\n')
		trailing++;
	/* Chomping: strip (no final break), clip (one), keep (several). */
	fputs(trailing == 0 ? "|-" : trailing == 1 ? "|" : "|+", f);
	for (i = 0; i <= n - trailing; i++) {
		if (i < n - trailing && s[i] != '\n')
			continue;
		fputc('\n', f);
		if (i > start)
			fprintf(f, "%*s%.*s", indent, "", (int)(i - start), s + start);
		start = i + 1;
	}
	for (i = 1; i < trailing; i++)
		fputc('\n', f);
}

static void write_string(const char *s, size_t n, FILE *f)
{
	if (needs_quotes(s, n))
		write_quoted(s, n, f);
	else
		fwrite(s, 1, n, f);
}

static void write_real(double d, FILE *f)
{
	char buf[64];
	int prec;

	/* The shortest form that reads back as the same double. */
	for (prec = 15; prec <= 17; prec++) {
		snprintf(buf, sizeof(buf), "%.*g", prec, d);
		if (strtod(buf, NULL) == d)
			break;
	}
	if (strpbrk(buf, ".eE") == NULL)
		strcat(buf, ".0");
	fputs(buf, f);
}

static int is_leaf(const json_t *v)
{
	return !(json_is_object(v) && json_object_size(v) > 0) &&
	       !(json_is_array(v) && json_array_size(v) > 0);
}

/* Writes a scalar or an empty collection; a literal block's lines are
 * indented by `indent` and the caller's newline ends its last line. */
static int write_leaf(const json_t *v, int indent, FILE *f)
{
	if (json_is_string(v) && fits_literal(json_string_value(v), json_string_length(v))) {
		write_literal(json_string_value(v), json_string_length(v), indent, f);
		return 0;
	}
	switch (json_typeof(v)) {
	case JSON_OBJECT: fputs("{}", f); break;
	case JSON_ARRAY: fputs("[]", f); break;
	case JSON_STRING: write_string(json_string_value(v), json_string_length(v), f); break;
	case JSON_INTEGER: fprintf(f, "%" JSON_INTEGER_FORMAT, json_integer_value(v)); break;
	case JSON_REAL:
		if (!isfinite(json_real_value(v)))
			return -EINVAL;
		write_real(json_real_value(v), f);
		break;
	case JSON_TRUE: fputs("true", f); break;
	case JSON_FALSE: fputs("false", f); break;
	case JSON_NULL: fputs("null", f); break;
	}
	return 0;
}

/* Writes a non-empty object or array; its first line starts at the cursor
 * when first_inline (after "- "), else after indent spaces. */
static int write_block(const json_t *v, int indent, int first_inline, int depth, FILE *f)
{
	const char *key;
	json_t *child;
	size_t i = 0;
	int r;

	/* Deeper than a config could be read back: refuse rather than recurse on. */
	if (depth > CFG_MAX_DEPTH)
		return -EINVAL;
	if (json_is_object(v)) {
		json_object_foreach((json_t *)v, key, child) {
			if (!(i++ == 0 && first_inline))
				fprintf(f, "%*s", indent, "");
			write_string(key, strlen(key), f);
			fputc(':', f);
			if (is_leaf(child)) {
				fputc(' ', f);
				if ((r = write_leaf(child, indent + 2, f)) < 0)
					return r;
				fputc('\n', f);
			} else {
				fputc('\n', f);
				if ((r = write_block(child, indent + 2, 0, depth + 1, f)) < 0)
					return r;
			}
		}
		return 0;
	}
	json_array_foreach(v, i, child) {
		if (!(i == 0 && first_inline))
			fprintf(f, "%*s", indent, "");
		fputs("- ", f);
		if (is_leaf(child)) {
			if ((r = write_leaf(child, indent + 2, f)) < 0)
				return r;
			fputc('\n', f);
		} else if ((r = write_block(child, indent + 2, 1, depth + 1, f)) < 0) {
			return r;
		}
	}
	return 0;
}

int cfg_emit_yaml(const json_t *value, FILE *f)
{
	locale_t c_locale, old = (locale_t)0;
	int r = 0;

	if (!json_is_object(value))
		return -EINVAL;
	/* Numbers must read back with '.', whatever LC_NUMERIC the CLI set. */
	c_locale = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
	if (c_locale != (locale_t)0)
		old = uselocale(c_locale);
	if (json_object_size(value) == 0)
		fputs("{}\n", f);
	else
		r = write_block(value, 0, 0, 1, f);
	if (c_locale != (locale_t)0) {
		uselocale(old);
		freelocale(c_locale);
	}
	if (r < 0)
		return r;
	if (fflush(f) != 0 || ferror(f))
		return -EIO;
	return 0;
}
