/* file output: writes each task's bytes (from a formatter) to one local file,
 * named like Embulk's file output: path_prefix + sequence_format(task, 0) +
 * file_ext.
 *
 * Nothing half-written is published: a task writes a hidden temp file in the
 * destination directory (so the final rename stays on one filesystem),
 * fsyncs it when the task finishes, and commit() renames every temp file
 * into place and fsyncs the directory (both unless fsync: false).  abort() unlinks the temp files, so a
 * failed run leaves the files of earlier runs as they were. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "plugins/file/file.h"

#define TEMP_MARK ".bh-tmp-"
#define TEMP_TRIES 100

const bh_option file_output_options[] = {
	{"path_prefix", BH_OPT_STRING, NULL, 1,
	 "Start of every output path, e.g. /data/out/sample_ writes /data/out/sample_000.00.csv, "
	 "/data/out/sample_001.00.csv, ... (one file per task). The directory must exist; it is "
	 "not created."},
	{"file_ext", BH_OPT_STRING, NULL, 1,
	 "End of every output path, without a leading dot when sequence_format ends with one, "
	 "e.g. csv or csv.gz."},
	{"sequence_format", BH_OPT_STRING, "%03d.%02d.", 0,
	 "Printf-style text between path_prefix and file_ext: the first %d is the task number "
	 "and the second the file number within the task (always 0: one file per task). Only "
	 "%d with an optional 0 or - flag and a width, and %%, are allowed; no '/'."},
	{"fsync", BH_OPT_BOOLEAN, "true", 0,
	 "Flush every file and the directory to disk before the run reports success, so "
	 "published output survives a power loss or kernel crash. false leaves the flush to the "
	 "kernel (faster: the run does not wait for the disk; a killed or failed run still "
	 "publishes nothing)."},
	{NULL, 0, NULL, 0, NULL},
};

struct staged_file {
	char *final_path;
	char *temp_path; /* NULL when the task has not opened its sink, or after rename */
	int finished;
};

struct output_state {
	pthread_mutex_t lock;
	char *dir;
	uint32_t task_count;
	struct staged_file *files;
	int fsync; /* flush files and the directory before commit returns */
};

struct output_sink {
	struct output_state *state;
	bh_ctx *ctx;
	uint32_t task;
	int fd;
	int finished;
	const char *final_path;
	char *temp_path;
};

