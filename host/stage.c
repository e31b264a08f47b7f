/* bulkhead plugin stage: lays out a built plugin as a store entry
 * <store>/<name>/<version>/ (manifest with options and hashes + the library),
 * the way install would, so the build tree works as a read-only store. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "host/commands.h"
#include "host/host.h"
#include "packaging/util.h"
#include "sdk/src/runtime.h"

static char *jdup(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? strdup(s) : NULL;
}

/* Fills m's components and options from bulkhead-worker describe output. */
static int fill_components(struct manifest *m, const json_t *d, char **err)
{
	json_t *comps = json_object_get(d, "components"), *c;
	size_t i;
	m->components = calloc(json_array_size(comps) + 1, sizeof(*m->components));
	if (!m->components)
		return -ENOMEM;
	json_array_foreach(comps, i, c) {
		struct manifest_component *mc = &m->components[i];
		json_t *opts = json_object_get(c, "options"), *o;
		size_t j;
		mc->kind = jdup(c, "kind");
		mc->type = jdup(c, "type");
		mc->description = jdup(c, "description");
		mc->options = calloc(json_array_size(opts) + 1, sizeof(*mc->options));
		m->component_count = i + 1;
		if (!mc->options)
			return -ENOMEM;
		json_array_foreach(opts, j, o) {
			mc->options[j].name = jdup(o, "name");
			mc->options[j].type = jdup(o, "type");
			mc->options[j].default_value = jdup(o, "default");
			mc->options[j].required = json_is_true(json_object_get(o, "required"));
			mc->options[j].description = jdup(o, "description");
			mc->option_count = j + 1;
		}
	}
	return 0;
}

static int copy_file(const char *from, const char *to, mode_t mode)
{
	char buf[65536];
	int in = open(from, O_RDONLY | O_CLOEXEC), out, r = 0;
	if (in < 0)
		return -errno;
	out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (out < 0) {
		r = -errno;
		close(in);
		return r;
	}
	for (;;) {
		ssize_t n = read(in, buf, sizeof(buf));
		if (n == 0)
			break;
		if (n < 0 || write(out, buf, (size_t)n) != n) {
			r = -EIO;
			break;
		}
	}
	close(in);
	if (close(out) < 0 && r == 0)
		r = -EIO;
	return r;
}

int cmd_plugin_stage(struct bh_cli *cli, int argc, char **argv)
{
	struct manifest *m = NULL;
	json_t *d = NULL;
	char *err = NULL, *dir = NULL, *lib_dest = NULL, *manifest_path = NULL, hex[65];
	const char *base;
	int code = BH_EXIT_INTERNAL;
	if (argc != 4) {
		fputs("usage: bulkhead plugin stage SOURCE_MANIFEST LIBRARY STORE_DIR\n"
		      "Stages a built plugin into STORE_DIR/<name>/<version>/ with its option tables\n"
		      "(read by bulkhead-worker) and file hashes filled in.  Used by the build.\n",
		      argc == 2 && strcmp(argv[1], "--help") == 0 ? stdout : stderr);
		return argc == 2 && strcmp(argv[1], "--help") == 0 ? BH_EXIT_OK : BH_EXIT_USAGE;
	}
	if (manifest_load(argv[1], 1, &m, &err) < 0) {
		code = BH_EXIT_CONFIG;
		goto out;
	}
	if (host_describe_library(cli, argv[2], &d, &err) < 0 || fill_components(m, d, &err) < 0) {
		code = BH_EXIT_BUNDLE;
		goto out;
	}
	base = strrchr(argv[2], '/') ? strrchr(argv[2], '/') + 1 : argv[2];
	if (strcmp(base, m->library) != 0) {
		rt_fail(&err, "%s: library is '%s' but the built file is '%s'", argv[1], m->library, base);
		goto out;
	}
	dir = pkg_strdupf("%s/%s/%s", argv[3], m->name, m->version);
	lib_dest = pkg_strdupf("%s/%s", dir, m->library);
	manifest_path = pkg_strdupf("%s/manifest.yml", dir);
	if (!dir || !lib_dest || !manifest_path || pkg_mkdir_p(dir) < 0 || copy_file(argv[2], lib_dest, 0755) < 0 ||
	    pkg_sha256_file(lib_dest, hex) < 0) {
		rt_fail(&err, "cannot stage %s into %s", argv[2], dir ? dir : argv[3]);
		goto out;
	}
	m->files = calloc(1, sizeof(*m->files));
	if (!m->files)
		goto out;
	m->files[0].path = strdup(m->library);
	m->files[0].sha256 = strdup(hex);
	m->file_count = 1;
	if (manifest_write(m, manifest_path, &err) < 0)
		goto out;
	code = BH_EXIT_OK;
out:
	if (code != BH_EXIT_OK)
		fprintf(stderr, "bulkhead: %s\n", err ? err : "staging failed");
	free(err);
	free(dir);
	free(lib_dest);
	free(manifest_path);
	json_decref(d);
	manifest_free(m);
	return code;
}
