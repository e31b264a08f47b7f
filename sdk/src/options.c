/* Option tables: defaults and type checks for configs given as JSON (the test
 * kit's configs; the host validates YAML configs itself with positions). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sdk/src/runtime.h"

static int parse_bool_text(const char *s, int *out)
{
	static const char *const yes[] = { "true", "yes", "on", "y" };
	static const char *const no[] = { "false", "no", "off", "n" };
	for (size_t i = 0; i < 4; i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*out = 1;
			return 0;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*out = 0;
			return 0;
		}
	}
	return -EINVAL;
}

json_t *rt_option_default(const bh_option *opt)
{
	const char *s = opt->default_value;
	char *end;
	int b;
	if (!s)
		return NULL;
	switch (opt->type) {
	case BH_OPT_BOOLEAN:
		return parse_bool_text(s, &b) == 0 ? json_boolean(b) : NULL;
	case BH_OPT_LONG: {
		long long v;
		errno = 0;
		v = strtoll(s, &end, 0);
		return (errno || *end || end == s) ? NULL : json_integer(v);
	}
	case BH_OPT_DOUBLE: {
		double v = strtod(s, &end);
		return (*end || end == s) ? NULL : json_real(v);
	}
	case BH_OPT_STRING:
	case BH_OPT_STRING_LIST:
		return json_string(s);
	case BH_OPT_COLUMNS:
	case BH_OPT_MAP:
	case BH_OPT_LIST:
	case BH_OPT_ANY: {
		json_t *v = json_loads(s, JSON_DECODE_ANY, NULL);
		return v ? v : json_string(s);
	}
	}
	return NULL;
}

static int type_ok(bh_option_type t, json_t *v)
{
	size_t i;
	json_t *e;
	switch (t) {
	case BH_OPT_BOOLEAN:
		return json_is_boolean(v);
	case BH_OPT_LONG:
		return json_is_integer(v);
	case BH_OPT_DOUBLE:
		return json_is_number(v);
	case BH_OPT_STRING:
		return json_is_string(v);
	case BH_OPT_STRING_LIST:
		if (json_is_string(v))
			return 1;
		if (!json_is_array(v))
			return 0;
		json_array_foreach(v, i, e) if (!json_is_string(e)) return 0;
		return 1;
	case BH_OPT_COLUMNS:
		if (!json_is_array(v))
			return 0;
		json_array_foreach(v, i, e) if (!json_is_object(e)) return 0;
		return 1;
	case BH_OPT_MAP:
		return json_is_object(v);
	case BH_OPT_LIST:
		return json_is_array(v);
	case BH_OPT_ANY:
		return 1;
	}
	return 0;
}

int rt_config_prepare(const bh_option *opts, json_t *cfg, const char *what, char **err)
{
	const char *key;
	json_t *v;
	if (!json_is_object(cfg))
		return rt_fail(err, "%s: config must be a mapping", what);
	json_object_foreach(cfg, key, v) {
		const bh_option *o = opts;
		while (o && o->name && strcmp(o->name, key) != 0)
			o++;
		if (!o || !o->name)
			return rt_fail(err, "%s: unknown option '%s'", what, key);
		if (!json_is_null(v) && !type_ok(o->type, v))
			return rt_fail(err, "%s: option '%s' must be of type %s", what, key,
				    rt_option_type_name(o->type));
	}
	for (const bh_option *o = opts; o && o->name; o++) {
		json_t *cur = json_object_get(cfg, o->name);
		if (cur && !json_is_null(cur))
			continue;
		if (o->required)
			return rt_fail(err, "%s: required option '%s' is missing", what, o->name);
		if (o->default_value) {
			json_t *d = rt_option_default(o);
			if (!d)
				return rt_fail(err, "%s: option '%s' has an invalid default '%s'", what, o->name,
					    o->default_value);
			json_object_set_new(cfg, o->name, d);
		}
	}
	return 0;
}
