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
#include "packaging/bundle.h"
#include "packaging/util.h"
#include "sdk/src/runtime.h"

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
	if (host_describe_library(cli, argv[2], &d, &err) < 0 || bundle_fill_from_describe(m, d, &err) < 0) {
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
