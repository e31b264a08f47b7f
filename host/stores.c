/* Where things are: the worker executable and the plugin store load path. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "host/host.h"
#include "sdk/src/runtime.h"

/* The directory of the running executable (caller frees), or NULL. */
static char *self_dir(void)
{
	char buf[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
	char *slash;
	if (n <= 0)
		return NULL;
	buf[n] = '\0';
	slash = strrchr(buf, '/');
	if (!slash)
		return NULL;
	*slash = '\0';
	return strdup(buf);
}

int host_in_build_tree(void)
{
	char *dir = self_dir();
	char real_build[PATH_MAX];
	int yes = dir && realpath(BH_BUILDDIR, real_build) && strcmp(dir, real_build) == 0;
	free(dir);
	return yes;
}

char *host_worker_path(void)
{
	const char *env = getenv("BULKHEAD_WORKER");
	char *dir, *path = NULL;
	if (env && *env)
		return strdup(env);
	dir = self_dir();
	if (dir && asprintf(&path, "%s/bulkhead-worker", dir) >= 0 && access(path, X_OK) == 0) {
		free(dir);
		return path;
	}
	free(dir);
	free(path);
	return strdup(BH_LIBEXECDIR "/bulkhead-worker");
}

int host_list_add(char ***list, size_t *count, const char *s)
{
	char **grown;
	for (size_t i = 0; i < *count; i++)
		if (strcmp((*list)[i], s) == 0)
			return 0;
	grown = realloc(*list, (*count + 1) * sizeof(*grown));
	if (!grown)
		return -ENOMEM;
	*list = grown;
	if (!(grown[*count] = strdup(s)))
		return -ENOMEM;
	(*count)++;
	return 0;
}

static int add_store(struct bh_cli *cli, const char *path)
{
	return host_list_add(&cli->store_path, &cli->store_count, path);
}

int host_stores_init(struct bh_cli *cli, char **err)
{
	const char *env = getenv("BULKHEAD_PLUGIN_PATH");
	char *home_store = store_home_root(cli->home);
	int r;
	if (!home_store)
		return -ENOMEM;
	r = add_store(cli, home_store);
	free(home_store);
	if (r == 0 && env && *env) {
		char *copy = strdup(env), *save = NULL;
		for (char *p = copy ? strtok_r(copy, ":", &save) : NULL; p && r == 0; p = strtok_r(NULL, ":", &save))
			r = add_store(cli, p);
		if (!copy)
			r = -ENOMEM;
		free(copy);
	}
	if (r == 0)
		r = add_store(cli, BH_PKGLIBDIR "/plugins");
	if (r == 0 && host_in_build_tree())
		r = add_store(cli, BH_BUILDDIR "/plugin-store");
	if (r < 0)
		return rt_fail(err, "out of memory");
	return 0;
}

void host_stores_free(struct bh_cli *cli)
{
	for (size_t i = 0; i < cli->store_count; i++)
		free(cli->store_path[i]);
	free(cli->store_path);
	cli->store_path = NULL;
	cli->store_count = 0;
}
