/* compress plugin: the codecs it offers and the decoder/encoder vtables
 * shared by all of them.  Internal to compress.so. */
#ifndef BH_PLUGINS_COMPRESS_CODEC_H
#define BH_PLUGINS_COMPRESS_CODEC_H

#include <bulkhead/plugin.h>

/* Decoded bytes handed out per read come from libarchive's own buffers; the
 * encoder hands the next component blocks of this size. */
#define COMPRESS_WRITE_BLOCK 65536

/* Decompressed bytes handed out per read by the zlib gzip decoder. */
#define COMPRESS_READ_BLOCK 65536

struct codec {
	const char *name; /* the config's type: gzip, bzip2, xz, zstd */
	int filter;       /* ARCHIVE_FILTER_* */
	int level_min, level_max;
	/* Every stream of this codec starts with these bytes.  libarchive reads
	 * data of another kind as an empty stream, so the decoder checks. */
	const char *magic;
	size_t magic_len;
};

extern const struct codec codec_gzip, codec_bzip2, codec_xz, codec_zstd;

/* Each codec's begin() binds the shared code to its codec. */
int compress_decoder_begin(const struct codec *codec, bh_ctx *ctx, const bh_config *cfg,
			   void **state);
int compress_decoder_open(void *state, bh_ctx *ctx, bh_stream *upstream, bh_stream *out);
void compress_decoder_end(void *state);

int compress_encoder_begin(const struct codec *codec, bh_ctx *ctx, const bh_config *cfg,
			   void **state);
int compress_encoder_open(void *state, bh_ctx *ctx, bh_sink *downstream, bh_sink *out);
void compress_encoder_end(void *state);

/* gzip is decoded with zlib, which checks each member's CRC-32 and length
 * (libarchive's gzip reader skips them).  Same contract as the decoder's open. */
/* Compressed bytes kept while nothing has decompressed yet, to tell a valid
 * empty stream from one broken in its first block (see empty.c). */
#define COMPRESS_EMPTY_PROBE 4096

/* 1 when p[0..n) is one or more complete streams of codec (bzip2, xz, zstd)
 * that decompress to nothing. */
int compress_is_empty_stream(const struct codec *codec, const unsigned char *p, size_t n);

int compress_gzip_open(bh_ctx *ctx, uint64_t max_size, bh_stream *upstream, bh_stream *out);

extern const bh_option compress_decoder_options[];
extern const bh_option compress_encoder_options[];

#endif
