/* A loaded YAML file (libyaml's document API) with located errors, shared by
 * the manifest and policy readers; and a small emitter for writing them. */
#ifndef BH_PACKAGING_YAMLDOC_H
#define BH_PACKAGING_YAMLDOC_H

#include <stddef.h>
#include <yaml.h>

struct yamldoc {
	yaml_document_t doc;
	char *path;
	int loaded;
};

/* Loads path (at most max_bytes).  Refuses aliases (so a file cannot expand
 * itself), multiple documents and NUL bytes.  An empty file gives a NULL root.
 * On failure *err is "path:line:column: reason". */
int yamldoc_load(const char *path, size_t max_bytes, struct yamldoc *out, char **err);
void yamldoc_free(struct yamldoc *d);
yaml_node_t *yamldoc_root(struct yamldoc *d);
yaml_node_t *yamldoc_node(struct yamldoc *d, int id);
/* Sets *err to "path:line:column: message" for node n and returns -EINVAL. */
int yamldoc_error(const struct yamldoc *d, const yaml_node_t *n, char **err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* The scalar's text, or NULL when n is not a scalar. */
const char *yamldoc_scalar(const yaml_node_t *n);
/* Nonzero for a plain null scalar (null, ~, Null, NULL or empty). */
int yamldoc_is_null(const yaml_node_t *n);
/* Reads a plain true/false scalar. */
int yamldoc_bool(const struct yamldoc *d, const yaml_node_t *n, int *out, char **err);
/* Checks that n is a scalar and returns its text through *out. */
int yamldoc_string(const struct yamldoc *d, const yaml_node_t *n, const char *what, const char **out,
		   char **err);
/* Checks that no key of mapping n repeats. */
int yamldoc_check_unique_keys(struct yamldoc *d, yaml_node_t *n, char **err);

/* Writer: an emitter into a memory buffer. */
struct yamlout {
	yaml_emitter_t emitter;
	char *buf;
	size_t len, cap;
	int failed;
};

int yamlout_begin(struct yamlout *o);
void yamlout_map_start(struct yamlout *o, int flow);
void yamlout_map_end(struct yamlout *o);
void yamlout_seq_start(struct yamlout *o, int flow);
void yamlout_seq_end(struct yamlout *o);
/* How yamlout_scalar styles text: a string that must read back as a string
 * (quoted when it would look like a number, boolean or null), always quoted,
 * or raw YAML scalar text (an option default: `0` stays a plain 0). */
enum { YAMLOUT_STRING = 0, YAMLOUT_QUOTED = 1, YAMLOUT_RAW = 2 };
/* A scalar; NULL writes null. */
void yamlout_scalar(struct yamlout *o, const char *s, int quoted);
/* A plain scalar that must not be quoted (true, false, numbers). */
void yamlout_plain(struct yamlout *o, const char *s);
/* Ends the document; on success hands over the buffer (caller frees). */
int yamlout_finish(struct yamlout *o, char **out, size_t *len, char **err);
/* yamlout_finish, then writes the text to path atomically (temp file + rename). */
int yamlout_finish_file(struct yamlout *o, const char *path, char **err);
void yamlout_abort(struct yamlout *o);

#endif
