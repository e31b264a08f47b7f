/* bulkhead plugin test kit: run a plugin's components in-process against
 * fixture data with a mock host, from a plugin author's own unit tests.
 * Link with -lbulkhead-testkit (pkg-config bulkhead-testkit).
 *
 * Values are exchanged as JSON text so tests read naturally:
 *   records: [[1, "a", null], [2, "b", 1.5]]        (timestamps as strings
 *   "YYYY-MM-DD hh:mm:ss.nnnnnnnnn UTC", json cells as JSON values)
 *   schema:  [{"name":"id","type":"long"}, ...]
 *   config:  {"delimiter": ",", "columns": [...]}     (defaults applied from
 *            the component's option table; unknown keys are an error) */
#ifndef BULKHEAD_TESTKIT_H
#define BULKHEAD_TESTKIT_H

#include <stddef.h>
#include <bulkhead/plugin.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct bh_testkit bh_testkit;

/* Loads a plugin library (dlopen RTLD_NOW|RTLD_LOCAL) and calls its entry.
 * Returns NULL and writes a message to stderr on failure.  Free with
 * bh_testkit_free(). */
bh_testkit *bh_testkit_open(const char *library_path);
void bh_testkit_free(bh_testkit *tk);
const bh_plugin *bh_testkit_plugin(const bh_testkit *tk);

/* Reject handling for the next runs: max_rejects < 0 stops on the first
 * invalid record (the default); otherwise up to max_rejects are collected. */
void bh_testkit_set_max_rejects(bh_testkit *tk, long max_rejects);

/* The message of the last failure (valid until the next call). */
const char *bh_testkit_error(const bh_testkit *tk);

/* Output of a run.  Every string is owned by the result (free with
 * bh_testkit_result_free). */
typedef struct bh_testkit_result {
	int status;         /* what the plugin returned: 0 or a negative code */
	char *schema_json;  /* output schema */
	char *records_json; /* output records */
	char *rejects_json; /* [{"line":N,"reason":"...","record":"..."}] */
	char *bytes;        /* formatter/encoder output */
	size_t bytes_len;
	char *next_json;    /* next_config_set() calls, as an object */
	char *error;        /* the message given with bh_error, or NULL */
	size_t record_count;
	/* The flags (BH_PAGE_*) every page the component delivered had; 0 when
	 * it delivered none. */
	unsigned page_flags;
} bh_testkit_result;
void bh_testkit_result_free(bh_testkit_result *r);

/* Byte inputs to parsers and decoders are fed in chunks of at most this many
 * bytes (default: all at once), to test records that span chunks. */
void bh_testkit_set_chunk_size(bh_testkit *tk, size_t chunk_size);

/* parser `type`: parses `input`. */
int bh_testkit_parse(bh_testkit *tk, const char *type, const char *config_json, const char *input,
		     size_t len, bh_testkit_result **out);
/* parser `type` (ABI 1.1 run_part): parses `input` as the parts a split file
 * cut at the byte offsets cuts[0] < cuts[1] < ... (ncuts of them, each inside
 * the input) would give, one after another the way bulkhead-worker runs
 * them: a part whose assumed start the part before refutes is run again from
 * the right record, and its first attempt's records and rejects are dropped.
 * For a correct parser the result equals bh_testkit_parse's, whatever the cuts. */
int bh_testkit_parse_parts(bh_testkit *tk, const char *type, const char *config_json, const char *input,
			   size_t len, const size_t *cuts, size_t ncuts, bh_testkit_result **out);
/* formatter `type`: formats records of schema into bytes. */
int bh_testkit_format(bh_testkit *tk, const char *type, const char *config_json,
		      const char *schema_json, const char *records_json, bh_testkit_result **out);
/* filter `type`: runs records of schema through the filter. */
int bh_testkit_filter(bh_testkit *tk, const char *type, const char *config_json,
		      const char *schema_json, const char *records_json, bh_testkit_result **out);
/* decoder/encoder `type`: transforms bytes. */
int bh_testkit_decode(bh_testkit *tk, const char *type, const char *config_json, const char *input,
		      size_t len, bh_testkit_result **out);
int bh_testkit_encode(bh_testkit *tk, const char *type, const char *config_json, const char *input,
		      size_t len, bh_testkit_result **out);
/* parser guess: out->bytes holds the suggested JSON. */
int bh_testkit_guess(bh_testkit *tk, const char *type, const char *sample, size_t len,
		     bh_testkit_result **out);
/* input `type`: runs every task and commits; byte inputs are read through
 * parser `parser_type` of parser_kit (which may be tk itself) with
 * parser_config_json.  Page inputs pass NULL for the three parser arguments. */
int bh_testkit_input(bh_testkit *tk, const char *type, const char *config_json,
		     bh_testkit *parser_kit, const char *parser_type, const char *parser_config_json,
		     bh_testkit_result **out);
/* output `type`: writes records in task_count tasks (split into contiguous
 * runs) and commits, or aborts when any step failed.  Byte outputs need a
 * formatter `formatter_type` from formatter_kit; page outputs pass NULLs. */
int bh_testkit_output(bh_testkit *tk, const char *type, const char *config_json,
		      const char *schema_json, const char *records_json, unsigned task_count,
		      bh_testkit *formatter_kit, const char *formatter_type,
		      const char *formatter_config_json, bh_testkit_result **out);

#ifdef __cplusplus
}
#endif
#endif
