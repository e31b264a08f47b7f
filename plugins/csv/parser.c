/* The csv parser: reads its configuration, then drives the record tokenizer
 * over the chunks of each task's byte stream.  Records that span chunks are
 * completed in a carry buffer bounded by max_line_size; invalid records go to
 * the host's reject handling with their line number. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "plugins/csv/parser.h"

#define CARRY_MIN_STEP 4096 /* first piece appended to a non-empty carry */

static const unsigned char utf8_bom[3] = { 0xEF, 0xBB, 0xBF };

static void parser_free(struct csv_parser *p)
{
	if (!p)
		return;
	free(p->cols);
	free(p);
}

static int read_long(bh_ctx *ctx, const bh_config *cfg, const char *key, int64_t min, int64_t max, int64_t fallback,
		     int64_t *out)
{
	int64_t v;
	int r = bh_host->config_long(ctx, cfg, key, &v);
	if (r == -ENOENT) {
		*out = fallback;
		return 0;
	}
	if (r < 0)
		return r;
	if (v < min || v > max) {
		bh_error(ctx, "option '%s' must be between %lld and %lld (got %lld)", key, (long long)min,
			 (long long)max, (long long)v);
		return BH_ECONFIG;
	}
	*out = v;
	return 0;
}

static int read_columns(bh_ctx *ctx, const bh_config *cfg, struct csv_parser *p)
{
	const char *default_format;
	int32_t default_zone;
	int r = bh_host->config_columns(ctx, cfg, "columns", &p->schema);
	if (r == -ENOENT) {
		bh_error(ctx, "option 'columns' is required (run `bulkhead guess` to suggest it)");
		return BH_ECONFIG;
	}
	if (r < 0)
		return r;
	if (p->schema->count == 0 || p->schema->count > CSV_MAX_COLUMNS) {
		bh_error(ctx, "option 'columns' must list between 1 and %d columns", CSV_MAX_COLUMNS);
		return BH_ECONFIG;
	}
	if ((r = csv_config_optional_string(ctx, cfg, "default_timestamp_format", &default_format)) < 0 ||
	    (r = csv_config_zone(ctx, cfg, "default_timezone", 0, &default_zone)) < 0)
		return r;
	p->ncols = p->schema->count;
	p->cols = calloc(p->ncols, sizeof(*p->cols));
	if (!p->cols)
		return -ENOMEM;
	for (uint32_t i = 0; i < p->ncols; i++) {
		const bh_column *c = &p->schema->columns[i];
		const bh_config *cc = NULL;
		struct csv_column *col = &p->cols[i];
		col->name = c->name;
		col->type = c->type;
		col->format = c->format ? c->format : default_format;
		col->zone = default_zone;
		if (c->type != BH_TYPE_TIMESTAMP)
			continue;
		r = bh_host->config_list_map(ctx, cfg, "columns", i, &cc);
		if (r < 0)
			return r;
		r = csv_config_zone(ctx, cc, "timezone", default_zone, &col->zone);
		if (r < 0)
			return r;
	}
	return 0;
}

