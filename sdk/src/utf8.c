/* UTF-8 validation (bulkhead/text.h): bh_utf8_valid and bh_utf8_prefix.
 *
 * On x86 the work is done 16 or 32 bytes a step with the lookup-table method
 * of Keiser and Lemire ("Validating UTF-8 in less than one instruction per
 * byte", 2021): three 16-entry tables, indexed by the high and low nibble of
 * the previous byte and the high nibble of the current one, give for every
 * byte pair a set of error classes; a pair is wrong when all three agree on
 * a class.  The third and fourth bytes of a sequence are checked by asking
 * whether the byte two or three back was a 3- or 4-byte lead.  SSSE3 or
 * AVX2 is chosen at run time, so the baseline x86-64 build still runs
 * everywhere; other CPUs use the scalar decoder.
 *
 * The vector code only answers "is there an error in this 64-byte group?";
 * bh_utf8_prefix then finds the exact offset with the scalar decoder, from
 * the start of the sequence that straddles the group's start. */
#include <stdint.h>
#include <string.h>

#include <bulkhead/text.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define UTF8_X86 1
#endif

/* Bytes the vector code handles between two error checks. */
#define UTF8_GROUP 64

/* ---- scalar -------------------------------------------------------------- */

/* Length of the well-formed sequence at s[0] (a byte >= 0x80) within n
 * bytes, or 0. */
static inline size_t sequence_length(const unsigned char *s, size_t n)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xBF;
	size_t len;

	if (c >= 0xC2 && c <= 0xDF)
		len = 2;
	else if (c >= 0xE0 && c <= 0xEF) {
		len = 3;
		if (c == 0xE0)
			lo = 0xA0; /* overlong below U+0800 */
		else if (c == 0xED)
			hi = 0x9F; /* UTF-16 surrogates */
	} else if (c >= 0xF0 && c <= 0xF4) {
		len = 4;
		if (c == 0xF0)
			lo = 0x90; /* overlong below U+10000 */
		else if (c == 0xF4)
			hi = 0x8F; /* above U+10FFFF */
	} else
		return 0;
	if (n < len || s[1] < lo || s[1] > hi)
		return 0;
	if (len > 2 && (s[2] & 0xC0) != 0x80)
		return 0;
	if (len > 3 && (s[3] & 0xC0) != 0x80)
		return 0;
	return len;
}

/* Offset of the first byte of s[i..n) that does not start a well-formed
 * sequence, or n.  i must be at a sequence boundary. */
static size_t prefix_scalar(const unsigned char *s, size_t i, size_t n)
{
	while (i < n) {
		/* ASCII runs 8 bytes a step */
		while (n - i >= 8) {
			uint64_t w;
			memcpy(&w, s + i, 8);
			if (w & UINT64_C(0x8080808080808080))
				break;
			i += 8;
		}
		while (i < n && s[i] < 0x80)
			i++;
		if (i == n)
			break;
		size_t len = sequence_length(s + i, n - i);
		if (len == 0)
			return i;
		i += len;
	}
	return n;
}

/* No error before this offset: the scalar check in the role of the vector
 * ones below (it is exact, so it returns the error's own offset). */
static size_t first_bad_group_scalar(const unsigned char *s, size_t n)
{
	return prefix_scalar(s, 0, n);
}

/* ---- vector (x86) -------------------------------------------------------- */

#ifdef UTF8_X86
/* Error classes of a byte pair (previous, current). */
#include "sdk/src/utf8_tables.h"

/* Each vector version checks one block (16 or 32 bytes) given the block
 * and the same bytes shifted by 1, 2 and 3 (the look-behind), and returns
 * a vector that is zero when no pair in the block is wrong.  The shifted
 * vectors are plain unaligned loads at s - 1, s - 2 and s - 3, except for
 * the first block, where the bytes before the input count as zeros (ASCII).
 * There is no all-ASCII shortcut: in mixed text it is a branch the CPU
 * mispredicts every other block, and without it text of any kind runs at
 * about 10 GB/s (AVX2).  After the last block, a lead byte among the last
 * 3 that its length does not fit in is an error ("incomplete").
 *
 * Input shorter than a block plus 3 is copied into a zeroed buffer first:
 * the zeros after it then also catch a sequence cut by the end. */

