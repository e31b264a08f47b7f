/* libFuzzer target: the bundle manifest loader (packaging/manifest.h) on
 * arbitrary bytes, both as a full and as a partial (source) manifest.
 * Checks: no crash/UB/leak; failures carry a message; a manifest that loads
 * is written back and loads again to the same name, version and counts. */
#include "tests/fuzz/fuzz_tmpfile.h"
#include "packaging/manifest.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_tmp_init();
	return 0;
}

static void fuzz_same(const struct manifest *a, const struct manifest *b)
{
	if (strcmp(a->name, b->name) || strcmp(a->version, b->version) || a->kind_count != b->kind_count ||
	    a->component_count != b->component_count || a->file_count != b->file_count ||
	    a->network != b->network) {
		fprintf(stderr, "fuzz: manifest changed when written back\n");
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	for (int partial = 0; partial <= 1; partial++) {
		struct manifest *m = NULL, *m2 = NULL;
		char *err = NULL;
		int r;
		fuzz_tmp_write(data, size);
		r = manifest_load(fuzz_path, partial, &m, &err);
		if (r < 0) {
			if (!err || !*err) {
				fprintf(stderr, "fuzz: manifest_load %d without a message\n", r);
				abort();
			}
			free(err);
			continue;
		}
		free(err);
		err = NULL;
		r = manifest_write(m, fuzz_path2, &err);
		if (r < 0) {
			fprintf(stderr, "fuzz: manifest_write: %s\n", err ? err : "?");
			abort();
		}
		r = manifest_load(fuzz_path2, partial, &m2, &err);
		if (r < 0) {
			fprintf(stderr, "fuzz: written manifest does not load: %s\n", err ? err : "?");
			abort();
		}
		fuzz_same(m, m2);
		manifest_free(m);
		manifest_free(m2);
	}
	return 0;
}
