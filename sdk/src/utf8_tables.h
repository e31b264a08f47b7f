/* The UTF-8 validator's lookup tables (internal to the SDK and in-tree
 * plugins; not installed): the lookup-table method of Keiser and Lemire
 * ("Validating UTF-8 in less than one instruction per byte", 2021).  Each
 * byte pair is classified by three 16-entry tables -- the high and low
 * nibble of the byte before, the high nibble of the byte itself -- whose
 * entries are sets of the error classes below; the pair is wrong when all
 * three share a class.  Used by sdk/src/utf8.c (bh_utf8_valid) and by the
 * csv parser's record loop (plugins/csv/fast.c), which checks the blocks it
 * loads anyway; one copy, so both agree byte for byte. */
#ifndef BH_SDK_UTF8_TABLES_H
#define BH_SDK_UTF8_TABLES_H

enum {
	U8_TOO_SHORT = 1 << 0,	    /* lead, then no continuation */
	U8_TOO_LONG = 1 << 1,	    /* ASCII, then a continuation */
	U8_OVERLONG_3 = 1 << 2,	    /* E0, then 80..9F */
	U8_TOO_LARGE = 1 << 3,	    /* F4 then 90..BF, or F5..FF then a continuation */
	U8_SURROGATE = 1 << 4,	    /* ED, then A0..BF */
	U8_OVERLONG_2 = 1 << 5,	    /* C0 or C1, then a continuation */
	U8_TOO_LARGE_1000 = 1 << 6, /* F5..FF, then 80..8F */
	U8_OVERLONG_4 = 1 << 6,	    /* F0, then 80..8F */
	U8_TWO_CONTS = 1 << 7,	    /* continuation, then continuation: right only inside a 3- or 4-byte sequence */
	U8_CARRY = U8_TOO_SHORT | U8_TOO_LONG | U8_TWO_CONTS,
};

/* The three tables, by the high and low nibble of the byte before and the
 * high nibble of the byte itself (a 32-byte vpshufb needs each twice: it looks
 * up within 16-byte lanes). */
#define U8_PREV_HIGH                                                                                          \
	U8_TOO_LONG, U8_TOO_LONG, U8_TOO_LONG, U8_TOO_LONG, U8_TOO_LONG, U8_TOO_LONG, U8_TOO_LONG,           \
		U8_TOO_LONG, U8_TWO_CONTS, U8_TWO_CONTS, U8_TWO_CONTS, U8_TWO_CONTS,                         \
		U8_TOO_SHORT | U8_OVERLONG_2, U8_TOO_SHORT, U8_TOO_SHORT | U8_OVERLONG_3 | U8_SURROGATE,     \
		U8_TOO_SHORT | U8_TOO_LARGE | U8_TOO_LARGE_1000 | U8_OVERLONG_4
#define U8_PREV_LOW_LARGE (U8_CARRY | U8_TOO_LARGE | U8_TOO_LARGE_1000)
#define U8_PREV_LOW                                                                                           \
	U8_CARRY | U8_OVERLONG_3 | U8_OVERLONG_2 | U8_OVERLONG_4, U8_CARRY | U8_OVERLONG_2, U8_CARRY, U8_CARRY, \
		U8_CARRY | U8_TOO_LARGE, U8_PREV_LOW_LARGE, U8_PREV_LOW_LARGE, U8_PREV_LOW_LARGE,             \
		U8_PREV_LOW_LARGE, U8_PREV_LOW_LARGE, U8_PREV_LOW_LARGE, U8_PREV_LOW_LARGE,                  \
		U8_PREV_LOW_LARGE, U8_PREV_LOW_LARGE | U8_SURROGATE, U8_PREV_LOW_LARGE, U8_PREV_LOW_LARGE
#define U8_CONT_CLASSES (U8_TOO_LONG | U8_OVERLONG_2 | U8_TWO_CONTS)
#define U8_CUR_HIGH                                                                                           \
	U8_TOO_SHORT, U8_TOO_SHORT, U8_TOO_SHORT, U8_TOO_SHORT, U8_TOO_SHORT, U8_TOO_SHORT, U8_TOO_SHORT,    \
		U8_TOO_SHORT, U8_CONT_CLASSES | U8_OVERLONG_3 | U8_TOO_LARGE_1000 | U8_OVERLONG_4,           \
		U8_CONT_CLASSES | U8_OVERLONG_3 | U8_TOO_LARGE, U8_CONT_CLASSES | U8_SURROGATE | U8_TOO_LARGE, \
		U8_CONT_CLASSES | U8_SURROGATE | U8_TOO_LARGE, U8_TOO_SHORT, U8_TOO_SHORT, U8_TOO_SHORT,      \
		U8_TOO_SHORT

#endif
