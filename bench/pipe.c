/* bench/pipe: a parser and a formatter in one process and one thread, on a
 * file loaded into memory, with no sandbox, no host and no kernel I/O in the
 * measured part: the plugins' own CPU cost per record, and a process that
 * valgrind (callgrind, cachegrind) and perf can follow.  bulkhead's worker
 * cannot run under valgrind (it installs a seccomp filter before loading
 * plugins), and timings on shared machines are noisy; callgrind's
 * instruction counts here are exact and repeatable, so they are the A/B
 * signal for work on the data path.
 *
 *   bench/pipe [OPTIONS] FILE
 *
 * The pages go from the parser to the formatter the way bulkhead-worker
 * passes them (the SDK's page builders, RT_PAGE_RECORDS_DEFAULT records),
 * read in chunks of --chunk bytes like the file input's read buffer. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <bulkhead/testkit.h>
#include "sdk/src/runtime.h"
#include "sdk/src/testkit_internal.h"

#define PIPE_MAX_INPUT ((size_t)4 << 30) /* the file is loaded whole */

/* The benchmark's dataset (bench/gen): CSV with a header line. */
static const char default_parser_config[] =
	"{\"escape\":\"\\\"\",\"skip_header_lines\":1,\"columns\":["
	"{\"name\":\"id\",\"type\":\"long\"},{\"name\":\"name\",\"type\":\"string\"},"
	"{\"name\":\"qty\",\"type\":\"long\"},{\"name\":\"price\",\"type\":\"double\"},"
	"{\"name\":\"note\",\"type\":\"string\"}]}";

static const char usage[] =
	"usage: bench/pipe [OPTIONS] FILE\n"
	"\n"
	"Parses FILE (loaded into memory first) with a parser plugin and formats the\n"
	"pages with a formatter plugin, in this process, on one thread, without the\n"
	"sandbox; prints records, bytes and CPU time of the parse+format part.  For\n"
	"profilers: valgrind --tool=callgrind bench/pipe FILE counts instructions\n"
	"exactly (use a file of a few MB: callgrind is ~50x slower).\n"
	"\n"
	"  --parser TYPE           parser component (default csv)\n"
	"  --parser-config JSON    its config (default: the benchmark's CSV columns)\n"
	"  --formatter TYPE        formatter component, or none to stop at pages\n"
	"                          (default jsonl)\n"
	"  --formatter-config JSON its config (default {})\n"
	"  --parser-plugin SO      library holding the parser (default:\n"
	"                          PLUGINS/TYPE/TYPE.so)\n"
	"  --formatter-plugin SO   library holding the formatter (likewise)\n"
	"  --plugins DIR           PLUGINS above (default: plugins/ beside this\n"
	"                          program's directory, i.e. the build tree's)\n"
	"  --chunk BYTES           bytes per read, like the file input's\n"
	"                          read_buffer_size (default 1048576)\n"
	"  --page-records N        records per page (default: the worker's,\n"
	"                          exec.page_records' default)\n"
	"  --repeat N              run N times, print each (default 1)\n"
	"  -o FILE                 write the formatter's output to FILE (default:\n"
	"                          counted and dropped)\n"
	"  -h, --help              this text\n"
	"\n"
	"Exit status: 0 on success, 1 when the plugins fail (their message is\n"
	"printed), 2 on bad usage.\n";

struct pipe_sink {
	FILE *out;
	size_t bytes;
	int failed;
};

struct pipe_run {
	struct tk_run run;
	const bh_formatter_vtable *fvt;
	void *fstate, *ftask;
	size_t records;
};

static int sink_write(void *self, const void *data, size_t len)
{
	struct pipe_sink *s = self;
	s->bytes += len;
	if (s->out && fwrite(data, 1, len, s->out) != len) {
		s->failed = 1;
		return -EIO;
	}
	return 0;
}

static int sink_finish(void *self)
{
	struct pipe_sink *s = self;
	return s->out && fflush(s->out) != 0 ? -EIO : 0;
}

static void sink_close(void *self)
{
	(void)self;
}

/* run.consume: a page from the parser to the formatter (if any). */
static int consume(struct tk_run *run, const bh_page *page)
{
	struct pipe_run *p = (struct pipe_run *)run;
	p->records += page->nrows;
	return p->fvt ? p->fvt->add(p->ftask, run->ctx, page) : 0;
}

static double cpu_seconds(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
	       (double)ru.ru_stime.tv_usec / 1e6;
}

