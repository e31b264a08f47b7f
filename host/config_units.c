/* Sizes ("512MiB") and durations ("1h30m") written by people. */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "host/config_internal.h"

struct unit {
	const char *name;
	uint64_t factor;
};

#define KIB 1024ULL
#define MS 1000000ULL
#define SEC 1000000000ULL

static const struct unit size_units[] = {
	{"", 1}, {"B", 1},
	{"K", KIB}, {"k", KIB}, {"Ki", KIB}, {"KiB", KIB},
	{"M", KIB * KIB}, {"m", KIB * KIB}, {"Mi", KIB * KIB}, {"MiB", KIB * KIB},
	{"G", KIB * KIB * KIB}, {"g", KIB * KIB * KIB}, {"Gi", KIB * KIB * KIB},
	{"GiB", KIB * KIB * KIB},
	{"T", KIB * KIB * KIB * KIB}, {"t", KIB * KIB * KIB * KIB}, {"Ti", KIB * KIB * KIB * KIB},
	{"TiB", KIB * KIB * KIB * KIB},
	{"P", KIB * KIB * KIB * KIB * KIB}, {"Pi", KIB * KIB * KIB * KIB * KIB},
	{"PiB", KIB * KIB * KIB * KIB * KIB},
	{"kB", 1000ULL}, {"KB", 1000ULL}, {"MB", 1000000ULL}, {"GB", 1000000000ULL},
	{"TB", 1000000000000ULL}, {"PB", 1000000000000000ULL},
	{NULL, 0},
};

/* Longest names first where one is a prefix of another ("ms" before "m"). */
static const struct unit duration_units[] = {
	{"ns", 1}, {"us", 1000}, {"\xc2\xb5s", 1000}, {"ms", MS},
	{"s", SEC}, {"m", 60 * SEC}, {"h", 3600 * SEC}, {"d", 86400 * SEC},
	{NULL, 0},
};

/* Digits, optionally "." and more digits.  At most 9 fraction digits count. */
static const char *parse_decimal(const char *s, uint64_t *ip, uint64_t *frac, uint64_t *scale,
				 int *overflow)
{
	const char *p = s;
	int any = 0;

	*ip = 0;
	*frac = 0;
	*scale = 1;
	*overflow = 0;
	for (; *p >= '0' && *p <= '9'; p++, any = 1) {
		if (*ip > (UINT64_MAX - 9) / 10)
			*overflow = 1;
		else
			*ip = *ip * 10 + (uint64_t)(*p - '0');
	}
	if (*p == '.') {
		p++;
		for (; *p >= '0' && *p <= '9'; p++, any = 1) {
			if (*scale < 1000000000ULL) {
				*frac = *frac * 10 + (uint64_t)(*p - '0');
				*scale *= 10;
			}
		}
	}
	return any ? p : NULL;
}

/* ip.frac * factor, rounded down; -ERANGE past UINT64_MAX. */
static int scale_value(uint64_t ip, uint64_t frac, uint64_t scale, uint64_t factor,
		       uint64_t *out)
{
	__uint128_t v = (__uint128_t)ip * factor + (__uint128_t)frac * factor / scale;

	if (v > UINT64_MAX)
		return -ERANGE;
	*out = (uint64_t)v;
	return 0;
}

static const struct unit *match_unit(const struct unit *units, const char *s, size_t n)
{
	for (; units->name != NULL; units++)
		if (strlen(units->name) == n && memcmp(units->name, s, n) == 0)
			return units;
	return NULL;
}

int cfg_parse_size(const char *text, uint64_t *bytes, const char **why)
{
	static const char usage[] =
		"expected a whole number of bytes or a number with a unit: B, K/KiB, M/MiB, "
		"G/GiB, T/TiB (powers of 1024) or kB, MB, GB, TB (powers of 1000), e.g. \"512MiB\"";
	uint64_t ip, frac, scale, v;
	const struct unit *u;
	const char *p;
	int overflow;

	p = parse_decimal(text, &ip, &frac, &scale, &overflow);
	if (p == NULL) {
		*why = usage;
		return -EINVAL;
	}
	if (*p == ' ')
		p++;
	u = match_unit(size_units, p, strlen(p));
	if (u == NULL) {
		*why = usage;
		return -EINVAL;
	}
	if (overflow || scale_value(ip, frac, scale, u->factor, &v) < 0) {
		*why = "size too large";
		return -ERANGE;
	}
	*bytes = v;
	return 0;
}

int cfg_parse_duration(const char *text, uint64_t *ns, const char **why)
{
	static const char usage[] =
		"expected a duration: numbers with units ns, us, ms, s, m, h, d, "
		"e.g. \"45s\", \"1500ms\", \"1h30m\"";
	const char *p = text;
	uint64_t total = 0;

	if (strcmp(text, "0") == 0) {
		*ns = 0;
		return 0;
	}
	if (*p == '\0') {
		*why = usage;
		return -EINVAL;
	}
	while (*p != '\0') {
		uint64_t ip, frac, scale, v;
		const struct unit *u = NULL;
		const char *q;
		size_t n;
		int overflow;

		p = parse_decimal(p, &ip, &frac, &scale, &overflow);
		if (p == NULL) {
			*why = usage;
			return -EINVAL;
		}
		if (*p == ' ')
			p++;
		for (q = p; *q != '\0' && !(*q >= '0' && *q <= '9') && *q != '.' && *q != ' '; q++)
			;
		n = (size_t)(q - p);
		if (n == 0) {
			*why = "missing unit (ns, us, ms, s, m, h, d), e.g. \"30s\"";
			return -EINVAL;
		}
		u = match_unit(duration_units, p, n);
		if (u == NULL) {
			*why = usage;
			return -EINVAL;
		}
		if (overflow || scale_value(ip, frac, scale, u->factor, &v) < 0 ||
		    total > UINT64_MAX - v) {
			*why = "duration too long";
			return -ERANGE;
		}
		total += v;
		p = q;
		if (*p == ' ')
			p++;
	}
	*ns = total;
	return 0;
}
