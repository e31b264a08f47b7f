/* Variable expansion in scalar values: ${name}, ${env.NAME}, ${time:FMT}, $$.
 * One pass over the source text: substituted values are never rescanned, so
 * a value holding "${...}" stays literal and nothing can expand recursively. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "host/config_internal.h"

extern char **environ;

/* A strftime result past this is a mistake, not a file name. */
#define CFG_MAX_TIME_TEXT 256

struct expander {
	const struct cfg_var_context *ctx;
	struct cfg_error **err;
	char *buf;
	size_t len, cap;
};

static int valid_name(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || !((s[0] >= 'A' && s[0] <= 'Z') || (s[0] >= 'a' && s[0] <= 'z') || s[0] == '_'))
		return 0;
	for (i = 1; i < n; i++) {
		char c = s[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '_'))
			return 0;
	}
	return 1;
}

int cfg_vars_check(char *const *vars, size_t count, struct cfg_error **err)
{
	size_t i;

	if (count > CFG_MAX_VARS)
		return cfg_fail(err, -E2BIG, NULL, "too many --var definitions: at most %d (CFG_MAX_VARS)",
				CFG_MAX_VARS);
	for (i = 0; i < count; i++) {
		const char *eq = strchr(vars[i], '=');
		if (eq == NULL)
			return cfg_fail(err, -EINVAL, NULL, "--var '%s': expected name=value", vars[i]);
		if (!valid_name(vars[i], (size_t)(eq - vars[i])))
			return cfg_fail(err, -EINVAL, NULL,
					"--var '%.*s': a name is letters, digits and '_', not starting with a digit",
					(int)(eq - vars[i]), vars[i]);
	}
	return 0;
}

static int append(struct expander *x, const struct cfg_node *node, const char *s, size_t n)
{
	if (x->len + n > CFG_MAX_SCALAR_BYTES)
		return cfg_fail(x->err, -E2BIG, &node->pos,
				"value longer than %d bytes after variable expansion (CFG_MAX_SCALAR_BYTES)",
				CFG_MAX_SCALAR_BYTES);
	if (x->len + n + 1 > x->cap) {
		size_t cap = x->cap ? x->cap : 64;
		char *b;
		while (cap < x->len + n + 1)
			cap *= 2;
		b = realloc(x->buf, cap);
		if (b == NULL)
			return cfg_fail(x->err, -ENOMEM, NULL, "out of memory");
		x->buf = b;
		x->cap = cap;
	}
	memcpy(x->buf + x->len, s, n);
	x->len += n;
	x->buf[x->len] = '\0';
	return 0;
}

/* Where byte `offset` of the scalar's text is in the file, when knowable. */
static struct cfg_pos pos_at(const struct cfg_node *node, size_t offset)
{
	struct cfg_pos p = node->pos;
	size_t i;

	if (!node->exact_columns)
		return p;
	p.column += node->quoted ? 1 : 0;
	for (i = 0; i < offset; i++)
		if (((unsigned char)node->text[i] & 0xC0) != 0x80)
			p.column++;
	return p;
}

/* Names for "did you mean": the part before '=' of each entry.  Caller frees
 * the array and its strings with free_names(). */
static char **names_of(char *const *defs, size_t count)
{
	char **names = calloc(count + 1, sizeof(*names));
	size_t i;

	if (names == NULL)
		return NULL;
	for (i = 0; i < count; i++) {
		const char *eq = strchr(defs[i], '=');
		names[i] = strndup(defs[i], eq ? (size_t)(eq - defs[i]) : strlen(defs[i]));
		if (names[i] == NULL)
			break;
	}
	return names;
}

static void free_names(char **names)
{
	size_t i;

	for (i = 0; names != NULL && names[i] != NULL; i++)
		free(names[i]);
	free(names);
}

static int undefined(struct expander *x, const struct cfg_pos *p, const char *what,
		     const char *name, char *const *defs, size_t count, const char *advice)
{
	char hint[512];
	char **names = names_of(defs, count);
	size_t n = 0;

	hint[0] = '\0';
	if (names != NULL) {
		while (n < count && names[n] != NULL)
			n++;
		const char *s = cfg_did_you_mean(name, (const char *const *)names, n);
		if (s != NULL)
			snprintf(hint, sizeof(hint), "; did you mean '%s'?", s);
	}
	if (hint[0] == '\0')
		snprintf(hint, sizeof(hint), " (%s)", advice);
	free_names(names);
	return cfg_fail(x->err, -EINVAL, p, "undefined %s '%s'%s", what, name, hint);
}

