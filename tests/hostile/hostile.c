/* Hostile plugins: each input component tries one thing a sandboxed plugin must
 * not be able to do, then emits one record {attack, outcome}.  outcome is
 * "blocked: <why>" when the attempt failed and "SUCCEEDED" when it worked; the
 * tests fail on any SUCCEEDED.  Attacks the sandbox answers by killing the
 * worker never get to emit anything: the tests check the exit code instead. */
#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <bulkhead/bulkhead.h>

static const bh_column columns[] = { { "attack", BH_TYPE_STRING, NULL }, { "outcome", BH_TYPE_STRING, NULL } };
static const bh_schema schema = { 2, columns };

typedef int (*attack_fn)(bh_ctx *ctx, const bh_config *cfg, char *why, size_t cap);

struct attack {
	const char *type;
	attack_fn fn;
};

static int blocked(char *why, size_t cap, const char *what)
{
	snprintf(why, cap, "blocked: %s: %s", what, strerror(errno));
	return 0;
}

static const char *target(bh_ctx *ctx, const bh_config *cfg, const char *fallback)
{
	const char *t = NULL;
	return bh_host->config_string(ctx, cfg, "target", &t) == 0 ? t : fallback;
}

static int read_path(bh_ctx *ctx, const bh_config *cfg, char *why, size_t cap)
{
	char buf[64];
	int fd = open(target(ctx, cfg, "/etc/shadow"), O_RDONLY);
	if (fd < 0 || read(fd, buf, sizeof(buf)) <= 0)
		return blocked(why, cap, "open/read");
	return 1;
}

static int write_outside(bh_ctx *ctx, const bh_config *cfg, char *why, size_t cap)
{
	int fd = open(target(ctx, cfg, "/tmp/bulkhead-hostile-was-here"), O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || write(fd, "x", 1) != 1)
		return blocked(why, cap, "open/write");
	return 1;
}

static int connect_loopback(bh_ctx *ctx, const bh_config *cfg, char *why, size_t cap)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int s = socket(AF_INET, SOCK_STREAM, 0);
	a.sin_port = htons((uint16_t)atoi(target(ctx, cfg, "1")));
	if (s < 0 || connect(s, (struct sockaddr *)&a, sizeof(a)) < 0)
		return blocked(why, cap, "connect");
	return 1;
}

static int raw_socket(bh_ctx *ctx, const bh_config *cfg, char *why, size_t cap)
{
	if (socket(AF_INET, SOCK_RAW, IPPROTO_ICMP) < 0)
		return blocked(why, cap, "socket(AF_INET, SOCK_RAW)");
	return 1;
}

static int netlink_socket(bh_ctx *ctx, const bh_config *cfg, char *why, size_t cap)
{
	if (socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE) < 0)
		return blocked(why, cap, "socket(AF_NETLINK)");
	return 1;
}

static int packet_socket(bh_ctx *ctx, const bh_config *cfg, char *why, size_t cap)
{
	if (socket(AF_PACKET, SOCK_RAW, 0) < 0)
		return blocked(why, cap, "socket(AF_PACKET)");
	return 1;
}

static int do_ptrace(bh_ctx *ctx, const bh_config *cfg, char *why, size_t cap)
{
	if (ptrace(PTRACE_ATTACH, 1, NULL, NULL) < 0)
		return blocked(why, cap, "ptrace");
	return 1;
}

static int do_mount(bh_ctx *ctx, const bh_config *cfg, char *why, size_t cap)
{
	if (mount("none", "/tmp", "tmpfs", 0, NULL) < 0)
		return blocked(why, cap, "mount");
	return 1;
}

static int do_unshare(bh_ctx *ctx, const bh_config *cfg, char *why, size_t cap)
{
	if (unshare(CLONE_NEWUSER | CLONE_NEWNS) < 0)
		return blocked(why, cap, "unshare");
	return 1;
}

static int load_module(bh_ctx *ctx, const bh_config *cfg, char *why, size_t cap)
{
	if (syscall(SYS_init_module, "", 0, "") < 0 && syscall(SYS_finit_module, 0, "", 0) < 0)
		return blocked(why, cap, "init_module/finit_module");
	return 1;
}

static int io_uring(bh_ctx *ctx, const bh_config *cfg, char *why, size_t cap)
{
	char params[120] = { 0 };
	if (syscall(425 /* io_uring_setup */, 4, params) < 0)
		return blocked(why, cap, "io_uring_setup");
	return 1;
}

static int tiocsti(bh_ctx *ctx, const bh_config *cfg, char *why, size_t cap)
{
	char c = 'x';
	/* The 64-bit request with high bits set must be caught by a 32-bit compare too. */
	if (ioctl(0, TIOCSTI, &c) < 0 && syscall(SYS_ioctl, 0, 0x100000000UL | TIOCSTI, &c) < 0)
		return blocked(why, cap, "ioctl(TIOCSTI)");
	return 1;
}

static int exec_shell(bh_ctx *ctx, const bh_config *cfg, char *why, size_t cap)
{
	char *argv[] = { (char *)"/bin/sh", (char *)"-c", (char *)"echo pwned", NULL };
	execv(argv[0], argv);
	return blocked(why, cap, "execve");
}

