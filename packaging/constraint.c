/* Terraform-style version constraints. */
#include "packaging/constraint.h"
#include "packaging/util.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

static const struct {
	const char *text;
	enum constraint_op op;
} operators[] = {
	/* Two-character operators first so ">=" is not read as ">". */
	{"~>", CON_PESSIMISTIC}, {">=", CON_GE}, {"<=", CON_LE}, {"!=", CON_NE},
	{">", CON_GT},           {"<", CON_LT},  {"=", CON_EQ},
};

/* Parses "1", "1.4", "1.4.2" or a full version with pre-release/build. */
static int parse_partial(const char *s, struct semver *v, int *parts)
{
	char full[SEMVER_MAX_LEN + 8];
	size_t n = strlen(s), dots = 0, i;

	if (n == 0 || n > SEMVER_MAX_LEN)
		return -EINVAL;
	for (i = 0; i < n && s[i] != '-' && s[i] != '+'; i++)
		if (s[i] == '.')
			dots++;
	if (dots >= 2) {
		*parts = 3;
		return semver_parse(s, v);
	}
	if (i != n) /* a pre-release needs all three parts */
		return -EINVAL;
	snprintf(full, sizeof(full), "%s%s", s, dots == 0 ? ".0.0" : ".0");
	*parts = (int)dots + 1;
	return semver_parse(full, v);
}

int constraint_parse(const char *text, struct constraint *out, char **err)
{
	struct constraint c = {0};
	char buf[CONSTRAINT_MAX_LEN + 1];

	if (text == NULL || strlen(text) > CONSTRAINT_MAX_LEN)
		return pkg_error(err, -EINVAL, "version constraint longer than %d characters", CONSTRAINT_MAX_LEN);
	strcpy(buf, text);
	char *save = NULL, *term = strtok_r(buf, ",", &save);
	if (term == NULL)
		return pkg_error(err, -EINVAL, "empty version constraint");
	for (; term != NULL; term = strtok_r(NULL, ",", &save)) {
		struct constraint_term *t = &c.terms[c.count];
		char *p = term, *end;
		size_t k;
		if (c.count == CONSTRAINT_MAX_TERMS)
			return pkg_error(err, -EINVAL, "more than %d terms in version constraint '%s'",
					 CONSTRAINT_MAX_TERMS, text);
		while (isspace((unsigned char)*p))
			p++;
		end = p + strlen(p);
		while (end > p && isspace((unsigned char)end[-1]))
			*--end = '\0';
		t->op = CON_EQ;
		for (k = 0; k < sizeof(operators) / sizeof(operators[0]); k++) {
			size_t len = strlen(operators[k].text);
			if (strncmp(p, operators[k].text, len) == 0) {
				t->op = operators[k].op;
				p += len;
				break;
			}
		}
		while (isspace((unsigned char)*p))
			p++;
		if (*p == '\0' || parse_partial(p, &t->v, &t->parts) < 0)
			return pkg_error(err, -EINVAL,
					 "version constraint '%s': '%s' is not OPERATOR VERSION (operators: = != > >= "
					 "< <= ~>)", text, term);
		c.count++;
	}
	/* strtok_r skips empty fields, so ",," or a trailing comma would pass silently. */
	for (const char *q = text; *q; q++)
		if (*q == ',') {
			const char *r = q + 1;
			while (isspace((unsigned char)*r))
				r++;
			if (*r == ',' || *r == '\0')
				return pkg_error(err, -EINVAL, "version constraint '%s': empty term", text);
		}
	{
		const char *r = text;
		while (isspace((unsigned char)*r))
			r++;
		if (*r == ',')
			return pkg_error(err, -EINVAL, "version constraint '%s': empty term", text);
	}
	*out = c;
	return 0;
}

static int same_core(const struct semver *a, const struct semver *b)
{
	return a->major == b->major && a->minor == b->minor && a->patch == b->patch;
}

/* go-version's prereleaseCheck: may an inexact term consider v at all? */
static int prerelease_allowed(const struct semver *v, const struct semver *c)
{
	int vpre = semver_is_prerelease(v), cpre = semver_is_prerelease(c);
	if (vpre && cpre)
		return same_core(v, c);
	if (vpre)
		return 0;
	return 1;
}

static int term_match(const struct constraint_term *t, const struct semver *v)
{
	int cmp = semver_compare(v, &t->v);

	switch (t->op) {
	case CON_EQ:
		return cmp == 0;
	case CON_NE:
		return cmp != 0;
	case CON_GT:
		return prerelease_allowed(v, &t->v) && cmp > 0;
	case CON_GE:
		return prerelease_allowed(v, &t->v) && cmp >= 0;
	case CON_LT:
		return prerelease_allowed(v, &t->v) && cmp < 0;
	case CON_LE:
		return prerelease_allowed(v, &t->v) && cmp <= 0;
	case CON_PESSIMISTIC:
		if (!prerelease_allowed(v, &t->v) || cmp < 0)
			return 0;
		if (semver_is_prerelease(&t->v) && !semver_is_prerelease(v))
			return 0; /* as go-version: "~> 1.5.0-rc.1" stays within the pre-releases */
		if (t->parts == 1)
			return 1;
		if (t->parts == 2)
			return v->major == t->v.major;
		return v->major == t->v.major && v->minor == t->v.minor;
	}
	return 0;
}

int constraint_match(const struct constraint *c, const struct semver *v)
{
	for (size_t i = 0; i < c->count; i++)
		if (!term_match(&c->terms[i], v))
			return 0;
	return 1;
}

int constraint_match_text(const char *constraint, const char *version, char **err)
{
	struct constraint c;
	struct semver v;
	int r;

	if ((r = constraint_parse(constraint, &c, err)) < 0)
		return r;
	if (semver_parse(version, &v) < 0)
		return pkg_error(err, -EINVAL, "'%s' is not a semantic version", version);
	return constraint_match(&c, &v);
}
