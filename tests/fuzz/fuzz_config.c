/* libFuzzer target: the transfer config loader (host/config.h) on arbitrary
 * YAML: load, expand variables, read the transfer structure, convert to JSON.
 * Checks: no crash/UB/leak; every failure comes with a message. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <jansson.h>
#include "host/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_error(int r, struct cfg_error *err)
{
	if (r < 0 && (!err || !err->text || !*err->text)) {
		fprintf(stderr, "fuzz: failure %d without a message\n", r);
		abort();
	}
	cfg_error_free(err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char var0[] = "name=value", var1[] = "dir=/tmp/${x}", var2[] = "n=3";
	static char *const vars[] = { var0, var1, var2 };
	const struct cfg_var_context ctx = { vars, 3, 1700000000, 123456789 };
	struct cfg_doc *doc = NULL;
	struct cfg_error *err = NULL;
	struct transfer_config *tc = NULL;
	json_t *j = NULL;
	int r;

	r = cfg_load_string("fuzz.yml", (const char *)data, size, &doc, &err);
	check_error(r, err);
	if (r < 0)
		return 0;
	err = NULL;
	r = cfg_node_to_json_source(doc->root, &j, &err);
	check_error(r, err);
	json_decref(j);
	j = NULL;
	err = NULL;
	r = cfg_expand(doc, &ctx, &err);
	check_error(r, err);
	if (r < 0)
		goto out;
	err = NULL;
	r = cfg_node_to_json(doc->root, &j, &err);
	check_error(r, err);
	json_decref(j);
	err = NULL;
	r = transfer_config_from_doc(doc, &tc, &err);
	check_error(r, err);
	if (r == 0) {
		doc = NULL; /* owned by tc now */
		transfer_config_free(tc);
	}
out:
	cfg_doc_free(doc);
	return 0;
}
