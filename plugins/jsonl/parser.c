/* The jsonl parser: splits the byte stream into lines, bounds them, hands
 * each to record.c and routes invalid ones to the host's reject handling. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "jsonl.h"

const bh_option jsonl_parser_options[] = {
	{ "columns", BH_OPT_COLUMNS, NULL, 1,
	  "Columns to read, in output order: a list of {name, type, format, timezone}. name "
	  "is the object key; type is boolean, long, double, string, timestamp or json; "
	  "format (timestamp columns) is a strptime-like pattern with %N for fractions; "
	  "timezone (timestamp columns) applies to text without a zone. A key missing from a "
	  "line gives null; keys not listed are ignored." },
	{ "default_timezone", BH_OPT_STRING, "UTC", 0,
	  "Time zone of timestamp text that carries no zone: UTC or a fixed offset such as "
	  "+09:00 (also Z, GMT, +hh, +hhmm)." },
	{ "default_timestamp_format", BH_OPT_STRING, NULL, 0,
	  "Format of timestamp columns that set no format of their own. Unset accepts ISO "
	  "8601 and \"YYYY-MM-DD hh:mm:ss[.fraction][ zone]\". JSON numbers in timestamp "
	  "columns are seconds since the epoch." },
	{ "max_line_size", BH_OPT_LONG, "16777216", 0,
	  "Longest line accepted, in bytes (at most 1 GiB). A longer line is an invalid "
	  "record." },
	{ "stop_on_invalid_record", BH_OPT_BOOLEAN, "false", 0,
	  "true stops at the first invalid line (bad JSON, not an object, a value that does not convert "
	  "to its column's type, a line over max_line_size) even when exec.invalid_records.action is "
	  "skip. By default invalid lines follow the run's exec.invalid_records policy, which itself "
	  "stops at the first one (with file, line, column and reason) unless set to skip." },
	{ NULL, 0, NULL, 0, NULL },
};

struct parser_state {
	const bh_schema *schema;
	struct jsonl_spec spec;
	size_t max_line_size;
	int stop_on_invalid;
};

/* One run over one stream. */
struct parser_run {
	const struct parser_state *st;
	bh_ctx *ctx;
	const char *source;
	bh_page_builder *pb;
	struct jsonl_scratch scratch;
	uint64_t line_no;
	/* A line that spans chunks is gathered here, up to max_line_size + 1
	 * bytes (room for a CR); past that only its length is counted. */
	char *carry;
	size_t carry_len, carry_cap;
	int oversize;
	/* A part of a split file (run_part; NULL for a whole stream): */
	bh_part *part;
	uint64_t line_start;  /* file offset where the current line starts */
	uint64_t next_start;  /* the next part's first line; UINT64_MAX while unknown */
	int stopped;
	uint64_t line_base;   /* lines before this part's first line */
	int base_known;
	int bom_possible;     /* the stream starts at the file's start */
};

static void parser_end(void *state)
{
	struct parser_state *st = state;
	if (st == NULL)
		return;
	jsonl_spec_clear(&st->spec);
	free(st);
}

/* The host checks the columns list's shape; keys it does not know about
 * (a misspelt timezone) are caught here. */
static int check_column_keys(bh_ctx *ctx, const bh_config *cfg)
{
	static const char *const known[] = { "name", "type", "format", "timezone", NULL };
	char *text = NULL;
	json_t *root, *columns, *entry, *v;
	const char *key;
	size_t i;
	int r = bh_host->config_json(ctx, cfg, &text);

	if (r < 0)
		return r;
	root = json_loads(text, 0, NULL);
	free(text);
	columns = json_object_get(root, "columns");
	r = 0;
	json_array_foreach(columns, i, entry) {
		json_object_foreach(entry, key, v) {
			size_t k = 0;
			while (known[k] != NULL && strcmp(known[k], key) != 0)
				k++;
			if (known[k] == NULL) {
				bh_error(ctx, "columns[%zu]: unknown key '%s' (expected name, type, format or timezone)",
					 i, key);
				r = BH_ECONFIG;
				goto out;
			}
		}
	}
out:
	json_decref(root);
	return r;
}

