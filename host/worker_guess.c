/* bulkhead-worker: guess — sniff compression and ask parsers to suggest settings. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "host/worker_internal.h"

/* Default bytes of (decoded) sample handed to parsers. */
#define WK_GUESS_BYTES_DEFAULT (64 * 1024)

static const struct {
	const char *type;
	const unsigned char magic[6];
	size_t len;
} magics[] = {
	{ "gzip", { 0x1f, 0x8b }, 2 },
	{ "bzip2", { 'B', 'Z', 'h' }, 3 },
	{ "xz", { 0xfd, '7', 'z', 'X', 'Z', 0x00 }, 6 },
	{ "zstd", { 0x28, 0xb5, 0x2f, 0xfd }, 4 },
};

/* Reads up to max bytes of task 0 through decoders [0, ndec) into a new buffer. */
static int read_sample(struct wk_worker *w, struct wk_stage *decs, size_t ndec, size_t max, char **out,
		       size_t *len)
{
	const bh_input_vtable *iv = w->input.component->vtable;
	bh_stream s;
	char *buf = malloc(max + 1);
	size_t n = 0;
	int r;
	if (!buf)
		return -ENOMEM;
	r = iv->open_task(w->input.state, w->input.ctx, 0, &s);
	if (r < 0) {
		free(buf);
		wk_fail_stage(w, &w->input, w->input.ctx, r);
		return r;
	}
	for (size_t i = 0; i < ndec; i++) {
		bh_stream d;
		r = ((const bh_decoder_vtable *)decs[i].component->vtable)->open(decs[i].state, decs[i].ctx, &s, &d);
		if (r < 0) {
			s.close(s.self);
			free(buf);
			wk_fail_stage(w, &decs[i], decs[i].ctx, r);
			return r;
		}
		s = d;
	}
	while (n < max) {
		const char *data;
		ssize_t got = s.read(s.self, &data);
		if (got < 0) {
			r = (int)got;
			break;
		}
		if (got == 0)
			break;
		if ((size_t)got > max - n)
			got = (ssize_t)(max - n);
		memcpy(buf + n, data, (size_t)got);
		n += (size_t)got;
	}
	s.close(s.self);
	if (r < 0) {
		free(buf);
		wk_fail(w, WK_CAT_DATA, "reading the sample failed: %s", strerror(-r));
		return r;
	}
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return 0;
}

static struct wk_stage *find_stage(struct wk_stage *list, size_t n, const char *type)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(list[i].component->type, type) == 0)
			return &list[i];
	return NULL;
}

int wk_guess(struct wk_worker *w, json_t **out)
{
	struct wk_stage *decs = NULL, *parsers = NULL, *chosen = NULL;
	size_t ndecs = 0, nparsers = 0, max, len = 0;
	json_int_t want = json_integer_value(json_object_get(w->plan, "guess_bytes"));
	json_t *result = NULL, *declist = json_array();
	char *sample = NULL;
	int r;

	max = want > 0 ? (size_t)want : WK_GUESS_BYTES_DEFAULT;
	r = wk_stages_init(w, "guess_decoders", BH_KIND_DECODER, &decs, &ndecs);
	if (r == 0)
		r = wk_stages_init(w, "guess_parsers", BH_KIND_PARSER, &parsers, &nparsers);
	if (r < 0)
		goto out;
	r = ((const bh_input_vtable *)w->input.component->vtable)
		    ->begin(w->input.ctx, (const bh_config *)w->input.config, &w->input.state,
			    &(bh_input_plan){ 0 });
	if (r < 0) {
		wk_fail_stage(w, &w->input, w->input.ctx, r);
		goto out;
	}
	w->input.begun = 1;
	for (size_t i = 0; i < ndecs; i++) {
		r = ((const bh_decoder_vtable *)decs[i].component->vtable)
			    ->begin(decs[i].ctx, (const bh_config *)decs[i].config, &decs[i].state);
		if (r < 0) {
			wk_fail_stage(w, &decs[i], decs[i].ctx, r);
			goto out;
		}
		decs[i].begun = 1;
	}
	r = read_sample(w, NULL, 0, 16, &sample, &len);
	if (r < 0)
		goto out;
	for (size_t m = 0; m < sizeof(magics) / sizeof(magics[0]); m++) {
		struct wk_stage *d;
		if (len < magics[m].len || memcmp(sample, magics[m].magic, magics[m].len) != 0)
			continue;
		d = find_stage(decs, ndecs, magics[m].type);
		if (!d) {
			wk_fail(w, WK_CAT_CONFIG, "the input looks %s-compressed but no %s decoder is installed",
				magics[m].type, magics[m].type);
			r = -ENOENT;
			goto out;
		}
		chosen = d;
		json_array_append_new(declist, json_pack("{s:s}", "type", magics[m].type));
		break;
	}
	free(sample);
	sample = NULL;
	r = read_sample(w, chosen, chosen ? 1 : 0, max, &sample, &len);
	if (r < 0)
		goto out;
	/* JSON Lines first when the sample opens an object, CSV otherwise. */
	{
		const char *p = sample;
		int looks_json;
		if (len >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
			p += 3;
		while (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')
			p++;
		looks_json = *p == '{';
		for (int pass = 0; pass < 2 && !result; pass++)
			for (size_t i = 0; i < nparsers && !result; i++) {
				const bh_parser_vtable *pv = parsers[i].component->vtable;
				int is_json = strstr(parsers[i].component->type, "json") != NULL;
				char *text = NULL;
				if (!pv->guess || (pass == 0) != (is_json == looks_json))
					continue;
				if (pv->guess(parsers[i].ctx, sample, len, &text) == 0 && text) {
					result = json_loads(text, 0, NULL);
					if (result && !json_object_get(result, "type"))
						json_object_set_new(result, "type",
								    json_string(parsers[i].component->type));
				}
				free(text);
			}
	}
	if (!result) {
		wk_fail(w, WK_CAT_DATA, "no parser recognised the sample (%zu bytes)", len);
		r = -EINVAL;
		goto out;
	}
	*out = json_pack("{s:o, s:o}", "decoders", declist, "parser", result);
	declist = NULL;
out:
	for (size_t i = 0; i < ndecs; i++) {
		if (decs[i].begun && ((const bh_decoder_vtable *)decs[i].component->vtable)->end)
			((const bh_decoder_vtable *)decs[i].component->vtable)->end(decs[i].state);
		rt_ctx_free(decs[i].ctx);
		json_decref(decs[i].next);
	}
	for (size_t i = 0; i < nparsers; i++) {
		rt_ctx_free(parsers[i].ctx);
		json_decref(parsers[i].next);
	}
	if (w->input.begun && ((const bh_input_vtable *)w->input.component->vtable)->end)
		((const bh_input_vtable *)w->input.component->vtable)->end(w->input.state);
	w->input.begun = 0;
	free(decs);
	free(parsers);
	free(sample);
	json_decref(declist);
	return r;
}
