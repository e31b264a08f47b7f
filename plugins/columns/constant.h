/* Constant column values of the columns filter, read from config JSON. */
#ifndef COLUMNS_CONSTANT_H
#define COLUMNS_CONSTANT_H

#include <jansson.h>
#include <bulkhead/bulkhead.h>

struct columns_constant {
	int is_null;
	bh_value value;  /* boolean, long, double, timestamp */
	char *bytes;     /* string and json text, owned */
	size_t len;
};

/* Reads `v` (NULL or null for a null constant) as a value of type.  format
 * applies to timestamp text.  On failure returns BH_ECONFIG after bh_error
 * naming `what` (e.g. "add_columns[2].default"). */
int columns_constant_parse(bh_ctx *ctx, const char *what, bh_type type, const json_t *v,
			   const char *format, struct columns_constant *out);
void columns_constant_clear(struct columns_constant *c);

/* Writes the constant as column col of the current record. */
int columns_constant_put(const struct columns_constant *c, bh_type type, bh_page_builder *pb,
			 uint32_t col);

/* "boolean", "long", ... -> type.  Returns 0 or -EINVAL. */
int columns_type_from_name(const char *name, bh_type *out);

#endif
