/* Shared by the file-loader fuzz targets: one temp file per process that
 * each input is written to. */
#ifndef BH_FUZZ_TMPFILE_H
#define BH_FUZZ_TMPFILE_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char fuzz_dir[64];
static char fuzz_path[128];  /* the input */
static char fuzz_path2[128]; /* what a loader wrote back */

static void fuzz_rmdir(void)
{
	unlink(fuzz_path);
	unlink(fuzz_path2);
	rmdir(fuzz_dir);
}

static void fuzz_tmp_init(void)
{
	const char *tmp = getenv("TMPDIR");
	snprintf(fuzz_dir, sizeof fuzz_dir, "%s/bhfuzz.XXXXXX", tmp && strlen(tmp) < 40 ? tmp : "/tmp");
	if (!mkdtemp(fuzz_dir)) {
		perror("fuzz: mkdtemp");
		abort();
	}
	snprintf(fuzz_path, sizeof fuzz_path, "%s/in.yml", fuzz_dir);
	snprintf(fuzz_path2, sizeof fuzz_path2, "%s/out.yml", fuzz_dir);
	atexit(fuzz_rmdir);
}

static void fuzz_tmp_write(const uint8_t *data, size_t size)
{
	FILE *f = fopen(fuzz_path, "wb");
	if (!f || (size && fwrite(data, 1, size, f) != size) || fclose(f) != 0) {
		perror("fuzz: write");
		abort();
	}
}

#endif
