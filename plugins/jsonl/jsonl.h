/* jsonl plugin internals: the component tables and the record reader shared
 * by parser.c (lines, limits, rejects) and record.c (one object -> one record). */
#ifndef JSONL_JSONL_H
#define JSONL_JSONL_H

#include <stddef.h>
#include <stdint.h>
#include <bulkhead/bulkhead.h>

/* Default and ceiling of the parser's max_line_size option. */
#define JSONL_DEFAULT_MAX_LINE_SIZE ((int64_t)16 << 20)
#define JSONL_MAX_LINE_SIZE_CEILING ((int64_t)1 << 30)

extern const bh_option jsonl_parser_options[];
extern const bh_parser_vtable jsonl_parser_vtable;
extern const bh_option jsonl_formatter_options[];
extern const bh_formatter_vtable jsonl_formatter_vtable;

/* The default_timezone option of parser and formatter (plugin.c): UTC when
 * absent; anything but UTC or a fixed offset is a config error. */
int jsonl_default_timezone(bh_ctx *ctx, const bh_config *cfg, int32_t *offset);

/* The parser's guess callback (guess.c): suggested options as JSON text,
 * freed by the caller with free(). */
int jsonl_guess(bh_ctx *ctx, const char *sample, size_t len, char **out);

/* One configured column of the parser. */
struct jsonl_column {
	const char *name; /* the JSON key, owned by the host's schema */
	size_t name_len;
	bh_type type;
	const char *timestamp_format; /* NULL: the SDK's ISO 8601 forms */
	int32_t timezone_offset;      /* for timestamp text without a zone */
};

/* What the parser knows before it reads a byte; shared read-only by tasks. */
struct jsonl_spec {
	uint32_t ncols;
	struct jsonl_column *cols;
	uint32_t *slots; /* open-addressing key index: column + 1, 0 = empty */
	uint32_t mask;   /* slot count - 1 */
};

/* Per-task scratch for reading records. */
struct jsonl_scratch {
	char *buf;      /* decoded strings of non-string columns, escaped keys */
	size_t cap;
	uint64_t *seen; /* seen[col] == stamp when the current record set col */
	uint64_t stamp;
	uint32_t ncols;
};

/* Why a line is not a valid record. */
struct jsonl_invalid {
	size_t offset; /* byte offset in the line */
	char reason[320];
};

/* Builds the key index of schema into spec (freed by jsonl_spec_clear).
 * Returns 0, -ENOMEM, or BH_ECONFIG with reason filled for duplicate names. */
int jsonl_spec_init(struct jsonl_spec *spec, const bh_schema *schema, const char *default_format,
		    int32_t timezone_offset, struct jsonl_invalid *why);
void jsonl_spec_clear(struct jsonl_spec *spec);

int jsonl_scratch_init(struct jsonl_scratch *sc, uint32_t ncols);
void jsonl_scratch_clear(struct jsonl_scratch *sc);

/* Reads one line holding a JSON object into the current record of pb (not
 * ended).  Returns 0 when the record is filled, 1 when the line is blank,
 * 2 when the line is invalid (why filled; the caller discards the record),
 * or a negative errno from the page builder. */
int jsonl_record_read(const struct jsonl_spec *spec, struct jsonl_scratch *sc, const char *line,
		      size_t len, bh_page_builder *pb, struct jsonl_invalid *why);

#endif
