/* Rename rules (see rules.h).  Names are UTF-8; character classes and case
 * changes apply to ASCII letters and digits, other characters are compared
 * whole (a multi-byte character counts as one). */
#include <errno.h>
#include <regex.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules.h"

enum rule_kind {
	RULE_LOWER_TO_UPPER,
	RULE_UPPER_TO_LOWER,
	RULE_CHARACTER_TYPES,
	RULE_FIRST_CHARACTER_TYPES,
	RULE_TRUNCATE,
	RULE_REGEX_REPLACE,
	RULE_UNIQUE_NUMBER_SUFFIX,
};

static const struct {
	const char *name;
	enum rule_kind kind;
	const char *keys[5]; /* keys besides `rule` */
} rule_specs[] = {
	{ "lower_to_upper", RULE_LOWER_TO_UPPER, { NULL } },
	{ "upper_to_lower", RULE_UPPER_TO_LOWER, { NULL } },
	{ "character_types", RULE_CHARACTER_TYPES, { "pass_types", "pass_characters", "replace", NULL } },
	{ "first_character_types", RULE_FIRST_CHARACTER_TYPES,
	  { "pass_types", "pass_characters", "replace", "prefix", NULL } },
	{ "truncate", RULE_TRUNCATE, { "max_length", NULL } },
	{ "regex_replace", RULE_REGEX_REPLACE, { "match", "replace", NULL } },
	{ "unique_number_suffix", RULE_UNIQUE_NUMBER_SUFFIX,
	  { "delimiter", "digits", "max_length", "offset", NULL } },
};

struct rename_rule {
	enum rule_kind kind;
	/* character types */
	uint8_t pass_ascii[128];
	const char *pass_characters;
	const char *replace; /* also regex_replace's replacement */
	const char *prefix;
	/* truncate, unique_number_suffix */
	int64_t max_length;
	/* regex_replace */
	regex_t regex;
	int has_regex;
	/* unique_number_suffix */
	const char *delimiter;
	int64_t digits, offset;
};

/* A growing name. */
struct buf {
	char *s;
	size_t len, cap;
	int overflow;
};

static int buf_add(struct buf *b, const char *s, size_t n)
{
	if (b->len + n > RENAME_MAX_NAME_BYTES) {
		b->overflow = 1;
		return -E2BIG;
	}
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 64;
		while (cap < b->len + n + 1)
			cap *= 2;
		char *p = realloc(b->s, cap);
		if (p == NULL)
			return -ENOMEM;
		b->s = p;
		b->cap = cap;
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
	return 0;
}

/* Bytes of the UTF-8 character at s (1 for anything malformed). */
static size_t char_len(const char *s)
{
	unsigned char c = (unsigned char)s[0];
	size_t n = c < 0xC0 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : c < 0xF8 ? 4 : 1;
	for (size_t i = 1; i < n; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			return 1;
	return n;
}

static size_t char_count(const char *s)
{
	size_t n = 0;
	for (; *s != '\0'; s += char_len(s))
		n++;
	return n;
}

static int passes(const struct rename_rule *r, const char *ch, size_t n)
{
	if (n == 1 && (unsigned char)ch[0] < 128 && r->pass_ascii[(unsigned char)ch[0]])
		return 1;
	if (r->pass_characters != NULL)
		for (const char *p = r->pass_characters; *p != '\0'; p += char_len(p))
			if (char_len(p) == n && memcmp(p, ch, n) == 0)
				return 1;
	return 0;
}

static int rule_error(bh_ctx *ctx, size_t i, const char *fmt, const char *arg)
{
	char msg[256];
	snprintf(msg, sizeof msg, fmt, arg);
	bh_error(ctx, "rules[%zu]: %s", i, msg);
	return BH_ECONFIG;
}

static int get_string(bh_ctx *ctx, size_t i, const json_t *e, const char *key, const char **out)
{
	json_t *v = json_object_get(e, key);
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return rule_error(ctx, i, "%s must be a string", key);
	*out = json_string_value(v);
	return 0;
}

static int get_long(bh_ctx *ctx, size_t i, const json_t *e, const char *key, int64_t min,
		    int64_t *out)
{
	json_t *v = json_object_get(e, key);
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_integer(v) || json_integer_value(v) < min)
		return rule_error(ctx, i, min > 0 ? "%s must be a positive integer"
						  : "%s must be an integer >= 0",
				  key);
	*out = json_integer_value(v);
	return 0;
}

