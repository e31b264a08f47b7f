/* Rename rules of the rename filter, as in Embulk's rename filter: each rule
 * rewrites every column name, in the order the rules are listed. */
#ifndef RENAME_RULES_H
#define RENAME_RULES_H

#include <stddef.h>
#include <jansson.h>
#include <bulkhead/bulkhead.h>

/* Longest column name a rule may produce, in bytes. */
#define RENAME_MAX_NAME_BYTES 4096

struct rename_rule;

/* Reads the `rules` list.  Returns 0, -ENOMEM, or BH_ECONFIG after bh_error
 * naming the rule ("rules[1]: ...").  Free with rename_rules_free. */
int rename_rules_parse(bh_ctx *ctx, const json_t *list, struct rename_rule **out, size_t *count);
void rename_rules_free(struct rename_rule *rules, size_t count);

/* Rewrites names[0..n) (malloc'd strings, replaced in place) by rule i. */
int rename_rules_apply(bh_ctx *ctx, const struct rename_rule *rules, size_t i, char **names,
		       size_t n);

#endif
