/* gzip decoder on zlib.  libarchive's gzip reader does not check the CRC-32
 * and length in each member's trailer, so corruption that still inflates
 * would pass unnoticed; zlib checks both.  Concatenated members are read in
 * turn (as gzip(1) does); bytes after the last member that do not start a
 * new member are ignored with a warning, again like gzip(1). */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "plugins/compress/codec.h"

struct gzip_stream {
	bh_ctx *ctx;
	bh_stream upstream;
	z_stream z;
	int z_ready;
	int upstream_eof;
	int member_done; /* the last member ended; another may follow */
	int done;
	uint64_t max_size, in_bytes, out_bytes;
	unsigned char out[COMPRESS_READ_BLOCK];
};

static const char *gz_name(const struct gzip_stream *g)
{
	return g->upstream.name ? g->upstream.name : "(unnamed stream)";
}

/* Makes input available unless upstream is at its end; <0 on upstream failure. */
static int gz_fill(struct gzip_stream *g)
{
	const char *data = NULL;
	ssize_t n;
	if (g->z.avail_in > 0 || g->upstream_eof)
		return 0;
	n = g->upstream.read(g->upstream.self, &data);
	if (n < 0)
		return (int)n; /* upstream already described it */
	if (n == 0) {
		g->upstream_eof = 1;
		return 0;
	}
	g->z.next_in = (unsigned char *)(uintptr_t)data;
	g->z.avail_in = (uInt)n; /* chunks are far below 4 GiB */
	g->in_bytes += (uint64_t)n;
	return 0;
}

static int gz_corrupt(struct gzip_stream *g, const char *why)
{
	bh_error(g->ctx,
		 "%s is corrupt or truncated gzip data (after %" PRIu64 " compressed bytes, %" PRIu64
		 " decompressed): %s",
		 gz_name(g), g->in_bytes, g->out_bytes, why);
	return BH_EDATA;
}

static ssize_t gzip_read(void *self, const char **data)
{
	struct gzip_stream *g = self;

	while (!g->done) {
		size_t produced;
		int r = gz_fill(g);
		if (r < 0)
			return r;
		if (g->member_done) {
			if (g->z.avail_in == 0) {
				g->done = g->upstream_eof;
				continue;
			}
			if (g->z.next_in[0] != 0x1f) {
				bh_log(g->ctx, BH_LOG_WARN,
				       "%s: ignoring data after the end of the gzip stream",
				       gz_name(g));
				g->done = 1;
				continue;
			}
			inflateReset(&g->z);
			g->member_done = 0;
		}
		g->z.next_out = g->out;
		g->z.avail_out = sizeof(g->out);
		r = inflate(&g->z, Z_NO_FLUSH);
		produced = sizeof(g->out) - g->z.avail_out;
		if (r == Z_STREAM_END) {
			g->member_done = 1; /* zlib verified this member's CRC-32 and length */
		} else if (r == Z_BUF_ERROR || (r == Z_OK && produced == 0)) {
			if (g->z.avail_in == 0 && g->upstream_eof)
				return gz_corrupt(g, "unexpected end of data");
		} else if (r != Z_OK) {
			return gz_corrupt(g, g->z.msg ? g->z.msg : "inflate failed");
		}
		if (produced == 0)
			continue;
		g->out_bytes += produced;
		if (g->max_size != 0 && g->out_bytes > g->max_size) {
			bh_error(g->ctx,
				 "%s decompresses to more than max_decompressed_size (%" PRIu64
				 " bytes)",
				 gz_name(g), g->max_size);
			return BH_EDATA;
		}
		*data = (const char *)g->out;
		return (ssize_t)produced;
	}
	return 0;
}

static void gzip_close(void *self)
{
	struct gzip_stream *g = self;
	if (g == NULL)
		return;
	if (g->z_ready)
		inflateEnd(&g->z);
	if (g->upstream.close != NULL)
		g->upstream.close(g->upstream.self);
	free(g);
}

int compress_gzip_open(bh_ctx *ctx, uint64_t max_size, bh_stream *upstream, bh_stream *out)
{
	struct gzip_stream *g = calloc(1, sizeof(*g));
	int r;

	if (g == NULL)
		return -ENOMEM;
	g->ctx = ctx;
	g->upstream = *upstream;
	g->max_size = max_size;
	/* 16 + MAX_WBITS: gzip wrapper only, with its trailer checked. */
	if (inflateInit2(&g->z, 16 + MAX_WBITS) != Z_OK) {
		free(g);
		return -ENOMEM;
	}
	g->z_ready = 1;
	/* Look at the first bytes now so plain data fails here, naming the file. */
	r = gz_fill(g);
	if (r < 0)
		goto fail;
	if (g->in_bytes == 0) {
		bh_error(ctx, "%s is empty, which is not gzip data", gz_name(g));
		r = BH_EDATA;
		goto fail;
	}
	if (g->z.next_in[0] != 0x1f || (g->z.avail_in > 1 && g->z.next_in[1] != 0x8b)) {
		bh_error(ctx, "%s is not gzip data (it does not start with the gzip signature)",
			 gz_name(g));
		r = BH_EDATA;
		goto fail;
	}
	out->self = g;
	out->read = gzip_read;
	out->close = gzip_close;
	out->name = upstream->name;
	return 0;
fail:
	/* On failure upstream stays the caller's to close. */
	inflateEnd(&g->z);
	free(g);
	return r;
}
