/* Semantic versions (semver 2.0.0): parsing and precedence.
 *
 * A parsed version keeps its pre-release and build strings inline, so a
 * struct semver needs no freeing and can be copied by value. */
#ifndef BH_PACKAGING_SEMVER_H
#define BH_PACKAGING_SEMVER_H

#include <stdint.h>

/* Longest version string we accept; store directory names and policy values
 * are versions, so this also bounds those. */
#define SEMVER_MAX_LEN 128

struct semver {
	uint64_t major, minor, patch;
	char prerelease[SEMVER_MAX_LEN + 1]; /* "" when absent, without the '-' */
	char build[SEMVER_MAX_LEN + 1];      /* "" when absent, without the '+' */
};

/* Parses text strictly (no leading 'v', no leading zeros, no missing parts).
 * Returns 0, -EINVAL (not a version) or -ERANGE (too long, number overflow). */
int semver_parse(const char *text, struct semver *out);
/* Nonzero when text is a valid semver 2.0.0 version. */
int semver_valid(const char *text);
/* Precedence per semver 2.0.0 section 11: <0, 0, >0.  Build metadata is
 * ignored, so 1.0.0+a and 1.0.0+b compare equal. */
int semver_compare(const struct semver *a, const struct semver *b);
/* A total order for listings: precedence, then build metadata as text. */
int semver_order(const struct semver *a, const struct semver *b);
/* semver_order on two strings; an invalid version sorts before every valid one
 * and invalid ones compare as text. */
int semver_order_text(const char *a, const char *b);
/* Nonzero when v has a pre-release part. */
static inline int semver_is_prerelease(const struct semver *v) { return v->prerelease[0] != '\0'; }

#endif
