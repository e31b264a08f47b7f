/* Located YAML reading and simple YAML writing on top of libyaml. */
#include "packaging/yamldoc.h"
#include "packaging/util.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int yamldoc_error(const struct yamldoc *d, const yaml_node_t *n, char **err, const char *fmt, ...)
{
	va_list ap;
	char *msg = NULL;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	if (n != NULL)
		pkg_error(err, -EINVAL, "%s:%zu:%zu: %s", d->path, n->start_mark.line + 1,
			  n->start_mark.column + 1, msg ? msg : "error");
	else
		pkg_error(err, -EINVAL, "%s: %s", d->path, msg ? msg : "error");
	free(msg);
	return -EINVAL;
}

/* Each node of a tree is referenced once; a second reference is an alias. */
static int check_no_aliases(struct yamldoc *d, char **err)
{
	yaml_node_t *start = d->doc.nodes.start, *top = d->doc.nodes.top;
	size_t count = (size_t)(top - start);
	unsigned char *seen = calloc(count + 1, 1);
	int r = 0;

	if (seen == NULL)
		return pkg_error(err, -ENOMEM, "out of memory");
	for (yaml_node_t *n = start; n < top && r == 0; n++) {
		yaml_node_item_t *item;
		yaml_node_pair_t *pair;
		int ids[2];
		if (n->type == YAML_SCALAR_NODE) {
			if (strlen((const char *)n->data.scalar.value) != n->data.scalar.length)
				r = yamldoc_error(d, n, err, "NUL byte in a value");
			continue;
		}
		if (n->type == YAML_SEQUENCE_NODE) {
			for (item = n->data.sequence.items.start; item < n->data.sequence.items.top; item++) {
				if (*item < 1 || (size_t)*item > count || seen[*item]++) {
					r = yamldoc_error(d, n, err, "aliases are not allowed here");
					break;
				}
			}
			continue;
		}
		for (pair = n->data.mapping.pairs.start; pair < n->data.mapping.pairs.top && r == 0; pair++) {
			ids[0] = pair->key;
			ids[1] = pair->value;
			for (int i = 0; i < 2; i++) {
				if (ids[i] < 1 || (size_t)ids[i] > count || seen[ids[i]]++) {
					r = yamldoc_error(d, n, err, "aliases are not allowed here");
					break;
				}
			}
		}
	}
	free(seen);
	return r;
}

