/* bulkhead SDK: value types, schemas and the page (batch) model.
 *
 * A page holds up to `capacity` records of a fixed schema, stored row-major as
 * bh_value cells.  Strings and json live in the page's byte arena and cells
 * hold offsets, so the arena can grow without invalidating anything.  The
 * layout of bh_page and bh_value is part of ABI major 1: plugins read and
 * append through the inline helpers below, with no call and no allocation per
 * value. */
#ifndef BULKHEAD_TYPES_H
#define BULKHEAD_TYPES_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <errno.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum bh_type {
	BH_TYPE_BOOLEAN = 1,
	BH_TYPE_LONG = 2,
	BH_TYPE_DOUBLE = 3,
	BH_TYPE_STRING = 4,
	BH_TYPE_TIMESTAMP = 5,
	BH_TYPE_JSON = 6,
} bh_type;

/* A UTC instant: seconds since the Unix epoch plus nanoseconds (0..999999999). */
typedef struct bh_timestamp {
	int64_t sec;
	int32_t nsec;
} bh_timestamp;

typedef struct bh_column {
	const char *name;
	bh_type type;
	/* strftime-style format for timestamps, NULL for the default
	 * ("%Y-%m-%d %H:%M:%S.%N %z" on output, ISO 8601 variants on input). */
	const char *format;
} bh_column;

typedef struct bh_schema {
	uint32_t count;
	const bh_column *columns;
} bh_schema;

typedef struct bh_value {
	union {
		int64_t l;
		double d;
		int b;
		bh_timestamp t;
		struct {
			uint32_t off; /* offset into the page arena */
			uint32_t len;
		} s;
	} u;
	uint8_t is_null;
} bh_value;

/* bh_page.flags.  BH_PAGE_UTF8: every string and json cell holds valid UTF-8,
 * so a consumer may skip its own check.  A producer sets it on its builder's
 * page (pb->page.flags) before its first record, and only if it checks every
 * cell it writes (the csv and jsonl parsers do); builders keep the flags
 * across pages.  A consumer must still handle invalid UTF-8 when it is not
 * set.  (ABI 1.1: the field was `reserved`, always 0, before.) */
#define BH_PAGE_UTF8 UINT32_C(1)

typedef struct bh_page {
	uint32_t ncols;
	uint32_t nrows;
	uint32_t capacity; /* records */
	uint32_t flags;    /* BH_PAGE_*: promises of the page's producer (0: none) */
	bh_value *values;  /* capacity * ncols cells, row-major */
	char *arena;
	size_t arena_len;
	size_t arena_cap;
	const bh_schema *schema;
} bh_page;

/* Reading a page. */
static inline const bh_value *bh_page_cell(const bh_page *p, uint32_t row, uint32_t col)
{
	return &p->values[(size_t)row * p->ncols + col];
}
static inline int bh_page_is_null(const bh_page *p, uint32_t row, uint32_t col)
{
	return bh_page_cell(p, row, col)->is_null;
}
static inline int64_t bh_page_long(const bh_page *p, uint32_t row, uint32_t col)
{
	return bh_page_cell(p, row, col)->u.l;
}
static inline double bh_page_double(const bh_page *p, uint32_t row, uint32_t col)
{
	return bh_page_cell(p, row, col)->u.d;
}
static inline int bh_page_boolean(const bh_page *p, uint32_t row, uint32_t col)
{
	return bh_page_cell(p, row, col)->u.b;
}
static inline bh_timestamp bh_page_timestamp(const bh_page *p, uint32_t row, uint32_t col)
{
	return bh_page_cell(p, row, col)->u.t;
}
/* String and json cells: bytes are not NUL-terminated; *len receives the length. */
static inline const char *bh_page_string(const bh_page *p, uint32_t row, uint32_t col, size_t *len)
{
	const bh_value *v = bh_page_cell(p, row, col);
	*len = v->u.s.len;
	return p->arena + v->u.s.off;
}

/* Building pages.  The host owns the builder; a plugin fills one record at a
 * time (every column must be set, in any order) and ends it with
 * bh_pb_end_record(), which hands full pages downstream.  All functions return
 * 0 or a negative errno. */