static int parser_begin(bh_ctx *ctx, const bh_config *cfg, void **state, const bh_schema **schema)
{
	struct csv_parser *p = calloc(1, sizeof(*p));
	const char *s;
	int64_t v;
	int r, header_line = 0;
	if (!p)
		return -ENOMEM;

	if ((r = csv_config_delimiter(ctx, cfg, p->delim, &p->delim_len)) < 0 ||
	    (r = csv_config_char(ctx, cfg, "quote", &p->quote)) < 0 ||
	    (r = csv_config_char(ctx, cfg, "escape", &p->escape)) < 0)
		goto out;
	if (p->quote >= 0 && p->quote == (unsigned char)p->delim[0]) {
		r = BH_ECONFIG;
		bh_error(ctx, "options 'quote' and 'delimiter' must differ");
		goto out;
	}
	if ((r = csv_config_optional_string(ctx, cfg, "null_string", &p->null_string)) < 0)
		goto out;
	p->null_len = p->null_string ? strlen(p->null_string) : 0;
	if ((r = csv_config_optional_string(ctx, cfg, "comment_line_marker", &p->comment)) < 0)
		goto out;
	if (p->comment && p->comment[0] == '\0')
		p->comment = NULL;
	p->comment_len = p->comment ? strlen(p->comment) : 0;
	if ((r = csv_config_bool(ctx, cfg, "trim_if_not_quoted", 0, &p->trim)) < 0 ||
	    (r = csv_config_bool(ctx, cfg, "allow_extra_columns", 0, &p->allow_extra)) < 0 ||
	    (r = csv_config_bool(ctx, cfg, "allow_optional_columns", 0, &p->allow_optional)) < 0 ||
	    (r = csv_config_bool(ctx, cfg, "stop_on_invalid_record", 0, &p->stop_on_invalid)) < 0 ||
	    (r = csv_config_bool(ctx, cfg, "header_line", 0, &header_line)) < 0)
		goto out;
	if ((r = read_long(ctx, cfg, "skip_header_lines", 0, INT64_MAX, 0, &p->skip_header_lines)) < 0)
		goto out;
	if (header_line && p->skip_header_lines == 0)
		p->skip_header_lines = 1;
	if ((r = read_long(ctx, cfg, "max_quoted_size_limit", 1, CSV_MAX_LINE_SIZE_LIMIT, 131072, &v)) < 0)
		goto out;
	p->max_quoted = (size_t)v;
	if ((r = read_long(ctx, cfg, "max_line_size", 16, CSV_MAX_LINE_SIZE_LIMIT,
			   strtoll(CSV_MAX_LINE_SIZE_DEFAULT, NULL, 10), &v)) < 0)
		goto out;
	p->max_line = (size_t)v;

	if ((r = csv_config_optional_string(ctx, cfg, "charset", &s)) < 0)
		goto out;
	if (s && strcasecmp(s, "UTF-8") != 0 && strcasecmp(s, "UTF8") != 0 && strcasecmp(s, "US-ASCII") != 0 &&
	    strcasecmp(s, "ASCII") != 0) {
		r = BH_ECONFIG;
		bh_error(ctx, "option 'charset': only UTF-8 input is supported (got \"%s\"); convert it first, "
			      "e.g. with iconv", s);
		goto out;
	}
	if ((r = csv_config_optional_string(ctx, cfg, "newline", &s)) < 0)
		goto out;
	if (s && strcasecmp(s, "CRLF") != 0 && strcasecmp(s, "LF") != 0 && strcasecmp(s, "CR") != 0) {
		r = BH_ECONFIG;
		bh_error(ctx, "option 'newline' must be CRLF, LF or CR (got \"%s\")", s);
		goto out;
	}
	if ((r = read_columns(ctx, cfg, p)) < 0)
		goto out;
	*schema = p->schema;
	*state = p;
	return 0;
out:
	parser_free(p);
	return r;
}

static void parser_end(void *state)
{
	parser_free(state);
}

/* ---- running a task ------------------------------------------------------ */

struct run {
	struct csv_task t;
	char *carry;
	size_t carry_len, carry_cap;
	uint64_t header_left;
	int at_start; /* a byte order mark may still come */
	int skipping; /* dropping the rest of an oversized line */
	/* A part of a split file (run_part; NULL for a whole stream): */
	bh_part *part;
	uint64_t offset;     /* file offset of the next byte the stream gives */
	uint64_t base;       /* file offset of the data process() works on */
	uint64_t next_start; /* the next part's first record; UINT64_MAX while unknown */
	int seeking;         /* dropping bytes up to the first line end (the previous part's) */
	int stopped;         /* reached next_start: the rest is the next part's */
	uint64_t stop_at;    /* file offset of the record boundary where it stopped */
	uint64_t line_base;  /* line ends before this part's first record */
	int base_known;
};

/* An invalid record: the host's reject policy decides, unless
 * stop_on_invalid_record is set.  Returns 0 to go on. */
