/* file plugin: the two pieces of text it builds from user input — the JSON
 * literal of last_path and output names from sequence_format.  The format is
 * parsed here rather than handed to printf, because it comes from a config. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plugins/file/file.h"

#define SEQUENCE_MAX_WIDTH 20

/* Length of the UTF-8 sequence at s (at most n bytes), or 0 if invalid. */
static size_t utf8_length(const unsigned char *s, size_t n)
{
	uint32_t cp;
	size_t len, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

/* Caller frees *out. */
int file_json_string(const char *s, char **out)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), i = 0, o = 0;
	char *buf = malloc(n * 6 + 3); /* worst case: every byte as \u00XX */

	if (buf == NULL)
		return -ENOMEM;
	buf[o++] = '"';
	while (i < n) {
		size_t len = utf8_length(p + i, n - i);
		if (len == 0) {
			free(buf);
			return -EILSEQ;
		}
		if (len > 1) {
			memcpy(buf + o, p + i, len);
			o += len;
			i += len;
			continue;
		}
		switch (p[i]) {
		case '"': buf[o++] = '\\'; buf[o++] = '"'; break;
		case '\\': buf[o++] = '\\'; buf[o++] = '\\'; break;
		case '\n': buf[o++] = '\\'; buf[o++] = 'n'; break;
		case '\t': buf[o++] = '\\'; buf[o++] = 't'; break;
		case '\r': buf[o++] = '\\'; buf[o++] = 'r'; break;
		default:
			if (p[i] < 0x20 || p[i] == 0x7f)
				o += (size_t)sprintf(buf + o, "\\u%04x", p[i]);
			else
				buf[o++] = (char)p[i];
		}
		i++;
	}
	buf[o++] = '"';
	buf[o] = '\0';
	*out = buf;
	return 0;
}

/* Walks format; with buf == NULL only checks it.  Returns the length or a
 * negative errno. */
static int sequence_walk(const char *format, long task, long file, char *buf, size_t cap)
{
	const long args[2] = {task, file};
	unsigned nargs = 0;
	size_t o = 0;
	const char *p;

	for (p = format; *p != '\0'; p++) {
		char conv[16], text[48];
		int left = 0, zero = 0, width = 0, n;
		size_t len;

		if (*p != '%') {
			if (buf != NULL) {
				if (o + 1 >= cap)
					return -ENAMETOOLONG;
				buf[o] = *p;
			}
			o++;
			continue;
		}
		p++;
		if (*p == '%') {
			if (buf != NULL) {
				if (o + 1 >= cap)
					return -ENAMETOOLONG;
				buf[o] = '%';
			}
			o++;
			continue;
		}
		for (; *p == '-' || *p == '0'; p++) {
			if (*p == '-')
				left = 1;
			else
				zero = 1;
		}
		for (; *p >= '0' && *p <= '9'; p++) {
			width = width * 10 + (*p - '0');
			if (width > SEQUENCE_MAX_WIDTH)
				return -EINVAL;
		}
		if (*p != 'd' || nargs >= 2 || (left && zero))
			return -EINVAL;
		snprintf(conv, sizeof(conv), "%%%s%s%dld", left ? "-" : "", zero ? "0" : "", width);
		n = snprintf(text, sizeof(text), conv, args[nargs++]);
		if (n < 0)
			return -EINVAL;
		len = (size_t)n;
		if (buf != NULL) {
			if (o + len >= cap)
				return -ENAMETOOLONG;
			memcpy(buf + o, text, len);
		}
		o += len;
	}
	if (buf != NULL)
		buf[o] = '\0';
	return o > INT32_MAX ? -ENAMETOOLONG : (int)o;
}

int file_format_sequence(const char *format, long task, long file, char *buf, size_t cap)
{
	if (cap == 0)
		return -ENAMETOOLONG;
	return sequence_walk(format, task, file, buf, cap);
}

int file_check_sequence(const char *format)
{
	int r = sequence_walk(format, 0, 0, NULL, 0);
	return r < 0 ? r : 0;
}
