/* manifest.yml: load with located errors, validate, write. */
#include "packaging/manifest.h"
#include "packaging/semver.h"
#include "packaging/util.h"
#include "packaging/yamldoc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Bounds on what a manifest may declare; a bundle's manifest is untrusted. */
#define MANIFEST_MAX_BYTES (1024 * 1024)
#define MANIFEST_MAX_NAME 64
#define MANIFEST_MAX_FILES 4096
#define MANIFEST_MAX_COMPONENTS 256
#define MANIFEST_MAX_OPTIONS 1024
#define MANIFEST_MAX_TEXT 4096

static const char *const kind_names[] = {"input", "parser", "decoder", "filter", "formatter", "encoder", "output"};
static const char *const option_types[] = {"boolean", "long", "double", "string", "string_list",
					   "columns", "map", "list", "any"};

static int in_list(const char *s, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(s, list[i]) == 0)
			return 1;
	return 0;
}
#define IN_LIST(s, arr) in_list((s), (arr), sizeof(arr) / sizeof((arr)[0]))

struct loader {
	struct yamldoc doc;
	struct manifest *m;
	char **err;
};

static void free_component(struct manifest_component *c)
{
	free(c->kind);
	free(c->type);
	free(c->description);
	for (size_t i = 0; i < c->option_count; i++) {
		free(c->options[i].name);
		free(c->options[i].type);
		free(c->options[i].default_value);
		free(c->options[i].description);
	}
	free(c->options);
}

void manifest_free(struct manifest *m)
{
	if (m == NULL)
		return;
	free(m->name);
	free(m->version);
	free(m->abi);
	free(m->description);
	free(m->library);
	for (size_t i = 0; i < m->kind_count; i++)
		free(m->kinds[i]);
	free(m->kinds);
	for (size_t i = 0; i < m->component_count; i++)
		free_component(&m->components[i]);
	free(m->components);
	for (size_t i = 0; i < m->file_count; i++) {
		free(m->files[i].path);
		free(m->files[i].sha256);
	}
	free(m->files);
	free(m);
}

const struct manifest_component *manifest_find_component(const struct manifest *m, const char *kind,
							 const char *type)
{
	for (size_t i = 0; i < m->component_count; i++)
		if (strcmp(m->components[i].kind, kind) == 0 && strcmp(m->components[i].type, type) == 0)
			return &m->components[i];
	return NULL;
}

static int oom(struct loader *l)
{
	return pkg_error(l->err, -ENOMEM, "out of memory");
}

/* A bounded scalar string, copied. */
static int get_text(struct loader *l, yaml_node_t *n, const char *what, char **out)
{
	const char *s;
	int r = yamldoc_string(&l->doc, n, what, &s, l->err);
	if (r < 0)
		return r;
	if (strlen(s) > MANIFEST_MAX_TEXT)
		return yamldoc_error(&l->doc, n, l->err, "%s: longer than %d bytes", what, MANIFEST_MAX_TEXT);
	*out = strdup(s);
	return *out ? 0 : oom(l);
}

static int expect(struct loader *l, yaml_node_t *n, yaml_node_type_t type, const char *what)
{
	if (n->type == type)
		return type == YAML_MAPPING_NODE ? yamldoc_check_unique_keys(&l->doc, n, l->err) : 0;
	return yamldoc_error(&l->doc, n, l->err, "%s: expected a %s", what,
			     type == YAML_MAPPING_NODE ? "mapping" : type == YAML_SEQUENCE_NODE ? "list" : "scalar");
}

static int load_kinds(struct loader *l, yaml_node_t *n)
{
	struct manifest *m = l->m;
	int r;

	if ((r = expect(l, n, YAML_SEQUENCE_NODE, "kinds")) < 0)
		return r;
	size_t count = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
	if (count == 0)
		return yamldoc_error(&l->doc, n, l->err, "kinds: expected at least one of input, parser, "
							 "decoder, filter, formatter, encoder, output");
	if (count > sizeof(kind_names) / sizeof(kind_names[0]))
		return yamldoc_error(&l->doc, n, l->err, "kinds: too many entries");
	m->kinds = calloc(count, sizeof(char *));
	if (m->kinds == NULL)
		return oom(l);
	for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
		yaml_node_t *k = yamldoc_node(&l->doc, *it);
		char *s;
		if ((r = get_text(l, k, "kinds", &s)) < 0)
			return r;
		m->kinds[m->kind_count++] = s;
		if (!IN_LIST(s, kind_names))
			return yamldoc_error(&l->doc, k, l->err,
					     "unknown kind '%s' (expected input, parser, decoder, filter, "
					     "formatter, encoder or output)", s);
		for (size_t i = 0; i + 1 < m->kind_count; i++)
			if (strcmp(m->kinds[i], s) == 0)
				return yamldoc_error(&l->doc, k, l->err, "kind '%s' listed twice", s);
	}
	return 0;
}

