/* Recognizes complete bzip2, xz and zstd streams that decompress to nothing.
 *
 * Why: libarchive reads ahead before the first decompressed byte, and a
 * codec error at that point (a file truncated inside its first block, say)
 * is indistinguishable from a valid empty stream — both give no data and no
 * error.  So when nothing came out, the decoder asks this file whether the
 * compressed bytes really are whole empty streams, by their structure. */
#include <stdint.h>
#include <string.h>

#include "plugins/compress/codec.h"

/* "BZh" level, then the end-of-stream magic and a combined CRC of 0. */
static size_t bzip2_empty(const unsigned char *p, size_t n)
{
	static const unsigned char eos[] = {0x17, 0x72, 0x45, 0x38, 0x50, 0x90, 0, 0, 0, 0};
	if (n < 14 || memcmp(p, "BZh", 3) != 0 || p[3] < '1' || p[3] > '9' ||
	    memcmp(p + 4, eos, sizeof(eos)) != 0)
		return 0;
	return 14;
}

/* Stream header (12), an index with no records (8), stream footer (12). */
static size_t xz_empty(const unsigned char *p, size_t n)
{
	static const unsigned char magic[] = {0xfd, '7', 'z', 'X', 'Z', 0};
	if (n < 32 || memcmp(p, magic, 6) != 0)
		return 0;
	if (p[12] != 0 || p[13] != 0 || p[14] != 0 || p[15] != 0) /* indicator, count, padding */
		return 0;
	if (p[30] != 'Y' || p[31] != 'Z' || memcmp(p + 6, p + 28, 2) != 0) /* flags match */
		return 0;
	return 32;
}

/* One zstd frame (or skippable frame) whose blocks regenerate nothing. */
static size_t zstd_empty(const unsigned char *p, size_t n)
{
	static const size_t fcs_sizes[] = {0, 2, 4, 8};
	static const size_t did_sizes[] = {0, 1, 2, 4};
	size_t off, fcs;
	unsigned fhd;

	if (n >= 8 && (p[0] & 0xf0) == 0x50 && p[1] == 0x2a && p[2] == 0x4d && p[3] == 0x18) {
		uint32_t size = (uint32_t)p[4] | (uint32_t)p[5] << 8 | (uint32_t)p[6] << 16 |
				(uint32_t)p[7] << 24;
		return n - 8 >= size ? 8 + (size_t)size : 0;
	}
	if (n < 5 || memcmp(p, "\x28\xb5\x2f\xfd", 4) != 0)
		return 0;
	fhd = p[4];
	if (fhd & 0x08) /* reserved bit */
		return 0;
	fcs = fcs_sizes[fhd >> 6];
	if (fcs == 0 && (fhd & 0x20)) /* single segment: a 1-byte content size */
		fcs = 1;
	off = 5 + ((fhd & 0x20) ? 0 : 1) + did_sizes[fhd & 3];
	if (n < off + fcs)
		return 0;
	for (size_t i = 0; i < fcs; i++) /* a declared content size must be 0 */
		if (p[off + i] != 0)
			return 0;
	off += fcs;
	for (;;) {
		uint32_t h, type, size;
		if (n < off + 3)
			return 0;
		h = (uint32_t)p[off] | (uint32_t)p[off + 1] << 8 | (uint32_t)p[off + 2] << 16;
		type = (h >> 1) & 3;
		size = h >> 3;
		off += 3;
		/* Raw and RLE blocks of size 0 regenerate nothing; anything else
		 * would have produced data or is reserved. */
		if ((type != 0 && type != 1) || size != 0)
			return 0;
		if (type == 1) {
			if (n < off + 1)
				return 0;
			off++;
		}
		if (h & 1)
			break;
	}
	if (fhd & 0x04) { /* content checksum */
		if (n < off + 4)
			return 0;
		off += 4;
	}
	return off;
}

int compress_is_empty_stream(const struct codec *codec, const unsigned char *p, size_t n)
{
	if (n == 0)
		return 0;
	while (n > 0) {
		size_t used;
		if (codec == &codec_bzip2)
			used = bzip2_empty(p, n);
		else if (codec == &codec_xz) {
			used = xz_empty(p, n);
			/* Stream padding: zero bytes in groups of four. */
			while (used == 0 && n >= 4 && memcmp(p, "\0\0\0\0", 4) == 0) {
				p += 4;
				n -= 4;
				used = n == 0 ? 0 : xz_empty(p, n);
				if (n == 0)
					return 1;
			}
		} else if (codec == &codec_zstd)
			used = zstd_empty(p, n);
		else
			return 0;
		if (used == 0)
			return 0;
		p += used;
		n -= used;
	}
	return 1;
}