static int fork_bomb(bh_ctx *ctx, const bh_config *cfg, char *why, size_t cap)
{
	int forked = 0;
	for (int i = 0; i < 100000; i++) {
		pid_t p = fork();
		if (p == 0) {
			pause();
			_exit(0);
		}
		if (p < 0)
			break;
		forked++;
	}
	snprintf(why, cap, "blocked: fork stopped after %d children: %s", forked, strerror(errno));
	kill(0, SIGKILL); /* take the children (and this worker) down */
	return forked >= 100000;
}

static int alloc_memory(bh_ctx *ctx, const bh_config *cfg, char *why, size_t cap)
{
	/* Touch memory until something stops us. */
	for (size_t total = 0; total < (64ULL << 30); total += 64 << 20) {
		char *p = mmap(NULL, 64 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			return blocked(why, cap, "mmap");
		memset(p, 1, 64 << 20);
	}
	return 1;
}

static int spin(bh_ctx *ctx, const bh_config *cfg, char *why, size_t cap)
{
	volatile unsigned long x = 0;
	time_t end = time(NULL) + 3600;
	while (time(NULL) < end)
		x++;
	return 1;
}

static int fill_tmp(bh_ctx *ctx, const bh_config *cfg, char *why, size_t cap)
{
	static char block[1 << 20];
	int fd = open("/tmp/fill", O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		return blocked(why, cap, "open /tmp/fill");
	for (long i = 0; i < 64L * 1024; i++)
		if (write(fd, block, sizeof(block)) < 0)
			return blocked(why, cap, "write /tmp/fill");
	return 1;
}

static int leak_fds(bh_ctx *ctx, const bh_config *cfg, char *why, size_t cap)
{
	/* Any inherited descriptor beyond stdio and the control channel is a leak. */
	for (int fd = 4; fd < 1024; fd++) {
		char link[64], target_path[256];
		ssize_t n;
		snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
		n = readlink(link, target_path, sizeof(target_path) - 1);
		if (n > 0) {
			target_path[n] = '\0';
			/* The plugin library's own mappings are not fds; only count real leaks. */
			if (fcntl(fd, F_GETFD) >= 0 && strstr(target_path, "/proc/") == NULL) {
				snprintf(why, cap, "SUCCEEDED: fd %d -> %s", fd, target_path);
				return 1;
			}
		}
	}
	snprintf(why, cap, "blocked: no inherited descriptors");
	return 0;
}

static const struct attack attacks[] = {
	{ "read_path", read_path },	   { "write_outside", write_outside }, { "connect_loopback", connect_loopback },
	{ "raw_socket", raw_socket },	   { "netlink_socket", netlink_socket }, { "packet_socket", packet_socket },
	{ "ptrace", do_ptrace },	   { "mount", do_mount },		{ "unshare", do_unshare },
	{ "load_module", load_module },   { "io_uring", io_uring },		{ "tiocsti", tiocsti },
	{ "exec_shell", exec_shell },	   { "fork_bomb", fork_bomb },		{ "alloc_memory", alloc_memory },
	{ "spin", spin },		   { "fill_tmp", fill_tmp },		{ "leak_fds", leak_fds },
};

struct hostile_state {
	const struct attack *attack;
	const bh_config *cfg;
};

static int hostile_begin(bh_ctx *ctx, const bh_config *cfg, void **state, bh_input_plan *plan)
{
	static struct hostile_state st;
	const char *which = NULL;
	if (bh_host->config_string(ctx, cfg, "attack", &which) < 0)
		return bh_error(ctx, "attack is required");
	st.attack = NULL;
	for (size_t i = 0; i < sizeof(attacks) / sizeof(attacks[0]); i++)
		if (strcmp(attacks[i].type, which) == 0)
			st.attack = &attacks[i];
	if (!st.attack) {
		bh_error(ctx, "unknown attack '%s'", which);
		return BH_ECONFIG;
	}
	st.cfg = cfg;
	*state = &st;
	plan->task_count = 1;
	plan->schema = &schema;
	return 0;
}

static int hostile_run(void *state, bh_ctx *ctx, uint32_t task, bh_page_builder *out)
{
	const struct hostile_state *st = state;
	char why[512] = "SUCCEEDED";
	int r;
	if (st->attack->fn(ctx, st->cfg, why, sizeof(why)) != 0 && strncmp(why, "SUCCEEDED", 9) != 0)
		snprintf(why, sizeof(why), "SUCCEEDED");
	if ((r = bh_pb_string(out, 0, st->attack->type, strlen(st->attack->type))) < 0 ||
	    (r = bh_pb_string(out, 1, why, strlen(why))) < 0)
		return r;
	return bh_pb_end_record(out);
}

static const bh_option options[] = {
	{ "attack", BH_OPT_STRING, NULL, 1, "which attack to try" },
	{ "target", BH_OPT_STRING, NULL, 0, "a path or port the attack aims at" },
	{ NULL, 0, NULL, 0, NULL },
};
static const bh_input_vtable vtable = {
	.struct_size = sizeof(bh_input_vtable), .begin = hostile_begin, .run_task = hostile_run,
};
static const bh_component components[] = {
	{ sizeof(bh_component), BH_KIND_INPUT, "hostile", "tries one forbidden thing", options, &vtable },
};
static const bh_plugin hostile_plugin = {
	sizeof(bh_plugin), BH_ABI_MAJOR, BH_ABI_MINOR, "hostile", "1.0.0", "hostile test plugin", components,
	BH_COUNT(components),
};
BH_PLUGIN_DEFINE(hostile_plugin)
