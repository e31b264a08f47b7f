/* Microbenchmark of the SDK's number conversions (issue 5): bh_format_double,
 * bh_format_long, bh_parse_long and bh_parse_double against the C library's
 * snprintf("%.17g") / snprintf("%lld") / strtoll / strtod, on the same values
 * in the same run.  Prints CPU nanoseconds per value (medians of several
 * repetitions, the two sides interleaved so that background load hits both
 * alike) and their ratio.  The "chained" rows write each text right after
 * the previous one into one buffer, as the formatters do (bench-gen's prices,
 * the ids).  `make bench-numbers`; see bench/README.md.
 *
 *   bench/numbers [--reps N] [--values N] [--min-ms MS]
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <bulkhead/text.h>

#define MAX_REPS 101

#define XORSHIFT_SEED UINT64_C(0x2545F4914F6CDD1D)
#include "tests/unit/xorshift.h"

static unsigned pick(unsigned n)
{
	return (unsigned)(rnd() % n);
}

static double cpu_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* Options. */
static int reps = 7;
static size_t nvalues = 10000;
static double min_ns = 20e6;

/* Keeps the compiler from dropping the work. */
static volatile uint64_t sink;

/* ---- data sets ------------------------------------------------------------ */

struct dset {
	const char *name;
	double *d;     /* doubles, or NULL */
	int64_t *l;    /* longs, or NULL */
	char *text;    /* each value's text, NUL-terminated, back to back */
	size_t *off;   /* where value i's text starts */
	size_t *len;   /* its length */
};

/* A value of bench/gen's price column: money, six decimals, scientific. */
static double gen_price(char *buf, size_t cap)
{
	unsigned kind = pick(20);
	long long units = (long long)(rnd() % 1000000) - 100000;
	if (kind == 0)
		snprintf(buf, cap, "%lld.%03ue%+d", units % 10 == 0 ? 7 : units % 10, pick(1000),
			 (int)pick(80) - 40);
	else if (kind < 4)
		snprintf(buf, cap, "%lld.%06u", units, pick(1000000));
	else
		snprintf(buf, cap, "%lld.%02u", units / 10, pick(100));
	return strtod(buf, NULL);
}

static double make_double(const char *set)
{
	char buf[64];
	uint64_t bits;
	double v;
	if (strcmp(set, "bench-gen") == 0)
		return gen_price(buf, sizeof buf);
	if (strcmp(set, "money") == 0) { /* -12345.67 */
		snprintf(buf, sizeof buf, "%lld.%02u", (long long)(rnd() % 2000000) - 1000000, pick(100));
		return strtod(buf, NULL);
	}
	if (strcmp(set, "short") == 0) { /* 0.1, 3.14159, 250.5 */
		snprintf(buf, sizeof buf, "%ue%d", 1 + pick(999999), -(int)pick(8));
		return strtod(buf, NULL);
	}
	if (strcmp(set, "integer") == 0)
		return (double)pick(1000000);
	if (strcmp(set, "exponent") == 0) { /* 6.02214e+23, 1.5e-300 */
		snprintf(buf, sizeof buf, "%u.%ue%d", 1 + pick(9), pick(100000), (int)pick(600) - 300);
		return strtod(buf, NULL);
	}
	do { /* random bit patterns: 16-17 digits, any exponent */
		bits = rnd();
		memcpy(&v, &bits, sizeof v);
	} while (v != v || v - v != 0);
	return v;
}

static int64_t make_long(const char *set)
{
	if (strcmp(set, "id") == 0) /* bench/gen's id column: 1..2,000,000 */
		return 1 + (int64_t)pick(2000000);
	if (strcmp(set, "qty") == 0)
		return (int64_t)pick(200000) - 20000;
	/* "wide": every length from 1 to 19 digits, both signs */
	return (int64_t)(rnd() >> pick(64)) * (pick(2) ? 1 : -1);
}

