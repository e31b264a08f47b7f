/* The run-outcome log, rollout status and the automatic canary rollback. */
#include "packaging/rollout.h"
#include "packaging/policy.h"
#include "packaging/util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static char *log_path(const char *home, const char *plugin)
{
	return pkg_strdupf("%s/outcomes/%s.log", home, plugin);
}

/* Opens (creating) and locks the log. */
static int open_log(const char *home, const char *plugin, int op, int *fd, char **path_out, char **err)
{
	char *dir = pkg_strdupf("%s/outcomes", home), *path = log_path(home, plugin);
	int r = 0, f = -1;

	if (!dir || !path) {
		r = pkg_error(err, -ENOMEM, "out of memory");
		goto out;
	}
	if (!pkg_is_identifier(plugin, 64)) {
		r = pkg_error(err, -EINVAL, "bad plugin name '%s'", plugin);
		goto out;
	}
	if ((r = pkg_mkdir_p(dir)) < 0) {
		r = pkg_error(err, r, "%s: %s", dir, strerror(-r));
		goto out;
	}
	f = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (f < 0) {
		r = pkg_error(err, -errno, "%s: %s", path, strerror(errno));
		goto out;
	}
	while (flock(f, op) < 0) {
		if (errno != EINTR) {
			r = pkg_error(err, -errno, "%s: cannot lock: %s", path, strerror(errno));
			close(f);
			f = -1;
			goto out;
		}
	}
	*fd = f;
	if (path_out) {
		*path_out = path;
		path = NULL;
	}
out:
	free(dir);
	free(path);
	return r;
}

/* Keeps the newest half of an oversized log (whole lines), atomically. */
static int compact(const char *path, char **err)
{
	char *text = NULL;
	size_t len = 0;
	int r = pkg_read_file(path, ROLLOUT_LOG_MAX_BYTES * 4, &text, &len);
	if (r < 0)
		return pkg_error(err, r, "%s: %s", path, strerror(-r));
	const char *keep = text + len / 2;
	const char *nl = strchr(keep, '\n');
	keep = nl ? nl + 1 : text + len;
	r = pkg_write_atomic(path, keep, (size_t)(text + len - keep), err);
	free(text);
	return r;
}

static int append_line(const char *home, const char *plugin, const char *line, char **err)
{
	char *path = NULL;
	int fd = -1, r;
	struct stat st;

	if ((r = open_log(home, plugin, LOCK_EX, &fd, &path, err)) < 0)
		return r;
	size_t n = strlen(line);
	if (write(fd, line, n) != (ssize_t)n) {
		r = pkg_error(err, -EIO, "%s: cannot append: %s", path, strerror(errno));
		goto out;
	}
	if (fstat(fd, &st) == 0 && st.st_size > ROLLOUT_LOG_MAX_BYTES)
		r = compact(path, err);
out:
	close(fd);
	free(path);
	return r;
}

/* Tenant ids and reasons go in one whitespace-separated field or at the end. */
static void sanitize(char *s)
{
	for (; *s; s++)
		if (*s == '\n' || *s == '\r' || *s == ' ' || *s == '\t')
			*s = '_';
}

int rollout_record(const char *home, const char *plugin, const char *version, const char *source,
		   const char *tenant, int ok, char **err)
{
	char tbuf[POLICY_MAX_TENANT + 1];
	snprintf(tbuf, sizeof(tbuf), "%s", tenant && *tenant ? tenant : "-");
	sanitize(tbuf);
	char *line = pkg_strdupf("%lld %s %s %s %s\n", (long long)time(NULL), version, ok ? "ok" : "fail",
				 source ? source : "-", tbuf);
	if (line == NULL)
		return pkg_error(err, -ENOMEM, "out of memory");
	int r = append_line(home, plugin, line, err);
	free(line);
	return r;
}

void rollout_status_clear(struct rollout_status *s)
{
	free(s->versions);
	for (size_t i = 0; i < s->rollback_count; i++)
		free(s->rollbacks[i]);
	free(s->rollbacks);
	memset(s, 0, sizeof(*s));
}

static struct rollout_counts *counts_for(struct rollout_status *s, const char *version)
{
	for (size_t i = 0; i < s->count; i++)
		if (strcmp(s->versions[i].version, version) == 0)
			return &s->versions[i];
	struct rollout_counts *nv = realloc(s->versions, (s->count + 1) * sizeof(*nv));
	if (nv == NULL)
		return NULL;
	s->versions = nv;
	memset(&nv[s->count], 0, sizeof(*nv));
	snprintf(nv[s->count].version, sizeof(nv[s->count].version), "%.128s", version);
	return &nv[s->count++];
}

static int cmp_counts(const void *a, const void *b)
{
	return semver_order_text(((const struct rollout_counts *)a)->version, ((const struct rollout_counts *)b)->version);
}