int yamldoc_load(const char *path, size_t max_bytes, struct yamldoc *out, char **err)
{
	yaml_parser_t parser;
	yaml_document_t extra;
	char *text = NULL;
	size_t len = 0;
	int r;

	memset(out, 0, sizeof(*out));
	out->path = strdup(path);
	if (out->path == NULL)
		return pkg_error(err, -ENOMEM, "out of memory");
	r = pkg_read_file(path, max_bytes, &text, &len);
	if (r == -EFBIG) {
		pkg_error(err, r, "%s: larger than %zu bytes", path, max_bytes);
		goto fail;
	}
	if (r < 0) {
		pkg_error(err, r, "%s: %s", path, strerror(-r));
		goto fail;
	}
	if (!yaml_parser_initialize(&parser)) {
		r = pkg_error(err, -ENOMEM, "out of memory");
		goto fail;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	if (!yaml_parser_load(&parser, &out->doc)) {
		r = pkg_error(err, -EINVAL, "%s:%zu:%zu: %s%s%s", path, parser.problem_mark.line + 1,
			      parser.problem_mark.column + 1, parser.problem ? parser.problem : "invalid YAML",
			      parser.context ? " " : "", parser.context ? parser.context : "");
		yaml_parser_delete(&parser);
		goto fail;
	}
	out->loaded = 1;
	if (yaml_document_get_root_node(&out->doc) != NULL) {
		if (!yaml_parser_load(&parser, &extra)) {
			r = pkg_error(err, -EINVAL, "%s:%zu:%zu: %s", path, parser.problem_mark.line + 1,
				      parser.problem_mark.column + 1, parser.problem ? parser.problem : "invalid YAML");
			yaml_parser_delete(&parser);
			goto fail;
		}
		int more = yaml_document_get_root_node(&extra) != NULL;
		yaml_document_delete(&extra);
		if (more) {
			r = pkg_error(err, -EINVAL, "%s: more than one YAML document", path);
			yaml_parser_delete(&parser);
			goto fail;
		}
	}
	yaml_parser_delete(&parser);
	if ((r = check_no_aliases(out, err)) < 0)
		goto fail;
	free(text);
	return 0;
fail:
	free(text);
	yamldoc_free(out);
	return r;
}

void yamldoc_free(struct yamldoc *d)
{
	if (d->loaded)
		yaml_document_delete(&d->doc);
	d->loaded = 0;
	free(d->path);
	d->path = NULL;
}

yaml_node_t *yamldoc_root(struct yamldoc *d)
{
	return yaml_document_get_root_node(&d->doc);
}

yaml_node_t *yamldoc_node(struct yamldoc *d, int id)
{
	return yaml_document_get_node(&d->doc, id);
}

const char *yamldoc_scalar(const yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

int yamldoc_is_null(const yaml_node_t *n)
{
	const char *s = yamldoc_scalar(n);
	if (s == NULL || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return 0;
	return *s == '\0' || strcmp(s, "~") == 0 || strcmp(s, "null") == 0 || strcmp(s, "Null") == 0 ||
	       strcmp(s, "NULL") == 0;
}

int yamldoc_bool(const struct yamldoc *d, const yaml_node_t *n, int *out, char **err)
{
	const char *s = yamldoc_scalar(n);
	if (s != NULL && n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE) {
		if (strcmp(s, "true") == 0) {
			*out = 1;
			return 0;
		}
		if (strcmp(s, "false") == 0) {
			*out = 0;
			return 0;
		}
	}
	return yamldoc_error(d, n, err, "expected true or false");
}

int yamldoc_string(const struct yamldoc *d, const yaml_node_t *n, const char *what, const char **out,
		   char **err)
{
	const char *s = yamldoc_scalar(n);
	if (s == NULL || yamldoc_is_null(n))
		return yamldoc_error(d, n, err, "%s: expected a string", what);
	*out = s;
	return 0;
}

int yamldoc_check_unique_keys(struct yamldoc *d, yaml_node_t *n, char **err)
{
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yamldoc_node(d, p->key);
		const char *ks = yamldoc_scalar(k);
		if (ks == NULL)
			return yamldoc_error(d, k, err, "keys must be strings");
		for (yaml_node_pair_t *q = n->data.mapping.pairs.start; q < p; q++) {
			const char *qs = yamldoc_scalar(yamldoc_node(d, q->key));
			if (qs && strcmp(qs, ks) == 0)
				return yamldoc_error(d, k, err, "duplicate key '%s'", ks);
		}
	}
	return 0;
}

/* ---- writing ------------------------------------------------------------ */

static int write_handler(void *data, unsigned char *buffer, size_t size)
{
	struct yamlout *o = data;
	if (o->len + size + 1 > o->cap) {
		size_t cap = o->cap ? o->cap : 4096;
		while (cap < o->len + size + 1)
			cap *= 2;
		char *nb = realloc(o->buf, cap);
		if (nb == NULL)
			return 0;
		o->buf = nb;
		o->cap = cap;
	}
	memcpy(o->buf + o->len, buffer, size);
	o->len += size;
	o->buf[o->len] = '\0';
	return 1;
}

static void emit(struct yamlout *o, yaml_event_t *ev, int ok)
{
	if (o->failed)
		return;
	if (!ok || !yaml_emitter_emit(&o->emitter, ev))
		o->failed = 1;
}

int yamlout_begin(struct yamlout *o)
{
	yaml_event_t ev;

	memset(o, 0, sizeof(*o));
	if (!yaml_emitter_initialize(&o->emitter))
		return -ENOMEM;
	yaml_emitter_set_output(&o->emitter, write_handler, o);
	yaml_emitter_set_unicode(&o->emitter, 1);
	yaml_emitter_set_width(&o->emitter, 100);
	emit(o, &ev, yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING));
	emit(o, &ev, yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1));
	return 0;
}