static int load_requires(struct loader *l, yaml_node_t *n)
{
	int r, seen = 0;

	if ((r = expect(l, n, YAML_MAPPING_NODE, "requires")) < 0)
		return r;
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yamldoc_node(&l->doc, p->key), *v = yamldoc_node(&l->doc, p->value);
		const char *key = yamldoc_scalar(k);
		if (strcmp(key, "network") != 0)
			return yamldoc_error(&l->doc, k, l->err, "requires: unknown field '%s' (expected network)",
					     key);
		if ((r = yamldoc_bool(&l->doc, v, &l->m->network, l->err)) < 0)
			return r;
		seen = 1;
	}
	if (!seen)
		return yamldoc_error(&l->doc, n, l->err, "requires: missing field 'network' (true or false)");
	return 0;
}

/* Splits "kind/type" and checks both halves. */
static int split_component_key(struct loader *l, yaml_node_t *k, const char *section, char **kind, char **type)
{
	const char *key = yamldoc_scalar(k);
	const char *slash = key ? strchr(key, '/') : NULL;

	if (slash == NULL)
		return yamldoc_error(&l->doc, k, l->err, "%s: expected 'kind/type' keys", section);
	*kind = strndup(key, (size_t)(slash - key));
	*type = strdup(slash + 1);
	if (*kind == NULL || *type == NULL) {
		free(*kind);
		free(*type);
		return oom(l);
	}
	const char *err = NULL;
	if (!IN_LIST(*kind, kind_names))
		err = "unknown kind";
	else if (!pkg_is_identifier(*type, MANIFEST_MAX_NAME))
		err = "type must match [a-z0-9][a-z0-9_-]* (at most 64)";
	if (err != NULL) {
		free(*kind);
		free(*type);
		return yamldoc_error(&l->doc, k, l->err, "%s: '%s': %s", section, key, err);
	}
	return 0;
}

static int load_components(struct loader *l, yaml_node_t *n)
{
	struct manifest *m = l->m;
	int r;

	if ((r = expect(l, n, YAML_MAPPING_NODE, "components")) < 0)
		return r;
	size_t count = (size_t)(n->data.mapping.pairs.top - n->data.mapping.pairs.start);
	if (count > MANIFEST_MAX_COMPONENTS)
		return yamldoc_error(&l->doc, n, l->err, "components: more than %d", MANIFEST_MAX_COMPONENTS);
	m->components = calloc(count ? count : 1, sizeof(*m->components));
	if (m->components == NULL)
		return oom(l);
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yamldoc_node(&l->doc, p->key), *v = yamldoc_node(&l->doc, p->value);
		struct manifest_component *c = &m->components[m->component_count];
		if ((r = split_component_key(l, k, "components", &c->kind, &c->type)) < 0)
			return r;
		m->component_count++;
		if (!in_list(c->kind, (const char *const *)m->kinds, m->kind_count))
			return yamldoc_error(&l->doc, k, l->err, "component %s/%s has a kind not listed in kinds",
					     c->kind, c->type);
		if (manifest_find_component(m, c->kind, c->type) != c)
			return yamldoc_error(&l->doc, k, l->err, "component %s/%s listed twice", c->kind, c->type);
		if ((r = get_text(l, v, "component description", &c->description)) < 0)
			return r;
	}
	return 0;
}

