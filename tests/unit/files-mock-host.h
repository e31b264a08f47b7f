/* A small mock host for driving plugin vtables directly from the file,
 * compress and output tests: config from JSON text (with the component's
 * defaults applied), errors, bytes and next-config values captured per ctx. */
#ifndef BH_TESTS_FILES_MOCK_HOST_H
#define BH_TESTS_FILES_MOCK_HOST_H

#include <stdint.h>
#include <bulkhead/plugin.h>

/* Loads $BULKHEAD_BUILDDIR/<relative> and calls its entry with the mock host.
 * Aborts the test (ck_abort) on failure. */
const bh_plugin *mock_load(const char *relative);
const bh_component *mock_component(const bh_plugin *p, bh_kind kind, const char *type);

/* A ctx for component c; task is -1 for the transaction. */
bh_ctx *mock_ctx_new(const bh_component *c, int64_t task);
void mock_ctx_free(bh_ctx *ctx);
/* Parses JSON object text into a config owned by ctx (NULL on bad JSON). */
const bh_config *mock_config(bh_ctx *ctx, const char *json);

const char *mock_error(bh_ctx *ctx); /* "" when none */
const char *mock_log(bh_ctx *ctx);   /* every log line, newline-separated */
uint64_t mock_bytes(bh_ctx *ctx);
/* JSON text given to next_config_set for key, or NULL. */
const char *mock_next(bh_ctx *ctx, const char *key);

#endif
