/* The jsonl plugin: its component table and entry point, and the options
 * both directions read alike. */
#include <errno.h>
#include <string.h>

#include "jsonl.h"

int jsonl_default_timezone(bh_ctx *ctx, const bh_config *cfg, int32_t *offset)
{
	const char *zone = "UTC";
	int r = bh_host->config_string(ctx, cfg, "default_timezone", &zone);
	if (r < 0 && r != -ENOENT)
		return r;
	if (bh_parse_utc_offset(zone, strlen(zone), offset) < 0) {
		bh_error(ctx, "default_timezone: '%s' is not UTC or a fixed offset like +09:00", zone);
		return BH_ECONFIG;
	}
	return 0;
}

static const bh_component jsonl_components[] = {
	{
		.struct_size = sizeof(bh_component),
		.kind = BH_KIND_PARSER,
		.type = "jsonl",
		.description = "Parses JSON Lines (one object per line) into typed columns",
		.options = jsonl_parser_options,
		.vtable = &jsonl_parser_vtable,
	},
	{
		.struct_size = sizeof(bh_component),
		.kind = BH_KIND_FORMATTER,
		.type = "jsonl",
		.description = "Formats records as JSON Lines, one object per record",
		.options = jsonl_formatter_options,
		.vtable = &jsonl_formatter_vtable,
	},
};

static const bh_plugin jsonl_plugin = {
	.struct_size = sizeof(bh_plugin),
	.abi_major = BH_ABI_MAJOR,
	.abi_minor = BH_ABI_MINOR,
	.name = "jsonl",
	.version = "1.0.0",
	.description = "JSON Lines parser and formatter",
	.components = jsonl_components,
	.component_count = BH_COUNT(jsonl_components),
};

BH_PLUGIN_DEFINE(jsonl_plugin)