/* SSSE3, 16 bytes a block. */
__attribute__((target("ssse3"))) static inline __m128i check16(__m128i in, __m128i prev1, __m128i prev2,
							       __m128i prev3)
{
	const __m128i nibble = _mm_set1_epi8(0x0F);
	const __m128i t_prev_high = _mm_setr_epi8(U8_PREV_HIGH);
	const __m128i t_prev_low = _mm_setr_epi8(U8_PREV_LOW);
	const __m128i t_cur_high = _mm_setr_epi8(U8_CUR_HIGH);
	__m128i special = _mm_and_si128(
		_mm_and_si128(_mm_shuffle_epi8(t_prev_high, _mm_and_si128(_mm_srli_epi16(prev1, 4), nibble)),
			      _mm_shuffle_epi8(t_prev_low, _mm_and_si128(prev1, nibble))),
		_mm_shuffle_epi8(t_cur_high, _mm_and_si128(_mm_srli_epi16(in, 4), nibble)));
	/* 0x80 where the byte must be a 3rd or 4th byte: E0.. two back, F0.. three back */
	__m128i must = _mm_or_si128(_mm_subs_epu8(prev2, _mm_set1_epi8((char)(0xE0 - 0x80))),
				    _mm_subs_epu8(prev3, _mm_set1_epi8((char)(0xF0 - 0x80))));
	return _mm_xor_si128(_mm_and_si128(must, _mm_set1_epi8((char)0x80)), special);
}

#define LOAD16(p) _mm_loadu_si128((const __m128i *)(const void *)(p))

__attribute__((target("ssse3"))) static inline __m128i block16(const unsigned char *p)
{
	return check16(LOAD16(p), LOAD16(p - 1), LOAD16(p - 2), LOAD16(p - 3));
}

__attribute__((target("ssse3"))) static inline __m128i first_block16(const unsigned char *p)
{
	__m128i in = LOAD16(p), zero = _mm_setzero_si128();
	return check16(in, _mm_alignr_epi8(in, zero, 15), _mm_alignr_epi8(in, zero, 14),
		       _mm_alignr_epi8(in, zero, 13));
}

__attribute__((target("ssse3"))) static inline int any16(__m128i v)
{
	return _mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_setzero_si128())) != 0xFFFF;
}

__attribute__((target("ssse3"))) static size_t first_bad_group_ssse3(const unsigned char *s, size_t n)
{
	if (n < 16 + 3) {
		unsigned char pad[32] = { 0 };
		memcpy(pad, s, n);
		return any16(_mm_or_si128(first_block16(pad), block16(pad + 16))) ? 0 : n;
	}
	__m128i err = first_block16(s);
	size_t o = 16, clean = 0;
	for (; n - o >= UTF8_GROUP; o += UTF8_GROUP) {
		err = _mm_or_si128(err, _mm_or_si128(block16(s + o), block16(s + o + 16)));
		err = _mm_or_si128(err, _mm_or_si128(block16(s + o + 32), block16(s + o + 48)));
		if (any16(err))
			return clean;
		clean = o + UTF8_GROUP;
	}
	for (; n - o >= 16; o += 16)
		err = _mm_or_si128(err, block16(s + o));
	if (o < n) /* the last 16 bytes, overlapping bytes checked already */
		err = _mm_or_si128(err, block16(s + n - 16));
	const __m128i last_max = _mm_setr_epi8(-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, (char)0xEF,
					       (char)0xDF, (char)0xBF);
	err = _mm_or_si128(err, _mm_subs_epu8(LOAD16(s + n - 16), last_max));
	if (any16(err))
		return clean < n ? clean : n - 1;
	return n;
}

/* AVX2, 32 bytes a block. */
__attribute__((target("avx2"))) static inline __m256i check32(__m256i in, __m256i prev1, __m256i prev2,
							      __m256i prev3)
{
	const __m256i nibble = _mm256_set1_epi8(0x0F);
	const __m256i t_prev_high = _mm256_setr_epi8(U8_PREV_HIGH, U8_PREV_HIGH);
	const __m256i t_prev_low = _mm256_setr_epi8(U8_PREV_LOW, U8_PREV_LOW);
	const __m256i t_cur_high = _mm256_setr_epi8(U8_CUR_HIGH, U8_CUR_HIGH);
	__m256i special = _mm256_and_si256(
		_mm256_and_si256(
			_mm256_shuffle_epi8(t_prev_high, _mm256_and_si256(_mm256_srli_epi16(prev1, 4), nibble)),
			_mm256_shuffle_epi8(t_prev_low, _mm256_and_si256(prev1, nibble))),
		_mm256_shuffle_epi8(t_cur_high, _mm256_and_si256(_mm256_srli_epi16(in, 4), nibble)));
	__m256i must = _mm256_or_si256(_mm256_subs_epu8(prev2, _mm256_set1_epi8((char)(0xE0 - 0x80))),
				       _mm256_subs_epu8(prev3, _mm256_set1_epi8((char)(0xF0 - 0x80))));
	return _mm256_xor_si256(_mm256_and_si256(must, _mm256_set1_epi8((char)0x80)), special);
}

