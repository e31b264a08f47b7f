/* file plugin: the component table.  Input `file` reads local files and
 * named pipes; output `file` writes one local file per task, published
 * atomically at commit. */
#include <errno.h>

#include "plugins/file/file.h"

static const bh_component file_components[] = {
	{
		.struct_size = sizeof(bh_component),
		.kind = BH_KIND_INPUT,
		.type = "file",
		.description = "Reads local files or named pipes, one task per file",
		.options = file_input_options,
		.vtable = &file_input_vtable,
	},
	{
		.struct_size = sizeof(bh_component),
		.kind = BH_KIND_OUTPUT,
		.type = "file",
		.description = "Writes one local file per task, published atomically on commit",
		.options = file_output_options,
		.vtable = &file_output_vtable,
	},
};

static const bh_plugin file_plugin = {
	.struct_size = sizeof(bh_plugin),
	.abi_major = BH_ABI_MAJOR,
	.abi_minor = BH_ABI_MINOR,
	.name = "file",
	.version = "1.0.0",
	.description = "Local file input and output",
	.components = file_components,
	.component_count = BH_COUNT(file_components),
};

BH_PLUGIN_DEFINE(file_plugin)
