/* Bundle manifests (manifest.yml): the data the host reads instead of running plugin code.
 *
 *   name: csv                      # [a-z0-9][a-z0-9_-]*, at most 64
 *   version: 1.0.0                 # semver 2.0.0
 *   abi: "1.0"                     # SDK ABI major[.minor]
 *   description: CSV parser and formatter
 *   library: csv.so
 *   kinds: [parser, formatter]
 *   requires: {network: false}
 *   components:                    # kind/type -> one-line description
 *     parser/csv: Parses RFC 4180 CSV into typed columns
 *   options:                       # kind/type -> option table
 *     parser/csv:
 *       - {name: delimiter, type: string, default: ",", required: false, description: ...}
 *   files:                         # every other file of the bundle
 *     csv.so: sha256:<64 hex>
 *
 * Option types: boolean, long, double, string, string_list, columns, map, list, any.
 * The source manifest in plugins/<name>/ has no components, options or files:
 * staging/packing fills them in from the library (extracted in a sandbox). */
#ifndef BH_PACKAGING_MANIFEST_H
#define BH_PACKAGING_MANIFEST_H

#include <stddef.h>

struct manifest_option {
	char *name;
	char *type;          /* one of the option type names above */
	char *default_value; /* YAML scalar text or NULL */
	int required;
	char *description;
};

struct manifest_component {
	char *kind; /* input, parser, decoder, filter, formatter, encoder, output */
	char *type;
	char *description;
	struct manifest_option *options;
	size_t option_count;
};

struct manifest_file {
	char *path;
	char *sha256; /* 64 lowercase hex digits */
};

struct manifest {
	char *name;
	char *version;
	char *abi;
	char *description;
	char *library;
	char **kinds;
	size_t kind_count;
	int network;
	struct manifest_component *components;
	size_t component_count;
	struct manifest_file *files;
	size_t file_count;
};

/* Reads and validates path.  On failure returns a negative errno or -EINVAL and
 * sets *err (caller frees) to "path:line:column: what was expected".
 * partial != 0 accepts a source manifest without components/options/files. */
int manifest_load(const char *path, int partial, struct manifest **out, char **err);
/* Writes m as YAML to path atomically (temp file + rename). */
int manifest_write(const struct manifest *m, const char *path, char **err);
/* The component kind/type, or NULL. */
const struct manifest_component *manifest_find_component(const struct manifest *m, const char *kind,
							 const char *type);
void manifest_free(struct manifest *m);

#endif