static void output_state_free(struct output_state *s)
{
	uint32_t i;
	if (s == NULL)
		return;
	if (s->files != NULL) {
		for (i = 0; i < s->task_count; i++) {
			free(s->files[i].final_path);
			free(s->files[i].temp_path);
		}
		free(s->files);
	}
	free(s->dir);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

static int contains_slash(const char *s)
{
	return strchr(s, '/') != NULL;
}

/* Caller frees *out. */
static int output_final_path(bh_ctx *ctx, const char *prefix, const char *format, const char *ext,
			     uint32_t task, char **out)
{
	char seq[PATH_MAX], path[PATH_MAX];
	int n = file_format_sequence(format, (long)task, 0, seq, sizeof(seq));
	if (n < 0) {
		bh_error(ctx, "sequence_format '%s' does not fit a path", format);
		return BH_ECONFIG;
	}
	n = snprintf(path, sizeof(path), "%s%s%s", prefix, seq, ext);
	if (n < 0 || (size_t)n >= sizeof(path)) {
		bh_error(ctx, "output path %s%s%s is longer than %d bytes", prefix, seq, ext,
			 PATH_MAX - 1);
		return BH_ECONFIG;
	}
	*out = strdup(path);
	return *out ? 0 : -ENOMEM;
}

/* Caller frees *out: the directory part of path ("." when there is none). */
static int directory_of(const char *path, char **out)
{
	const char *slash = strrchr(path, '/');
	if (slash == NULL)
		*out = strdup(".");
	else if (slash == path)
		*out = strdup("/");
	else
		*out = strndup(path, (size_t)(slash - path));
	return *out ? 0 : -ENOMEM;
}

static int output_begin(bh_ctx *ctx, const bh_config *cfg, const bh_schema *schema,
			uint32_t task_count, void **state)
{
	struct output_state *s = calloc(1, sizeof(*s));
	const char *prefix, *ext, *format = "%03d.%02d.";
	struct stat st;
	uint32_t i;
	int r;

	if (s == NULL)
		return -ENOMEM;
	pthread_mutex_init(&s->lock, NULL);
	if ((r = bh_host->config_string(ctx, cfg, "path_prefix", &prefix)) < 0 ||
	    (r = bh_host->config_string(ctx, cfg, "file_ext", &ext)) < 0)
		goto out;
	r = bh_host->config_string(ctx, cfg, "sequence_format", &format);
	if (r < 0 && r != -ENOENT)
		goto out;
	s->fsync = 1;
	r = bh_host->config_boolean(ctx, cfg, "fsync", &s->fsync);
	if (r < 0 && r != -ENOENT)
		goto out;
	r = BH_ECONFIG;
	if (prefix[0] == '\0') {
		bh_error(ctx, "path_prefix is empty");
		goto out;
	}
	if (file_check_sequence(format) < 0) {
		bh_error(ctx,
			 "sequence_format '%s' is not supported: use at most two %%d "
			 "conversions (flags 0 or -, width up to 20) and %%%%",
			 format);
		goto out;
	}
	if (contains_slash(format) || contains_slash(ext)) {
		bh_error(ctx, "sequence_format and file_ext must not contain '/'; put "
			      "directories in path_prefix");
		goto out;
	}
	s->files = calloc(task_count ? task_count : 1, sizeof(*s->files));
	if (s->files == NULL) {
		r = -ENOMEM;
		goto out;
	}
	s->task_count = task_count;
	for (i = 0; i < task_count; i++) {
		r = output_final_path(ctx, prefix, format, ext, i, &s->files[i].final_path);
		if (r < 0)
			goto out;
	}
	/* Every name differs only after the last '/', so one directory holds all. */
	r = directory_of(prefix, &s->dir);
	if (r < 0)
		goto out;
	if (stat(s->dir, &st) < 0) {
		r = -errno;
		if (errno == ENOENT)
			bh_error(ctx,
				 "output directory %s does not exist; create it first "
				 "(path_prefix '%s')",
				 s->dir, prefix);
		else
			bh_error(ctx, "cannot use output directory %s: %s", s->dir,
				 strerror(errno));
		goto out;
	}
	if (!S_ISDIR(st.st_mode)) {
		bh_error(ctx, "%s (the directory part of path_prefix) is not a directory",
			 s->dir);
		r = BH_ECONFIG;
		goto out;
	}
	if (access(s->dir, W_OK) < 0) {
		r = -errno;
		bh_error(ctx, "cannot write into output directory %s: %s", s->dir,
			 strerror(errno));
		goto out;
	}
	*state = s;
	s = NULL;
	r = 0;
out:
	output_state_free(s);
	return r;
}

static uint64_t random_suffix(void)
{
	static unsigned counter;
	uint64_t v;
	if (getrandom(&v, sizeof(v), GRND_NONBLOCK) == (ssize_t)sizeof(v))
		return v;
	/* No entropy yet: uniqueness is all we need, O_EXCL catches the rest. */
	return ((uint64_t)getpid() << 32) ^ (uint64_t)time(NULL) ^
	       __atomic_add_fetch(&counter, 1, __ATOMIC_RELAXED);
}

/* Creates a hidden temp file next to final; caller frees *path. */
static int create_temp(bh_ctx *ctx, const char *dir, const char *final, char **path, int *fd)
{
	const char *base = strrchr(final, '/');
	char buf[PATH_MAX];
	int tries, n;

	base = base ? base + 1 : final;
	for (tries = 0; tries < TEMP_TRIES; tries++) {
		uint64_t rnd = random_suffix();
		/* Keep the final name in the temp name when it fits NAME_MAX, so an
		 * operator can tell what a leftover (from a killed run) was. */
		if (strlen(base) <= NAME_MAX - 32)
			n = snprintf(buf, sizeof(buf), "%s/.%s" TEMP_MARK "%016llx", dir, base,
				     (unsigned long long)rnd);
		else
			n = snprintf(buf, sizeof(buf), "%s/" TEMP_MARK "%016llx", dir,
				     (unsigned long long)rnd);
		if (n < 0 || (size_t)n >= sizeof(buf)) {
			bh_error(ctx, "temp file name for %s is longer than %d bytes", final,
				 PATH_MAX - 1);
			return -ENAMETOOLONG;
		}
		*fd = open(buf, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOCTTY, 0666);
		if (*fd >= 0) {
			*path = strdup(buf);
			if (*path == NULL) {
				close(*fd);
				unlink(buf);
				return -ENOMEM;
			}
			return 0;
		}
		if (errno != EEXIST) {
			int e = errno;
			bh_error(ctx, "cannot create temp file in %s for %s: %s", dir, final,
				 strerror(e));
			return -e;
		}
	}
	bh_error(ctx, "cannot find a free temp file name in %s", dir);
	return -EEXIST;
}

static int sink_write(void *self, const void *data, size_t len)
{
	struct output_sink *k = self;
	const char *p = data;

	while (len > 0) {
		ssize_t n = write(k->fd, p, len);
		if (n < 0) {
			int e = errno;
			if (e == EINTR)
				continue;
			bh_error(k->ctx, "cannot write %s (staged as %s): %s", k->final_path,
				 k->temp_path, strerror(e));
			return -e;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int sink_finish(void *self)
{
	struct output_sink *k = self;
	struct output_state *s = k->state;
	int fd = k->fd;

	/* Data must be on disk before commit's rename makes it visible. */
	if (s->fsync && fsync(fd) < 0) {
		int e = errno;
		bh_error(k->ctx, "cannot flush %s (staged as %s): %s", k->final_path,
			 k->temp_path, strerror(e));
		return -e;
	}
	k->fd = -1;
	if (close(fd) < 0) {
		int e = errno;
		bh_error(k->ctx, "cannot close %s (staged as %s): %s", k->final_path,
			 k->temp_path, strerror(e));
		return -e;
	}
	k->finished = 1;
	pthread_mutex_lock(&s->lock);
	s->files[k->task].finished = 1;
	pthread_mutex_unlock(&s->lock);
	return 0;
}

static void sink_close(void *self)
{
	struct output_sink *k = self;
	if (k == NULL)
		return;
	if (k->fd >= 0)
		close(k->fd);
	/* A task that failed leaves nothing behind even if abort never comes. */
	if (!k->finished)
		unlink(k->temp_path);
	free(k->temp_path);
	free(k);
}

static int output_open_sink(void *state, bh_ctx *ctx, uint32_t task, bh_sink *out)
{
	struct output_state *s = state;
	struct output_sink *k;
	char *temp = NULL, *old;
	int fd = -1, r;

	if (task >= s->task_count) {
		bh_error(ctx, "task %u is out of range (%u tasks)", task, s->task_count);
		return BH_EPLUGIN;
	}
	k = calloc(1, sizeof(*k));
	if (k == NULL)
		return -ENOMEM;
	r = create_temp(ctx, s->dir, s->files[task].final_path, &temp, &fd);
	if (r < 0) {
		free(k);
		return r;
	}
	k->temp_path = strdup(temp);
	if (k->temp_path == NULL) {
		close(fd);
		unlink(temp);
		free(temp);
		free(k);
		return -ENOMEM;
	}
	k->state = s;
	k->ctx = ctx;
	k->task = task;
	k->fd = fd;
	k->final_path = s->files[task].final_path;

	pthread_mutex_lock(&s->lock);
	old = s->files[task].temp_path;
	s->files[task].temp_path = temp;
	s->files[task].finished = 0;
	pthread_mutex_unlock(&s->lock);
	if (old != NULL) { /* the task was opened again: its first attempt is void */
		unlink(old);
		free(old);
	}

	out->self = k;
	out->write = sink_write;
	out->finish = sink_finish;
	out->close = sink_close;
	return 0;
}

/* A task's attempt is void: drop its staged file; the task opens a new one. */
static int output_discard_task(void *state, bh_ctx *ctx, uint32_t task)
{
	struct output_state *s = state;
	if (task >= s->task_count) {
		bh_error(ctx, "task %u is out of range (%u tasks)", task, s->task_count);
		return BH_EPLUGIN;
	}
	pthread_mutex_lock(&s->lock);
	if (s->files[task].temp_path != NULL) {
		unlink(s->files[task].temp_path);
		free(s->files[task].temp_path);
		s->files[task].temp_path = NULL;
	}
	s->files[task].finished = 0;
	pthread_mutex_unlock(&s->lock);
	return 0;
}

static void unlink_staged(struct output_state *s)
{
	uint32_t i;
	pthread_mutex_lock(&s->lock);
	for (i = 0; i < s->task_count; i++) {
		if (s->files[i].temp_path == NULL)
			continue;
		unlink(s->files[i].temp_path);
		free(s->files[i].temp_path);
		s->files[i].temp_path = NULL;
	}
	pthread_mutex_unlock(&s->lock);
}

static int output_commit(void *state, bh_ctx *ctx)
{
	struct output_state *s = state;
	uint32_t i, published = 0;
	int dfd, r = 0;

	pthread_mutex_lock(&s->lock);
	for (i = 0; i < s->task_count; i++) {
		if (s->files[i].temp_path != NULL && !s->files[i].finished) {
			bh_error(ctx, "task %u did not finish %s; nothing was published", i,
				 s->files[i].final_path);
			r = BH_EPLUGIN;
			break;
		}
	}
	for (i = 0; r == 0 && i < s->task_count; i++) {
		if (s->files[i].temp_path == NULL)
			continue; /* the task never opened its sink */
		if (rename(s->files[i].temp_path, s->files[i].final_path) < 0) {
			r = -errno;
			bh_error(ctx,
				 "cannot publish %s (from %s): %s; %u of the files were "
				 "published",
				 s->files[i].final_path, s->files[i].temp_path, strerror(errno),
				 published);
			break;
		}
		free(s->files[i].temp_path);
		s->files[i].temp_path = NULL;
		published++;
	}
	pthread_mutex_unlock(&s->lock);
	if (r < 0) {
		unlink_staged(s);
		return r;
	}
	/* The renames themselves must survive a crash too. */
	dfd = s->fsync ? open(s->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
	if (dfd >= 0) {
		if (fsync(dfd) < 0 && errno != EINVAL)
			bh_log(ctx, BH_LOG_WARN, "cannot sync directory %s: %s", s->dir,
			       strerror(errno));
		close(dfd);
	}
	bh_log(ctx, BH_LOG_INFO, "published %u file%s in %s", published,
	       published == 1 ? "" : "s", s->dir);
	return 0;
}

static void output_abort(void *state, bh_ctx *ctx)
{
	unlink_staged(state);
}

static void output_end(void *state)
{
	struct output_state *s = state;
	if (s == NULL)
		return;
	unlink_staged(s); /* neither commit nor abort came: publish nothing */
	output_state_free(s);
}

const bh_output_vtable file_output_vtable = {
	.struct_size = sizeof(bh_output_vtable),
	.begin = output_begin,
	.open_sink = output_open_sink,
	.discard_task = output_discard_task,
	.commit = output_commit,
	.abort = output_abort,
	.end = output_end,
};
