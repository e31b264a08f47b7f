/* spawn-bench: times N sandbox_spawn + sandbox_wait round trips of a program
 * and prints the median, min and max in microseconds (and every sample
 * with SPAWN_BENCH_SAMPLES=1).
 *   spawn-bench MODE N PROGRAM [ARGS...]
 * MODE: full (all isolation and a cgroup), off (isolation_off), caps (full
 * plus memory/pids/cpu caps), net (full but sharing the host network). Used by bench/sandbox-start.sh. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sandbox/sandbox.h"

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: spawn-bench full|off|caps|net N PROGRAM [ARGS...]\n");
        return 2;
    }
    int n = atoi(argv[2]);
    if (n < 1 || n > 100000)
        return 2;
    double *us = calloc((size_t)n, sizeof *us), *spawn_us = calloc((size_t)n, sizeof *us);
    struct sandbox_policy p = { .executable = argv[3], .argv = argv + 3 };
    p.isolation_off = strcmp(argv[1], "off") == 0;
    p.network = strcmp(argv[1], "net") == 0;
    if (strcmp(argv[1], "caps") == 0) {
        p.memory_max = 256 << 20;
        p.pids_max = 64;
        p.cpus = 1;
    }
    for (int i = 0; i < n; i++) {
        struct timespec a, b;
        clock_gettime(CLOCK_MONOTONIC, &a);
        struct sandbox_child *c;
        char *err = NULL;
        if (sandbox_spawn(&p, &c, &err) < 0) {
            fprintf(stderr, "spawn-bench: %s\n", err);
            return 1;
        }
        struct timespec m;
        clock_gettime(CLOCK_MONOTONIC, &m);
        spawn_us[i] = (m.tv_sec - a.tv_sec) * 1e6 + (m.tv_nsec - a.tv_nsec) / 1e3;
        struct sandbox_result r;
        sandbox_wait(c, &r);
        clock_gettime(CLOCK_MONOTONIC, &b);
        if (r.how != SANDBOX_EXITED || r.exit_code != 0) {
            fprintf(stderr, "spawn-bench: %s\n", r.message);
            return 1;
        }
        us[i] = (b.tv_sec - a.tv_sec) * 1e6 + (b.tv_nsec - a.tv_nsec) / 1e3;
    }
    if (getenv("SPAWN_BENCH_SAMPLES"))
        for (int i = 0; i < n; i++)
            printf("sample %.1f\n", us[i]);
    qsort(us, (size_t)n, sizeof *us, cmp);
    qsort(spawn_us, (size_t)n, sizeof *us, cmp);
    printf("%s median_us=%.0f min_us=%.0f max_us=%.0f spawn_median_us=%.0f n=%d\n", argv[1],
           us[n / 2], us[0], us[n - 1], spawn_us[n / 2], n);
    free(us);
    free(spawn_us);
    return 0;
}
