/* bench/gen: writes the benchmark dataset, deterministically.
 *
 *   gen [--size BYTES[K|M|G] | --rows N] [--seed N] [--format csv|jsonl] [--parts N] OUT
 *
 * Rows have the columns id (long), name (string), qty (long), price (double),
 * note (string).  Strings carry commas, doubled quotes, backslashes and UTF-8;
 * numbers include the extremes an exact engine must keep (INT64_MIN/MAX,
 * 2^53+1, -0.0, subnormals, DBL_MAX).  The same seed and size always give the
 * same bytes, and the same seed with --rows R gives the same rows in either
 * format.  Generation stops after R rows or once the data rows (headers excluded) reach
 * BYTES; with --parts N the rows are spread over OUT0.csv .. OUT<N-1>.csv
 * (each with a header), and their union is the single-file dataset.
 *
 * On stdout: "rows=R bytes=B sum=S mixed=M" -- the checksum (bench/rowhash.h)
 * of the values written, computed from the values themselves, so bench/check
 * can prove any output holds exactly this data. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/rowhash.h"

#define GEN_MAX_PARTS 64
#define GEN_MAX_SIZE (UINT64_C(1) << 40) /* 1 TiB: a typo guard, not a real bound */
#define GEN_FIELD_MAX 1024		  /* bytes of one generated string */

static uint64_t rng_state;

/* splitmix64: tiny, fast, the same sequence on every platform. */
static uint64_t rng(void)
{
	rng_state += UINT64_C(0x9e3779b97f4a7c15);
	return rh_mix(rng_state);
}

static unsigned pick(unsigned n)
{
	return (unsigned)(rng() % n);
}

