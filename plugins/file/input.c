/* file input: reads local files (or named pipes) as byte streams, one task
 * per file, for a parser (and decoders) to turn into records. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "plugins/file/file.h"

#define STR_(x) #x
#define STR(x) STR_(x)

const bh_option file_input_options[] = {
	{"path_prefix", BH_OPT_STRING, NULL, 0,
	 "Read every file whose path starts with this prefix, in path order, e.g. "
	 "/data/logs/access_ reads /data/logs/access_01.csv and everything under "
	 "/data/logs/access_old/. When the prefix names a directory, everything under it "
	 "is read. Regular files and named pipes are read; other entries are skipped. "
	 "Give either path_prefix or paths."},
	{"paths", BH_OPT_STRING_LIST, NULL, 0,
	 "Instead of path_prefix: one or more glob(3) patterns (*, ?, [...]), e.g. "
	 "[\"/data/*.csv\", \"/archive/2024-*.csv\"]. Matches are read in path order; a "
	 "pattern that matches nothing is not an error."},
	{"last_path", BH_OPT_STRING, NULL, 0,
	 "Skip every file whose path sorts at or before this one (byte order). After a "
	 "successful run the next config gets last_path set to the last file read, so "
	 "running that config (see bulkhead run --next FILE) loads only new files."},
	{"follow_symlinks", BH_OPT_BOOLEAN, "false", 0,
	 "Walk into symbolic links to directories under path_prefix (links that loop are "
	 "skipped). Links to files are always read, as in Embulk."},
	{"read_buffer_size", BH_OPT_LONG, STR(FILE_DEFAULT_READ_BUFFER), 0,
	 "Bytes read from a file at a time, per task, between " STR(FILE_MIN_READ_BUFFER)
	 " and " STR(FILE_MAX_READ_BUFFER) "."},
	{"max_files", BH_OPT_LONG, STR(FILE_DEFAULT_MAX_FILES), 0,
	 "Refuse to run when more files than this match (each file is one task), up to "
	 STR(FILE_MAX_MAX_FILES) ". Zero matching files is not an error: the run reads nothing."},
	{NULL, 0, NULL, 0, NULL},
};

struct input_state {
	struct file_list files;
	size_t read_buffer_size;
	char *previous_last_path; /* the configured last_path, kept when nothing is new */
};

struct input_stream {
	bh_ctx *ctx;
	int fd;
	const char *path;
	char *buf;
	size_t size;
};

static void input_state_free(struct input_state *s)
{
	if (s == NULL)
		return;
	file_list_free(&s->files);
	free(s->previous_last_path);
	free(s);
}

/* Reads an optional option; -ENOENT leaves *out alone and is not an error. */
static int optional(int r)
{
	return r == -ENOENT ? 0 : r;
}

static int input_read_paths(bh_ctx *ctx, const bh_config *cfg, char ***out, size_t *count)
{
	size_t n = 0, i;
	char **v;
	int r = bh_host->config_list_length(ctx, cfg, "paths", &n);
	if (r < 0)
		return r;
	if (n == 0) {
		bh_error(ctx, "paths is empty; give at least one pattern");
		return BH_ECONFIG;
	}
	v = calloc(n, sizeof(*v));
	if (v == NULL)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		const char *s;
		r = bh_host->config_list_string(ctx, cfg, "paths", i, &s);
		if (r < 0) {
			free(v);
			return r;
		}
		v[i] = (char *)s; /* owned by the config */
	}
	*out = v;
	*count = n;
	return 0;
}

static int input_begin(bh_ctx *ctx, const bh_config *cfg, void **state, bh_input_plan *plan)
{
	struct input_state *s = calloc(1, sizeof(*s));
	struct file_list_options opt = {0};
	const char *prefix = NULL, *last_path = NULL;
	char **patterns = NULL;
	size_t npatterns = 0;
	int64_t buffer = FILE_DEFAULT_READ_BUFFER, max_files = FILE_DEFAULT_MAX_FILES;
	int follow = 0, has_paths, r;

	if (s == NULL)
		return -ENOMEM;
	if ((r = optional(bh_host->config_string(ctx, cfg, "path_prefix", &prefix))) < 0 ||
	    (r = optional(bh_host->config_string(ctx, cfg, "last_path", &last_path))) < 0 ||
	    (r = optional(bh_host->config_boolean(ctx, cfg, "follow_symlinks", &follow))) < 0 ||
	    (r = optional(bh_host->config_long(ctx, cfg, "read_buffer_size", &buffer))) < 0 ||
	    (r = optional(bh_host->config_long(ctx, cfg, "max_files", &max_files))) < 0)
		goto out;
	r = bh_host->config_list_length(ctx, cfg, "paths", &npatterns);
	if (r < 0 && r != -ENOENT)
		goto out;
	has_paths = r == 0;
	if ((prefix == NULL) == !has_paths) {
		bh_error(ctx, "%s", prefix ? "give either path_prefix or paths, not both"
				       : "give path_prefix (or paths) to say which files to read");
		r = BH_ECONFIG;
		goto out;
	}
	if (buffer < FILE_MIN_READ_BUFFER || buffer > FILE_MAX_READ_BUFFER) {
		bh_error(ctx, "read_buffer_size %lld is outside %d..%d bytes", (long long)buffer,
			 FILE_MIN_READ_BUFFER, FILE_MAX_READ_BUFFER);
		r = BH_ECONFIG;
		goto out;
	}
	if (max_files < 1 || max_files > FILE_MAX_MAX_FILES) {
		bh_error(ctx, "max_files %lld is outside 1..%d", (long long)max_files,
			 FILE_MAX_MAX_FILES);
		r = BH_ECONFIG;
		goto out;
	}
	s->read_buffer_size = (size_t)buffer;
	if (last_path != NULL && (s->previous_last_path = strdup(last_path)) == NULL) {
		r = -ENOMEM;
		goto out;
	}
	opt.last_path = last_path;
	opt.follow_symlinks = follow;
	opt.max_files = (size_t)max_files;

	if (has_paths) {
		r = input_read_paths(ctx, cfg, &patterns, &npatterns);
		if (r < 0)
			goto out;
		r = file_list_globs(ctx, (const char *const *)patterns, npatterns, &opt, &s->files);
	} else {
		r = file_list_prefix(ctx, prefix, &opt, &s->files);
	}
	if (r < 0)
		goto out;
	if (s->files.count == 0)
		bh_log(ctx, BH_LOG_INFO, "no %sfiles match %s%s; nothing to read",
		       last_path ? "new " : "", has_paths ? "paths" : "path_prefix ",
		       has_paths ? "" : prefix);
	else
		bh_log(ctx, BH_LOG_INFO, "reading %zu file%s, from %s to %s", s->files.count,
		       s->files.count == 1 ? "" : "s", s->files.paths[0],
		       s->files.paths[s->files.count - 1]);
	plan->task_count = (uint32_t)s->files.count;
	plan->schema = NULL;
	*state = s;
	s = NULL;
	r = 0;
out:
	free(patterns);
	input_state_free(s);
	return r;
}

