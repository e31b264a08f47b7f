/* csv parser internals: the configuration shared by tasks, one task's
 * state, and the record tokenizer (record.c) driven by the chunk loop
 * (parser.c). */
#ifndef CSV_PARSER_H
#define CSV_PARSER_H

#include "plugins/csv/csv.h"

struct csv_column {
	const char *name;
	bh_type type;
	const char *format; /* timestamps: strptime-style, NULL for ISO 8601 */
	int32_t zone;       /* timestamps: seconds east of UTC for text without a zone */
};

struct csv_parser {
	char delim[CSV_MAX_DELIMITER];
	size_t delim_len;
	int quote;  /* -1: none */
	int escape; /* -1: none */
	const char *null_string; /* NULL: empty unquoted fields are null */
	size_t null_len;         /* 0 without a null_string (fast.c relies on it) */
	int trim;
	int64_t skip_header_lines;
	int allow_extra, allow_optional, stop_on_invalid;
	const char *comment;
	size_t comment_len;
	size_t max_quoted, max_line;
	const bh_schema *schema;
	struct csv_column *cols;
	uint32_t ncols;
};

struct csv_task {
	const struct csv_parser *p;
	bh_ctx *ctx;
	bh_page_builder *pb;
	const char *source;
	uint64_t line; /* physical lines consumed so far */
	char *scratch; /* unescaped quoted fields, grown up to max_quoted */
	size_t scratch_cap;
	/* fast.c: the masks of the 64 bytes from win_base (of data up to
	 * win_end), kept for the next call.  The chunk loop drops them (NULL)
	 * on every new chunk: a new one may reuse the same buffer. */
	const char *win_base, *win_end;
	uint64_t win_field_end, win_special, win_bad;
	int fast_mode; /* fast.c: 0 undecided, -1 not this configuration, 1 on, 2 on with AVX2 */
	int slow_only; /* tests: every record through the general tokenizer */
	int no_avx2;   /* tests: the fast path with its SSE2 masks */
	/* fast.c, set with fast_mode: the delimiter, quote, escape, \n and \r,
	 * each repeated 32 times (the masks compare with them in memory), then
	 * the UTF-8 check's tables. */
	unsigned char fast_rep[5 + 8][32];
	uint64_t fast_records; /* records the fast path took (tests) */
	char reason[640];
	char excerpt[4 * 64 + 8]; /* a value quoted in reason */
};

enum csv_status {
	CSV_RECORD,     /* a record was appended (not yet ended) */
	CSV_SKIP,       /* an empty or comment line */
	CSV_INCOMPLETE, /* more input is needed to decide */
	CSV_INVALID,    /* an invalid record: reason in task->reason */
	CSV_FAIL,       /* an error (e.g. no memory): code in result.error */
};

struct csv_result {
	size_t consumed; /* bytes of the record, its line end included */
	uint64_t lines;  /* line ends within those bytes */
	uint32_t column; /* 1-based column of the problem, 0 for the whole record */
	size_t raw_len;  /* invalid: bytes to report when not all of consumed (0) */
	int resync;      /* invalid and the record's extent is unknown: resume after its first line */
	int error;
};

/* Tokenizes one record starting at s (bytes up to end, end of input when eof)
 * and appends its values to task->pb, with the general tokenizer. */
enum csv_status csv_parse_record(struct csv_task *t, const char *s, const char *end, int eof,
				 struct csv_result *res);

/* Bytes up to and including the first line end at or after s, or 0 when it
 * is not within [s, end) (a lone \r at end counts only at eof). */
size_t csv_line_length(const char *s, const char *end, int eof);

/* What csv_fast_records took. */
struct csv_batch {
	size_t consumed;  /* bytes of the records taken, line ends included */
	uint64_t records; /* records taken (one line each) */
	int hard;         /* it stopped at a record it does not take (at s + consumed) */
};

/* fast.c: the plain records of the common configuration (a one-byte
 * delimiter, a quote, no trimming) from s on, each appended and ended as
 * csv_parse_record and bh_pb_end_record would (full pages are flushed).
 * [s, end) is the chunk; it stops before the first record that starts at
 * or after stop (<= end) and before the first one it can not take
 * (b->hard: it needs the general tokenizer).  Returns 0, or the error of a
 * page flush. */
int csv_fast_records(struct csv_task *t, const char *s, const char *end, const char *stop, struct csv_batch *b);

#endif