static int load_option(struct loader *l, yaml_node_t *n, struct manifest_option *o)
{
	int r, have_name = 0, have_type = 0;

	if ((r = expect(l, n, YAML_MAPPING_NODE, "option")) < 0)
		return r;
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yamldoc_node(&l->doc, p->key), *v = yamldoc_node(&l->doc, p->value);
		const char *key = yamldoc_scalar(k);
		if (strcmp(key, "name") == 0) {
			if ((r = get_text(l, v, "option name", &o->name)) < 0)
				return r;
			have_name = 1;
		} else if (strcmp(key, "type") == 0) {
			if ((r = get_text(l, v, "option type", &o->type)) < 0)
				return r;
			if (!IN_LIST(o->type, option_types))
				return yamldoc_error(&l->doc, v, l->err,
						     "unknown option type '%s' (expected boolean, long, double, "
						     "string, string_list, columns, map, list or any)", o->type);
			have_type = 1;
		} else if (strcmp(key, "default") == 0) {
			if (v->type != YAML_SCALAR_NODE)
				return yamldoc_error(&l->doc, v, l->err, "default: expected a scalar or null");
			if (!yamldoc_is_null(v) && (r = get_text(l, v, "default", &o->default_value)) < 0)
				return r;
		} else if (strcmp(key, "required") == 0) {
			if ((r = yamldoc_bool(&l->doc, v, &o->required, l->err)) < 0)
				return r;
		} else if (strcmp(key, "description") == 0) {
			if ((r = get_text(l, v, "option description", &o->description)) < 0)
				return r;
		} else {
			return yamldoc_error(&l->doc, k, l->err,
					     "unknown option field '%s' (expected name, type, default, required, "
					     "description)", key);
		}
	}
	if (!have_name || !have_type)
		return yamldoc_error(&l->doc, n, l->err, "option: missing field '%s'", have_name ? "type" : "name");
	if (o->name[0] == '\0' || strlen(o->name) > MANIFEST_MAX_NAME)
		return yamldoc_error(&l->doc, n, l->err, "option name must have 1 to %d characters",
				     MANIFEST_MAX_NAME);
	if (o->description == NULL && (o->description = strdup("")) == NULL)
		return oom(l);
	return 0;
}

static int load_options(struct loader *l, yaml_node_t *n)
{
	struct manifest *m = l->m;
	int r;

	if ((r = expect(l, n, YAML_MAPPING_NODE, "options")) < 0)
		return r;
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yamldoc_node(&l->doc, p->key), *v = yamldoc_node(&l->doc, p->value);
		char *kind, *type;
		if ((r = split_component_key(l, k, "options", &kind, &type)) < 0)
			return r;
		struct manifest_component *c = (struct manifest_component *)manifest_find_component(m, kind, type);
		free(kind);
		free(type);
		if (c == NULL)
			return yamldoc_error(&l->doc, k, l->err, "options: '%s' is not listed under components",
					     yamldoc_scalar(k));
		if ((r = expect(l, v, YAML_SEQUENCE_NODE, "options")) < 0)
			return r;
		size_t count = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
		if (count > MANIFEST_MAX_OPTIONS)
			return yamldoc_error(&l->doc, v, l->err, "options: more than %d", MANIFEST_MAX_OPTIONS);
		c->options = calloc(count ? count : 1, sizeof(*c->options));
		if (c->options == NULL)
			return oom(l);
		for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++) {
			yaml_node_t *on = yamldoc_node(&l->doc, *it);
			struct manifest_option *o = &c->options[c->option_count++];
			if ((r = load_option(l, on, o)) < 0)
				return r;
			for (size_t i = 0; i + 1 < c->option_count; i++)
				if (strcmp(c->options[i].name, o->name) == 0)
					return yamldoc_error(&l->doc, on, l->err, "option '%s' declared twice", o->name);
		}
	}
	return 0;
}

static int load_files(struct loader *l, yaml_node_t *n)
{
	struct manifest *m = l->m;
	int r;

	if ((r = expect(l, n, YAML_MAPPING_NODE, "files")) < 0)
		return r;
	size_t count = (size_t)(n->data.mapping.pairs.top - n->data.mapping.pairs.start);
	if (count > MANIFEST_MAX_FILES)
		return yamldoc_error(&l->doc, n, l->err, "files: more than %d", MANIFEST_MAX_FILES);
	m->files = calloc(count ? count : 1, sizeof(*m->files));
	if (m->files == NULL)
		return oom(l);
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yamldoc_node(&l->doc, p->key), *v = yamldoc_node(&l->doc, p->value);
		struct manifest_file *f = &m->files[m->file_count];
		const char *path = yamldoc_scalar(k), *why, *hash;
		if ((why = pkg_check_relpath(path)) != NULL)
			return yamldoc_error(&l->doc, k, l->err, "files: '%s': %s", path, why);
		if (strcmp(path, "manifest.yml") == 0 || strcmp(path, "manifest.yml.minisig") == 0)
			return yamldoc_error(&l->doc, k, l->err, "files: '%s' must not be listed", path);
		if ((r = yamldoc_string(&l->doc, v, "files", &hash, l->err)) < 0)
			return r;
		if (strncmp(hash, "sha256:", 7) != 0 || !pkg_is_sha256_hex(hash + 7))
			return yamldoc_error(&l->doc, v, l->err, "files: expected sha256:<64 lowercase hex digits>");
		f->path = strdup(path);
		f->sha256 = strdup(hash + 7);
		m->file_count++;
		if (f->path == NULL || f->sha256 == NULL)
			return oom(l);
	}
	return 0;
}