int rollout_read(const char *home, const char *plugin, struct rollout_status *out, char **err)
{
	struct rollout_status s = {0};
	char *path = NULL, *text = NULL;
	int fd = -1, r;

	if ((r = open_log(home, plugin, LOCK_SH, &fd, &path, err)) < 0)
		return r;
	r = pkg_read_file(path, ROLLOUT_LOG_MAX_BYTES * 4, &text, NULL);
	close(fd);
	if (r < 0) {
		r = pkg_error(err, r, "%s: %s", path, strerror(-r));
		goto out;
	}
	char *save = NULL;
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char version[SEMVER_MAX_LEN + 2], status[16];
		long long when;
		int used = 0;
		/* Lines that do not parse (a torn write after a crash) are skipped. */
		if (sscanf(line, "%lld %129s %15s %n", &when, version, status, &used) < 3)
			continue;
		if (strcmp(status, "rollback") == 0) {
			char **nr = realloc(s.rollbacks, (s.rollback_count + 1) * sizeof(char *));
			if (nr == NULL || !(nr[s.rollback_count] = strdup(line))) {
				if (nr)
					s.rollbacks = nr;
				r = pkg_error(err, -ENOMEM, "out of memory");
				goto out;
			}
			s.rollbacks = nr;
			s.rollback_count++;
			continue;
		}
		if (!semver_valid(version))
			continue;
		struct rollout_counts *c = counts_for(&s, version);
		if (c == NULL) {
			r = pkg_error(err, -ENOMEM, "out of memory");
			goto out;
		}
		c->runs++;
		c->failures += strcmp(status, "ok") != 0;
	}
	qsort(s.versions, s.count, sizeof(*s.versions), cmp_counts);
	*out = s;
	memset(&s, 0, sizeof(s));
	r = 0;
out:
	rollout_status_clear(&s);
	free(text);
	free(path);
	return r;
}

static const struct rollout_counts *find_counts(const struct rollout_status *s, const char *version)
{
	for (size_t i = 0; version && i < s->count; i++)
		if (strcmp(s->versions[i].version, version) == 0)
			return &s->versions[i];
	return NULL;
}

int rollout_check(const char *home, const char *plugin, char **rolled_back, char **err)
{
	struct policy *pol = NULL;
	struct rollout_status st = {0};
	char *ppath = policy_path(home), *why = NULL;
	int lock = -1, r;

	*rolled_back = NULL;
	if (ppath == NULL)
		return pkg_error(err, -ENOMEM, "out of memory");
	if ((r = policy_lock(home, &lock, err)) < 0)
		goto out;
	if ((r = policy_load(ppath, &pol, err)) < 0)
		goto out;
	struct policy_plugin *pp = (struct policy_plugin *)policy_find(pol, plugin);
	if (pp == NULL || !pp->auto_rollback.enabled || pp->canary.version == NULL || pp->canary.basis_points == 0)
		goto out;
	if ((r = rollout_read(home, plugin, &st, err)) < 0)
		goto out;
	const struct rollout_counts *canary = find_counts(&st, pp->canary.version);
	const struct rollout_counts *def = find_counts(&st, pp->default_version);
	if (canary == NULL || canary->runs < pp->auto_rollback.min_runs)
		goto out;
	/* Rates in basis points, exact integer arithmetic. */
	uint64_t crate = (uint64_t)canary->failures * 10000 / canary->runs;
	uint64_t drate = def && def->runs ? (uint64_t)def->failures * 10000 / def->runs : 0;
	if (crate <= drate + pp->auto_rollback.margin_bp)
		goto out;
	char cp[16], dp[16], mp[16], tbuf[32];
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(tbuf, sizeof(tbuf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	policy_format_percent((uint32_t)crate, cp);
	policy_format_percent((uint32_t)drate, dp);
	policy_format_percent(pp->auto_rollback.margin_bp, mp);
	why = pkg_strdupf("%s: canary %s failed %u of %u runs (%s%%), default %s %u of %u (%s%%): more than %s "
			  "points worse",
			  tbuf, pp->canary.version, canary->failures, canary->runs, cp,
			  pp->default_version ? pp->default_version : "(none)", def ? def->failures : 0,
			  def ? def->runs : 0, dp, mp);
	if (why == NULL) {
		r = pkg_error(err, -ENOMEM, "out of memory");
		goto out;
	}
	free(pp->canary.rolled_back);
	pp->canary.rolled_back = strdup(why);
	pp->canary.basis_points = 0;
	if (pp->canary.rolled_back == NULL) {
		r = pkg_error(err, -ENOMEM, "out of memory");
		goto out;
	}
	if ((r = policy_write(pol, ppath, err)) < 0)
		goto out;
	char *line = pkg_strdupf("%lld %s rollback - %s\n", (long long)now, pp->canary.version, why);
	if (line) {
		for (char *p = line; *p && p[1]; p++)
			if (*p == '\n')
				*p = ' ';
		(void)append_line(home, plugin, line, NULL);
	}
	free(line);
	*rolled_back = why;
	why = NULL;
out:
	free(why);
	rollout_status_clear(&st);
	policy_free(pol);
	policy_unlock(lock);
	free(ppath);
	return r;
}

int rollout_after_run(const char *home, const struct resolution *res, const char *tenant, int ok,
		      char **rolled_back, char **err)
{
	int r = rollout_record(home, res->name, res->version, resolution_source_name(res->source), tenant, ok, err);
	if (r < 0)
		return r;
	return rollout_check(home, res->name, rolled_back, err);
}
