/* bulkhead: the command-line host.  It reads configs and manifests, resolves
 * plugin versions, and runs every plugin-executing step in bulkhead-worker. */
#include <errno.h>
#include <signal.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bulkhead/plugin.h>
#include "host/commands.h"
#include "host/host.h"
#include "host/packaging_cmds.h"
#include "host/spawn.h"

struct command {
	const char *name;
	bh_command_fn fn;
	const char *summary;
};

static const struct command commands[] = {
	{ "run", cmd_run, "run a transfer" },
	{ "preview", cmd_preview, "show the first records a transfer would move" },
	{ "guess", cmd_guess, "fill in parser settings and columns from a sample" },
	{ "check", cmd_check, "validate a config and test its plugins' connections" },
	{ "resolve", cmd_resolve, "explain which plugin versions a tenant gets" },
	{ "policy", cmd_policy, "edit the rollout policy (default, pin, canary, deny)" },
	{ "rollout", cmd_rollout, "canary vs default outcomes of a plugin" },
};

static const struct command plugin_commands[] = {
	{ "list", cmd_plugin_list, "list installed plugin versions" },
	{ "info", cmd_plugin_info, "show a plugin's components and options" },
	{ "pack", cmd_plugin_pack, "pack a plugin directory into a .bhp bundle" },
	{ "install", cmd_plugin_install, "verify and install a bundle" },
	{ "verify", cmd_plugin_verify, "verify a bundle without installing it" },
	{ "remove", cmd_plugin_remove, "remove an installed version" },
	{ "docs", cmd_plugin_docs, "print every installed plugin's options as Markdown" },
	{ "stage", cmd_plugin_stage, "stage a built plugin into a store directory (build use)" },
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static void usage(FILE *f)
{
	fputs("usage: bulkhead [--home DIR] [--quiet] COMMAND [ARGS...]\n\n"
	      "bulkhead runs data transfers (in: -> filters: -> out:, as in Embulk) through versioned\n"
	      "connector plugins, each transfer inside a sandboxed, resource-capped worker.\n\n"
	      "Commands:\n",
	      f);
	for (size_t i = 0; i < COUNT(commands); i++)
		fprintf(f, "  %-16s %s\n", commands[i].name, commands[i].summary);
	for (size_t i = 0; i < COUNT(plugin_commands); i++)
		fprintf(f, "  plugin %-9s %s\n", plugin_commands[i].name, plugin_commands[i].summary);
	fputs("  version          print versions\n"
	      "\n`bulkhead COMMAND --help` explains each command.\n\n"
	      "Global options:\n"
	      "  --home DIR       bulkhead's home: plugin store, policy.yml, trusted-keys/\n"
	      "                   (default $BULKHEAD_HOME, else ~/.bulkhead)\n"
	      "  --quiet          no progress line or summary\n\n"
	      "Environment:\n"
	      "  BULKHEAD_HOME         as --home\n"
	      "  BULKHEAD_PLUGIN_PATH  extra read-only plugin stores, ':'-separated (searched after the home store)\n\n"
	      "Exit codes:\n"
	      "  0  success\n"
	      "  1  internal error (a bug or an unexpected system failure)\n"
	      "  2  bad command line\n"
	      "  3  invalid config, policy or host config (file:line:column in the message)\n"
	      "  4  invalid data or a plugin failure (source, line and reason in the message)\n"
	      "  5  resource limit hit (memory, CPU time, wall-clock timeout, pids)\n"
	      "  6  sandbox violation (a forbidden system call) or sandbox setup failure\n"
	      "  7  bundle rejected (verification or install failed)\n",
	      f);
}

static int version(void)
{
	printf("bulkhead %s (plugin ABI %d.%d)\n", PACKAGE_VERSION, BH_ABI_MAJOR, BH_ABI_MINOR);
	return BH_EXIT_OK;
}

static int dispatch(struct bh_cli *cli, const struct command *table, size_t n, int argc, char **argv,
		    const char *prefix)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(table[i].name, argv[0]) == 0)
			return table[i].fn(cli, argc, argv);
	fprintf(stderr, "bulkhead: unknown command '%s%s'; see bulkhead --help\n", prefix, argv[0]);
	return BH_EXIT_USAGE;
}

static char *default_home(void)
{
	const char *env = getenv("BULKHEAD_HOME"), *home = getenv("HOME");
	char *path = NULL;
	if (env && *env)
		return strdup(env);
	if (asprintf(&path, "%s/.bulkhead", home && *home ? home : "/root") < 0)
		return NULL;
	return path;
}

/* Interrupted: take every sandbox (processes and cgroups) down with us. */
static void on_interrupt(int sig)
{
	spawn_interrupt_cleanup();
	signal(sig, SIG_DFL);
	raise(sig);
}

int main(int argc, char **argv)
{
	struct bh_cli cli = { .argv0 = argv[0] };
	char *home = NULL, *err = NULL;
	int i = 1, code;

	for (; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "--home") == 0 && i + 1 < argc) {
			cli.home = argv[++i];
		} else if (strncmp(argv[i], "--home=", 7) == 0) {
			cli.home = argv[i] + 7;
		} else if (strcmp(argv[i], "--quiet") == 0 || strcmp(argv[i], "-q") == 0) {
			cli.quiet = 1;
		} else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			return BH_EXIT_OK;
		} else if (strcmp(argv[i], "--version") == 0) {
			return version();
		} else {
			fprintf(stderr, "bulkhead: unknown option '%s'\n", argv[i]);
			usage(stderr);
			return BH_EXIT_USAGE;
		}
	}
	if (i >= argc) {
		usage(stderr);
		return BH_EXIT_USAGE;
	}
	if (strcmp(argv[i], "version") == 0)
		return version();
	if (strcmp(argv[i], "help") == 0) {
		usage(stdout);
		return BH_EXIT_OK;
	}
	/* A reader that went away (| head) is not a reason to die mid-commit. */
	signal(SIGPIPE, SIG_IGN);
	signal(SIGINT, on_interrupt);
	signal(SIGTERM, on_interrupt);
	signal(SIGHUP, on_interrupt);
	if (!cli.home)
		cli.home = home = default_home();
	if (!cli.home || host_stores_init(&cli, &err) < 0) {
		fprintf(stderr, "bulkhead: %s\n", err ? err : "out of memory");
		free(err);
		free(home);
		return BH_EXIT_INTERNAL;
	}
	if (strcmp(argv[i], "plugin") == 0) {
		if (i + 1 >= argc || strcmp(argv[i + 1], "--help") == 0) {
			puts("usage: bulkhead plugin COMMAND [ARGS...]\n");
			for (size_t j = 0; j < COUNT(plugin_commands); j++)
				printf("  %-9s %s\n", plugin_commands[j].name, plugin_commands[j].summary);
			code = i + 1 >= argc ? BH_EXIT_USAGE : BH_EXIT_OK;
		} else {
			code = dispatch(&cli, plugin_commands, COUNT(plugin_commands), argc - i - 1, argv + i + 1,
					"plugin ");
		}
	} else {
		code = dispatch(&cli, commands, COUNT(commands), argc - i, argv + i, "");
	}
	host_stores_free(&cli);
	free(home);
	return code;
}