static int report(struct run *run, const char *rec, size_t len, uint32_t column)
{
	struct csv_task *t = &run->t;
	bh_location loc;
	int r;
	/* A part learns its line numbers when the parts before it are done. */
	if (!run->base_known) {
		if ((r = bh_host->part_line_base(t->ctx, &run->line_base)) < 0)
			return r;
		run->base_known = 1;
	}
	loc.source = t->source;
	loc.line = run->line_base + t->line + 1;
	loc.column = column;
	/* The record's own line end is not part of it. */
	if (len && rec[len - 1] == '\n')
		len--;
	if (len && rec[len - 1] == '\r')
		len--;
	if (t->p->stop_on_invalid) {
		bh_error(t->ctx, "%s:%llu: %s (stopped: stop_on_invalid_record is true)",
			 t->source ? t->source : "input", (unsigned long long)loc.line, t->reason);
		return BH_EDATA;
	}
	r = bh_host->reject(t->ctx, &loc, rec, len, t->reason);
	return r == 0 ? 0 : r < 0 ? r : BH_EDATA;
}

/* An invalid record longer than max_line_size is reported as oversized, as
 * the chunk loop must when it can not buffer it whole (whatever else is wrong
 * with it): its first max_line_size bytes, and reading resumes after its
 * first line.  Otherwise the reason would depend on the chunk sizes. */
static void oversized(struct csv_task *t, const char *rec, struct csv_result *res)
{
	size_t first = csv_line_length(rec, rec + res->consumed, 1);
	if (first == 0) /* the last line, without a line end */
		first = res->consumed;
	snprintf(t->reason, sizeof(t->reason), "record larger than max_line_size (%zu bytes)", t->p->max_line);
	res->column = 0;
	if (res->lines > 1) {
		res->consumed = first;
		res->lines = 1;
		res->resync = 1;
	}
	res->raw_len = first < t->p->max_line ? first : t->p->max_line;
}

/* Parses complete records from data; *used receives the bytes consumed (the
 * rest is an incomplete record unless eof). */
static int process(struct run *run, const char *data, size_t len, int eof, size_t *used)
{
	struct csv_task *t = &run->t;
	size_t pos = 0, avail;
	int r, cut;

	t->win_base = NULL; /* data is a new chunk */
	if (run->at_start) {
		size_t k = len < 3 ? len : 3;
		if (memcmp(data, utf8_bom, k) == 0 && k < 3 && !eof) {
			*used = 0;
			return 0;
		}
		if (k == 3 && memcmp(data, utf8_bom, 3) == 0)
			pos = 3;
		run->at_start = 0;
	}
	while (pos < len) {
		struct csv_result res;
		enum csv_status st;
		if (run->base + pos >= run->next_start && !run->skipping && !run->header_left) {
			run->stopped = 1; /* a record boundary in the next part */
			run->stop_at = run->base + pos;
			break;
		}
		if (run->skipping || run->header_left) {
			size_t n = csv_line_length(data + pos, data + len, eof);
			if (n == 0 && !eof) {
				if (run->skipping) /* drop what we have but a \r that may start \r\n */
					pos = data[len - 1] == '\r' ? len - 1 : len;
				break;
			}
			pos += n ? n : len - pos;
			t->line++;
			if (run->skipping)
				run->skipping = 0;
			else
				run->header_left--;
			continue;
		}
		if (t->fast_mode >= 0 && !t->slow_only) {
			/* The plain records from here on, up to the next part's first
			 * record; then the one it did not take, if any, as below. */
			struct csv_batch b;
			size_t stop = run->next_start - run->base < len ? (size_t)(run->next_start - run->base) : len;
			if ((r = csv_fast_records(t, data + pos, data + len, data + stop, &b)) < 0)
				return r;
			pos += b.consumed;
			t->line += b.records;
			if (!b.hard)
				continue;
		}
		/* A record never sees more than max_line_size + 1 bytes, so whether
		 * it is oversized does not depend on how much data came at once. */
		avail = len - pos;
		cut = avail > t->p->max_line + 1;
		st = csv_parse_record(t, data + pos, data + pos + (cut ? t->p->max_line + 1 : avail), eof && !cut,
				      &res);
		if (st == CSV_INCOMPLETE && cut) {
			size_t first = csv_line_length(data + pos, data + len, eof);
			if (first == 0 && !eof) { /* the chunk loop drops the rest of the line */
				bh_pb_discard_record(t->pb);
				*used = pos;
				return 0;
			}
			st = CSV_INVALID;
			memset(&res, 0, sizeof(res));
			res.consumed = first ? first : avail;
			res.lines = first ? 1 : 0;
			oversized(t, data + pos, &res);
		}
		switch (st) {
		case CSV_RECORD:
			if ((r = bh_pb_end_record(t->pb)) < 0)
				return r;
			break;
		case CSV_SKIP:
			break;
		case CSV_INCOMPLETE:
			bh_pb_discard_record(t->pb);
			*used = pos;
			return 0;
		case CSV_INVALID:
			bh_pb_discard_record(t->pb);
			if (res.consumed == 0) /* at eof: the rest is the record */
				res.consumed = len - pos;
			if (res.consumed > t->p->max_line)
				oversized(t, data + pos, &res);
			if ((r = report(run, data + pos, res.raw_len ? res.raw_len : res.consumed, res.column)) < 0)
				return r;
			break;
		case CSV_FAIL:
			bh_pb_discard_record(t->pb);
			return res.error < 0 ? res.error : -EIO;
		}
		if (res.consumed == 0) /* nothing left at eof */
			res.consumed = len - pos;
		pos += res.consumed;
		t->line += res.lines;
	}
	*used = pos;
	return 0;
}

