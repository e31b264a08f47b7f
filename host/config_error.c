/* Errors with positions, node descriptions for messages, and "did you mean". */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bulkhead/text.h>

#include "host/config_internal.h"

void cfg_error_free(struct cfg_error *err)
{
	if (err == NULL)
		return;
	free(err->file);
	free(err->message);
	free(err->text);
	free(err);
}

int cfg_fail(struct cfg_error **err, int code, const struct cfg_pos *pos, const char *fmt, ...)
{
	struct cfg_error *e;
	va_list ap;
	int n;

	if (err == NULL)
		return code;
	*err = NULL;
	e = calloc(1, sizeof(*e));
	if (e == NULL)
		return -ENOMEM;
	va_start(ap, fmt);
	n = vasprintf(&e->message, fmt, ap);
	va_end(ap);
	if (n < 0) {
		e->message = NULL;
		goto oom;
	}
	if (pos != NULL && pos->file != NULL) {
		e->file = strdup(pos->file);
		if (e->file == NULL)
			goto oom;
		e->line = pos->line;
		e->column = pos->column;
		if (pos->line > 0)
			n = asprintf(&e->text, "%s:%lu:%lu: %s", e->file, e->line, e->column,
				     e->message);
		else
			n = asprintf(&e->text, "%s: %s", e->file, e->message);
	} else {
		n = asprintf(&e->text, "%s", e->message);
	}
	if (n < 0) {
		e->text = NULL;
		goto oom;
	}
	*err = e;
	return code;
oom:
	cfg_error_free(e);
	return -ENOMEM;
}

const char *cfg_describe(const struct cfg_node *node, char *buf, size_t cap)
{
	/* Long values are cut: the message must stay one readable line. */
	enum { SHOWN = 40 };
	size_t i, o = 0;

	if (node->kind == CFG_MAP)
		return "a map";
	if (node->kind == CFG_LIST)
		return "a list";
	if (node->from_env)
		return "a value from the environment";
	if (!node->quoted) {
		struct cfg_scalar s;
		cfg_resolve_plain(node->text, node->len, &s);
		if (s.type == CFG_NULL)
			return "null";
		if (s.type != CFG_STRING) {
			snprintf(buf, cap, "%.*s", SHOWN, node->text);
			return buf;
		}
	}
	if (cap < 8)
		return "a string";
	buf[o++] = '"';
	for (i = 0; i < node->len && i < SHOWN && o + 6 < cap; i++) {
		unsigned char c = (unsigned char)node->text[i];
		if (c == '"' || c == '\\') {
			buf[o++] = '\\';
			buf[o++] = (char)c;
		} else if (c < 0x20 || c == 0x7f) {
			o += (size_t)snprintf(buf + o, cap - o, "\\x%02x", c);
		} else {
			buf[o++] = (char)c;
		}
	}
	if (i < node->len && o + 4 < cap) {
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o++] = '"';
	buf[o] = '\0';
	return buf;
}

/* The host's names and the plugins' column names share one notion of a typo. */
const char *cfg_did_you_mean(const char *word, const char *const *candidates, size_t count)
{
	return bh_did_you_mean(word, candidates, count);
}

void cfg_hint(const char *word, const char *const *candidates, size_t count, char *buf,
	      size_t cap)
{
	/* Past this many names a list stops helping. */
	enum { LISTED = 12 };
	const char *s = cfg_did_you_mean(word, candidates, count);
	size_t i, o;

	buf[0] = '\0';
	if (s != NULL) {
		snprintf(buf, cap, "; did you mean '%s'?", s);
		return;
	}
	if (count == 0 || count > LISTED)
		return;
	o = (size_t)snprintf(buf, cap, " (expected one of: ");
	for (i = 0; i < count && o < cap; i++)
		o += (size_t)snprintf(buf + o, cap - o, "%s%s", i ? ", " : "", candidates[i]);
	if (o < cap)
		snprintf(buf + o, cap - o, ")");
}