static int check_abi(const char *abi)
{
	size_t n = strspn(abi, "0123456789");
	if (n == 0 || n > 4)
		return 0;
	if (abi[n] == '\0')
		return 1;
	if (abi[n] != '.')
		return 0;
	size_t k = strspn(abi + n + 1, "0123456789");
	return k > 0 && k <= 4 && abi[n + 1 + k] == '\0';
}

enum field { F_NAME, F_VERSION, F_ABI, F_DESCRIPTION, F_LIBRARY, F_KINDS, F_REQUIRES, F_COMPONENTS, F_OPTIONS, F_FILES, F_COUNT };
static const char *const field_names[F_COUNT] = {"name", "version", "abi", "description", "library",
						 "kinds", "requires", "components", "options", "files"};

/* Cross-field rules once every field is read. */
static int check_consistency(struct loader *l, yaml_node_t *const *nodes, int partial)
{
	struct manifest *m = l->m;

	if (!partial) {
		int listed = 0;
		for (size_t i = 0; i < m->file_count; i++)
			if (strcmp(m->files[i].path, m->library) == 0)
				listed = 1;
		if (!listed)
			return yamldoc_error(&l->doc, nodes[F_LIBRARY], l->err,
					     "library '%s' is not listed under files", m->library);
		if (m->component_count == 0)
			return yamldoc_error(&l->doc, nodes[F_COMPONENTS], l->err,
					     "components: a plugin provides at least one component");
	}
	if (!partial) {
		for (size_t k = 0; k < m->kind_count; k++) {
			int found = 0;
			for (size_t i = 0; i < m->component_count; i++)
				if (strcmp(m->components[i].kind, m->kinds[k]) == 0)
					found = 1;
			if (!found)
				return yamldoc_error(&l->doc, nodes[F_KINDS], l->err,
						     "kind '%s' has no component under components", m->kinds[k]);
		}
	}
	return 0;
}

static int load_root(struct loader *l, yaml_node_t *root, int partial)
{
	struct manifest *m = l->m;
	yaml_node_t *nodes[F_COUNT] = {0};
	int r;

	if (root == NULL)
		return yamldoc_error(&l->doc, NULL, l->err, "empty manifest");
	if ((r = expect(l, root, YAML_MAPPING_NODE, "manifest")) < 0)
		return r;
	for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yamldoc_node(&l->doc, p->key);
		const char *key = yamldoc_scalar(k);
		int f;
		for (f = 0; f < F_COUNT; f++)
			if (strcmp(key, field_names[f]) == 0)
				break;
		if (f == F_COUNT)
			return yamldoc_error(&l->doc, k, l->err,
					     "unknown field '%s' (expected name, version, abi, description, "
					     "library, kinds, requires, components, options, files)", key);
		nodes[f] = yamldoc_node(&l->doc, p->value);
	}
	for (int f = 0; f < F_COUNT; f++) {
		if (nodes[f] != NULL)
			continue;
		if (partial && (f == F_COMPONENTS || f == F_OPTIONS || f == F_FILES))
			continue;
		return yamldoc_error(&l->doc, root, l->err, "missing field '%s'", field_names[f]);
	}
	if ((r = get_text(l, nodes[F_NAME], "name", &m->name)) < 0)
		return r;
	if (!pkg_is_identifier(m->name, MANIFEST_MAX_NAME))
		return yamldoc_error(&l->doc, nodes[F_NAME], l->err,
				     "name '%s' must match [a-z0-9][a-z0-9_-]* and have at most %d characters",
				     m->name, MANIFEST_MAX_NAME);
	if ((r = get_text(l, nodes[F_VERSION], "version", &m->version)) < 0)
		return r;
	if (!semver_valid(m->version))
		return yamldoc_error(&l->doc, nodes[F_VERSION], l->err,
				     "version '%s' is not a semantic version (MAJOR.MINOR.PATCH[-PRE][+BUILD])",
				     m->version);
	if ((r = get_text(l, nodes[F_ABI], "abi", &m->abi)) < 0)
		return r;
	if (!check_abi(m->abi))
		return yamldoc_error(&l->doc, nodes[F_ABI], l->err, "abi '%s': expected MAJOR or MAJOR.MINOR",
				     m->abi);
	if ((r = get_text(l, nodes[F_DESCRIPTION], "description", &m->description)) < 0)
		return r;
	if ((r = get_text(l, nodes[F_LIBRARY], "library", &m->library)) < 0)
		return r;
	const char *why = pkg_check_relpath(m->library);
	if (why != NULL)
		return yamldoc_error(&l->doc, nodes[F_LIBRARY], l->err, "library '%s': %s", m->library, why);
	if ((r = load_kinds(l, nodes[F_KINDS])) < 0 || (r = load_requires(l, nodes[F_REQUIRES])) < 0)
		return r;
	if (nodes[F_COMPONENTS] && (r = load_components(l, nodes[F_COMPONENTS])) < 0)
		return r;
	if (nodes[F_OPTIONS] && (r = load_options(l, nodes[F_OPTIONS])) < 0)
		return r;
	if (nodes[F_FILES] && (r = load_files(l, nodes[F_FILES])) < 0)
		return r;
	return check_consistency(l, nodes, partial);
}