static int carry_append(struct run *run, const char *data, size_t n)
{
	if (run->carry_cap - run->carry_len < n) {
		size_t cap = run->carry_cap ? run->carry_cap : 65536;
		char *b;
		while (cap - run->carry_len < n)
			cap *= 2;
		b = realloc(run->carry, cap);
		if (!b)
			return -ENOMEM;
		run->carry = b;
		run->carry_cap = cap;
	}
	memcpy(run->carry + run->carry_len, data, n);
	run->carry_len += n;
	return 0;
}

/* Drops the carry (the start of an oversized line) and the rest of its line
 * as it arrives; a final \r stays, as it may be the start of \r\n. */
static void start_skipping(struct run *run)
{
	int keep_cr = run->carry[run->carry_len - 1] == '\r';
	if (keep_cr)
		run->carry[0] = '\r';
	run->carry_len = keep_cr;
	run->skipping = 1;
}

/* Parses what the carry holds and keeps only the unfinished record; rejects
 * that record if it already exceeds max_line_size. */
static int drain_carry(struct run *run, int eof)
{
	size_t used;
	int r;
	run->base = run->offset - run->carry_len; /* the carry ends where the stream is */
	r = process(run, run->carry, run->carry_len, eof, &used);
	if (r < 0)
		return r;
	memmove(run->carry, run->carry + used, run->carry_len - used);
	run->carry_len -= used;
	if (run->stopped)
		return 0;
	if (run->carry_len > run->t.p->max_line && run->header_left) {
		/* a long header line is not a record: drop it without buffering */
		run->header_left--;
		start_skipping(run);
	} else if (run->carry_len > run->t.p->max_line) {
		struct csv_task *t = &run->t;
		size_t first = csv_line_length(run->carry, run->carry + run->carry_len, 0);
		snprintf(t->reason, sizeof(t->reason), "record larger than max_line_size (%zu bytes)", t->p->max_line);
		r = report(run, run->carry, first && first < t->p->max_line ? first : t->p->max_line, 0);
		if (r < 0)
			return r;
		if (first) { /* a multi-line record: resume after its first line */
			memmove(run->carry, run->carry + first, run->carry_len - first);
			run->carry_len -= first;
			t->line++;
			return drain_carry(run, eof);
		}
		start_skipping(run);
	}
	return 0;
}

/* Feeds one chunk: straight from the chunk while no record is pending, else
 * through the carry in growing pieces that end at line ends, so a pending
 * record is re-tokenized O(1) times per byte on average. */