typedef struct bh_page_builder bh_page_builder;
struct bh_page_builder {
	bh_page page;
	size_t record_arena_start; /* arena length when the current record began */
	size_t arena_flush_at;     /* a page whose arena passes this is flushed early */
	/* Hands the page downstream and resets it.  Called by bh_pb_end_record. */
	int (*flush)(bh_page_builder *pb);
	/* Makes room for at least n more arena bytes. */
	int (*reserve)(bh_page_builder *pb, size_t n);
	void *host_private;
};

static inline bh_value *bh_pb_cell(bh_page_builder *pb, uint32_t col)
{
	return &pb->page.values[(size_t)pb->page.nrows * pb->page.ncols + col];
}
/* The current record's cells, row[0..ncols): a plugin that sets many
 * columns can take this once per record and write row[col] itself
 * (u and is_null, as the setters below do), instead of bh_pb_cell's row
 * arithmetic per value (its loads repeat after every cell store, which may
 * alias the page for the compiler).  Valid until the record ends or is
 * discarded; strings still go through bh_pb_string. */
static inline bh_value *bh_pb_row(bh_page_builder *pb)
{
	return &pb->page.values[(size_t)pb->page.nrows * pb->page.ncols];
}
static inline void bh_pb_null(bh_page_builder *pb, uint32_t col)
{
	bh_pb_cell(pb, col)->is_null = 1;
}
static inline void bh_pb_long(bh_page_builder *pb, uint32_t col, int64_t v)
{
	bh_value *c = bh_pb_cell(pb, col);
	c->u.l = v;
	c->is_null = 0;
}
static inline void bh_pb_double(bh_page_builder *pb, uint32_t col, double v)
{
	bh_value *c = bh_pb_cell(pb, col);
	c->u.d = v;
	c->is_null = 0;
}
static inline void bh_pb_boolean(bh_page_builder *pb, uint32_t col, int v)
{
	bh_value *c = bh_pb_cell(pb, col);
	c->u.b = v ? 1 : 0;
	c->is_null = 0;
}
static inline void bh_pb_timestamp(bh_page_builder *pb, uint32_t col, bh_timestamp v)
{
	bh_value *c = bh_pb_cell(pb, col);
	c->u.t = v;
	c->is_null = 0;
}
/* Copies len bytes into the page arena; used for string and json columns. */
static inline int bh_pb_string(bh_page_builder *pb, uint32_t col, const char *s, size_t len)
{
	bh_page *p = &pb->page;
	bh_value *c;
	if (len > UINT32_MAX)
		return -E2BIG;
	if (p->arena_cap - p->arena_len < len) {
		int r = pb->reserve(pb, len);
		if (r < 0)
			return r;
	}
	memcpy(p->arena + p->arena_len, s, len);
	c = bh_pb_cell(pb, col);
	c->u.s.off = (uint32_t)p->arena_len;
	c->u.s.len = (uint32_t)len;
	c->is_null = 0;
	p->arena_len += len;
	return 0;
}
/* Copies a whole cell (with its arena bytes) from a page of the same type. */
static inline int bh_pb_copy(bh_page_builder *pb, uint32_t col, const bh_page *src, uint32_t row,
			     uint32_t src_col)
{
	const bh_value *v = bh_page_cell(src, row, src_col);
	bh_type t = src->schema->columns[src_col].type;
	if (!v->is_null && (t == BH_TYPE_STRING || t == BH_TYPE_JSON))
		return bh_pb_string(pb, col, src->arena + v->u.s.off, v->u.s.len);
	*bh_pb_cell(pb, col) = *v;
	return 0;
}
/* Forgets the partly built current record (e.g. after an invalid field). */
static inline void bh_pb_discard_record(bh_page_builder *pb)
{
	pb->page.arena_len = pb->record_arena_start;
}
static inline int bh_pb_end_record(bh_page_builder *pb)
{
	pb->page.nrows++;
	if (pb->page.nrows >= pb->page.capacity || pb->page.arena_len >= pb->arena_flush_at)
		return pb->flush(pb);
	pb->record_arena_start = pb->page.arena_len;
	return 0;
}

static inline const char *bh_type_name(bh_type t)
{
	switch (t) {
	case BH_TYPE_BOOLEAN: return "boolean";
	case BH_TYPE_LONG: return "long";
	case BH_TYPE_DOUBLE: return "double";
	case BH_TYPE_STRING: return "string";
	case BH_TYPE_TIMESTAMP: return "timestamp";
	case BH_TYPE_JSON: return "json";
	}
	return "unknown";
}

#ifdef __cplusplus
}
#endif
#endif
