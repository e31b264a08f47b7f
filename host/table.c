/* Aligned tables in the style of Embulk's preview: a header with names and
 * types, one row per record, columns padded to their widest cell. */
#include <stdlib.h>
#include <string.h>

#include "host/table.h"

/* Bound on a printed cell, so one huge value does not flood the terminal. */
#define TABLE_CELL_MAX 60

/* Text of a cell (caller frees). */
static char *cell_text(const json_t *v)
{
	char *s;
	if (json_is_null(v))
		return strdup("");
	if (json_is_string(v))
		s = strdup(json_string_value(v));
	else
		s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(17));
	if (s && strlen(s) > TABLE_CELL_MAX)
		strcpy(s + TABLE_CELL_MAX - 3, "...");
	for (char *p = s; p && *p; p++)
		if (*p == '\n' || *p == '\r' || *p == '\t')
			*p = ' ';
	return s;
}

/* Display width of UTF-8 text, counting code points. */
static size_t width(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

static void pad(FILE *f, const char *s, size_t w)
{
	fputs(s, f);
	for (size_t i = width(s); i < w; i++)
		fputc(' ', f);
}

static void rule(FILE *f, const size_t *w, size_t n)
{
	fputc('+', f);
	for (size_t c = 0; c < n; c++) {
		for (size_t i = 0; i < w[c] + 2; i++)
			fputc('-', f);
		fputc('+', f);
	}
	fputc('\n', f);
}

void table_print(FILE *f, const json_t *schema, const json_t *records)
{
	size_t ncols = json_array_size(schema), nrows = json_array_size(records);
	size_t *w = calloc(ncols + 1, sizeof(*w));
	char **head = calloc(ncols + 1, sizeof(*head));
	char **cells = calloc(ncols * nrows + 1, sizeof(*cells));
	if (!w || !head || !cells)
		goto out;
	for (size_t c = 0; c < ncols; c++) {
		const json_t *col = json_array_get(schema, c);
		if (asprintf(&head[c], "%s:%s", json_string_value(json_object_get(col, "name")),
			     json_string_value(json_object_get(col, "type"))) < 0)
			head[c] = NULL;
		w[c] = head[c] ? width(head[c]) : 0;
	}
	for (size_t r = 0; r < nrows; r++)
		for (size_t c = 0; c < ncols; c++) {
			char *t = cell_text(json_array_get(json_array_get(records, r), c));
			cells[r * ncols + c] = t;
			if (t && width(t) > w[c])
				w[c] = width(t);
		}
	rule(f, w, ncols);
	fputc('|', f);
	for (size_t c = 0; c < ncols; c++) {
		fputc(' ', f);
		pad(f, head[c] ? head[c] : "", w[c]);
		fputs(" |", f);
	}
	fputc('\n', f);
	rule(f, w, ncols);
	for (size_t r = 0; r < nrows; r++) {
		fputc('|', f);
		for (size_t c = 0; c < ncols; c++) {
			const char *t = cells[r * ncols + c] ? cells[r * ncols + c] : "";
			json_t *v = json_array_get(json_array_get(records, r), c);
			fputc(' ', f);
			if (json_is_number(v)) { /* numbers align right */
				for (size_t i = width(t); i < w[c]; i++)
					fputc(' ', f);
				fputs(t, f);
			} else {
				pad(f, t, w[c]);
			}
			fputs(" |", f);
		}
		fputc('\n', f);
	}
	rule(f, w, ncols);
out:
	for (size_t c = 0; head && c < ncols; c++)
		free(head[c]);
	for (size_t i = 0; cells && i < ncols * nrows; i++)
		free(cells[i]);
	free(w);
	free(head);
	free(cells);
}