void yamlout_map_start(struct yamlout *o, int flow)
{
	yaml_event_t ev;
	emit(o, &ev,
	     yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1,
						 flow ? YAML_FLOW_MAPPING_STYLE : YAML_BLOCK_MAPPING_STYLE));
}

void yamlout_map_end(struct yamlout *o)
{
	yaml_event_t ev;
	emit(o, &ev, yaml_mapping_end_event_initialize(&ev));
}

void yamlout_seq_start(struct yamlout *o, int flow)
{
	yaml_event_t ev;
	emit(o, &ev,
	     yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1,
						  flow ? YAML_FLOW_SEQUENCE_STYLE : YAML_BLOCK_SEQUENCE_STYLE));
}

void yamlout_seq_end(struct yamlout *o)
{
	yaml_event_t ev;
	emit(o, &ev, yaml_sequence_end_event_initialize(&ev));
}

/* Plain text that a YAML reader would take for something other than a string. */
static int looks_typed(const char *s)
{
	static const char *const words[] = {"true", "false", "yes", "no", "on", "off", "null", "~",
					    "True", "False", "Yes", "No", "On", "Off", "Null", "NULL",
					    "TRUE", "FALSE", "YES", "NO", "ON", "OFF"};
	if (*s == '\0')
		return 1;
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strcmp(s, words[i]) == 0)
			return 1;
	char *end;
	(void)strtod(s, &end);
	return *end == '\0';
}

void yamlout_scalar(struct yamlout *o, const char *s, int quoted)
{
	yaml_event_t ev;
	if (s == NULL) {
		yamlout_plain(o, "null");
		return;
	}
	yaml_scalar_style_t style = YAML_ANY_SCALAR_STYLE;
	int nullish = *s == '\0' || strcmp(s, "~") == 0 || strcasecmp(s, "null") == 0;
	if (quoted == YAMLOUT_QUOTED || (quoted == YAMLOUT_STRING && looks_typed(s)) || nullish)
		style = YAML_DOUBLE_QUOTED_SCALAR_STYLE;
	emit(o, &ev,
	     yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)s, (int)strlen(s), 1, 1, style));
}

void yamlout_plain(struct yamlout *o, const char *s)
{
	yaml_event_t ev;
	emit(o, &ev,
	     yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)s, (int)strlen(s), 1, 0,
					  YAML_PLAIN_SCALAR_STYLE));
}

int yamlout_finish(struct yamlout *o, char **out, size_t *len, char **err)
{
	yaml_event_t ev;
	emit(o, &ev, yaml_document_end_event_initialize(&ev, 1));
	emit(o, &ev, yaml_stream_end_event_initialize(&ev));
	if (!o->failed && !yaml_emitter_flush(&o->emitter))
		o->failed = 1;
	if (o->failed) {
		int r = pkg_error(err, -EINVAL, "cannot write YAML: %s",
				  o->emitter.problem ? o->emitter.problem : "out of memory");
		yamlout_abort(o);
		return r;
	}
	yaml_emitter_delete(&o->emitter);
	*out = o->buf ? o->buf : strdup("");
	*len = o->len;
	o->buf = NULL;
	return *out ? 0 : -ENOMEM;
}

void yamlout_abort(struct yamlout *o)
{
	yaml_emitter_delete(&o->emitter);
	free(o->buf);
	o->buf = NULL;
}

int yamlout_finish_file(struct yamlout *o, const char *path, char **err)
{
	char *text = NULL;
	size_t len = 0;
	int r = yamlout_finish(o, &text, &len, err);
	if (r < 0)
		return r;
	r = pkg_write_atomic(path, text, len, err);
	free(text);
	return r;
}