static void set_texts(struct dset *s)
{
	size_t cap = nvalues * 40, used = 0;
	s->text = malloc(cap);
	s->off = malloc(nvalues * sizeof(size_t));
	s->len = malloc(nvalues * sizeof(size_t));
	if (!s->text || !s->off || !s->len) {
		perror("malloc");
		exit(1);
	}
	for (size_t i = 0; i < nvalues; i++) {
		size_t n = s->d ? bh_format_double(s->d[i], s->text + used) : bh_format_long(s->l[i], s->text + used);
		s->off[i] = used;
		s->len[i] = n;
		s->text[used + n] = '\0';
		used += n + 1;
	}
}

static struct dset make_set(const char *name, int doubles)
{
	struct dset s = { name, NULL, NULL, NULL, NULL, NULL };
	if (doubles) {
		s.d = malloc(nvalues * sizeof(double));
		for (size_t i = 0; s.d && i < nvalues; i++)
			s.d[i] = make_double(name);
	} else {
		s.l = malloc(nvalues * sizeof(int64_t));
		for (size_t i = 0; s.l && i < nvalues; i++)
			s.l[i] = make_long(name);
	}
	if (!s.d && !s.l) {
		perror("malloc");
		exit(1);
	}
	set_texts(&s);
	return s;
}

/* ---- the timed loops ------------------------------------------------------ */

enum op { FORMAT_DOUBLE, FORMAT_LONG, PARSE_LONG, PARSE_DOUBLE, CHAIN_DOUBLE, CHAIN_LONG };

/* For the chained rows: every text written right after the previous one,
 * as the formatters do, so that each length feeds the next write position
 * (a formatter's latency shows, not only its throughput). */
static char *chain_buf;

/* One pass over the set; impl 0 is bulkhead's, 1 the C library's. */
static void pass(enum op op, int impl, const struct dset *s)
{
	char buf[64];
	uint64_t acc = 0;
	if (op == CHAIN_DOUBLE || op == CHAIN_LONG) {
		char *p = chain_buf;
		for (size_t i = 0; i < nvalues; i++) {
			if (op == CHAIN_DOUBLE)
				p += impl ? snprintf(p, 32, "%.17g", s->d[i]) : (int)bh_format_double(s->d[i], p);
			else
				p += impl ? snprintf(p, 32, "%" PRId64, s->l[i]) : (int)bh_format_long(s->l[i], p);
			*p++ = ',';
		}
		sink += (uint64_t)(p - chain_buf);
		return;
	}
	for (size_t i = 0; i < nvalues; i++) {
		const char *t = s->text + s->off[i];
		switch (op) {
		case FORMAT_DOUBLE:
			acc += impl ? (uint64_t)snprintf(buf, sizeof buf, "%.17g", s->d[i])
				    : bh_format_double(s->d[i], buf);
			acc += (unsigned char)buf[0];
			break;
		case FORMAT_LONG:
			acc += impl ? (uint64_t)snprintf(buf, sizeof buf, "%" PRId64, s->l[i])
				    : bh_format_long(s->l[i], buf);
			acc += (unsigned char)buf[0];
			break;
		default:
			break;
		case PARSE_LONG: {
			int64_t v = 0;
			if (impl)
				v = strtoll(t, NULL, 10);
			else if (bh_parse_long(t, s->len[i], &v) != 0)
				abort();
			acc += (uint64_t)v;
			break;
		}
		case PARSE_DOUBLE: {
			double v = 0;
			uint64_t bits;
			if (impl)
				v = strtod(t, NULL);
			else if (bh_parse_double(t, s->len[i], &v) != 0)
				abort();
			memcpy(&bits, &v, sizeof bits);
			acc += bits;
			break;
		}
		}
	}
	sink += acc;
}