/* pass_types: ranges like "a-z", "A-Z", "0-9" (any ASCII X-Y). */
static int read_pass_types(bh_ctx *ctx, size_t i, const json_t *e, struct rename_rule *r)
{
	json_t *types = json_object_get(e, "pass_types"), *t;
	size_t k;

	if (types == NULL || json_is_null(types))
		return 0;
	if (json_is_string(types)) {
		json_t *one = json_pack("[O]", types);
		int rc = one ? 0 : -ENOMEM;
		if (rc == 0) {
			json_object_set_new((json_t *)e, "pass_types", one);
			types = one;
		} else
			return rc;
	}
	if (!json_is_array(types))
		return rule_error(ctx, i, "%s must be a list like [a-z, A-Z, 0-9]", "pass_types");
	json_array_foreach(types, k, t) {
		const char *s = json_string_value(t);
		if (s == NULL || strlen(s) != 3 || s[1] != '-' || (unsigned char)s[0] >= 128 ||
		    (unsigned char)s[2] >= 128 || s[0] > s[2])
			return rule_error(ctx, i, "pass_types: '%s' is not a range like a-z, A-Z or 0-9",
					  s ? s : "(not a string)");
		for (int c = s[0]; c <= s[2]; c++)
			r->pass_ascii[c] = 1;
	}
	return 0;
}

static int parse_one(bh_ctx *ctx, size_t i, json_t *e, struct rename_rule *r)
{
	const char *name = NULL, *key, *match = NULL;
	json_t *v;
	size_t spec;
	int rc;

	if (!json_is_object(e))
		return rule_error(ctx, i, "%s", "expected a mapping with a `rule` key");
	if ((rc = get_string(ctx, i, e, "rule", &name)) < 0)
		return rc;
	if (name == NULL)
		return rule_error(ctx, i, "%s", "`rule` is required");
	for (spec = 0; spec < sizeof rule_specs / sizeof rule_specs[0]; spec++)
		if (strcmp(rule_specs[spec].name, name) == 0)
			break;
	if (spec == sizeof rule_specs / sizeof rule_specs[0])
		return rule_error(ctx, i,
				  "unknown rule '%s' (expected lower_to_upper, upper_to_lower, "
				  "character_types, first_character_types, truncate, regex_replace or "
				  "unique_number_suffix)",
				  name);
	json_object_foreach(e, key, v) {
		int known = strcmp(key, "rule") == 0;
		for (size_t k = 0; !known && rule_specs[spec].keys[k] != NULL; k++)
			known = strcmp(key, rule_specs[spec].keys[k]) == 0;
		if (!known) {
			char msg[160];
			snprintf(msg, sizeof msg, "rule %s takes no key '%s'", name, key);
			return rule_error(ctx, i, "%s", msg);
		}
	}
	r->kind = rule_specs[spec].kind;
	switch (r->kind) {
	case RULE_LOWER_TO_UPPER:
	case RULE_UPPER_TO_LOWER:
		return 0;
	case RULE_CHARACTER_TYPES:
	case RULE_FIRST_CHARACTER_TYPES:
		if ((rc = read_pass_types(ctx, i, e, r)) < 0 ||
		    (rc = get_string(ctx, i, e, "pass_characters", &r->pass_characters)) < 0 ||
		    (rc = get_string(ctx, i, e, "replace", &r->replace)) < 0 ||
		    (rc = get_string(ctx, i, e, "prefix", &r->prefix)) < 0)
			return rc;
		if (r->kind == RULE_CHARACTER_TYPES && r->replace == NULL)
			r->replace = "_";
		if (r->kind == RULE_FIRST_CHARACTER_TYPES) {
			if ((r->replace == NULL) == (r->prefix == NULL))
				return rule_error(ctx, i, "%s",
						  "first_character_types needs exactly one of replace and prefix");
			if (r->replace != NULL && char_count(r->replace) != 1)
				return rule_error(ctx, i, "replace '%s' must be one character",
						  r->replace);
		}
		return 0;
	case RULE_TRUNCATE:
		r->max_length = 0;
		if ((rc = get_long(ctx, i, e, "max_length", 1, &r->max_length)) < 0)
			return rc;
		if (r->max_length == 0)
			return rule_error(ctx, i, "%s", "truncate needs max_length");
		return 0;
	case RULE_REGEX_REPLACE:
		if ((rc = get_string(ctx, i, e, "match", &match)) < 0 ||
		    (rc = get_string(ctx, i, e, "replace", &r->replace)) < 0)
			return rc;
		if (match == NULL || r->replace == NULL)
			return rule_error(ctx, i, "%s", "regex_replace needs match and replace");
		rc = regcomp(&r->regex, match, REG_EXTENDED);
		if (rc != 0) {
			char msg[160];
			regerror(rc, &r->regex, msg, sizeof msg);
			return rule_error(ctx, i, "match: %s", msg);
		}
		r->has_regex = 1;
		return 0;
	case RULE_UNIQUE_NUMBER_SUFFIX:
		r->delimiter = "_";
		r->offset = 1;
		r->digits = 0;
		r->max_length = 0;
		if ((rc = get_string(ctx, i, e, "delimiter", &r->delimiter)) < 0 ||
		    (rc = get_long(ctx, i, e, "digits", 1, &r->digits)) < 0 ||
		    (rc = get_long(ctx, i, e, "max_length", 1, &r->max_length)) < 0 ||
		    (rc = get_long(ctx, i, e, "offset", 0, &r->offset)) < 0)
			return rc;
		if (r->delimiter[0] == '\0' || strpbrk(r->delimiter, "0123456789") != NULL)
			return rule_error(ctx, i, "delimiter '%s' must be non-empty and hold no digits",
					  r->delimiter);
		if (r->digits > 18)
			return rule_error(ctx, i, "%s", "digits must be at most 18");
		return 0;
	}
	return -EINVAL;
}