static double wall_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Loads path whole: 0, or -1 with a message printed. */
static int load(const char *path, char **data, size_t *len)
{
	FILE *f = fopen(path, "rb");
	struct stat st;
	char *b;
	if (!f || fstat(fileno(f), &st) < 0) {
		fprintf(stderr, "bench/pipe: %s: %s\n", path, strerror(errno));
		if (f)
			fclose(f);
		return -1;
	}
	if ((size_t)st.st_size > PIPE_MAX_INPUT) {
		fprintf(stderr, "bench/pipe: %s: larger than %zu bytes\n", path, PIPE_MAX_INPUT);
		fclose(f);
		return -1;
	}
	b = malloc((size_t)st.st_size + 1);
	if (!b || fread(b, 1, (size_t)st.st_size, f) != (size_t)st.st_size) {
		fprintf(stderr, "bench/pipe: %s: %s\n", path, b ? "short read" : "out of memory");
		free(b);
		fclose(f);
		return -1;
	}
	fclose(f);
	*data = b;
	*len = (size_t)st.st_size;
	return 0;
}

/* One parse+format of data; prints a line; 0 or -1. */
static int run_once(bh_testkit *ptk, const char *ptype, const char *pconfig, bh_testkit *ftk, const char *ftype,
		    const char *fconfig, const char *data, size_t len, size_t chunk, uint32_t page_records, FILE *out)
{
	struct pipe_run p;
	struct pipe_sink sink = { out, 0, 0 };
	bh_sink s = { .self = &sink, .write = sink_write, .finish = sink_finish, .close = sink_close };
	const bh_component *pc, *fc = NULL;
	const bh_parser_vtable *pvt;
	const bh_schema *schema = NULL;
	bh_testkit_result *res = NULL;
	json_t *pcfg, *fcfg = NULL;
	void *pstate = NULL;
	struct mem_stream m;
	bh_stream in;
	bh_page_builder pb;
	double cpu0, wall0, cpu, wall;
	int r;

	memset(&p, 0, sizeof(p));
	if (tk_start(ptk, BH_KIND_PARSER, ptype, pconfig, &pc, &pcfg, &p.run, &res) < 0)
		goto fail_early;
	if (ftype && (!(fc = tk_find(ftk, BH_KIND_FORMATTER, ftype)) || !(fcfg = tk_config(ftk, fc, fconfig)))) {
		fprintf(stderr, "bench/pipe: %s\n", bh_testkit_error(ftk));
		json_decref(pcfg);
		tk_run_finish(&p.run, -EINVAL, NULL, &res);
		bh_testkit_result_free(res);
		return -1;
	}
	pvt = pc->vtable;
	tk_mem_stream_init(&in, &m, data, len, chunk);
	r = pvt->begin(p.run.ctx, (const bh_config *)pcfg, &pstate, &schema);
	if (r == 0 && fc) {
		p.fvt = fc->vtable;
		r = p.fvt->begin(p.run.ctx, (const bh_config *)fcfg, schema, &p.fstate);
		if (r == 0 && (r = p.fvt->open_task(p.fstate, p.run.ctx, &s, &p.ftask)) < 0) {
			if (p.fvt->end)
				p.fvt->end(p.fstate);
			p.fvt = NULL;
		} else if (r < 0) {
			p.fvt = NULL;
		}
	}
	cpu0 = cpu_seconds();
	wall0 = wall_seconds();
	if (r == 0 && (r = rt_pb_init(&pb, schema, page_records, 0, tk_collect_page, &p.run)) == 0) {
		p.run.consume = consume;
		r = pvt->run(pstate, p.run.ctx, &in, &pb);
		if (r == 0)
			r = rt_pb_finish(&pb);
		rt_pb_destroy(&pb);
	}
	if (p.fvt) {
		if (r == 0)
			r = p.fvt->finish_task(p.ftask, p.run.ctx);
		if (p.fvt->close_task)
			p.fvt->close_task(p.ftask);
		if (p.fvt->end)
			p.fvt->end(p.fstate);
	}
	cpu = cpu_seconds() - cpu0;
	wall = wall_seconds() - wall0;
	if (pvt->end && pstate)
		pvt->end(pstate);
	json_decref(pcfg);
	json_decref(fcfg);
	r = tk_run_finish(&p.run, r, NULL, &res);
	if (r < 0) {
		fprintf(stderr, "bench/pipe: %s\n", res && res->error ? res->error : strerror(-r));
		bh_testkit_result_free(res);
		return -1;
	}
	bh_testkit_result_free(res);
	printf("records=%zu in_bytes=%zu out_bytes=%zu cpu_s=%.4f wall_s=%.4f MB_per_cpu_s=%.1f ns_per_record=%.1f\n",
	       p.records, len, sink.bytes, cpu, wall, cpu > 0 ? (double)len / 1e6 / cpu : 0.0,
	       p.records ? cpu * 1e9 / (double)p.records : 0.0);
	return 0;
fail_early:
	fprintf(stderr, "bench/pipe: %s\n", bh_testkit_error(ptk));
	bh_testkit_result_free(res);
	return -1;
}

/* PLUGINS/TYPE/TYPE.so */
static char *plugin_path(const char *dir, const char *type)
{
	size_t n = strlen(dir) + 2 * strlen(type) + 8;
	char *p = malloc(n);
	if (p)
		snprintf(p, n, "%s/%s/%s.so", dir, type, type);
	return p;
}