/* A column's own timezone, read from its entry in the columns list. */
static int read_column_zones(bh_ctx *ctx, const bh_config *cfg, struct jsonl_spec *spec)
{
	for (uint32_t i = 0; i < spec->ncols; i++) {
		const bh_config *entry;
		const char *zone;
		int r;
		if (spec->cols[i].type != BH_TYPE_TIMESTAMP)
			continue;
		r = bh_host->config_list_map(ctx, cfg, "columns", i, &entry);
		if (r == -ENOENT)
			continue;
		if (r < 0)
			return r;
		r = bh_host->config_string(ctx, entry, "timezone", &zone);
		if (r == -ENOENT)
			continue;
		if (r < 0)
			return r;
		if (bh_parse_utc_offset(zone, strlen(zone), &spec->cols[i].timezone_offset) < 0) {
			bh_error(ctx, "columns[%u].timezone: '%s' is not UTC or a fixed offset like +09:00",
				 i, zone);
			return BH_ECONFIG;
		}
	}
	return 0;
}

static int parser_begin(bh_ctx *ctx, const bh_config *cfg, void **state,
			const bh_schema **schema)
{
	struct parser_state *st = calloc(1, sizeof *st);
	struct jsonl_invalid why;
	const char *format = NULL;
	int32_t offset;
	int64_t max_line = JSONL_DEFAULT_MAX_LINE_SIZE;
	int stop = 0, r;

	if (st == NULL)
		return -ENOMEM;
	r = bh_host->config_columns(ctx, cfg, "columns", &st->schema);
	if (r < 0)
		goto fail;
	r = jsonl_default_timezone(ctx, cfg, &offset);
	if (r < 0)
		goto fail;
	r = bh_host->config_string(ctx, cfg, "default_timestamp_format", &format);
	if (r < 0 && r != -ENOENT)
		goto fail;
	if (r == -ENOENT)
		format = NULL;
	r = bh_host->config_long(ctx, cfg, "max_line_size", &max_line);
	if (r < 0 && r != -ENOENT)
		goto fail;
	if (max_line < 1 || max_line > JSONL_MAX_LINE_SIZE_CEILING) {
		bh_error(ctx, "max_line_size: %" PRId64 " is outside 1..%" PRId64, max_line,
			 JSONL_MAX_LINE_SIZE_CEILING);
		r = BH_ECONFIG;
		goto fail;
	}
	r = bh_host->config_boolean(ctx, cfg, "stop_on_invalid_record", &stop);
	if (r < 0 && r != -ENOENT)
		goto fail;
	r = jsonl_spec_init(&st->spec, st->schema, format, offset, &why);
	if (r == BH_ECONFIG)
		bh_error(ctx, "%s", why.reason);
	if (r < 0)
		goto fail;
	r = check_column_keys(ctx, cfg);
	if (r == 0)
		r = read_column_zones(ctx, cfg, &st->spec);
	if (r < 0)
		goto fail;
	st->max_line_size = (size_t)max_line;
	st->stop_on_invalid = stop;
	*state = st;
	*schema = st->schema;
	return 0;
fail:
	parser_end(st);
	return r;
}

/* Reports an invalid line: stops when stop_on_invalid_record is set (as the
 * csv parser does), else lets the host's reject policy decide.  Returns 0 to
 * go on or BH_EDATA to stop. */
