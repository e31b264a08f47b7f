/* Guessing jsonl parser columns from a sample: keys in order of first
 * appearance, each with the narrowest type every value of the sample fits.
 * Runs once per guess on a bounded sample, so it reads lines with jansson. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "jsonl.h"

/* Most keys a guess reports; wider samples are most likely not tables. */
#define JSONL_GUESS_MAX_COLUMNS 1024

enum guess_type { G_NONE, G_BOOLEAN, G_LONG, G_DOUBLE, G_TIMESTAMP, G_STRING, G_JSON };

static const char *const guess_names[] = {
	[G_NONE] = "string", [G_BOOLEAN] = "boolean", [G_LONG] = "long", [G_DOUBLE] = "double",
	[G_TIMESTAMP] = "timestamp", [G_STRING] = "string", [G_JSON] = "json",
};

struct key_guess {
	char *name;
	enum guess_type type;
};

static enum guess_type value_type(const json_t *v)
{
	bh_timestamp t;
	switch (json_typeof(v)) {
	case JSON_NULL: return G_NONE;
	case JSON_TRUE:
	case JSON_FALSE: return G_BOOLEAN;
	case JSON_INTEGER: return G_LONG;
	case JSON_REAL: return G_DOUBLE;
	case JSON_STRING:
		return bh_parse_timestamp(json_string_value(v), json_string_length(v), NULL, &t) == 0
			       ? G_TIMESTAMP
			       : G_STRING;
	default: return G_JSON;
	}
}

/* The type that holds values of both a and b. */
static enum guess_type merge(enum guess_type a, enum guess_type b)
{
	if (a == G_NONE || a == b)
		return b;
	if (b == G_NONE)
		return a;
	if ((a == G_LONG && b == G_DOUBLE) || (a == G_DOUBLE && b == G_LONG))
		return G_DOUBLE;
	if (a == G_JSON || b == G_JSON)
		return G_JSON;
	/* Scalars of different kinds: a string column keeps their text. */
	return G_STRING;
}

static int guess_line(json_t *obj, struct key_guess *keys, size_t *nkeys)
{
	const char *k;
	json_t *v;
	json_object_foreach(obj, k, v) {
		size_t i;
		for (i = 0; i < *nkeys; i++)
			if (strcmp(keys[i].name, k) == 0)
				break;
		if (i == *nkeys) {
			if (*nkeys == JSONL_GUESS_MAX_COLUMNS)
				continue;
			if ((keys[i].name = strdup(k)) == NULL)
				return -ENOMEM;
			keys[i].type = G_NONE;
			(*nkeys)++;
		}
		keys[i].type = merge(keys[i].type, value_type(v));
	}
	return 0;
}

/* Caller frees *out with free(). */
int jsonl_guess(bh_ctx *ctx, const char *sample, size_t len, char **out)
{
	struct key_guess *keys = calloc(JSONL_GUESS_MAX_COLUMNS, sizeof *keys);
	size_t nkeys = 0, good = 0, bad = 0;
	const char *p = sample, *end = sample + len;
	json_t *result = NULL, *columns;
	int r = 0;

	if (keys == NULL)
		return -ENOMEM;
	if (len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
		p += 3;
	while (p < end && r == 0) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *e = nl ? nl : end;
		json_t *obj;
		const char *q = p;
		while (q < e && (*q == ' ' || *q == '\t' || *q == '\r'))
			q++;
		if (q < e) {
			obj = json_loadb(p, (size_t)(e - p), 0, NULL);
			if (json_is_object(obj)) {
				r = guess_line(obj, keys, &nkeys);
				good++;
			} else if (nl != NULL) {
				/* Only the last line may be cut by the sample's end. */
				bad++;
			}
			json_decref(obj);
		}
		p = nl ? nl + 1 : end;
	}
	if (r < 0)
		goto out;
	if (good == 0 || bad > good / 4) {
		bh_error(ctx, "the sample is not JSON Lines (%zu object lines, %zu other lines)", good,
			 bad);
		r = -EINVAL;
		goto out;
	}
	columns = json_array();
	result = json_pack("{s:s, s:o}", "type", "jsonl", "columns", columns);
	if (result == NULL) {
		r = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < nkeys; i++)
		json_array_append_new(columns, json_pack("{s:s, s:s}", "name", keys[i].name, "type",
							 guess_names[keys[i].type]));
	*out = json_dumps(result, JSON_COMPACT);
	if (*out == NULL)
		r = -ENOMEM;
out:
	json_decref(result);
	for (size_t i = 0; i < nkeys; i++)
		free(keys[i].name);
	free(keys);
	return r;
}
