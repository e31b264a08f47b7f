/* The bulkhead CLI: global options, exit codes and the command signature. */
#ifndef BH_HOST_CLI_H
#define BH_HOST_CLI_H

#include <stddef.h>

/* Exit codes by category (also in `bulkhead --help` and the README). */
enum {
	BH_EXIT_OK = 0,
	BH_EXIT_INTERNAL = 1, /* a bug or an unexpected system failure */
	BH_EXIT_USAGE = 2,    /* bad command line */
	BH_EXIT_CONFIG = 3,   /* invalid config, policy, or host config */
	BH_EXIT_DATA = 4,     /* invalid data or a plugin failure */
	BH_EXIT_RESOURCE = 5, /* memory, CPU, pids or time limit hit */
	BH_EXIT_SANDBOX = 6,  /* sandbox violation (forbidden syscall) or sandbox setup failure */
	BH_EXIT_BUNDLE = 7,   /* a bundle failed verification or install */
};

struct bh_cli {
	const char *home;    /* --home, BULKHEAD_HOME, or ~/.bulkhead */
	char **store_path;   /* plugin store roots, searched in order */
	size_t store_count;  /* (home store first, then BULKHEAD_PLUGIN_PATH, system, build tree) */
	const char *tenant;  /* --tenant, or NULL */
	int quiet;           /* --quiet */
	const char *argv0;
};

/* A command gets its own argv (argv[0] is the command name) and returns an exit code. */
typedef int (*bh_command_fn)(struct bh_cli *cli, int argc, char **argv);

#endif