static ssize_t input_stream_read(void *self, const char **data)
{
	struct input_stream *in = self;
	ssize_t n;

	do
		n = read(in->fd, in->buf, in->size);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		int e = errno;
		bh_error(in->ctx, "cannot read %s: %s", in->path, strerror(e));
		return -e;
	}
	if (n > 0)
		bh_host->add_bytes(in->ctx, (uint64_t)n);
	*data = in->buf;
	return n;
}

static void input_stream_close(void *self)
{
	struct input_stream *in = self;
	if (in == NULL)
		return;
	if (in->fd >= 0)
		close(in->fd);
	free(in->buf);
	free(in);
}

static int input_task_size(void *state, uint32_t task, uint64_t *bytes)
{
	struct input_state *s = state;
	struct stat st;
	if (task >= s->files.count)
		return -EINVAL;
	if (stat(s->files.paths[task], &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -ENOTSUP; /* a named pipe: read from its start only */
	*bytes = (uint64_t)st.st_size;
	return 0;
}

/* Opens task's file and positions it at offset (0 for a named pipe). */
static int input_open_task_at(void *state, bh_ctx *ctx, uint32_t task, uint64_t offset, bh_stream *out)
{
	struct input_state *s = state;
	struct input_stream *in;
	struct stat st;
	const char *path;
	int r;

	if (task >= s->files.count) {
		bh_error(ctx, "task %u does not exist (%zu files)", task, s->files.count);
		return BH_EPLUGIN;
	}
	path = s->files.paths[task];
	in = calloc(1, sizeof(*in));
	if (in == NULL)
		return -ENOMEM;
	in->ctx = ctx;
	in->path = path;
	in->size = s->read_buffer_size;
	/* A named pipe blocks here until its writer opens it; then we read to EOF. */
	in->fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (in->fd < 0) {
		r = -errno;
		bh_error(ctx, "cannot open %s: %s", path, strerror(errno));
		goto fail;
	}
	if (fstat(in->fd, &st) < 0 || !(S_ISREG(st.st_mode) || S_ISFIFO(st.st_mode))) {
		bh_error(ctx, "%s is no longer a regular file or named pipe", path);
		r = BH_EDATA;
		goto fail;
	}
	if (offset > 0 && (!S_ISREG(st.st_mode) || lseek(in->fd, (off_t)offset, SEEK_SET) < 0)) {
		r = S_ISREG(st.st_mode) ? -errno : -ESPIPE;
		bh_error(ctx, "cannot read %s from byte %llu: %s", path, (unsigned long long)offset, strerror(-r));
		goto fail;
	}
	in->buf = malloc(in->size);
	if (in->buf == NULL) {
		r = -ENOMEM;
		goto fail;
	}
	out->self = in;
	out->read = input_stream_read;
	out->close = input_stream_close;
	out->name = path;
	return 0;
fail:
	input_stream_close(in);
	return r;
}

static int input_open_task(void *state, bh_ctx *ctx, uint32_t task, bh_stream *out)
{
	return input_open_task_at(state, ctx, task, 0, out);
}

static int input_commit(void *state, bh_ctx *ctx)
{
	struct input_state *s = state;
	const char *last = s->files.count ? s->files.paths[s->files.count - 1] : s->previous_last_path;
	char *json;
	int r;

	if (last == NULL)
		return 0;
	r = file_json_string(last, &json);
	if (r == -EILSEQ) {
		bh_log(ctx, BH_LOG_WARN,
		       "last path %s is not valid UTF-8; the next config gets no last_path", last);
		return 0;
	}
	if (r < 0)
		return r;
	r = bh_host->next_config_set(ctx, "last_path", json);
	free(json);
	return r;
}

static void input_end(void *state)
{
	input_state_free(state);
}

const bh_input_vtable file_input_vtable = {
	.struct_size = sizeof(bh_input_vtable),
	.begin = input_begin,
	.open_task = input_open_task,
	.commit = input_commit,
	.end = input_end,
	.task_size = input_task_size,
	.open_task_at = input_open_task_at,
};