static const char *const first_names[] = {
	"Alice", "Bob", "Carol", "Dave", "Erin", "Frank", "Grace", "Heidi", "Ivan", "Judy",
	"Mallory", "Niaj", "Olivia", "Peggy", "Rupert", "Sybil", "Trent", "Victor", "Walter",
	"Yolanda", "José", "Zoë", "Łukasz", "Søren", "李雷", "Ángel", "Renée", "Dmitrij",
};
static const char *const last_names[] = {
	"Smith", "Jones", "Brown", "Taylor", "Wilson", "Davies", "Evans", "Thomas", "Johnson",
	"Müller", "García", "Nakamura", "O'Neil", "van der Berg", "Øster", "Kowalski", "Nguyen",
};
static const char *const words[] = {
	"order", "shipped", "from", "warehouse", "late", "delivery", "customer", "asked", "for",
	"refund", "the", "box", "was", "damaged", "but", "items", "fine", "please", "call",
	"back", "tomorrow", "morning", "priority", "gift", "wrap", "fragile", "handle", "with",
	"care", "invoice", "attached", "paid", "in", "full", "net", "thirty", "days", "café",
	"naïve", "über", "東京", "€10", "50%", "a/b", "x=1", "tab\tinside", "C:\\temp\\file",
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

struct row {
	int64_t id, qty;
	double price;
	char price_text[48];
	char name[GEN_FIELD_MAX];
	char note[GEN_FIELD_MAX];
	size_t name_len, note_len;
	int quote_name, quote_note; /* CSV: quote even when not needed */
};

static size_t append(char *buf, size_t len, const char *s)
{
	size_t n = strlen(s);

	if (len + n >= GEN_FIELD_MAX)
		return len;
	memcpy(buf + len, s, n);
	return len + n;
}

static void make_name(struct row *r)
{
	const char *first = first_names[pick(COUNT(first_names))];
	const char *last = last_names[pick(COUNT(last_names))];
	size_t len = 0;
	unsigned style = pick(10);

	if (style == 0) { /* "Last, First": needs quoting in CSV */
		len = append(r->name, len, last);
		len = append(r->name, len, ", ");
		len = append(r->name, len, first);
	} else if (style == 1) { /* a nickname in quotes: escaped quotes */
		len = append(r->name, len, first);
		len = append(r->name, len, " \"");
		len = append(r->name, len, words[pick(COUNT(words))]);
		len = append(r->name, len, "\" ");
		len = append(r->name, len, last);
	} else {
		len = append(r->name, len, first);
		len = append(r->name, len, " ");
		len = append(r->name, len, last);
	}
	r->name_len = len;
}

static void make_note(struct row *r)
{
	unsigned n = 3 + pick(12);
	size_t len = 0;

	for (unsigned i = 0; i < n; i++) {
		unsigned flavor = pick(40);

		if (i > 0)
			len = append(r->note, len, flavor == 0 ? ", " : " ");
		if (flavor == 1) {
			len = append(r->note, len, "\"");
			len = append(r->note, len, words[pick(COUNT(words))]);
			len = append(r->note, len, "\"");
		} else {
			len = append(r->note, len, words[pick(COUNT(words))]);
		}
	}
	if (pick(50) == 0)
		len = append(r->note, len, " -- said \"ok, fine\"");
	r->note_len = len;
}

static const int64_t special_longs[] = {
	INT64_MIN, INT64_MAX, (INT64_C(1) << 53) + 1, -((INT64_C(1) << 53) + 1), 0, -1,
};
static const char *const special_doubles[] = {
	"-0.0", "0.0", "5e-324", "2.2250738585072014e-308", "1.7976931348623157e+308",
	"9007199254740993", "-9007199254740993", "0.1", "1e+22", "1.5e-300", "6.02214076e+23",
	"123456789012345680000.0",
};

static void make_price(struct row *r, uint64_t index)
{
	if (index % 1009 == 7) {
		snprintf(r->price_text, sizeof r->price_text, "%s",
			 special_doubles[(index / 1009) % COUNT(special_doubles)]);
	} else {
		unsigned kind = pick(20);
		long long units = (long long)(rng() % 1000000) - 100000;

		if (kind == 0) /* scientific, several magnitudes */
			snprintf(r->price_text, sizeof r->price_text, "%lld.%03ue%+d",
				 units % 10 == 0 ? 7 : units % 10, pick(1000), (int)pick(80) - 40);
		else if (kind < 4) /* six decimals */
			snprintf(r->price_text, sizeof r->price_text, "%lld.%06u", units,
				 pick(1000000));
		else /* money */
			snprintf(r->price_text, sizeof r->price_text, "%lld.%02u", units / 10,
				 pick(100));
	}
	/* The checksum uses the value the text denotes, correctly rounded. */
	r->price = strtod(r->price_text, NULL);
}

static void make_row(struct row *r, uint64_t index)
{
	if (index % 1013 == 11)
		r->id = special_longs[(index / 1013) % COUNT(special_longs)];
	else
		r->id = (int64_t)index + 1;
	make_name(r);
	r->qty = (int64_t)(rng() % 200000) - 20000;
	make_price(r, index);
	make_note(r);
	/* Drawn here, not while writing, so CSV and JSONL runs of one seed
	 * consume the same random sequence and hold the same rows. */
	r->quote_name = pick(4) == 0;
	r->quote_note = pick(4) == 0;
}

static uint64_t row_hash(const struct row *r)
{
	uint64_t h = RH_ROW_SEED;

	h = rh_long(h, r->id);
	h = rh_string(h, r->name, r->name_len);
	h = rh_long(h, r->qty);
	h = rh_double(h, r->price);
	h = rh_string(h, r->note, r->note_len);
	return h;
}

/* CSV: quote when needed (comma, quote, CR/LF) and on a quarter of the other
 * strings too, so both the quoted and the bare paths of a parser are timed. */
static int put_csv_string(FILE *f, const char *s, size_t n, int force)
{
	int need = force || memchr(s, ',', n) || memchr(s, '"', n) || memchr(s, '\n', n) ||
		   memchr(s, '\r', n);
	size_t written = 0;

	if (!need)
		return (int)fwrite(s, 1, n, f);
	putc('"', f);
	written++;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '"') {
			putc('"', f);
			written++;
		}
		putc(s[i], f);
		written++;
	}
	putc('"', f);
	return (int)written + 1;
}

static int put_json_string(FILE *f, const char *s, size_t n)
{
	int written = 2;

	putc('"', f);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\') {
			putc('\\', f);
			putc(c, f);
			written += 2;
		} else if (c == '\t') {
			fputs("\\t", f);
			written += 2;
		} else if (c < 0x20) {
			written += fprintf(f, "\\u%04x", c);
		} else {
			putc(c, f);
			written++;
		}
	}
	putc('"', f);
	return written;
}

