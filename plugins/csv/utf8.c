/* UTF-8 validation of string and json cells: strings in bulkhead are UTF-8,
 * so bytes that are not become an invalid record instead of bad output. */
#include <stdint.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "plugins/csv/csv.h"

int csv_utf8_valid(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + n;
	while (p < end) {
		unsigned char c;
		size_t len;
		uint32_t cp, min;
#if defined(__SSE2__)
		/* ASCII runs, 16 bytes at a time */
		while (end - p >= 16 && !_mm_movemask_epi8(_mm_loadu_si128((const __m128i *)(const void *)p)))
			p += 16;
		if (p == end)
			break;
#endif
		c = *p;
		if (c < 0x80) {
			p++;
			continue;
		}
		if (c >= 0xC2 && c <= 0xDF) {
			len = 2, cp = c & 0x1F, min = 0x80;
		} else if (c >= 0xE0 && c <= 0xEF) {
			len = 3, cp = c & 0x0F, min = 0x800;
		} else if (c >= 0xF0 && c <= 0xF4) {
			len = 4, cp = c & 0x07, min = 0x10000;
		} else {
			return 0;
		}
		if ((size_t)(end - p) < len)
			return 0;
		for (size_t i = 1; i < len; i++) {
			if ((p[i] & 0xC0) != 0x80)
				return 0;
			cp = cp << 6 | (p[i] & 0x3F);
		}
		if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			return 0; /* overlong, out of range, or a surrogate */
		p += len;
	}
	return 1;
}
