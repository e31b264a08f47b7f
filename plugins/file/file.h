/* file plugin: internal interfaces shared by the input, the output and the
 * listing code.  Nothing here is part of the SDK. */
#ifndef BH_PLUGINS_FILE_H
#define BH_PLUGINS_FILE_H

#include <stddef.h>
#include <bulkhead/plugin.h>

/* Limits with names (STYLE habit 6). */
#define FILE_DEFAULT_MAX_FILES 100000
#define FILE_MAX_MAX_FILES 10000000     /* max_files itself is bounded */
#define FILE_DEFAULT_READ_BUFFER 1048576 /* 1 MiB */
#define FILE_MIN_READ_BUFFER 4096
#define FILE_MAX_READ_BUFFER 67108864 /* 64 MiB */
#define FILE_MAX_DEPTH 64                /* directory levels walked under path_prefix */

/* A sorted, de-duplicated list of paths to read. */
struct file_list {
	char **paths;
	size_t count;
	size_t cap;
};

struct file_list_options {
	const char *last_path; /* skip paths that sort <= it; NULL for none */
	int follow_symlinks;
	size_t max_files;
};

/* Lists every regular file or FIFO whose path starts with prefix (Embulk's
 * path_prefix rule: when prefix names a directory, everything under it).  On
 * success *out holds the sorted paths; the caller frees it with
 * file_list_free().  Failures are described with bh_error(ctx). */
int file_list_prefix(bh_ctx *ctx, const char *prefix, const struct file_list_options *opt,
		     struct file_list *out);
/* Lists the regular files and FIFOs matched by glob(3) patterns. */
int file_list_globs(bh_ctx *ctx, const char *const *patterns, size_t npatterns,
		    const struct file_list_options *opt, struct file_list *out);
void file_list_free(struct file_list *l);

/* Writes s as a JSON string literal into a new buffer (caller frees).
 * Returns -EILSEQ when s is not valid UTF-8 (JSON cannot carry it). */
int file_json_string(const char *s, char **out);

/* Formats Embulk's sequence_format ("%03d.%02d.") with the task index and
 * the file index.  Only %d conversions with optional 0/- flags and a width,
 * and "%%", are allowed; anything else is -EINVAL.  Returns the length
 * written, or -ENAMETOOLONG when cap is too small. */
int file_format_sequence(const char *format, long task, long file, char *buf, size_t cap);
/* Checks a sequence_format without formatting anything. */
int file_check_sequence(const char *format);

extern const bh_input_vtable file_input_vtable;
extern const bh_option file_input_options[];
extern const bh_output_vtable file_output_vtable;
extern const bh_option file_output_options[];

#endif
