/* The live progress line on stderr (only on a terminal). */
#ifndef BH_HOST_PROGRESS_H
#define BH_HOST_PROGRESS_H

#include <stdint.h>
#include <time.h>
#include <jansson.h>

struct progress {
	int enabled;
	int shown;
	struct timespec start;
	uint64_t records, bytes;
};

void progress_init(struct progress *p, int wanted);
/* Redraws the line from a worker "progress" event. */
void progress_update(struct progress *p, const json_t *event);
/* Erases the line (before other output). */
void progress_clear(struct progress *p);
void progress_finish(struct progress *p);

#endif
