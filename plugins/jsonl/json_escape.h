/* JSON string escaping for the jsonl formatter: the general escape, which
 * checks UTF-8 as it goes and writes U+FFFD for each invalid byte, and a
 * faster one for text already known to be well-formed UTF-8.  Both write
 * the same bytes for well-formed text. */
#ifndef JSONL_JSON_ESCAPE_H
#define JSONL_JSON_ESCAPE_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define JSON_HAVE_AVX512 1
#endif

#include "json_scan.h"

/* Needs a look before copying: quote, backslash, controls, and bytes >= 0x80
 * (copied only as part of a valid UTF-8 sequence). */
static const unsigned char special[256] = {
	[0x00 ... 0x1F] = 1, ['"'] = 1, ['\\'] = 1, [0x80 ... 0xFF] = 1,
};

static const char hex_digits[] = "0123456789abcdef";

/* Copies plain bytes from *pp to *dp up to the first special one (see the
 * table) or end: 16 bytes a step with SSE2 (part of every x86-64), stored
 * whole before looking at them (dst holds 6 bytes per input byte, so a
 * block of 16 fits), so that short runs cost no memcpy call.  A signed
 * compare with 0x20 catches the controls and the bytes >= 0x80 at once. */
static inline void copy_plain(const unsigned char **pp, char **dp, const unsigned char *end)
{
	const unsigned char *p = *pp;
	char *d = *dp;
#if defined(__SSE2__)
	const __m128i space = _mm_set1_epi8(0x20), quote = _mm_set1_epi8('"'), bslash = _mm_set1_epi8('\\');
	while (end - p >= 16) {
		__m128i w = _mm_loadu_si128((const __m128i *)(const void *)p);
		int m = _mm_movemask_epi8(_mm_or_si128(_mm_cmplt_epi8(w, space),
						       _mm_or_si128(_mm_cmpeq_epi8(w, quote), _mm_cmpeq_epi8(w, bslash))));
		_mm_storeu_si128((__m128i *)(void *)d, w);
		if (m) {
			int k = __builtin_ctz((unsigned)m);
			*pp = p + k;
			*dp = d + k;
			return;
		}
		p += 16;
		d += 16;
	}
#endif
	while (p < end && !special[*p])
		*d++ = (char)*p++;
	*pp = p;
	*dp = d;
}

/* Escapes s[0..n) into dst, which holds 6 * n bytes.  Invalid UTF-8 becomes
 * U+FFFD, so the output is always valid JSON.  *used is how much of s was
 * consumed: a UTF-8 sequence cut by the end of s waits for the next call
 * unless `last`. */
static size_t json_escape(char *dst, const char *s, size_t n, int last, size_t *used)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + n;
	char *d = dst;

	while (p < end) {
		copy_plain(&p, &d, end);
		if (p == end)
			break;
		unsigned char c = *p;
		if (c >= 0x80) {
			size_t len = json_scan_utf8_sequence(p, end);
			if (len == 0 && !last && end - p < 4) {
				/* Maybe a sequence split by the caller's slicing. */
				break;
			}
			if (len == 0) {
				memcpy(d, "\\ufffd", 6);
				d += 6;
				p++;
				continue;
			}
			/* 2 to 4 bytes: copied inline, not by a memcpy call */
			d[0] = (char)p[0];
			d[1] = (char)p[1];
			if (len > 2)
				d[2] = (char)p[2];
			if (len > 3)
				d[3] = (char)p[3];
			d += len;
			p += len;
			continue;
		}
		*d++ = '\\';
		switch (c) {
		case '"': *d++ = '"'; break;
		case '\\': *d++ = '\\'; break;
		case '\n': *d++ = 'n'; break;
		case '\r': *d++ = 'r'; break;
		case '\t': *d++ = 't'; break;
		case '\b': *d++ = 'b'; break;
		case '\f': *d++ = 'f'; break;
		default:
			*d++ = 'u';
			*d++ = '0';
			*d++ = '0';
			*d++ = hex_digits[c >> 4];
			*d++ = hex_digits[c & 15];
		}
		p++;
	}
	*used = (size_t)(p - (const unsigned char *)s);
	return (size_t)(d - dst);
}

/* The escape of each byte below 0x60 that needs one: quote, backslash and
 * the controls (8 bytes a row, so that one 8-byte move writes any of them). */
#define HEX(v) ((v) < 10 ? '0' + (v) : 'a' + (v) - 10)
#define CONTROL(c) { '\\', 'u', '0', '0', HEX((c) >> 4), HEX((c) & 15) }
static const char escape_text[0x60][8] = {
	CONTROL(0x00), CONTROL(0x01), CONTROL(0x02), CONTROL(0x03), CONTROL(0x04), CONTROL(0x05),
	CONTROL(0x06), CONTROL(0x07), "\\b", "\\t", "\\n", CONTROL(0x0B), "\\f", "\\r", CONTROL(0x0E),
	CONTROL(0x0F), CONTROL(0x10), CONTROL(0x11), CONTROL(0x12), CONTROL(0x13), CONTROL(0x14),
	CONTROL(0x15), CONTROL(0x16), CONTROL(0x17), CONTROL(0x18), CONTROL(0x19), CONTROL(0x1A),
	CONTROL(0x1B), CONTROL(0x1C), CONTROL(0x1D), CONTROL(0x1E), CONTROL(0x1F),
	['"'] = "\\\"", ['\\'] = "\\\\",
};
#undef CONTROL
#undef HEX
/* Its length; 0 for bytes copied as they are. */
static const unsigned char escape_len[0x60] = {
	6, 6, 6, 6, 6, 6, 6, 6, 2 /* \b */, 2 /* \t */, 2 /* \n */, 6, 2 /* \f */, 2 /* \r */, 6, 6,
	6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, ['"'] = 2, ['\\'] = 2,
};