static int feed(struct run *run, const char *data, size_t n)
{
	size_t off = 0, used;
	int r;
	while (off < n) {
		if (run->carry_len == 0) {
			run->base = run->offset - (n - off); /* offset is past the chunk */
			if ((r = process(run, data + off, n - off, 0, &used)) < 0)
				return r;
			off += used;
			if (run->stopped)
				return 0;
			if (off < n && (r = carry_append(run, data + off, n - off)) < 0)
				return r;
			/* The leftover was just found incomplete: only its size matters now. */
			return run->carry_len > run->t.p->max_line ? drain_carry(run, 0) : 0;
		} else {
			size_t step = run->carry_len > CARRY_MIN_STEP ? run->carry_len : CARRY_MIN_STEP;
			size_t take = n - off, extra;
			if (step < take) {
				extra = csv_line_length(data + off + step, data + n, 0);
				take = extra ? step + extra : take;
			}
			if ((r = carry_append(run, data + off, take)) < 0)
				return r;
			off += take;
			/* The carry now ends mid-chunk: offset - (n - off) is its end. */
			run->offset -= n - off;
			r = drain_carry(run, 0);
			run->offset += n - off;
			if (r < 0 || run->stopped)
				return r;
		}
	}
	return 0;
}

/* A part: finds where the next part's first record is assumed to start
 * (after the first line end at or after part->end) in the chunk that holds
 * bytes [chunk, chunk + n) of the file. */
static void find_next_start(struct run *run, const char *data, size_t n, uint64_t chunk)
{
	uint64_t end = run->part->end;
	const char *nl;
	size_t from;
	if (run->next_start != UINT64_MAX || end == UINT64_MAX || chunk + n <= end)
		return;
	from = end > chunk ? (size_t)(end - chunk) : 0;
	nl = memchr(data + from, '\n', n - from);
	if (nl)
		run->next_start = chunk + (uint64_t)(nl - data) + 1;
}

static int run_stream(struct csv_parser *p, bh_ctx *ctx, bh_stream *in, bh_part *part, bh_page_builder *out)
{
	struct run run;
	int r = 0;
	memset(&run, 0, sizeof(run));
	run.t.p = p;
	run.t.ctx = ctx;
	run.t.pb = out;
	out->page.flags |= BH_PAGE_UTF8; /* string and json cells are checked (record.c) */
	run.t.source = in->name;
	run.part = part;
	run.next_start = UINT64_MAX;
	run.offset = part ? part->start : 0;
	run.seeking = part && !part->start_is_record;
	run.base_known = !part || part->first; /* line numbers start at 1 */
	if (!part || part->first) {
		run.header_left = (uint64_t)run.t.p->skip_header_lines;
		run.at_start = 1;
	}
	for (;;) {
		const char *data;
		ssize_t n = in->read(in->self, &data);
		if (n < 0) {
			r = (int)n;
			break;
		}
		if (n == 0) {
			if (run.carry_len)
				r = drain_carry(&run, 1);
			break;
		}
		if (part)
			find_next_start(&run, data, (size_t)n, run.offset);
		run.offset += (uint64_t)n;
		if (run.seeking) { /* the bytes before the first line end are the previous part's */
			const char *nl = memchr(data, '\n', (size_t)n);
			if (!nl)
				continue;
			run.seeking = 0;
			n -= nl + 1 - data;
			data = nl + 1;
			if (n == 0)
				continue;
		}
		if ((r = feed(&run, data, (size_t)n)) < 0 || run.stopped)
			break;
	}
	if (r == 0 && part) {
		/* Stopped at the next part's first record, or ran to the end of the file. */
		part->stop = run.stopped ? run.stop_at : run.offset;
		part->lines = run.t.line;
		part->stop_exact = run.next_start == UINT64_MAX || run.next_start == part->stop;
	}
	free(run.carry);
	free(run.t.scratch);
	return r;
}

static int parser_run(void *state, bh_ctx *ctx, bh_stream *in, bh_page_builder *out)
{
	return run_stream(state, ctx, in, NULL, out);
}

static int parser_run_part(void *state, bh_ctx *ctx, bh_stream *in, bh_part *part, bh_page_builder *out)
{
	return run_stream(state, ctx, in, part, out);
}

const bh_parser_vtable csv_parser_vtable = {
	.struct_size = sizeof(bh_parser_vtable),
	.begin = parser_begin,
	.run = parser_run,
	.end = parser_end,
	.guess = csv_guess,
	.run_part = parser_run_part,
};
