/* Validating JSON scanners over byte spans (see json_scan.h). */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "json_scan.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <bulkhead/text.h>

/* The first byte of [p, e) that ends a run of string text: a quote, a
 * backslash or a control character (e when there is none).  *high is set
 * when the run holds a byte >= 0x80, which then needs a UTF-8 check: a
 * multi-byte sequence never contains an ASCII byte, so checking runs that
 * end at those bytes checks the whole string. */
static inline const unsigned char *string_run_end(const unsigned char *p, const unsigned char *e, int *high)
{
	unsigned any = 0;
#if defined(__SSE2__)
	const __m128i quote = _mm_set1_epi8('"'), backslash = _mm_set1_epi8('\\'),
		      ctrl_max = _mm_set1_epi8(0x1F);
	while (e - p >= 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
		__m128i ctrl = _mm_cmpeq_epi8(_mm_max_epu8(v, ctrl_max), ctrl_max);
		unsigned special = (unsigned)_mm_movemask_epi8(
			_mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)), ctrl));
		unsigned hi = (unsigned)_mm_movemask_epi8(v);
		if (special) {
			unsigned at = (unsigned)__builtin_ctz(special);
			*high |= (hi & ((1u << at) - 1)) != 0 || any;
			return p + at;
		}
		any |= hi;
		p += 16;
	}
#endif
	for (; p < e && *p != '"' && *p != '\\' && *p >= 0x20; p++)
		any |= *p & 0x80;
	*high |= any != 0;
	return p;
}

int json_scan_string(const char **pp, const char *end, int *escaped, const char **why)
{
	const unsigned char *p = (const unsigned char *)*pp + 1;
	const unsigned char *e = (const unsigned char *)end;
	int esc = 0;

	for (;;) {
		const unsigned char *run = p;
		int high = 0;
		p = string_run_end(p, e, &high);
		if (high) {
			size_t ok = bh_utf8_prefix((const char *)run, (size_t)(p - run));
			if (ok != (size_t)(p - run)) {
				*pp = (const char *)run + ok;
				*why = "invalid UTF-8 in string";
				return -EINVAL;
			}
		}
		if (p >= e) {
			*pp = (const char *)p;
			*why = "unterminated string";
			return -EINVAL;
		}
		unsigned char c = *p;
		if (c == '"')
			break;
		if (c == '\\') {
			esc = 1;
			if (e - p < 2) {
				*pp = (const char *)p;
				*why = "unterminated string";
				return -EINVAL;
			}
			switch (p[1]) {
			case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
				p += 2;
				break;
			case 'u':
				if (e - p < 6) {
					*pp = (const char *)p;
					*why = "truncated \\u escape";
					return -EINVAL;
				}
				for (int i = 2; i < 6; i++) {
					unsigned char h = p[i];
					if (!((h >= '0' && h <= '9') || (h >= 'a' && h <= 'f') ||
					      (h >= 'A' && h <= 'F'))) {
						*pp = (const char *)p;
						*why = "invalid \\u escape";
						return -EINVAL;
					}
				}
				p += 6;
				break;
			default:
				*pp = (const char *)p;
				*why = "invalid escape in string";
				return -EINVAL;
			}
		} else {
			*pp = (const char *)p;
			*why = "control character in string (must be escaped)";
			return -EINVAL;
		}
	}
	*escaped = esc;
	*pp = (const char *)p + 1;
	return 0;
}

static unsigned hex4(const char *s)
{
	unsigned v = 0;
	for (int i = 0; i < 4; i++) {
		char c = s[i];
		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (unsigned)(c - 'a' + 10);
		else
			v |= (unsigned)(c - 'A' + 10);
	}
	return v;
}

