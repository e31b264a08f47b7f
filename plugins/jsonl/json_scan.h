/* A validating JSON tokenizer over a byte span, used by the jsonl parser to
 * fill pages without building a document tree.  Every scanner takes *pp at
 * the first byte of its token and, on success, leaves it just past the token.
 * On failure it returns -EINVAL, leaves *pp at the offending byte and sets
 * *why to a static message. */
#ifndef JSONL_JSON_SCAN_H
#define JSONL_JSON_SCAN_H

#include <stddef.h>

/* Deepest nesting of arrays and objects accepted inside one value. */
#define JSON_SCAN_MAX_DEPTH 512

/* Skips JSON whitespace (space, tab, CR, LF). */
static inline const char *json_scan_ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
		p++;
	return p;
}

/* Length of the valid UTF-8 sequence at p (lead byte >= 0x80), or 0.
 * Inline: the formatter and the string scanner call it per non-ASCII character. */
static inline size_t json_scan_utf8_sequence(const unsigned char *p, const unsigned char *end)
{
	unsigned char c = p[0];
	size_t need;
	unsigned char lo = 0x80, hi = 0xBF;

	if (c >= 0xC2 && c <= 0xDF)
		need = 1;
	else if (c >= 0xE0 && c <= 0xEF) {
		need = 2;
		if (c == 0xE0)
			lo = 0xA0; /* no overlong forms */
		else if (c == 0xED)
			hi = 0x9F; /* no UTF-16 surrogates */
	} else if (c >= 0xF0 && c <= 0xF4) {
		need = 3;
		if (c == 0xF0)
			lo = 0x90;
		else if (c == 0xF4)
			hi = 0x8F; /* nothing past U+10FFFF */
	} else
		return 0;
	if ((size_t)(end - p) <= need)
		return 0;
	if (p[1] < lo || p[1] > hi)
		return 0;
	for (size_t i = 2; i <= need; i++)
		if ((p[i] & 0xC0) != 0x80)
			return 0;
	return need + 1;
}

/* A string starting at its opening quote.  Checks for raw control characters
 * and invalid UTF-8; *escaped is set when a backslash occurs, so the caller
 * knows whether the raw bytes between the quotes are already the value. */
int json_scan_string(const char **pp, const char *end, int *escaped, const char **why);

/* Decodes the escapes of string content [s, e) (between the quotes, already
 * scanned) into dst, which must hold e - s bytes.  Rejects unpaired
 * surrogates.  Sets *len to the decoded length. */
int json_scan_unescape(const char *s, const char *e, char *dst, size_t *len, const char **why);

/* A number in strict JSON grammar; *integer is set when it has neither a
 * fraction nor an exponent. */
int json_scan_number(const char **pp, const char *end, int *integer, const char **why);

/* The literal `word` (true, false, null) at *pp, not followed by a letter. */
int json_scan_literal(const char **pp, const char *end, const char *word, size_t len,
		      const char **why);

/* Any value.  *spaced is set when whitespace occurs between tokens inside it,
 * so the caller knows whether the raw span is already compact. */
int json_scan_value(const char **pp, const char *end, int *spaced, const char **why);

/* Copies a scanned, valid value [s, e) to dst without whitespace between
 * tokens and returns the length written (at most e - s). */
size_t json_scan_compact(const char *s, const char *e, char *dst);

#endif
