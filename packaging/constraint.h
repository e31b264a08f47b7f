/* Version constraints in Terraform's syntax: comma-separated terms, each an
 * operator (= != > >= < <= ~>, none means =) and a version that may omit its
 * minor and patch ("~> 1.4").  Every term must hold.
 *
 * Pre-releases follow Terraform (hashicorp/go-version): = and != compare
 * exactly; the ordering operators and ~> never match a pre-release unless the
 * term itself names a pre-release of the same MAJOR.MINOR.PATCH.
 * ~> lets only the rightmost given part grow: "~> 1.4.2" is >= 1.4.2, < 1.5.0;
 * "~> 1.4" is >= 1.4.0, < 2.0.0; "~> 1" is >= 1.0.0. */
#ifndef BH_PACKAGING_CONSTRAINT_H
#define BH_PACKAGING_CONSTRAINT_H

#include <stddef.h>

#include "packaging/semver.h"

#define CONSTRAINT_MAX_TERMS 16
#define CONSTRAINT_MAX_LEN 256

enum constraint_op { CON_EQ, CON_NE, CON_GT, CON_GE, CON_LT, CON_LE, CON_PESSIMISTIC };

struct constraint_term {
	enum constraint_op op;
	struct semver v;
	int parts; /* how many of major, minor, patch were written (1-3) */
};

struct constraint {
	struct constraint_term terms[CONSTRAINT_MAX_TERMS];
	size_t count;
};

/* Parses text; on failure *err (caller frees) says which term is wrong. */
int constraint_parse(const char *text, struct constraint *out, char **err);
/* Nonzero when v satisfies every term. */
int constraint_match(const struct constraint *c, const struct semver *v);
/* Parses both and matches: 1 (matches), 0 (does not) or a negative errno. */
int constraint_match_text(const char *constraint, const char *version, char **err);

#endif