int manifest_load(const char *path, int partial, struct manifest **out, char **err)
{
	struct loader l = {.err = err};
	int r;

	if ((r = yamldoc_load(path, MANIFEST_MAX_BYTES, &l.doc, err)) < 0)
		return r;
	l.m = calloc(1, sizeof(*l.m));
	if (l.m == NULL) {
		r = oom(&l);
		goto out;
	}
	r = load_root(&l, yamldoc_root(&l.doc), partial);
	if (r == 0) {
		*out = l.m;
		l.m = NULL;
	}
out:
	manifest_free(l.m);
	yamldoc_free(&l.doc);
	return r;
}

static void write_pair(struct yamlout *o, const char *key, const char *value, int quoted)
{
	yamlout_scalar(o, key, 0);
	yamlout_scalar(o, value, quoted);
}

static void write_options(struct yamlout *o, const struct manifest *m)
{
	yamlout_scalar(o, "options", 0);
	yamlout_map_start(o, 0);
	for (size_t i = 0; i < m->component_count; i++) {
		const struct manifest_component *c = &m->components[i];
		char key[160];
		snprintf(key, sizeof(key), "%s/%s", c->kind, c->type);
		yamlout_scalar(o, key, 0);
		yamlout_seq_start(o, 0);
		for (size_t j = 0; j < c->option_count; j++) {
			const struct manifest_option *op = &c->options[j];
			yamlout_map_start(o, 0);
			write_pair(o, "name", op->name, 0);
			write_pair(o, "type", op->type, 0);
			yamlout_scalar(o, "default", 0);
			yamlout_scalar(o, op->default_value, YAMLOUT_RAW);
			yamlout_scalar(o, "required", 0);
			yamlout_plain(o, op->required ? "true" : "false");
			write_pair(o, "description", op->description ? op->description : "", 0);
			yamlout_map_end(o);
		}
		yamlout_seq_end(o);
	}
	yamlout_map_end(o);
}

int manifest_write(const struct manifest *m, const char *path, char **err)
{
	struct yamlout o;
	char hash[80];

	if (yamlout_begin(&o) < 0)
		return pkg_error(err, -ENOMEM, "out of memory");
	yamlout_map_start(&o, 0);
	write_pair(&o, "name", m->name, 0);
	write_pair(&o, "version", m->version, 0);
	write_pair(&o, "abi", m->abi, YAMLOUT_QUOTED);
	write_pair(&o, "description", m->description ? m->description : "", 0);
	write_pair(&o, "library", m->library, 0);
	yamlout_scalar(&o, "kinds", 0);
	yamlout_seq_start(&o, 1);
	for (size_t i = 0; i < m->kind_count; i++)
		yamlout_scalar(&o, m->kinds[i], 0);
	yamlout_seq_end(&o);
	yamlout_scalar(&o, "requires", 0);
	yamlout_map_start(&o, 1);
	yamlout_scalar(&o, "network", 0);
	yamlout_plain(&o, m->network ? "true" : "false");
	yamlout_map_end(&o);
	if (m->component_count > 0) {
		yamlout_scalar(&o, "components", 0);
		yamlout_map_start(&o, 0);
		for (size_t i = 0; i < m->component_count; i++) {
			char key[160];
			snprintf(key, sizeof(key), "%s/%s", m->components[i].kind, m->components[i].type);
			write_pair(&o, key, m->components[i].description ? m->components[i].description : "", 0);
		}
		yamlout_map_end(&o);
		write_options(&o, m);
	}
	if (m->file_count > 0) {
		yamlout_scalar(&o, "files", 0);
		yamlout_map_start(&o, 0);
		for (size_t i = 0; i < m->file_count; i++) {
			snprintf(hash, sizeof(hash), "sha256:%s", m->files[i].sha256);
			write_pair(&o, m->files[i].path, hash, 0);
		}
		yamlout_map_end(&o);
	}
	yamlout_map_end(&o);
	return yamlout_finish_file(&o, path, err);
}