static uint64_t write_row(FILE *f, const struct row *r, int jsonl)
{
	int n = 0;

	if (jsonl) {
		n += fprintf(f, "{\"id\":%" PRId64 ",\"name\":", r->id);
		n += put_json_string(f, r->name, r->name_len);
		n += fprintf(f, ",\"qty\":%" PRId64 ",\"price\":%s,\"note\":", r->qty, r->price_text);
		n += put_json_string(f, r->note, r->note_len);
		n += fprintf(f, "}\n");
	} else {
		n += fprintf(f, "%" PRId64 ",", r->id);
		n += put_csv_string(f, r->name, r->name_len, r->quote_name);
		n += fprintf(f, ",%" PRId64 ",%s,", r->qty, r->price_text);
		n += put_csv_string(f, r->note, r->note_len, r->quote_note);
		n += fprintf(f, "\n");
	}
	return (uint64_t)n;
}

static int parse_size(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s)
		return -EINVAL;
	switch (*end) {
	case 'K': case 'k': v *= 1000; end++; break;
	case 'M': case 'm': v *= 1000000; end++; break;
	case 'G': case 'g': v *= 1000000000; end++; break;
	default: break;
	}
	if (*end || v == 0 || v > GEN_MAX_SIZE)
		return -EINVAL;
	*out = v;
	return 0;
}

static FILE *open_part(const char *out, unsigned parts, unsigned part, int jsonl)
{
	char path[4096];
	FILE *f;

	if (parts == 1)
		snprintf(path, sizeof path, "%s", out);
	else
		snprintf(path, sizeof path, "%s%u.%s", out, part, jsonl ? "jsonl" : "csv");
	f = fopen(path, "w");
	if (!f) {
		fprintf(stderr, "gen: %s: %s\n", path, strerror(errno));
		return NULL;
	}
	setvbuf(f, NULL, _IOFBF, 1 << 20);
	if (!jsonl)
		fputs("id,name,qty,price,note\n", f);
	return f;
}

static int close_part(FILE *f)
{
	if (fclose(f) != 0) {
		fprintf(stderr, "gen: write failed: %s\n", strerror(errno));
		return -1;
	}
	return 0;
}

static void usage(void)
{
	fputs("usage: gen [--size BYTES[K|M|G] | --rows N] [--seed N] [--format csv|jsonl] [--parts N] OUT\n",
	      stderr);
}

int main(int argc, char **argv)
{
	uint64_t size = 200000000, seed = 1, bytes = 0, rows = 0;
	unsigned parts = 1, part = 0;
	int jsonl = 0;
	const char *out = NULL;
	struct rh_total total = {0};
	struct row r;
	FILE *f;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--size") && v) {
			if (parse_size(v, &size) < 0) {
				fprintf(stderr, "gen: bad --size '%s'\n", v);
				return 2;
			}
			i++;
		} else if (!strcmp(a, "--rows") && v) {
			if (parse_size(v, &rows) < 0) {
				fprintf(stderr, "gen: bad --rows '%s'\n", v);
				return 2;
			}
			i++;
		} else if (!strcmp(a, "--seed") && v) {
			seed = strtoull(v, NULL, 10);
			i++;
		} else if (!strcmp(a, "--format") && v) {
			if (strcmp(v, "csv") && strcmp(v, "jsonl")) {
				usage();
				return 2;
			}
			jsonl = !strcmp(v, "jsonl");
			i++;
		} else if (!strcmp(a, "--parts") && v) {
			parts = (unsigned)strtoul(v, NULL, 10);
			if (parts < 1 || parts > GEN_MAX_PARTS) {
				fprintf(stderr, "gen: --parts must be 1..%d\n", GEN_MAX_PARTS);
				return 2;
			}
			i++;
		} else if (a[0] != '-' && !out) {
			out = a;
		} else {
			usage();
			return 2;
		}
	}
	if (!out) {
		usage();
		return 2;
	}

	rng_state = seed;
	if (!(f = open_part(out, parts, 0, jsonl)))
		return 1;
	for (uint64_t i = 0; rows ? i < rows : bytes < size; i++) {
		/* Move to the next part once this one has its share. */
		int next = rows ? i >= rows / parts * (part + 1) : bytes >= size / parts * (part + 1);

		if (next && part + 1 < parts) {
			if (close_part(f) < 0 || !(f = open_part(out, parts, ++part, jsonl)))
				return 1;
		}
		make_row(&r, i);
		bytes += write_row(f, &r, jsonl);
		rh_add_row(&total, row_hash(&r));
	}
	if (close_part(f) < 0)
		return 1;
	printf("rows=%" PRIu64 " bytes=%" PRIu64 " sum=%016" PRIx64 " mixed=%016" PRIx64 "\n",
	       total.rows, bytes, total.sum, total.mixed);
	return 0;
}