static int invalid_line(struct parser_run *run, const char *line, size_t len,
			const struct jsonl_invalid *why)
{
	bh_location where = {
		.source = run->source,
		.column = why->offset + 1,
	};
	const char *source = run->source != NULL ? run->source : "input";
	int r;

	bh_pb_discard_record(run->pb);
	/* A part learns its line numbers when the parts before it are done. */
	if (!run->base_known) {
		if ((r = bh_host->part_line_base(run->ctx, &run->line_base)) < 0)
			return r;
		run->base_known = 1;
	}
	where.line = run->line_base + run->line_no;
	if (run->st->stop_on_invalid) {
		bh_error(run->ctx, "%s:%" PRIu64 ":%" PRIu64 ": %s (stopped: stop_on_invalid_record is true)",
			 source, where.line, where.column, why->reason);
		return BH_EDATA;
	}
	if (bh_host->reject(run->ctx, &where, line, len, why->reason) != 0) {
		bh_error(run->ctx, "%s:%" PRIu64 ":%" PRIu64 ": %s", source, where.line, where.column,
			 why->reason);
		return BH_EDATA;
	}
	return 0;
}

static int oversize_line(struct parser_run *run, const char *line, size_t len)
{
	struct jsonl_invalid why = { .offset = run->st->max_line_size };
	size_t shown = len < run->st->max_line_size ? len : run->st->max_line_size;

	snprintf(why.reason, sizeof why.reason,
		 "line is longer than max_line_size (%zu bytes); the record holds its first %zu bytes",
		 run->st->max_line_size, shown);
	return invalid_line(run, line, shown, &why);
}

/* One complete line, without its LF. */
static int handle_line(struct parser_run *run, const char *line, size_t len, int oversize)
{
	struct jsonl_invalid why;
	int r;

	run->line_no++;
	if (run->line_no == 1 && run->bom_possible && len >= 3 && memcmp(line, "\xEF\xBB\xBF", 3) == 0) {
		line += 3;
		len -= 3;
	}
	if (len > 0 && line[len - 1] == '\r')
		len--;
	if (oversize || len > run->st->max_line_size)
		return oversize_line(run, line, len);
	r = jsonl_record_read(&run->st->spec, &run->scratch, line, len, run->pb, &why);
	switch (r) {
	case 0:
		return bh_pb_end_record(run->pb);
	case 1:
		return 0;
	case 2:
		return invalid_line(run, line, len, &why);
	default:
		bh_pb_discard_record(run->pb);
		if (r == -ENOMEM)
			bh_error(run->ctx, "out of memory at line %" PRIu64, run->line_no);
		return r;
	}
}

/* Appends a piece of a line that spans chunks, keeping at most the bound. */
static int carry_append(struct parser_run *run, const char *s, size_t n)
{
	/* + 1 for a CR; + 3 on the first line for a byte order mark, which
	 * handle_line drops before the size check */
	size_t limit = run->st->max_line_size + 1 + (run->line_no == 0 ? 3 : 0);

	if (run->oversize)
		return 0;
	if (n > limit - run->carry_len) {
		n = limit - run->carry_len;
		run->oversize = 1;
	}
	if (run->carry_len + n > run->carry_cap) {
		size_t cap = run->carry_cap ? run->carry_cap : 65536;
		while (cap < run->carry_len + n)
			cap *= 2;
		if (cap > limit)
			cap = limit;
		char *b = realloc(run->carry, cap);
		if (b == NULL) {
			bh_error(run->ctx, "out of memory buffering line %" PRIu64, run->line_no + 1);
			return -ENOMEM;
		}
		run->carry = b;
		run->carry_cap = cap;
	}
	memcpy(run->carry + run->carry_len, s, n);
	run->carry_len += n;
	return 0;
}

static int carry_flush(struct parser_run *run)
{
	int oversize = run->oversize;
	size_t len = run->carry_len, body = len;
	if (run->line_no == 0 && run->bom_possible && len >= 3 && memcmp(run->carry, "\xEF\xBB\xBF", 3) == 0)
		body -= 3; /* not counted, as when the line arrives whole */
	/* A line of exactly max_line_size bytes plus CR fits; anything longer does not. */
	if (!oversize && body > run->st->max_line_size &&
	    !(body == run->st->max_line_size + 1 && run->carry[len - 1] == '\r'))
		oversize = 1;
	run->carry_len = 0;
	run->oversize = 0;
	return handle_line(run, run->carry, len, oversize);
}

