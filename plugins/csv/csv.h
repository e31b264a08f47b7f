/* csv plugin: internal declarations shared by the parser, formatter and guess. */
#ifndef CSV_CSV_H
#define CSV_CSV_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <bulkhead/plugin.h>
#include <bulkhead/text.h>

/* Named bounds (see the option descriptions for the user-facing ones). */
#define CSV_MAX_LINE_SIZE_DEFAULT "16777216" /* 16 MiB: one record, newlines included */
#define CSV_MAX_LINE_SIZE_LIMIT (INT64_C(1) << 31)
#define CSV_MAX_DELIMITER 16       /* bytes of a delimiter string */
#define CSV_MAX_COLUMNS 100000     /* columns of a schema */
#define CSV_JSON_MAX_DEPTH 512     /* nesting of a json cell */
#define CSV_OUT_BUFFER (256 * 1024) /* formatter output buffered per task */
#define CSV_GUESS_MAX_ROWS 200     /* sample rows the guess reads */
#define CSV_GUESS_MAX_COLUMNS 1024 /* columns the guess accepts */

extern const bh_option csv_parser_options[];
extern const bh_option csv_formatter_options[];
extern const bh_parser_vtable csv_parser_vtable;
extern const bh_formatter_vtable csv_formatter_vtable;

/* options.c: config helpers shared by both directions. */

/* A boolean option, fallback when absent. */
int csv_config_bool(bh_ctx *ctx, const bh_config *cfg, const char *key, int fallback, int *out);
/* The delimiter: 1 to CSV_MAX_DELIMITER bytes (not NUL-terminated), "," when
 * absent, "\t" spelled out is the tab. */
int csv_config_delimiter(bh_ctx *ctx, const bh_config *cfg, char delim[CSV_MAX_DELIMITER], size_t *len);
/* A one-byte option ("" disables it: *out = -1).  Accepts "\t" spelled out. */
int csv_config_char(bh_ctx *ctx, const bh_config *cfg, const char *key, int *out);
/* A time zone option: UTC, Z, GMT, Etc/UTC or a fixed offset +hh[:mm]. */
int csv_zone_parse(const char *name, int32_t *offset);
int csv_config_zone(bh_ctx *ctx, const bh_config *cfg, const char *key, int32_t fallback,
		    int32_t *offset);
/* A string option that may be absent: *out = NULL then. */
int csv_config_optional_string(bh_ctx *ctx, const bh_config *cfg, const char *key, const char **out);

/* Is s[0..n) well-formed UTF-8 (no overlongs or surrogates)?  The SDK's
 * validator, with the common all-ASCII short value decided inline a word
 * at a time. */
static inline int csv_utf8_ok(const char *s, size_t n)
{
	uint64_t acc = 0, w;
	size_t i = 0;
	if (n > 64)
		return bh_utf8_valid(s, n);
	for (; i + 8 <= n; i += 8) {
		memcpy(&w, s + i, 8);
		acc |= w;
	}
	if (n >= 8) {
		memcpy(&w, s + n - 8, 8); /* the tail, overlapping */
		acc |= w;
	} else {
		for (; i < n; i++)
			acc |= (unsigned char)s[i];
	}
	return (acc & UINT64_C(0x8080808080808080)) == 0 || bh_utf8_valid(s, n);
}
static inline int csv_utf8_valid(const char *s, size_t n)
{
	return bh_utf8_valid(s, n);
}

/* json_check.c: is s[0..n) one complete JSON value? */
int csv_json_valid(const char *s, size_t n);

/* guess.c: suggested parser options for a sample, as JSON text. */
int csv_guess(bh_ctx *ctx, const char *sample, size_t len, char **out);

#endif
