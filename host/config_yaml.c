/* YAML -> node tree with positions, using libyaml's event API.
 *
 * Aliases are expanded into copies so later stages see a plain tree; the
 * copies count against CFG_MAX_NODES, which is what stops "billion laughs"
 * documents, and alias references are bounded by CFG_MAX_ALIASES. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

#include "host/config_internal.h"

struct frame {
	struct cfg_node *node;
	char *anchor;      /* registered when the collection ends */
	char *key;         /* MAP: a key waiting for its value */
	struct cfg_pos key_pos;
};

struct anchor {
	char *name;
	const struct cfg_node *node;
};

struct builder {
	const char *file;
	struct frame stack[CFG_MAX_DEPTH];
	int depth;
	long nodes_left;
	int aliases;
	struct anchor *anchors;
	size_t anchor_count, anchor_cap;
	struct cfg_node *root;
	int documents;
	struct cfg_error **err;
};

static struct cfg_pos pos_of(const struct builder *b, yaml_mark_t m)
{
	struct cfg_pos p = {b->file, (unsigned long)m.line + 1, (unsigned long)m.column + 1};
	return p;
}

static size_t utf8_chars(const char *s, size_t n)
{
	size_t i, c = 0;

	for (i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			c++;
	return c;
}

static int add_anchor(struct builder *b, const char *name, const struct cfg_node *node)
{
	if (b->anchor_count == b->anchor_cap) {
		size_t cap = b->anchor_cap ? b->anchor_cap * 2 : 8;
		struct anchor *a = realloc(b->anchors, cap * sizeof(*a));
		if (a == NULL)
			return -ENOMEM;
		b->anchors = a;
		b->anchor_cap = cap;
	}
	b->anchors[b->anchor_count].name = strdup(name);
	if (b->anchors[b->anchor_count].name == NULL)
		return -ENOMEM;
	b->anchors[b->anchor_count++].node = node;
	return 0;
}

static const struct cfg_node *find_anchor(const struct builder *b, const char *name)
{
	size_t i;

	/* A redefined anchor means its latest definition. */
	for (i = b->anchor_count; i > 0; i--)
		if (strcmp(b->anchors[i - 1].name, name) == 0)
			return b->anchors[i - 1].node;
	return NULL;
}

static int check_tag(struct builder *b, const yaml_char_t *tag, yaml_mark_t m, int *is_str)
{
	static const char *const core[] = {"int", "float", "bool", "null", "map", "seq", NULL};
	static const char prefix[] = "tag:yaml.org,2002:";
	const char *t = (const char *)tag;
	struct cfg_pos p = pos_of(b, m);
	size_t i;

	*is_str = 0;
	if (t == NULL)
		return 0;
	if (strcmp(t, "!") == 0 || strcmp(t, "tag:yaml.org,2002:str") == 0) {
		*is_str = 1;
		return 0;
	}
	if (strncmp(t, prefix, sizeof(prefix) - 1) == 0)
		for (i = 0; core[i] != NULL; i++)
			if (strcmp(t + sizeof(prefix) - 1, core[i]) == 0)
				return 0;
	return cfg_fail(b->err, -EINVAL, &p, "unsupported tag '%s'", t);
}

static int new_node(struct builder *b, enum cfg_kind kind, yaml_mark_t m, struct cfg_node **out)
{
	struct cfg_pos p = pos_of(b, m);
	struct cfg_node *n;

	if (--b->nodes_left < 0)
		return cfg_fail(b->err, -E2BIG, &p,
				"too many nodes: a config holds at most %d (CFG_MAX_NODES)",
				CFG_MAX_NODES);
	n = calloc(1, sizeof(*n));
	if (n == NULL)
		return cfg_fail(b->err, -ENOMEM, NULL, "out of memory");
	n->kind = kind;
	n->pos = p;
	*out = n;
	return 0;
}

/* Attaches node to the open collection (or makes it the root); takes
 * ownership of node in every case. */
static int attach(struct builder *b, struct cfg_node *node)
{
	struct frame *f;

	if (b->depth == 0) {
		if (node->kind != CFG_MAP) {
			int empty = node->kind == CFG_SCALAR && !node->quoted && node->len == 0;
			struct cfg_pos p = node->pos;
			const char *what = node->kind == CFG_LIST ? "a list" : "a scalar";
			cfg_node_free(node);
			if (empty)
				return cfg_fail(b->err, -EINVAL, &p,
						"the config is empty: expected a mapping");
			return cfg_fail(b->err, -EINVAL, &p,
					"the config must be a mapping of keys to values, not %s",
					what);
		}
		b->root = node;
		return 0;
	}
	f = &b->stack[b->depth - 1];
	if (f->node->kind == CFG_LIST) {
		struct cfg_node **items =
			realloc(f->node->items, (f->node->count + 1) * sizeof(*items));
		if (items == NULL) {
			cfg_node_free(node);
			return cfg_fail(b->err, -ENOMEM, NULL, "out of memory");
		}
		f->node->items = items;
		items[f->node->count++] = node;
		return 0;
	}
	if (f->key == NULL) {
		struct cfg_pos p = node->pos;
		const struct cfg_entry *dup;
		if (node->kind != CFG_SCALAR) {
			cfg_node_free(node);
			return cfg_fail(b->err, -EINVAL, &p, "a key must be a scalar");
		}
		if (memchr(node->text, '\0', node->len) != NULL) {
			cfg_node_free(node);
			return cfg_fail(b->err, -EINVAL, &p, "a key must not contain a NUL byte");
		}
		dup = cfg_map_entry(f->node, node->text);
		if (dup != NULL) {
			int r = cfg_fail(b->err, -EINVAL, &p,
					 "duplicate key '%s' (first at line %lu, column %lu)",
					 node->text, dup->key_pos.line, dup->key_pos.column);
			cfg_node_free(node);
			return r;
		}
		f->key = node->text;
		f->key_pos = p;
		node->text = NULL;
		cfg_node_free(node);
		return 0;
	} else {
		struct cfg_entry *e =
			realloc(f->node->entries, (f->node->count + 1) * sizeof(*e));
		if (e == NULL) {
			cfg_node_free(node);
			return cfg_fail(b->err, -ENOMEM, NULL, "out of memory");
		}
		f->node->entries = e;
		e[f->node->count].key = f->key;
		e[f->node->count].key_pos = f->key_pos;
		e[f->node->count++].value = node;
		f->key = NULL;
		return 0;
	}
}

static int on_scalar(struct builder *b, const yaml_event_t *ev)
{
	struct cfg_node *n;
	int is_str, r, style = ev->data.scalar.style;
	size_t len = ev->data.scalar.length;

	r = check_tag(b, ev->data.scalar.tag, ev->start_mark, &is_str);
	if (r < 0)
		return r;
	r = new_node(b, CFG_SCALAR, ev->start_mark, &n);
	if (r < 0)
		return r;
	n->text = malloc(len + 1);
	if (n->text == NULL) {
		cfg_node_free(n);
		return cfg_fail(b->err, -ENOMEM, NULL, "out of memory");
	}
	memcpy(n->text, ev->data.scalar.value, len);
	n->text[len] = '\0';
	n->len = len;
	n->quoted = is_str || style != YAML_PLAIN_SCALAR_STYLE;
	if (style == YAML_PLAIN_SCALAR_STYLE || style == YAML_SINGLE_QUOTED_SCALAR_STYLE ||
	    style == YAML_DOUBLE_QUOTED_SCALAR_STYLE) {
		size_t quotes = style == YAML_PLAIN_SCALAR_STYLE ? 0 : 2;
		n->exact_columns = ev->start_mark.line == ev->end_mark.line &&
				   ev->end_mark.column - ev->start_mark.column ==
					   utf8_chars(n->text, len) + quotes;
	}
	if (ev->data.scalar.anchor != NULL) {
		const struct frame *f = b->depth > 0 ? &b->stack[b->depth - 1] : NULL;
		struct cfg_pos p = n->pos;
		/* A key's node is freed once its text is taken: nothing to point at. */
		if (f != NULL && f->node->kind == CFG_MAP && f->key == NULL) {
			cfg_node_free(n);
			return cfg_fail(b->err, -EINVAL, &p, "anchors on keys are not supported");
		}
		r = add_anchor(b, (const char *)ev->data.scalar.anchor, n);
		if (r < 0) {
			cfg_node_free(n);
			return cfg_fail(b->err, r, NULL, "out of memory");
		}
	}
	return attach(b, n);
}

static int on_alias(struct builder *b, const yaml_event_t *ev)
{
	struct cfg_pos p = pos_of(b, ev->start_mark);
	const char *name = (const char *)ev->data.alias.anchor;
	const struct cfg_node *target = find_anchor(b, name);
	struct cfg_node *copy;
	int r;

	if (++b->aliases > CFG_MAX_ALIASES)
		return cfg_fail(b->err, -E2BIG, &p,
				"too many aliases: a config holds at most %d (CFG_MAX_ALIASES)",
				CFG_MAX_ALIASES);
	if (target == NULL)
		return cfg_fail(b->err, -EINVAL, &p,
				"alias '*%s' refers to no anchor defined before it", name);
	r = cfg_node_copy(target, &b->nodes_left, &copy);
	if (r == -E2BIG)
		return cfg_fail(b->err, r, &p,
				"alias '*%s' expands past %d nodes (CFG_MAX_NODES)", name,
				CFG_MAX_NODES);
	if (r < 0)
		return cfg_fail(b->err, r, NULL, "out of memory");
	return attach(b, copy);
}

static int on_collection_start(struct builder *b, const yaml_event_t *ev, enum cfg_kind kind)
{
	struct cfg_pos p = pos_of(b, ev->start_mark);
	const yaml_char_t *tag = kind == CFG_MAP ? ev->data.mapping_start.tag
						 : ev->data.sequence_start.tag;
	const yaml_char_t *anchor = kind == CFG_MAP ? ev->data.mapping_start.anchor
						    : ev->data.sequence_start.anchor;
	struct cfg_node *n;
	struct frame *f;
	int is_str, r;

	r = check_tag(b, tag, ev->start_mark, &is_str);
	if (r < 0)
		return r;
	if (is_str)
		return cfg_fail(b->err, -EINVAL, &p, "a !!str tag applies to scalars only");
	if (b->depth == CFG_MAX_DEPTH)
		return cfg_fail(b->err, -E2BIG, &p,
				"nesting deeper than %d levels (CFG_MAX_DEPTH)", CFG_MAX_DEPTH);
	r = new_node(b, kind, ev->start_mark, &n);
	if (r < 0)
		return r;
	r = attach(b, n);
	if (r < 0)
		return r;
	f = &b->stack[b->depth++];
	memset(f, 0, sizeof(*f));
	f->node = n;
	if (anchor != NULL) {
		f->anchor = strdup((const char *)anchor);
		if (f->anchor == NULL)
			return cfg_fail(b->err, -ENOMEM, NULL, "out of memory");
	}
	return 0;
}

static int on_collection_end(struct builder *b)
{
	struct frame *f = &b->stack[--b->depth];
	int r = 0;

	/* Registered only now, so an alias inside its own anchor is undefined. */
	if (f->anchor != NULL && add_anchor(b, f->anchor, f->node) < 0)
		r = cfg_fail(b->err, -ENOMEM, NULL, "out of memory");
	free(f->anchor);
	free(f->key);
	f->anchor = NULL;
	f->key = NULL;
	return r;
}

static int yaml_error(struct builder *b, const yaml_parser_t *parser)
{
	struct cfg_pos p = pos_of(b, parser->problem_mark);
	const char *problem = parser->problem ? parser->problem : "invalid YAML";

	if (parser->error == YAML_MEMORY_ERROR)
		return cfg_fail(b->err, -ENOMEM, NULL, "out of memory");
	if (parser->context != NULL)
		return cfg_fail(b->err, -EINVAL, &p, "invalid YAML: %s (%s at line %lu, column %lu)",
				problem, parser->context, (unsigned long)parser->context_mark.line + 1,
				(unsigned long)parser->context_mark.column + 1);
	return cfg_fail(b->err, -EINVAL, &p, "invalid YAML: %s", problem);
}

static int run_parser(struct builder *b, yaml_parser_t *parser)
{
	yaml_event_t ev;
	int done = 0, r = 0;

	while (!done && r == 0) {
		if (!yaml_parser_parse(parser, &ev))
			return yaml_error(b, parser);
		switch (ev.type) {
		case YAML_DOCUMENT_START_EVENT:
			if (++b->documents > 1) {
				struct cfg_pos p = pos_of(b, ev.start_mark);
				r = cfg_fail(b->err, -EINVAL, &p,
					     "a config holds one YAML document; a second one starts here");
			}
			break;
		case YAML_SCALAR_EVENT:
			r = on_scalar(b, &ev);
			break;
		case YAML_ALIAS_EVENT:
			r = on_alias(b, &ev);
			break;
		case YAML_SEQUENCE_START_EVENT:
			r = on_collection_start(b, &ev, CFG_LIST);
			break;
		case YAML_MAPPING_START_EVENT:
			r = on_collection_start(b, &ev, CFG_MAP);
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			r = on_collection_end(b);
			break;
		case YAML_STREAM_END_EVENT:
			done = 1;
			break;
		default:
			break;
		}
		yaml_event_delete(&ev);
	}
	return r;
}

int cfg_load_string(const char *name, const char *text, size_t len, struct cfg_doc **out,
		    struct cfg_error **err)
{
	struct builder b;
	yaml_parser_t parser;
	struct cfg_doc *doc;
	struct cfg_pos fpos = {name, 0, 0};
	size_t i;
	int r;

	if (len > CFG_MAX_FILE_BYTES)
		return cfg_fail(err, -EFBIG, &fpos,
				"file is larger than %d bytes (CFG_MAX_FILE_BYTES)",
				CFG_MAX_FILE_BYTES);
	doc = calloc(1, sizeof(*doc));
	if (doc == NULL || (doc->file = strdup(name)) == NULL) {
		free(doc);
		return cfg_fail(err, -ENOMEM, NULL, "out of memory");
	}
	memset(&b, 0, sizeof(b));
	b.file = doc->file;
	b.nodes_left = CFG_MAX_NODES;
	b.err = err;
	if (!yaml_parser_initialize(&parser)) {
		cfg_doc_free(doc);
		return cfg_fail(err, -ENOMEM, NULL, "out of memory");
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	r = run_parser(&b, &parser);
	yaml_parser_delete(&parser);
	while (b.depth > 0) {
		free(b.stack[b.depth - 1].anchor);
		free(b.stack[b.depth - 1].key);
		b.depth--;
	}
	for (i = 0; i < b.anchor_count; i++)
		free(b.anchors[i].name);
	free(b.anchors);
	if (r == 0 && b.root == NULL) {
		struct cfg_pos p = {doc->file, 1, 1};
		r = cfg_fail(err, -EINVAL, &p, "the config is empty: expected a mapping");
	}
	if (r < 0) {
		cfg_node_free(b.root);
		cfg_doc_free(doc);
		return r;
	}
	doc->root = b.root;
	*out = doc;
	return 0;
}

int cfg_load_file(const char *path, struct cfg_doc **out, struct cfg_error **err)
{
	struct cfg_pos fpos = {path, 0, 0};
	struct stat st;
	char *buf = NULL;
	size_t len = 0;
	ssize_t n;
	int fd, r;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		r = -errno;
		return cfg_fail(err, r, &fpos, "cannot open: %s", strerror(-r));
	}
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > CFG_MAX_FILE_BYTES) {
		r = cfg_fail(err, -EFBIG, &fpos, "file is larger than %d bytes (CFG_MAX_FILE_BYTES)",
			     CFG_MAX_FILE_BYTES);
		goto out;
	}
	/* One byte more than the limit tells a too-large pipe from a full one. */
	buf = malloc(CFG_MAX_FILE_BYTES + 1);
	if (buf == NULL) {
		r = cfg_fail(err, -ENOMEM, NULL, "out of memory");
		goto out;
	}
	while (len < CFG_MAX_FILE_BYTES + 1) {
		n = read(fd, buf + len, CFG_MAX_FILE_BYTES + 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = -errno;
			r = cfg_fail(err, r, &fpos, "cannot read: %s", strerror(-r));
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	r = cfg_load_string(path, buf, len, out, err);
out:
	free(buf);
	close(fd);
	return r;
}
