/* Shared plumbing for the packaging commands. */
#include "host/pkgcmd.h"
#include "packaging/util.h"
#include "packaging/yamldoc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int pkgcmd_fail(char **err, int code, const char *fallback)
{
	fprintf(stderr, "bulkhead: %s\n", err && *err ? *err : fallback);
	if (err) {
		free(*err);
		*err = NULL;
	}
	return code;
}

char *pkgcmd_home_store(const struct bh_cli *cli)
{
	return store_home_root(cli->home);
}

char *pkgcmd_keys_dir(const struct bh_cli *cli)
{
	return pkg_strdupf("%s/trusted-keys", cli->home);
}

int pkgcmd_require_signature(const struct bh_cli *cli, char **err)
{
	const char *env = getenv("BULKHEAD_REQUIRE_SIGNATURE");
	struct yamldoc d;
	int r, value = 0;

	if (env && *env)
		return strcmp(env, "0") != 0 && strcmp(env, "false") != 0 && strcmp(env, "no") != 0;
	char *path = pkg_strdupf("%s/host.yml", cli->home);
	if (path == NULL)
		return pkg_error(err, -ENOMEM, "out of memory");
	if (access(path, F_OK) < 0) {
		free(path);
		return 0;
	}
	r = yamldoc_load(path, 1 << 20, &d, err);
	free(path);
	if (r < 0)
		return r;
	yaml_node_t *root = yamldoc_root(&d);
	if (root && root->type == YAML_MAPPING_NODE) {
		for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top; p++) {
			const char *k = yamldoc_scalar(yamldoc_node(&d, p->key));
			if (k && strcmp(k, "require_signature") == 0 &&
			    (r = yamldoc_bool(&d, yamldoc_node(&d, p->value), &value, err)) < 0) {
				yamldoc_free(&d);
				return r;
			}
		}
	}
	yamldoc_free(&d);
	return value;
}

int pkgcmd_scan(const struct bh_cli *cli, struct store_entry **entries, size_t *count, char **err)
{
	char *home_store = pkgcmd_home_store(cli);
	int lock = -1, r;

	if (home_store == NULL)
		return pkg_error(err, -ENOMEM, "out of memory");
	/* Without a home store there is nothing to lock (and no reason to create one). */
	if (access(home_store, F_OK) == 0 && (r = store_lock(home_store, 0, &lock, err)) < 0) {
		free(home_store);
		return r;
	}
	r = store_scan(cli->store_path, cli->store_count, entries, count, err);
	store_unlock(lock);
	free(home_store);
	return r;
}

int pkgcmd_load_policy(const struct bh_cli *cli, struct policy **out, char **err)
{
	char *path = policy_path(cli->home);
	if (path == NULL)
		return pkg_error(err, -ENOMEM, "out of memory");
	int r = policy_load(path, out, err);
	free(path);
	return r;
}

int pkgcmd_split_ref(char *ref, char **name, char **version)
{
	char *at = strchr(ref, '@');
	*name = ref;
	*version = NULL;
	if (at) {
		*at = '\0';
		*version = at + 1;
	}
	return pkg_is_identifier(*name, 64) ? 0 : -EINVAL;
}

int pkgcmd_is_help(const char *arg)
{
	return strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0;
}

int pkgcmd_ref_args(int argc, char **argv, const char *usage, const char *flag, int *flag_set, char **ref,
		    char **name, char **version)
{
	const char *arg = NULL;
	char *copy = NULL;

	for (int i = 1; i < argc; i++) {
		if (flag != NULL && strcmp(argv[i], flag) == 0) {
			*flag_set = 1;
		} else if (pkgcmd_is_help(argv[i])) {
			fputs(usage, stdout);
			return 1;
		} else if (argv[i][0] == '-' || arg) {
			fputs(usage, stderr);
			return -1;
		} else {
			arg = argv[i];
		}
	}
	if (arg == NULL || !(copy = strdup(arg)) || pkgcmd_split_ref(copy, name, version) < 0) {
		fputs(usage, stderr);
		free(copy);
		return -1;
	}
	*ref = copy;
	return 0;
}