int main(int argc, char **argv)
{
	enum { O_PARSER = 256, O_PCONF, O_FORMATTER, O_FCONF, O_PPLUG, O_FPLUG, O_PLUGINS, O_CHUNK, O_REPEAT, O_PAGE };
	static const struct option longs[] = {
		{ "parser", required_argument, NULL, O_PARSER },
		{ "parser-config", required_argument, NULL, O_PCONF },
		{ "formatter", required_argument, NULL, O_FORMATTER },
		{ "formatter-config", required_argument, NULL, O_FCONF },
		{ "parser-plugin", required_argument, NULL, O_PPLUG },
		{ "formatter-plugin", required_argument, NULL, O_FPLUG },
		{ "plugins", required_argument, NULL, O_PLUGINS },
		{ "chunk", required_argument, NULL, O_CHUNK },
		{ "repeat", required_argument, NULL, O_REPEAT },
		{ "page-records", required_argument, NULL, O_PAGE },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *ptype = "csv", *pconfig = default_parser_config, *ftype = "jsonl", *fconfig = "{}";
	const char *pplug = NULL, *fplug = NULL, *outpath = NULL;
	char *plugins = NULL, *ppath = NULL, *fpath = NULL, *data = NULL, *end;
	unsigned long chunk = 1048576, repeat = 1, page_records = 0;
	bh_testkit *ptk = NULL, *ftk = NULL;
	FILE *out = NULL;
	size_t len = 0;
	int c, status = 1;

	while ((c = getopt_long(argc, argv, "ho:", longs, NULL)) != -1) {
		switch (c) {
		case O_PARSER: ptype = optarg; break;
		case O_PCONF: pconfig = optarg; break;
		case O_FORMATTER: ftype = optarg; break;
		case O_FCONF: fconfig = optarg; break;
		case O_PPLUG: pplug = optarg; break;
		case O_FPLUG: fplug = optarg; break;
		case O_PLUGINS:
			free(plugins);
			plugins = strdup(optarg);
			break;
		case O_CHUNK:
		case O_REPEAT:
		case O_PAGE: {
			const char *name = c == O_CHUNK ? "chunk" : c == O_REPEAT ? "repeat" : "page-records";
			unsigned long v, max = c == O_CHUNK ? 1UL << 30 : c == O_REPEAT ? 1000 : 1000000;
			errno = 0;
			v = strtoul(optarg, &end, 10);
			if (errno || *end || v == 0 || v > max) {
				fprintf(stderr, "bench/pipe: --%s wants a whole number from 1 to %lu, got \"%s\"\n", name,
					max, optarg);
				return 2;
			}
			*(c == O_CHUNK ? &chunk : c == O_REPEAT ? &repeat : &page_records) = v;
			break;
		}
		case 'o': outpath = optarg; break;
		case 'h': fputs(usage, stdout); return 0;
		default: fputs(usage, stderr); return 2;
		}
	}
	if (optind + 1 != argc) {
		fputs(usage, stderr);
		return 2;
	}
	if (strcmp(ftype, "none") == 0)
		ftype = NULL;
	if (!plugins) { /* argv[0]'s directory is BUILD/bench */
		const char *slash = strrchr(argv[0], '/');
		size_t n = slash ? (size_t)(slash - argv[0]) : 1;
		plugins = malloc(n + 16);
		if (plugins)
			snprintf(plugins, n + 16, "%.*s/../plugins", (int)n, slash ? argv[0] : ".");
	}
	if (!plugins || (!pplug && !(ppath = plugin_path(plugins, ptype))) ||
	    (ftype && !fplug && !(fpath = plugin_path(plugins, ftype)))) {
		fputs("bench/pipe: out of memory\n", stderr);
		goto out;
	}
	if (!(ptk = bh_testkit_open(pplug ? pplug : ppath)))
		goto out;
	if (ftype && !(ftk = bh_testkit_open(fplug ? fplug : fpath)))
		goto out;
	if (load(argv[optind], &data, &len) < 0)
		goto out;
	if (outpath && !(out = fopen(outpath, "wb"))) {
		fprintf(stderr, "bench/pipe: %s: %s\n", outpath, strerror(errno));
		goto out;
	}
	for (unsigned long i = 0; i < repeat; i++) {
		if (out && i > 0)
			rewind(out);
		if (run_once(ptk, ptype, pconfig, ftk, ftype, fconfig, data, len, chunk, (uint32_t)page_records, out) < 0)
			goto out;
	}
	status = 0;
out:
	if (out && fclose(out) != 0 && status == 0) {
		fprintf(stderr, "bench/pipe: %s: %s\n", outpath, strerror(errno));
		status = 1;
	}
	bh_testkit_free(ptk);
	bh_testkit_free(ftk);
	free(data);
	free(plugins);
	free(ppath);
	free(fpath);
	return status;
}
