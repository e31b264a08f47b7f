/* Semantic versioning 2.0.0 (https://semver.org): parse and compare. */
#include "packaging/semver.h"

#include <errno.h>
#include <string.h>

static int is_ident_char(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-';
}

static int all_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return n > 0;
}

/* Reads one numeric core part ending at stop (or the end); advances *p. */
static int parse_core_number(const char **p, char stop, uint64_t *out)
{
	const char *s = *p;
	uint64_t v = 0;
	size_t n = 0;

	while (s[n] >= '0' && s[n] <= '9') {
		unsigned d = (unsigned)(s[n] - '0');
		if (v > (UINT64_MAX - d) / 10)
			return -ERANGE;
		v = v * 10 + d;
		n++;
	}
	if (n == 0 || (n > 1 && s[0] == '0'))
		return -EINVAL;
	if (stop != '\0' ? s[n] != stop : (s[n] != '\0' && s[n] != '-' && s[n] != '+'))
		return -EINVAL;
	*p = s + n;
	*out = v;
	return 0;
}

/* Checks a dot-separated identifier list; numeric identifiers may not have
 * leading zeros when strict_numeric (pre-release), may for build metadata. */
static int check_identifiers(const char *s, size_t len, int strict_numeric)
{
	size_t start = 0;

	if (len == 0)
		return -EINVAL;
	for (size_t i = 0; i <= len; i++) {
		if (i < len && s[i] != '.') {
			if (!is_ident_char(s[i]))
				return -EINVAL;
			continue;
		}
		size_t n = i - start;
		if (n == 0)
			return -EINVAL;
		if (strict_numeric && n > 1 && all_digits(s + start, n) && s[start] == '0')
			return -EINVAL;
		start = i + 1;
	}
	return 0;
}

int semver_parse(const char *text, struct semver *out)
{
	struct semver v;
	const char *p = text;
	int r;

	if (text == NULL)
		return -EINVAL;
	if (strlen(text) > SEMVER_MAX_LEN)
		return -ERANGE;
	memset(&v, 0, sizeof(v));
	if ((r = parse_core_number(&p, '.', &v.major)) < 0)
		return r;
	p++;
	if ((r = parse_core_number(&p, '.', &v.minor)) < 0)
		return r;
	p++;
	if ((r = parse_core_number(&p, '\0', &v.patch)) < 0)
		return r;
	if (*p == '-') {
		const char *end = strchr(p, '+');
		size_t n = end ? (size_t)(end - p - 1) : strlen(p + 1);
		if ((r = check_identifiers(p + 1, n, 1)) < 0)
			return r;
		memcpy(v.prerelease, p + 1, n);
		v.prerelease[n] = '\0';
		p += n + 1;
	}
	if (*p == '+') {
		size_t n = strlen(p + 1);
		if ((r = check_identifiers(p + 1, n, 0)) < 0)
			return r;
		memcpy(v.build, p + 1, n + 1);
		p += n + 1;
	}
	if (*p != '\0')
		return -EINVAL;
	*out = v;
	return 0;
}

int semver_valid(const char *text)
{
	struct semver v;
	return semver_parse(text, &v) == 0;
}

static int cmp_u64(uint64_t a, uint64_t b)
{
	return a < b ? -1 : a > b;
}

/* Compares one pre-release identifier each (lengths na, nb). */
static int compare_identifier(const char *a, size_t na, const char *b, size_t nb)
{
	int da = all_digits(a, na), db = all_digits(b, nb);

	if (da && db) {
		/* No leading zeros, so the longer number is the larger; this also
		 * handles identifiers too large for any integer type. */
		if (na != nb)
			return na < nb ? -1 : 1;
		int c = memcmp(a, b, na);
		return c < 0 ? -1 : c > 0;
	}
	if (da != db)
		return da ? -1 : 1; /* numeric identifiers have lower precedence */
	size_t n = na < nb ? na : nb;
	int c = memcmp(a, b, n);
	if (c != 0)
		return c < 0 ? -1 : 1;
	return na < nb ? -1 : na > nb;
}

static int compare_prerelease(const char *a, const char *b)
{
	if (*a == '\0' || *b == '\0')
		return (*a == '\0') - (*b == '\0'); /* a release outranks its pre-releases */
	for (;;) {
		size_t na = strcspn(a, "."), nb = strcspn(b, ".");
		int c = compare_identifier(a, na, b, nb);
		if (c != 0)
			return c;
		a += na;
		b += nb;
		if (*a == '\0' || *b == '\0')
			return (*a != '\0') - (*b != '\0'); /* a longer list wins */
		a++;
		b++;
	}
}

int semver_compare(const struct semver *a, const struct semver *b)
{
	int c;

	if ((c = cmp_u64(a->major, b->major)) != 0 || (c = cmp_u64(a->minor, b->minor)) != 0 ||
	    (c = cmp_u64(a->patch, b->patch)) != 0)
		return c;
	return compare_prerelease(a->prerelease, b->prerelease);
}

int semver_order(const struct semver *a, const struct semver *b)
{
	int c = semver_compare(a, b);
	if (c != 0)
		return c;
	c = strcmp(a->build, b->build);
	return c < 0 ? -1 : c > 0;
}

int semver_order_text(const char *a, const char *b)
{
	struct semver va, vb;
	int oka = semver_parse(a, &va) == 0, okb = semver_parse(b, &vb) == 0;

	if (oka && okb)
		return semver_order(&va, &vb);
	if (oka != okb)
		return oka ? 1 : -1;
	int c = strcmp(a, b);
	return c < 0 ? -1 : c > 0;
}