static int expand_one(struct expander *x, struct cfg_node *node, size_t at, const char *body,
		      size_t n)
{
	struct cfg_pos p = pos_at(node, at);
	const struct cfg_var_context *ctx = x->ctx;
	char name[256];
	size_t i, envc = 0;

	if (n >= sizeof(name))
		return cfg_fail(x->err, -EINVAL, &p, "variable name longer than %zu bytes",
				sizeof(name) - 1);
	memcpy(name, body, n);
	name[n] = '\0';
	if (n >= 5 && memcmp(name, "time:", 5) == 0) {
		char out[CFG_MAX_TIME_TEXT];
		time_t t = (time_t)ctx->time_sec;
		struct tm tm;
		size_t len;
		if (n == 5)
			return cfg_fail(x->err, -EINVAL, &p, "empty time format in '${time:}'");
		if (gmtime_r(&t, &tm) == NULL)
			return cfg_fail(x->err, -EINVAL, &p, "the run time is out of range");
		len = strftime(out, sizeof(out), name + 5, &tm);
		if (len == 0)
			return cfg_fail(x->err, -EINVAL, &p,
					"time format '%s' gives nothing or more than %d bytes",
					name + 5, CFG_MAX_TIME_TEXT - 1);
		return append(x, node, out, len);
	}
	if (n >= 4 && memcmp(name, "env.", 4) == 0) {
		const char *v;
		if (!valid_name(name + 4, n - 4))
			return cfg_fail(x->err, -EINVAL, &p, "invalid environment variable name '%s'",
					name + 4);
		v = getenv(name + 4);
		if (v == NULL) {
			while (environ != NULL && environ[envc] != NULL)
				envc++;
			return undefined(x, &p, "environment variable", name + 4, environ, envc,
					 "it is not set in the environment");
		}
		node->from_env = 1;
		return append(x, node, v, strlen(v));
	}
	if (!valid_name(name, n))
		return cfg_fail(x->err, -EINVAL, &p,
				"invalid variable name '%s' (use ${name}, ${env.NAME} or ${time:FORMAT})",
				name);
	/* Later --var definitions override earlier ones. */
	for (i = ctx->var_count; i > 0; i--) {
		const char *d = ctx->vars[i - 1];
		if (strncmp(d, name, n) == 0 && d[n] == '=')
			return append(x, node, d + n + 1, strlen(d + n + 1));
	}
	{
		char advice[300];
		snprintf(advice, sizeof(advice), "define it with --var %s=VALUE", name);
		return undefined(x, &p, "variable", name, ctx->vars, ctx->var_count, advice);
	}
}

static int expand_scalar(struct expander *x, struct cfg_node *node)
{
	const char *t = node->text;
	size_t i = 0, n = node->len;
	int r;

	if (memchr(t, '$', n) == NULL)
		return 0;
	x->len = 0;
	r = append(x, node, "", 0);
	while (r == 0 && i < n) {
		const char *d = memchr(t + i, '$', n - i);
		size_t stop = d ? (size_t)(d - t) : n;
		r = append(x, node, t + i, stop - i);
		if (r < 0 || d == NULL)
			break;
		i = stop;
		if (i + 1 < n && t[i + 1] == '$') {
			r = append(x, node, "$", 1);
			i += 2;
		} else if (i + 1 < n && t[i + 1] == '{') {
			const char *end = memchr(t + i + 2, '}', n - i - 2);
			if (end == NULL) {
				struct cfg_pos p = pos_at(node, i);
				return cfg_fail(x->err, -EINVAL, &p,
						"unterminated '${': missing '}' (write $$ for a literal $)");
			}
			r = expand_one(x, node, i, t + i + 2, (size_t)(end - (t + i + 2)));
			i = (size_t)(end - t) + 1;
		} else {
			r = append(x, node, "$", 1);
			i++;
		}
	}
	if (r < 0)
		return r;
	if (node->source == NULL) {
		node->source = node->text;
		node->source_len = node->len;
	} else {
		free(node->text);
	}
	node->text = x->buf;
	node->len = x->len;
	node->exact_columns = 0;
	x->buf = NULL;
	x->cap = 0;
	x->len = 0;
	return 0;
}

static int walk(struct expander *x, struct cfg_node *node)
{
	size_t i;
	int r = 0;

	if (node->kind == CFG_SCALAR)
		return expand_scalar(x, node);
	for (i = 0; i < node->count && r == 0; i++)
		r = walk(x, node->kind == CFG_MAP ? node->entries[i].value : node->items[i]);
	return r;
}

int cfg_expand(struct cfg_doc *doc, const struct cfg_var_context *ctx, struct cfg_error **err)
{
	static const struct cfg_var_context none;
	struct expander x = {ctx ? ctx : &none, err, NULL, 0, 0};
	int r;

	r = cfg_vars_check(x.ctx->vars, x.ctx->var_count, err);
	if (r < 0)
		return r;
	r = walk(&x, doc->root);
	free(x.buf);
	return r;
}