/* Has the current line (starting at line_start) reached the next part? */
static int at_next_part(struct parser_run *run)
{
	if (run->line_start < run->next_start)
		return 0;
	run->stopped = 1;
	return 1;
}

/* Parses the lines of data, bytes [offset, offset + n) of the file. */
static int chunk(struct parser_run *run, const char *data, size_t n, uint64_t offset)
{
	const char *p = data, *end = data + n;
	int r;

	while (p < end) {
		const char *nl;
		if (run->carry_len == 0 && !run->oversize) { /* a line starts at p */
			run->line_start = offset + (uint64_t)(p - data);
			if (at_next_part(run))
				return 0;
		}
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			return carry_append(run, p, (size_t)(end - p));
		if (run->carry_len > 0 || run->oversize) {
			r = carry_append(run, p, (size_t)(nl - p));
			if (r == 0)
				r = carry_flush(run);
		} else
			r = handle_line(run, p, (size_t)(nl - p), 0);
		if (r < 0)
			return r;
		p = nl + 1;
	}
	return 0;
}

static int run_stream(void *state, bh_ctx *ctx, bh_stream *in, bh_part *part, bh_page_builder *pb)
{
	struct parser_run run = {
		.st = state,
		.ctx = ctx,
		.source = in->name,
		.pb = pb,
		.part = part,
		.next_start = UINT64_MAX,
		.base_known = !part || part->first,
		.bom_possible = !part || part->first,
	};
	uint64_t offset = part ? part->start : 0;
	int seeking = part && !part->start_is_record;
	const char *data;
	ssize_t n;
	int r;

	pb->page.flags |= BH_PAGE_UTF8; /* every string and json cell is checked */
	r = jsonl_scratch_init(&run.scratch, run.st->spec.ncols);
	if (r < 0)
		return r;
	for (;;) {
		n = in->read(in->self, &data);
		if (n < 0) {
			r = (int)n;
			goto out;
		}
		if (n == 0)
			break;
		/* A part: the next part's first line follows the first LF at or after its start. */
		if (part && run.next_start == UINT64_MAX && part->end != UINT64_MAX &&
		    offset + (uint64_t)n > part->end) {
			size_t from = part->end > offset ? (size_t)(part->end - offset) : 0;
			const char *nl = memchr(data + from, '\n', (size_t)n - from);
			if (nl)
				run.next_start = offset + (uint64_t)(nl - data) + 1;
		}
		if (seeking) { /* the bytes up to the first LF are the previous part's */
			const char *nl = memchr(data, '\n', (size_t)n);
			size_t skip = nl ? (size_t)(nl + 1 - data) : (size_t)n;
			seeking = nl == NULL;
			data += skip;
			n -= (ssize_t)skip;
			offset += skip;
			if (n == 0)
				continue;
		}
		r = chunk(&run, data, (size_t)n, offset);
		offset += (uint64_t)n;
		if (r < 0)
			goto out;
		if (run.stopped)
			break;
	}
	r = 0;
	if (!run.stopped && (run.carry_len > 0 || run.oversize) && !at_next_part(&run))
		r = carry_flush(&run);
	if (r == 0 && part) {
		part->stop = run.stopped ? run.line_start : offset;
		part->lines = run.line_no;
		part->stop_exact = run.next_start == UINT64_MAX || run.next_start == part->stop;
	}
out:
	free(run.carry);
	jsonl_scratch_clear(&run.scratch);
	return r;
}

static int parser_run(void *state, bh_ctx *ctx, bh_stream *in, bh_page_builder *pb)
{
	return run_stream(state, ctx, in, NULL, pb);
}

static int parser_run_part(void *state, bh_ctx *ctx, bh_stream *in, bh_part *part, bh_page_builder *pb)
{
	return run_stream(state, ctx, in, part, pb);
}

const bh_parser_vtable jsonl_parser_vtable = {
	.struct_size = sizeof(bh_parser_vtable),
	.begin = parser_begin,
	.run = parser_run,
	.end = parser_end,
	.guess = jsonl_guess,
	.run_part = parser_run_part,
};
