/* libFuzzer target: the rollout policy loader (packaging/policy.h) on
 * arbitrary bytes.  Checks: no crash/UB/leak; failures carry a message; a
 * policy that loads is written back and loads again with the same plugins. */
#include "tests/fuzz/fuzz_tmpfile.h"
#include "packaging/policy.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_tmp_init();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct policy *p = NULL, *p2 = NULL;
	char *err = NULL;
	int r;
	fuzz_tmp_write(data, size);
	r = policy_load(fuzz_path, &p, &err);
	if (r < 0) {
		if (!err || !*err) {
			fprintf(stderr, "fuzz: policy_load %d without a message\n", r);
			abort();
		}
		free(err);
		return 0;
	}
	free(err);
	err = NULL;
	r = policy_write(p, fuzz_path2, &err);
	if (r < 0) {
		fprintf(stderr, "fuzz: policy_write: %s\n", err ? err : "?");
		abort();
	}
	r = policy_load(fuzz_path2, &p2, &err);
	if (r < 0) {
		fprintf(stderr, "fuzz: written policy does not load: %s\n", err ? err : "?");
		abort();
	}
	if (p->count != p2->count) {
		fprintf(stderr, "fuzz: policy changed when written back\n");
		abort();
	}
	policy_free(p);
	policy_free(p2);
	return 0;
}