/* CPU ns per value of one repetition: enough passes to last min_ns. */
static double measure(enum op op, int impl, const struct dset *s, unsigned *passes)
{
	double t0, t;
	unsigned k;
	if (*passes == 0) { /* calibrate once, then keep the count for every repetition */
		*passes = 1;
		for (;;) {
			t0 = cpu_ns();
			for (k = 0; k < *passes; k++)
				pass(op, impl, s);
			t = cpu_ns() - t0;
			if (t >= min_ns / 4 || *passes > (1u << 20))
				break;
			*passes *= 2;
		}
		*passes = (unsigned)((double)*passes * min_ns / (t > 1 ? t : 1)) + 1;
	}
	t0 = cpu_ns();
	for (k = 0; k < *passes; k++)
		pass(op, impl, s);
	return (cpu_ns() - t0) / ((double)*passes * (double)nvalues);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(double), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void row(const char *fn, const char *libc, enum op op, const struct dset *s)
{
	double a[MAX_REPS], b[MAX_REPS], ma, mb;
	unsigned pa = 0, pb = 0;
	for (int r = 0; r < reps; r++) { /* interleaved: bulkhead, libc, bulkhead, ... */
		a[r] = measure(op, 0, s, &pa);
		b[r] = measure(op, 1, s, &pb);
	}
	ma = median(a, reps);
	mb = median(b, reps);
	printf("| %-16s | %-9s | %8.1f | %-18s | %8.1f | %6.1fx |\n", fn, s->name, ma, libc, mb, mb / ma);
	fflush(stdout);
}

static void usage(void)
{
	fprintf(stderr, "usage: numbers [--reps N] [--values N] [--min-ms MS]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const char *const dsets[] = { "bench-gen", "money", "short", "integer", "exponent", "random" };
	static const char *const lsets[] = { "id", "qty", "wide" };
	struct dset d[6], l[3];
	for (int i = 1; i < argc; i++) {
		if (i + 1 >= argc)
			usage();
		if (strcmp(argv[i], "--reps") == 0)
			reps = atoi(argv[++i]);
		else if (strcmp(argv[i], "--values") == 0)
			nvalues = (size_t)atol(argv[++i]);
		else if (strcmp(argv[i], "--min-ms") == 0)
			min_ns = atof(argv[++i]) * 1e6;
		else
			usage();
	}
	if (reps < 1 || reps > MAX_REPS || nvalues < 1 || min_ns <= 0)
		usage();
	for (int i = 0; i < 6; i++)
		d[i] = make_set(dsets[i], 1);
	for (int i = 0; i < 3; i++)
		l[i] = make_set(lsets[i], 0);
	printf("CPU ns per value, median of %d repetitions of >= %.0f ms, %zu values per set\n\n", reps,
	       min_ns / 1e6, nvalues);
	printf("| %-16s | %-9s | %8s | %-18s | %8s | %7s |\n", "bulkhead", "values", "ns", "C library", "ns",
	       "ratio");
	printf("|------------------|-----------|---------:|--------------------|---------:|--------:|\n");
	for (int i = 0; i < 6; i++)
		row("bh_format_double", "snprintf %.17g", FORMAT_DOUBLE, &d[i]);
	for (int i = 0; i < 3; i++)
		row("bh_format_long", "snprintf %lld", FORMAT_LONG, &l[i]);
	chain_buf = malloc(nvalues * (BH_DOUBLE_MAX_CHARS + 1));
	if (!chain_buf) {
		perror("malloc");
		exit(1);
	}
	row("chained double", "chained snprintf", CHAIN_DOUBLE, &d[0]);
	row("chained long", "chained snprintf", CHAIN_LONG, &l[0]);
	for (int i = 0; i < 3; i++)
		row("bh_parse_long", "strtoll", PARSE_LONG, &l[i]);
	for (int i = 0; i < 6; i++)
		row("bh_parse_double", "strtod", PARSE_DOUBLE, &d[i]);
	return sink == 42 ? 1 : 0;
}
