/* compress decoders: a bh_stream that pulls compressed bytes from upstream
 * through libarchive (raw format, one forced filter) and hands out the
 * decompressed bytes. */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "plugins/compress/codec.h"

const bh_option compress_decoder_options[] = {
	{"max_decompressed_size", BH_OPT_LONG, "0", 0,
	 "Stop with an error when one file decompresses to more than this many bytes, to guard "
	 "against decompression bombs. 0 (the default) means no limit."},
	{NULL, 0, NULL, 0, NULL},
};

struct decoder_state {
	const struct codec *codec;
	uint64_t max_size; /* 0: unlimited */
};

struct decode_stream {
	const struct codec *codec;
	bh_ctx *ctx;
	bh_stream upstream;
	struct archive *archive;
	uint64_t max_size;
	uint64_t in_bytes, out_bytes;
	int upstream_error; /* what upstream returned; its message is already set */
	int done;
	char head[8]; /* the first bytes of the compressed input */
	size_t head_len;
	unsigned char probe[COMPRESS_EMPTY_PROBE]; /* input while no output came */
	size_t probe_len;
	int probe_overflow;
};

static const char *stream_name(const struct decode_stream *d)
{
	return d->upstream.name ? d->upstream.name : "(unnamed stream)";
}

static la_ssize_t pull(struct archive *a, void *client, const void **buf)
{
	struct decode_stream *d = client;
	const char *data = NULL;
	ssize_t n = d->upstream.read(d->upstream.self, &data);
	if (n < 0) {
		d->upstream_error = (int)n;
		archive_set_error(a, EIO, "reading the compressed input failed");
		return -1;
	}
	d->in_bytes += (uint64_t)n;
	for (size_t k = 0; d->head_len < sizeof(d->head) && k < (size_t)n; k++)
		d->head[d->head_len++] = data[k];
	if (d->out_bytes == 0 && !d->probe_overflow) {
		if ((size_t)n > sizeof(d->probe) - d->probe_len) {
			d->probe_overflow = 1;
		} else {
			memcpy(d->probe + d->probe_len, data, (size_t)n);
			d->probe_len += (size_t)n;
		}
	}
	*buf = data;
	return n;
}

/* Describes a libarchive failure; upstream failures keep upstream's message. */
static int decode_failed(struct decode_stream *d, int at_start)
{
	const char *msg = archive_error_string(d->archive);
	if (d->upstream_error != 0)
		return d->upstream_error;
	if (d->in_bytes == 0) {
		bh_error(d->ctx, "%s is empty, which is not %s data", stream_name(d),
			 d->codec->name);
		return BH_EDATA;
	}
	if (at_start)
		bh_error(d->ctx, "%s is not %s data or is corrupt: %s", stream_name(d),
			 d->codec->name, msg ? msg : "unknown error");
	else
		bh_error(d->ctx,
			 "%s is corrupt or truncated %s data (after %" PRIu64
			 " compressed bytes, %" PRIu64 " decompressed): %s",
			 stream_name(d), d->codec->name, d->in_bytes, d->out_bytes,
			 msg ? msg : "unknown error");
	return BH_EDATA;
}

/* Nothing decompressed: accept only whole empty streams (see empty.c). */
static int check_empty(struct decode_stream *d)
{
	for (;;) { /* libarchive may have stopped early: look at the rest too */
		const void *buf;
		la_ssize_t n = pull(d->archive, d, &buf);
		if (n < 0)
			return d->upstream_error;
		if (n == 0)
			break;
	}
	if (!d->probe_overflow && compress_is_empty_stream(d->codec, d->probe, d->probe_len))
		return 0;
	bh_error(d->ctx,
		 "%s is corrupt or truncated %s data: nothing could be decompressed from its %" PRIu64
		 " bytes",
		 stream_name(d), d->codec->name, d->in_bytes);
	return BH_EDATA;
}

