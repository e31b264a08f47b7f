/* compress plugin: decoders and encoders gzip, bzip2, xz and zstd, all
 * through libarchive.  Each codec gets its own vtables whose begin() binds
 * the shared decoder/encoder code to that codec. */
#include <archive.h>
#include <errno.h>

#include "plugins/compress/codec.h"

const struct codec codec_gzip = {"gzip", ARCHIVE_FILTER_GZIP, 1, 9, "\x1f\x8b", 2};
const struct codec codec_bzip2 = {"bzip2", ARCHIVE_FILTER_BZIP2, 1, 9, "BZh", 3};
const struct codec codec_xz = {"xz", ARCHIVE_FILTER_XZ, 0, 9, "\xfd" "7zXZ\0", 6};
const struct codec codec_zstd = {"zstd", ARCHIVE_FILTER_ZSTD, 1, 22, "\x28\xb5\x2f\xfd", 4};

#define CODEC_VTABLES(c)                                                                  \
	static int c##_decoder_begin(bh_ctx *ctx, const bh_config *cfg, void **state)    \
	{                                                                                 \
		return compress_decoder_begin(&codec_##c, ctx, cfg, state);               \
	}                                                                                 \
	static int c##_encoder_begin(bh_ctx *ctx, const bh_config *cfg, void **state)    \
	{                                                                                 \
		return compress_encoder_begin(&codec_##c, ctx, cfg, state);               \
	}                                                                                 \
	static const bh_decoder_vtable c##_decoder = {                                    \
		.struct_size = sizeof(bh_decoder_vtable),                                 \
		.begin = c##_decoder_begin,                                               \
		.open = compress_decoder_open,                                            \
		.end = compress_decoder_end,                                              \
	};                                                                                \
	static const bh_encoder_vtable c##_encoder = {                                    \
		.struct_size = sizeof(bh_encoder_vtable),                                 \
		.begin = c##_encoder_begin,                                               \
		.open = compress_encoder_open,                                            \
		.end = compress_encoder_end,                                              \
	};

CODEC_VTABLES(gzip)
CODEC_VTABLES(bzip2)
CODEC_VTABLES(xz)
CODEC_VTABLES(zstd)

#define CODEC_COMPONENTS(c, what)                                                         \
	{                                                                                 \
		.struct_size = sizeof(bh_component),                                      \
		.kind = BH_KIND_DECODER,                                                  \
		.type = #c,                                                               \
		.description = "Decompresses " what " input",                             \
		.options = compress_decoder_options,                                      \
		.vtable = &c##_decoder,                                                   \
	},                                                                                \
	{                                                                                 \
		.struct_size = sizeof(bh_component),                                      \
		.kind = BH_KIND_ENCODER,                                                  \
		.type = #c,                                                               \
		.description = "Compresses output with " what,                            \
		.options = compress_encoder_options,                                      \
		.vtable = &c##_encoder,                                                   \
	}

static const bh_component compress_components[] = {
	CODEC_COMPONENTS(gzip, "gzip (.gz)"),
	CODEC_COMPONENTS(bzip2, "bzip2 (.bz2)"),
	CODEC_COMPONENTS(xz, "xz (.xz)"),
	CODEC_COMPONENTS(zstd, "Zstandard (.zst)"),
};

static const bh_plugin compress_plugin = {
	.struct_size = sizeof(bh_plugin),
	.abi_major = BH_ABI_MAJOR,
	.abi_minor = BH_ABI_MINOR,
	.name = "compress",
	.version = "1.0.0",
	.description = "gzip, bzip2, xz and zstd decoders and encoders",
	.components = compress_components,
	.component_count = BH_COUNT(compress_components),
};

BH_PLUGIN_DEFINE(compress_plugin)