int rename_rules_parse(bh_ctx *ctx, const json_t *list, struct rename_rule **out, size_t *count)
{
	size_t n = json_array_size(list), i;
	struct rename_rule *rules = calloc(n ? n : 1, sizeof *rules);
	json_t *e;
	int r;

	if (rules == NULL)
		return -ENOMEM;
	json_array_foreach(list, i, e) {
		r = parse_one(ctx, i, e, &rules[i]);
		if (r < 0) {
			rename_rules_free(rules, i + 1);
			return r;
		}
	}
	*out = rules;
	*count = n;
	return 0;
}

void rename_rules_free(struct rename_rule *rules, size_t count)
{
	if (rules == NULL)
		return;
	for (size_t i = 0; i < count; i++)
		if (rules[i].has_regex)
			regfree(&rules[i].regex);
	free(rules);
}

/* Every match of the rule's regex replaced; $0..$9 in the replacement name groups. */
static int regex_replace(const struct rename_rule *r, const char *name, struct buf *b)
{
	regmatch_t m[10];
	const char *p = name;
	int rc, notbol = 0;

	while (*p != '\0' && regexec(&r->regex, p, 10, m, notbol) == 0) {
		if ((rc = buf_add(b, p, (size_t)m[0].rm_so)) < 0)
			return rc;
		for (const char *s = r->replace; *s != '\0'; s++) {
			if (*s == '\\' && s[1] != '\0') {
				s++;
				rc = buf_add(b, s, 1);
			} else if (*s == '$' && s[1] >= '0' && s[1] <= '9') {
				const regmatch_t *g = &m[s[1] - '0'];
				s++;
				rc = g->rm_so < 0 ? 0 : buf_add(b, p + g->rm_so, (size_t)(g->rm_eo - g->rm_so));
			} else
				rc = buf_add(b, s, 1);
			if (rc < 0)
				return rc;
		}
		if (m[0].rm_eo == m[0].rm_so) {
			/* An empty match: step over one character so the loop ends. */
			size_t n = p[m[0].rm_eo] ? char_len(p + m[0].rm_eo) : 0;
			if ((rc = buf_add(b, p + m[0].rm_eo, n)) < 0)
				return rc;
			p += m[0].rm_eo + n;
			if (n == 0)
				return 0;
		} else
			p += m[0].rm_eo;
		notbol = REG_NOTBOL;
	}
	return buf_add(b, p, strlen(p));
}

