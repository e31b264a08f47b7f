/* UTF-8 validation of string and json cells: strings in bulkhead are UTF-8,
 * so bytes that are not become an invalid record instead of bad output. */
#include <stdint.h>
#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "plugins/csv/csv.h"

int csv_utf8_valid(const char *s, size_t n)
{
	return csv_utf8_prefix(s, n) == n;
}

size_t csv_utf8_prefix(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + n;
	while (p < end) {
		unsigned char c = *p;
		uint32_t cp;
		if (c < 0x80) {
			/* skip ASCII 16 bytes a step (SSE2, part of every x86-64), else a word */
#if defined(__SSE2__)
			while (end - p >= 16) {
				int m = _mm_movemask_epi8(_mm_loadu_si128((const __m128i *)(const void *)p));
				if (m) {
					p += __builtin_ctz((unsigned)m);
					goto multibyte;
				}
				p += 16;
			}
#else
			uint64_t w;
			while (end - p >= 8 && (memcpy(&w, p, 8), (w & UINT64_C(0x8080808080808080)) == 0))
				p += 8;
#endif
			while (p < end && *p < 0x80)
				p++;
			continue;
		}
#if defined(__SSE2__)
	multibyte:
		c = *p;
#endif
		if (c >= 0xC2 && c <= 0xDF) {
			if (end - p < 2 || (p[1] & 0xC0) != 0x80)
				goto stop;
			p += 2;
		} else if (c >= 0xE0 && c <= 0xEF) {
			if (end - p < 3 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80)
				goto stop;
			cp = (uint32_t)(c & 0x0F) << 12 | (uint32_t)(p[1] & 0x3F) << 6 | (p[2] & 0x3F);
			if (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))
				goto stop; /* overlong, or a surrogate */
			p += 3;
		} else if (c >= 0xF0 && c <= 0xF4) {
			if (end - p < 4 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80 || (p[3] & 0xC0) != 0x80)
				goto stop;
			cp = (uint32_t)(c & 0x07) << 18 | (uint32_t)(p[1] & 0x3F) << 12 | (uint32_t)(p[2] & 0x3F) << 6 |
			     (p[3] & 0x3F);
			if (cp < 0x10000 || cp > 0x10FFFF)
				goto stop;
			p += 4;
		} else {
			goto stop; /* a continuation byte, or C0/C1/F5..FF */
		}
	}
stop:
	return (size_t)(p - (const unsigned char *)s);
}
