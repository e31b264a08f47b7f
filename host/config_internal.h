/* Helpers shared by the host/config*.c files; not for other modules. */
#ifndef BH_HOST_CONFIG_INTERNAL_H
#define BH_HOST_CONFIG_INTERNAL_H

#include "host/config.h"

#define CFG_PRINTF(a, b) __attribute__((format(printf, a, b)))

/* Sets *err (when err != NULL) to a message at pos (NULL: no position) and
 * returns code, so callers can `return cfg_fail(...)`.  On allocation failure
 * *err is left NULL and -ENOMEM is returned. */
CFG_PRINTF(4, 5) int cfg_fail(struct cfg_error **err, int code, const struct cfg_pos *pos,
			      const char *fmt, ...);

/* A short description of a node for "expected X, got Y" messages: the
 * quoted text of a scalar (shortened), "a list", "a map", or "a value from
 * the environment" for expanded secrets.  Writes into buf. */
const char *cfg_describe(const struct cfg_node *node, char *buf, size_t cap);

/* Frees a node and its children. */
void cfg_node_free(struct cfg_node *node);
/* A deep copy (used for aliases); *budget is decremented per node and the
 * copy fails with -E2BIG when it would go below zero.  Caller frees *out. */
int cfg_node_copy(const struct cfg_node *node, long *budget, struct cfg_node **out);

/* Appends the "; did you mean 'x'?" or " (expected one of: a, b, c)" hint
 * for word among candidates into buf. */
void cfg_hint(const char *word, const char *const *candidates, size_t count, char *buf,
	      size_t cap);

/* Typed reads of a scalar: a plain scalar of the type, or a quoted one whose
 * whole text reads as the type (so "5432" works where a long is expected).
 * Return -EINVAL for another type, -ERANGE for an out-of-range value. */
int cfg_read_long(const struct cfg_node *node, int64_t *out);
int cfg_read_double(const struct cfg_node *node, double *out); /* longs too; finite only */
int cfg_read_boolean(const struct cfg_node *node, int *out);
/* A plain null scalar (null, ~, or an empty value). */
int cfg_is_null(const struct cfg_node *node);

#endif