static int rewrite(const struct rename_rule *r, const char *name, struct buf *b)
{
	const char *p = name;
	int rc = 0;

	switch (r->kind) {
	case RULE_LOWER_TO_UPPER:
	case RULE_UPPER_TO_LOWER:
		if ((rc = buf_add(b, name, strlen(name))) < 0)
			return rc;
		for (size_t k = 0; k < b->len; k++) {
			char c = b->s[k];
			if (r->kind == RULE_LOWER_TO_UPPER && c >= 'a' && c <= 'z')
				b->s[k] = (char)(c - 'a' + 'A');
			else if (r->kind == RULE_UPPER_TO_LOWER && c >= 'A' && c <= 'Z')
				b->s[k] = (char)(c - 'A' + 'a');
		}
		return 0;
	case RULE_CHARACTER_TYPES:
		for (; *p != '\0' && rc == 0; p += char_len(p)) {
			size_t n = char_len(p);
			rc = passes(r, p, n) ? buf_add(b, p, n) : buf_add(b, r->replace, strlen(r->replace));
		}
		return rc;
	case RULE_FIRST_CHARACTER_TYPES:
		if (*p != '\0' && passes(r, p, char_len(p)))
			return buf_add(b, name, strlen(name));
		if (r->prefix != NULL)
			rc = buf_add(b, r->prefix, strlen(r->prefix));
		else if (*p != '\0') {
			rc = buf_add(b, r->replace, strlen(r->replace));
			p += char_len(p);
		}
		return rc < 0 ? rc : buf_add(b, p, strlen(p));
	case RULE_TRUNCATE:
		for (int64_t k = 0; *p != '\0' && k < r->max_length; k++)
			p += char_len(p);
		return buf_add(b, name, (size_t)(p - name));
	case RULE_REGEX_REPLACE:
		return regex_replace(r, name, b);
	case RULE_UNIQUE_NUMBER_SUFFIX:
		break;
	}
	return -EINVAL;
}

static int name_taken(char **names, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (names[i] != NULL && strcmp(names[i], name) == 0)
			return 1;
	return 0;
}

/* The first max characters of name (all of it when max is 0) plus suffix. */
static int truncated(const char *name, int64_t max, const char *suffix, struct buf *b)
{
	const char *end = name;
	if (max == 0)
		end = name + strlen(name);
	else
		for (int64_t k = 0; *end != '\0' && k < max; k++)
			end += char_len(end);
	int rc = buf_add(b, name, (size_t)(end - name));
	return rc < 0 ? rc : buf_add(b, suffix, strlen(suffix));
}

/* The first column of a name keeps it; later ones get delimiter + number,
 * skipping results that clash with any other name.  max_length trims the
 * base so that the suffix still fits. */
static int unique_suffix(bh_ctx *ctx, size_t i, const struct rename_rule *r, char **names, size_t n)
{
	char **out = calloc(n ? n : 1, sizeof *out);
	int rc = 0;

	if (out == NULL)
		return -ENOMEM;
	for (size_t c = 0; c < n && rc == 0; c++) {
		struct buf b = { 0 };
		rc = truncated(names[c], r->max_length, "", &b);
		if (rc == 0 && !name_taken(out, c, b.s)) {
			out[c] = b.s;
			continue;
		}
		free(b.s);
		for (int64_t num = r->offset; rc == 0; num++) {
			char suffix[64];
			snprintf(suffix, sizeof suffix, "%s%0*lld", r->delimiter, (int)r->digits,
				 (long long)num);
			int64_t keep = r->max_length ? r->max_length - (int64_t)char_count(suffix) : 0;
			if (r->max_length && keep < 1) {
				rc = rule_error(ctx, i, "%s",
						"max_length leaves no room for the number suffix");
				break;
			}
			b = (struct buf){ 0 };
			rc = truncated(names[c], keep, suffix, &b);
			if (rc == 0 && !name_taken(out, c, b.s) && !name_taken(names, n, b.s)) {
				out[c] = b.s;
				break;
			}
			free(b.s);
		}
	}
	if (rc == -E2BIG)
		rc = rule_error(ctx, i, "%s", "a name grew past 4096 bytes");
	for (size_t c = 0; c < n; c++) {
		if (rc == 0) {
			free(names[c]);
			names[c] = out[c];
		} else
			free(out[c]);
	}
	free(out);
	return rc;
}

int rename_rules_apply(bh_ctx *ctx, const struct rename_rule *rules, size_t i, char **names,
		       size_t n)
{
	const struct rename_rule *r = &rules[i];

	if (r->kind == RULE_UNIQUE_NUMBER_SUFFIX)
		return unique_suffix(ctx, i, r, names, n);
	for (size_t c = 0; c < n; c++) {
		struct buf b = { 0 };
		int rc = rewrite(r, names[c], &b);
		if (rc == 0 && b.s == NULL)
			rc = buf_add(&b, "", 0);
		if (rc < 0) {
			free(b.s);
			if (rc == -E2BIG)
				return rule_error(ctx, i, "the name of column '%s' grows past 4096 bytes",
						  names[c]);
			return rc;
		}
		free(names[c]);
		names[c] = b.s;
	}
	return 0;
}