static size_t put_utf8(char *d, unsigned cp)
{
	if (cp < 0x80) {
		d[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		d[0] = (char)(0xC0 | (cp >> 6));
		d[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		d[0] = (char)(0xE0 | (cp >> 12));
		d[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		d[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	d[0] = (char)(0xF0 | (cp >> 18));
	d[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	d[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	d[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

/* A \uXXXX escape takes 6 input bytes and yields at most 3 output bytes, and a
 * surrogate pair takes 12 for 4, so decoding in place never outruns the input. */
int json_scan_unescape(const char *s, const char *e, char *dst, size_t *len, const char **why)
{
	char *d = dst;

	while (s < e) {
		const char *bs = memchr(s, '\\', (size_t)(e - s));
		if (bs == NULL) {
			memmove(d, s, (size_t)(e - s));
			d += e - s;
			break;
		}
		memmove(d, s, (size_t)(bs - s));
		d += bs - s;
		s = bs + 1;
		switch (*s++) {
		case '"': *d++ = '"'; break;
		case '\\': *d++ = '\\'; break;
		case '/': *d++ = '/'; break;
		case 'b': *d++ = '\b'; break;
		case 'f': *d++ = '\f'; break;
		case 'n': *d++ = '\n'; break;
		case 'r': *d++ = '\r'; break;
		case 't': *d++ = '\t'; break;
		default: { /* 'u': the scanner checked the four hex digits */
			unsigned cp = hex4(s);
			s += 4;
			if (cp >= 0xDC00 && cp <= 0xDFFF) {
				*why = "unpaired UTF-16 surrogate in \\u escape";
				return -EINVAL;
			}
			if (cp >= 0xD800 && cp <= 0xDBFF) {
				unsigned lo;
				if (e - s < 6 || s[0] != '\\' || s[1] != 'u' ||
				    (lo = hex4(s + 2)) < 0xDC00 || lo > 0xDFFF) {
					*why = "unpaired UTF-16 surrogate in \\u escape";
					return -EINVAL;
				}
				s += 6;
				cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
			}
			d += put_utf8(d, cp);
			break;
		}
		}
	}
	*len = (size_t)(d - dst);
	return 0;
}

static inline int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

int json_scan_number(const char **pp, const char *end, int *integer, const char **why)
{
	const char *p = *pp;
	int whole = 1;

	if (p < end && *p == '-')
		p++;
	if (p >= end || !is_digit(*p))
		goto bad;
	if (*p == '0')
		p++;
	else
		while (p < end && is_digit(*p))
			p++;
	if (p < end && *p == '.') {
		whole = 0;
		p++;
		if (p >= end || !is_digit(*p))
			goto bad;
		while (p < end && is_digit(*p))
			p++;
	}
	if (p < end && (*p == 'e' || *p == 'E')) {
		whole = 0;
		p++;
		if (p < end && (*p == '+' || *p == '-'))
			p++;
		if (p >= end || !is_digit(*p))
			goto bad;
		while (p < end && is_digit(*p))
			p++;
	}
	/* "01", "1a", "1-" are not numbers followed by something else: they are wrong. */
	if (p < end && (is_digit(*p) || (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			*p == '.' || *p == '-' || *p == '+'))
		goto bad;
	*integer = whole;
	*pp = p;
	return 0;
bad:
	*pp = p;
	*why = "invalid number";
	return -EINVAL;
}

int json_scan_literal(const char **pp, const char *end, const char *word, size_t len,
		      const char **why)
{
	const char *p = *pp;

	if ((size_t)(end - p) < len || memcmp(p, word, len) != 0 ||
	    ((size_t)(end - p) > len && ((p[len] >= 'a' && p[len] <= 'z') ||
					 (p[len] >= 'A' && p[len] <= 'Z') || is_digit(p[len])))) {
		*why = "invalid literal (expected true, false, null, a number, a string, an object or an array)";
		return -EINVAL;
	}
	*pp = p + len;
	return 0;
}

/* Iterative so that deep nesting costs a byte per level, not a stack frame:
 * stack[i] is '{' or '[' for each open container. */
int json_scan_value(const char **pp, const char *end, int *spaced, const char **why)
{
	char stack[JSON_SCAN_MAX_DEPTH];
	int depth = 0, space = 0, escaped, integer, r;
	const char *p = *pp, *q;

	for (;;) {
		/* p is at the start of a value. */
		if (p >= end) {
			*why = "unexpected end of line, expected a value";
			goto fail;
		}
		switch (*p) {
		case '"':
			r = json_scan_string(&p, end, &escaped, why);
			break;
		case 't':
			r = json_scan_literal(&p, end, "true", 4, why);
			break;
		case 'f':
			r = json_scan_literal(&p, end, "false", 5, why);
			break;
		case 'n':
			r = json_scan_literal(&p, end, "null", 4, why);
			break;
		case '{':
		case '[':
			if (depth == JSON_SCAN_MAX_DEPTH) {
				*why = "nesting deeper than 512 levels";
				goto fail;
			}
			stack[depth++] = *p++;
			q = json_scan_ws(p, end);
			space |= q != p;
			p = q;
			if (p < end && *p == (stack[depth - 1] == '{' ? '}' : ']')) {
				p++;
				depth--;
				r = 0;
				break;
			}
			if (stack[depth - 1] == '{')
				goto key;
			continue;
		default:
			if (*p == '-' || is_digit(*p)) {
				r = json_scan_number(&p, end, &integer, why);
				break;
			}
			*why = "invalid literal (expected true, false, null, a number, a string, an object or an array)";
			goto fail;
		}
		if (r < 0)
			goto fail;
		/* A value ended: close containers or move to the next element. */
		for (;;) {
			if (depth == 0) {
				*spaced = space;
				*pp = p;
				return 0;
			}
			q = json_scan_ws(p, end);
			space |= q != p;
			p = q;
			if (p >= end) {
				*why = "unexpected end of line inside an object or array";
				goto fail;
			}
			char close = stack[depth - 1] == '{' ? '}' : ']';
			if (*p == close) {
				p++;
				depth--;
				continue;
			}
			if (*p != ',') {
				*why = stack[depth - 1] == '{' ? "expected ',' or '}' in object"
							       : "expected ',' or ']' in array";
				goto fail;
			}
			p++;
			q = json_scan_ws(p, end);
			space |= q != p;
			p = q;
			if (stack[depth - 1] == '{')
				goto key;
			break;
		}
		continue;
key:
		/* p is where an object key must start. */
		if (p >= end || *p != '"') {
			*why = "expected a string key in object";
			goto fail;
		}
		if (json_scan_string(&p, end, &escaped, why) < 0)
			goto fail;
		q = json_scan_ws(p, end);
		space |= q != p;
		p = q;
		if (p >= end || *p != ':') {
			*why = "expected ':' after object key";
			goto fail;
		}
		p++;
		q = json_scan_ws(p, end);
		space |= q != p;
		p = q;
	}
fail:
	*pp = p;
	return -EINVAL;
}

size_t json_scan_compact(const char *s, const char *e, char *dst)
{
	char *d = dst;

	while (s < e) {
		char c = *s++;
		if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
			continue;
		*d++ = c;
		if (c == '"') {
			/* Copy the string through its closing quote; escapes are kept as written. */
			while (*s != '"') {
				if (*s == '\\')
					*d++ = *s++;
				*d++ = *s++;
			}
			*d++ = *s++;
		}
	}
	return (size_t)(d - dst);
}