/* Escapes s[0..n), known to be well-formed UTF-8 (so every byte >= 0x80 is
 * copied as it is), to dst and returns the end of what it wrote.  dst holds
 * 6 * n + 16 bytes.  16 bytes a step with SSE2: each block is stored before
 * it is looked at, and the output advances by the length of its plain run,
 * so no run costs a memcpy call.  Bytes up to `readable` (>= s + n) may be
 * loaded: when 16 bytes past the end are, a short last block needs no byte
 * loop. */
static inline char *json_escape_utf8(char *dst, const char *s, size_t n, const char *readable)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + n;
	char *d = dst;
#if defined(__SSE2__)
	const __m128i quote = _mm_set1_epi8('"'), bslash = _mm_set1_epi8('\\'), control = _mm_set1_epi8(0x1F);
	while (p < end && readable - (const char *)p >= 16) {
		size_t left = (size_t)(end - p);
		__m128i w = _mm_loadu_si128((const __m128i *)(const void *)p);
		_mm_storeu_si128((__m128i *)(void *)d, w);
		/* quote, backslash, bytes <= 0x1F (unsigned: min(w, 0x1F) == w),
		 * and a stop bit for the end of s or of the block */
		unsigned m = (unsigned)_mm_movemask_epi8(
			_mm_or_si128(_mm_cmpeq_epi8(_mm_min_epu8(w, control), w),
				     _mm_or_si128(_mm_cmpeq_epi8(w, quote), _mm_cmpeq_epi8(w, bslash))));
		unsigned k = (unsigned)__builtin_ctz(m | 1u << (left < 16 ? left : 16));
		p += k;
		d += k;
		if (p == end)
			return d;
		if (k == 16)
			continue;
		unsigned char c = *p++;
		memcpy(d, escape_text[c], 8);
		d += escape_len[c];
	}
#else
	(void)readable;
#endif
	while (p < end) {
		unsigned char c = *p++;
		if (c < 0x60 && escape_len[c]) {
			memcpy(d, escape_text[c], 8);
			d += escape_len[c];
		} else {
			*d++ = (char)c;
		}
	}
	return d;
}

#if defined(JSON_HAVE_AVX512)
/* json_escape_utf8 64 bytes a step with AVX-512 masked loads and stores
 * (callers check the CPU): a string of up to 64 bytes is one step with no
 * branch on its length, and no byte of s or dst past its end is touched
 * (but the up to 6 bytes after an escape), so there is no `readable`.  Same
 * output.  Each block is stored whole, then each of its escapes (in the
 * mask m) written at its place and the rest of the block stored again
 * after it, from the same register: no load but the block's, however many
 * escapes it holds.  Inline: the formatter's row loop is compiled for
 * AVX-512 too (JSON_AVX512_TARGET), with no call per string. */
#define JSON_AVX512_TARGET __attribute__((target("avx512bw,bmi2")))
static inline JSON_AVX512_TARGET char *json_escape_utf8_avx512(char *dst, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	const __m512i quote = _mm512_set1_epi8('"'), bslash = _mm512_set1_epi8('\\'),
		      control = _mm512_set1_epi8(0x1F);
	char *d = dst;
	for (;;) {
		size_t take = n < 64 ? n : 64;
		__mmask64 in = _bzhi_u64(~UINT64_C(0), (unsigned)take);
		__m512i w = _mm512_maskz_loadu_epi8(in, p);
		_mm512_mask_storeu_epi8(d, in, w);
		/* quote, backslash, bytes <= 0x1F (unsigned) */
		__mmask64 m = _mm512_mask_cmple_epu8_mask(in, w, control) | _mm512_mask_cmpeq_epi8_mask(in, w, quote) |
			      _mm512_mask_cmpeq_epi8_mask(in, w, bslash);
		/* d: where the block's byte 0 would be, were there no escapes
		 * before byte k: each moves the rest right by its length - 1 */
		while (m) {
			unsigned k = (unsigned)__builtin_ctzll(m);
			unsigned char c = p[k];
			memcpy(d + k, escape_text[c], 8);
			d += escape_len[c] - 1;
			_mm512_mask_storeu_epi8(d, in & (~UINT64_C(1) << k), w); /* bytes k+1.. */
			m &= m - 1;
		}
		d += take;
		if (n <= 64)
			return d;
		p += 64;
		n -= 64;
	}
}
#endif

#endif