#define LOAD32(p) _mm256_loadu_si256((const __m256i *)(const void *)(p))

__attribute__((target("avx2"))) static inline __m256i block32(const unsigned char *p)
{
	return check32(LOAD32(p), LOAD32(p - 1), LOAD32(p - 2), LOAD32(p - 3));
}

__attribute__((target("avx2"))) static inline __m256i first_block32(const unsigned char *p)
{
	__m256i in = LOAD32(p);
	/* zeros then the low lane, so that alignr (which works within lanes)
	 * shifts across the middle */
	__m256i across = _mm256_permute2x128_si256(_mm256_setzero_si256(), in, 0x21);
	return check32(in, _mm256_alignr_epi8(in, across, 15), _mm256_alignr_epi8(in, across, 14),
		       _mm256_alignr_epi8(in, across, 13));
}

__attribute__((target("avx2"))) static size_t first_bad_group_avx2(const unsigned char *s, size_t n)
{
	if (n < 32 + 3) {
		unsigned char pad[64] = { 0 };
		memcpy(pad, s, n);
		__m256i err = _mm256_or_si256(first_block32(pad), block32(pad + 32));
		return _mm256_testz_si256(err, err) ? n : 0;
	}
	__m256i err = first_block32(s);
	size_t o = 32, clean = 0;
	for (; n - o >= UTF8_GROUP; o += UTF8_GROUP) {
		err = _mm256_or_si256(err, _mm256_or_si256(block32(s + o), block32(s + o + 32)));
		if (!_mm256_testz_si256(err, err))
			return clean;
		clean = o + UTF8_GROUP;
	}
	if (n - o >= 32) {
		err = _mm256_or_si256(err, block32(s + o));
		o += 32;
	}
	if (o < n) /* the last 32 bytes, overlapping bytes checked already */
		err = _mm256_or_si256(err, block32(s + n - 32));
	const __m256i last_max = _mm256_setr_epi8(-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
						  -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
						  (char)0xEF, (char)0xDF, (char)0xBF);
	err = _mm256_or_si256(err, _mm256_subs_epu8(LOAD32(s + n - 32), last_max));
	if (!_mm256_testz_si256(err, err))
		return clean < n ? clean : n - 1;
	return n;
}
#endif /* UTF8_X86 */

/* ---- dispatch ------------------------------------------------------------ */

/* Returns n when s[0..n) is well-formed, else an offset i < n at or before
 * the first error such that s[0..i) holds no error, except that it may end
 * inside a sequence (the start of a 64-byte group, or n - 1). */
typedef size_t (*first_bad_group_fn)(const unsigned char *s, size_t n);

static first_bad_group_fn choose(void)
{
#ifdef UTF8_X86
	__builtin_cpu_init();
	if (__builtin_cpu_supports("avx2"))
		return first_bad_group_avx2;
	if (__builtin_cpu_supports("ssse3"))
		return first_bad_group_ssse3;
#endif
	return first_bad_group_scalar;
}

/* Chosen on first use; threads racing there store the same value. */
static first_bad_group_fn first_bad_group_impl;

static inline size_t first_bad_group(const unsigned char *s, size_t n)
{
	if (n == 0) /* s may be NULL then */
		return 0;
	first_bad_group_fn f = __atomic_load_n(&first_bad_group_impl, __ATOMIC_RELAXED);
	if (f == NULL) {
		f = choose();
		__atomic_store_n(&first_bad_group_impl, f, __ATOMIC_RELAXED);
	}
	return f(s, n);
}

int bh_utf8_valid(const char *s, size_t n)
{
	return first_bad_group((const unsigned char *)s, n) == n;
}

size_t bh_utf8_prefix(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = first_bad_group(u, n), start = i;
	if (i == n)
		return n;
	/* s[0..i) holds no error but may end inside a sequence: restart the
	 * exact check at that sequence's lead (at most 3 bytes back). */
	size_t k = i;
	while (k > 0 && i - k < 3 && (u[k - 1] & 0xC0) == 0x80)
		k--;
	if (k > 0 && u[k - 1] >= 0xC0)
		start = k - 1;
	return prefix_scalar(u, start, n);
}