static ssize_t decode_read(void *self, const char **data)
{
	struct decode_stream *d = self;
	const void *block;
	size_t size = 0;
	la_int64_t offset;
	int r;

	if (d->done)
		return 0;
	do {
		r = archive_read_data_block(d->archive, &block, &size, &offset);
		if (r == ARCHIVE_EOF) {
			d->done = 1;
			return 0;
		}
		if (r < ARCHIVE_WARN)
			return decode_failed(d, 0);
	} while (size == 0);
	d->out_bytes += size;
	if (d->max_size != 0 && d->out_bytes > d->max_size) {
		bh_error(d->ctx,
			 "%s decompresses to more than max_decompressed_size (%" PRIu64 " bytes)",
			 stream_name(d), d->max_size);
		return BH_EDATA;
	}
	*data = block;
	return (ssize_t)size;
}

static void decode_close(void *self)
{
	struct decode_stream *d = self;
	if (d == NULL)
		return;
	if (d->archive != NULL)
		archive_read_free(d->archive);
	if (d->upstream.close != NULL)
		d->upstream.close(d->upstream.self);
	free(d);
}

int compress_decoder_begin(const struct codec *codec, bh_ctx *ctx, const bh_config *cfg,
			   void **state)
{
	struct decoder_state *s;
	int64_t max = 0;
	int r = bh_host->config_long(ctx, cfg, "max_decompressed_size", &max);
	if (r < 0 && r != -ENOENT)
		return r;
	if (max < 0) {
		bh_error(ctx, "max_decompressed_size must be 0 (no limit) or positive, not %" PRId64,
			 max);
		return BH_ECONFIG;
	}
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return -ENOMEM;
	s->codec = codec;
	s->max_size = (uint64_t)max;
	*state = s;
	return 0;
}

int compress_decoder_open(void *state, bh_ctx *ctx, bh_stream *upstream, bh_stream *out)
{
	struct decoder_state *s = state;
	struct decode_stream *d = calloc(1, sizeof(*d));
	struct archive_entry *entry;
	int r;

	if (s->codec == &codec_gzip) {
		free(d);
		return compress_gzip_open(ctx, s->max_size, upstream, out);
	}
	if (d == NULL)
		return -ENOMEM;
	d->codec = s->codec;
	d->ctx = ctx;
	d->max_size = s->max_size;
	d->upstream = *upstream;
	d->archive = archive_read_new();
	if (d->archive == NULL) {
		free(d);
		return -ENOMEM;
	}
	/* append_filter forces this one codec: no format sniffing, so plain or
	 * other data is an error instead of passing through undecoded. */
	if (archive_read_append_filter(d->archive, s->codec->filter) != ARCHIVE_OK ||
	    archive_read_support_format_raw(d->archive) != ARCHIVE_OK) {
		bh_error(ctx, "libarchive cannot decode %s here: %s",
			 s->codec->name, archive_error_string(d->archive));
		r = BH_EPLUGIN;
		goto fail;
	}
	/* The empty format accepts a stream that decompresses to nothing. */
	if (archive_read_support_format_empty(d->archive) != ARCHIVE_OK) {
		bh_error(ctx, "libarchive cannot read empty %s streams", s->codec->name);
		r = BH_EPLUGIN;
		goto fail;
	}
	if (archive_read_open(d->archive, d, NULL, pull, NULL) != ARCHIVE_OK) {
		r = decode_failed(d, 1);
		goto fail;
	}
	r = archive_read_next_header(d->archive, &entry);
	if (r != ARCHIVE_OK && r != ARCHIVE_EOF) {
		r = decode_failed(d, 1);
		goto fail;
	}
	d->done = r == ARCHIVE_EOF;
	/* libarchive reads data of another kind as empty: check the magic. */
	if (d->upstream_error == 0 && d->in_bytes > 0 &&
	    (d->head_len < s->codec->magic_len ||
	     memcmp(d->head, s->codec->magic, s->codec->magic_len) != 0)) {
		bh_error(ctx, "%s is not %s data (it does not start with the %s signature)",
			 stream_name(d), s->codec->name, s->codec->name);
		r = BH_EDATA;
		goto fail;
	}
	if (d->upstream_error != 0 || d->in_bytes == 0) {
		r = decode_failed(d, 1);
		goto fail;
	}
	if (d->done) {
		r = check_empty(d);
		if (r < 0)
			goto fail;
	}
	out->self = d;
	out->read = decode_read;
	out->close = decode_close;
	out->name = upstream->name;
	return 0;
fail:
	/* On failure upstream stays the caller's to close. */
	archive_read_free(d->archive);
	free(d);
	return r;
}

void compress_decoder_end(void *state)
{
	free(state);
}
