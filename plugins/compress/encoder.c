/* compress encoders: a bh_sink that compresses what it is given through
 * libarchive (raw format, one filter) and pushes the result downstream. */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "plugins/compress/codec.h"

const bh_option compress_encoder_options[] = {
	{"level", BH_OPT_LONG, NULL, 0,
	 "Compression level: higher is smaller and slower. gzip 1-9 (default 6), bzip2 1-9 "
	 "(default 9), xz 0-9 (default 6), zstd 1-22 (default 3). Leave it out for the default."},
	{NULL, 0, NULL, 0, NULL},
};

struct encoder_state {
	const struct codec *codec;
	int level; /* -1: the library's default */
};

struct encode_sink {
	const struct codec *codec;
	bh_ctx *ctx;
	bh_sink downstream;
	struct archive *archive;
	int downstream_error; /* what downstream returned; its message is already set */
	int finished;
	int discard; /* closing after a failure: push nothing more */
};

static la_ssize_t push(struct archive *a, void *client, const void *buf, size_t len)
{
	struct encode_sink *e = client;
	int r;
	if (e->discard)
		return (la_ssize_t)len;
	r = e->downstream.write(e->downstream.self, buf, len);
	if (r < 0) {
		e->downstream_error = r;
		archive_set_error(a, EIO, "writing the compressed output failed");
		return -1;
	}
	return (la_ssize_t)len;
}

static int encode_failed(struct encode_sink *e, const char *when)
{
	const char *msg = archive_error_string(e->archive);
	if (e->downstream_error != 0)
		return e->downstream_error;
	bh_error(e->ctx, "%s %s failed: %s", e->codec->name, when, msg ? msg : "unknown error");
	return -EIO;
}

static int encode_write(void *self, const void *data, size_t len)
{
	struct encode_sink *e = self;
	const char *p = data;
	while (len > 0) {
		la_ssize_t n = archive_write_data(e->archive, p, len);
		if (n <= 0)
			return encode_failed(e, "compression");
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int encode_finish(void *self)
{
	struct encode_sink *e = self;
	/* Flushes the compressor's tail (and trailer) through push(). */
	if (archive_write_close(e->archive) != ARCHIVE_OK)
		return encode_failed(e, "end of stream");
	e->finished = 1;
	return e->downstream.finish(e->downstream.self);
}

static void encode_close(void *self)
{
	struct encode_sink *e = self;
	if (e == NULL)
		return;
	if (!e->finished)
		e->discard = 1; /* archive_write_free would flush a partial tail */
	if (e->archive != NULL)
		archive_write_free(e->archive);
	if (e->downstream.close != NULL)
		e->downstream.close(e->downstream.self);
	free(e);
}

int compress_encoder_begin(const struct codec *codec, bh_ctx *ctx, const bh_config *cfg,
			   void **state)
{
	struct encoder_state *s;
	int64_t level = -1;
	int r = bh_host->config_long(ctx, cfg, "level", &level);
	if (r < 0 && r != -ENOENT)
		return r;
	if (r == 0 && (level < codec->level_min || level > codec->level_max)) {
		bh_error(ctx, "level %" PRId64 " is outside %d..%d for %s", level,
			 codec->level_min, codec->level_max, codec->name);
		return BH_ECONFIG;
	}
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return -ENOMEM;
	s->codec = codec;
	s->level = r == 0 ? (int)level : -1;
	*state = s;
	return 0;
}

/* Sets up the archive writer; a failure is described on ctx. */
static int encoder_setup(struct encode_sink *e, int level)
{
	struct archive *a = e->archive;
	struct archive_entry *entry;
	int r;

	if (archive_write_set_format_raw(a) != ARCHIVE_OK ||
	    archive_write_add_filter(a, e->codec->filter) != ARCHIVE_OK)
		goto fail;
	if (level >= 0) {
		char text[16];
		snprintf(text, sizeof(text), "%d", level);
		if (archive_write_set_filter_option(a, NULL, "compression-level", text) != ARCHIVE_OK)
			goto fail;
	}
	/* No mtime in the gzip header: the same input compresses to the same bytes. */
	if (e->codec->filter == ARCHIVE_FILTER_GZIP &&
	    archive_write_set_filter_option(a, "gzip", "timestamp", NULL) != ARCHIVE_OK)
		goto fail;
	/* Blocks of a fixed size, but no padding of the last one. */
	if (archive_write_set_bytes_per_block(a, COMPRESS_WRITE_BLOCK) != ARCHIVE_OK ||
	    archive_write_set_bytes_in_last_block(a, 1) != ARCHIVE_OK)
		goto fail;
	if (archive_write_open(a, e, NULL, push, NULL) != ARCHIVE_OK)
		goto fail;
	entry = archive_entry_new();
	if (entry == NULL)
		return -ENOMEM;
	archive_entry_set_pathname(entry, "data");
	archive_entry_set_filetype(entry, AE_IFREG);
	r = archive_write_header(a, entry);
	archive_entry_free(entry);
	if (r != ARCHIVE_OK)
		goto fail;
	return 0;
fail:
	return encode_failed(e, "encoder setup");
}

int compress_encoder_open(void *state, bh_ctx *ctx, bh_sink *downstream, bh_sink *out)
{
	struct encoder_state *s = state;
	struct encode_sink *e = calloc(1, sizeof(*e));
	int r;

	if (e == NULL)
		return -ENOMEM;
	e->codec = s->codec;
	e->ctx = ctx;
	e->downstream = *downstream;
	e->archive = archive_write_new();
	if (e->archive == NULL) {
		free(e);
		return -ENOMEM;
	}
	r = encoder_setup(e, s->level);
	if (r < 0) {
		/* On failure downstream stays the caller's to close. */
		e->discard = 1;
		archive_write_free(e->archive);
		free(e);
		return r;
	}
	out->self = e;
	out->write = encode_write;
	out->finish = encode_finish;
	out->close = encode_close;
	return 0;
}

void compress_encoder_end(void *state)
{
	free(state);
}
