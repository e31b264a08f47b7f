/* The live progress line: records, bytes, rate and elapsed time, redrawn in place. */
#include <stdio.h>
#include <unistd.h>

#include "host/progress.h"

void progress_init(struct progress *p, int wanted)
{
	p->enabled = wanted && isatty(STDERR_FILENO);
	p->shown = 0;
	p->records = p->bytes = 0;
	clock_gettime(CLOCK_MONOTONIC, &p->start);
}

static void human_bytes(double v, char *buf, size_t cap)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	int u = 0;
	while (v >= 1024 && u < 4) {
		v /= 1024;
		u++;
	}
	snprintf(buf, cap, u ? "%.1f %s" : "%.0f %s", v, units[u]);
}

void progress_update(struct progress *p, const json_t *event)
{
	struct timespec now;
	double secs;
	char bytes[32], rate[32];
	if (!p->enabled)
		return;
	p->records = (uint64_t)json_integer_value(json_object_get(event, "records_in"));
	p->bytes = (uint64_t)json_integer_value(json_object_get(event, "bytes"));
	clock_gettime(CLOCK_MONOTONIC, &now);
	secs = (double)(now.tv_sec - p->start.tv_sec) + (double)(now.tv_nsec - p->start.tv_nsec) / 1e9;
	human_bytes((double)p->bytes, bytes, sizeof(bytes));
	human_bytes(secs > 0 ? (double)p->bytes / secs : 0, rate, sizeof(rate));
	fprintf(stderr, "\r\033[K%llu records  %s  %s/s  %02d:%02d", (unsigned long long)p->records, bytes, rate,
		(int)secs / 60, (int)secs % 60);
	fflush(stderr);
	p->shown = 1;
}

void progress_clear(struct progress *p)
{
	if (p->enabled && p->shown) {
		fputs("\r\033[K", stderr);
		p->shown = 0;
	}
}

void progress_finish(struct progress *p)
{
	progress_clear(p);
}
