/* bench/rusage: runs a command and writes its resource usage to a file.
 *
 *   rusage -o FILE COMMAND [ARGS...]
 *
 * FILE gets "maxrss_kib=N utime=S stime=S": wait4's rusage of the command,
 * in which the kernel folds the peak RSS and CPU time of every descendant the
 * command reaped (bulkhead's worker included).  Why not measure from the
 * benchmark script directly: a forked child starts with its parent's RSS
 * high-water mark (and exec keeps it), so every command forked by a 15 MiB
 * Python process would report at least 15 MiB.  This program is small, so
 * what it forks starts near zero.  Exits with the command's status. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct rusage ru;
	int status;
	pid_t pid;
	FILE *f;

	if (argc < 4 || strcmp(argv[1], "-o") != 0) {
		fputs("usage: rusage -o FILE COMMAND [ARGS...]\n", stderr);
		return 2;
	}
	pid = fork();
	if (pid < 0) {
		perror("rusage: fork");
		return 1;
	}
	if (pid == 0) {
		execvp(argv[3], argv + 3);
		fprintf(stderr, "rusage: %s: %s\n", argv[3], strerror(errno));
		_exit(127);
	}
	while (wait4(pid, &status, 0, &ru) < 0) {
		if (errno != EINTR) {
			perror("rusage: wait4");
			return 1;
		}
	}
	if (!(f = fopen(argv[2], "w"))) {
		fprintf(stderr, "rusage: %s: %s\n", argv[2], strerror(errno));
		return 1;
	}
	fprintf(f, "maxrss_kib=%ld utime=%ld.%06ld stime=%ld.%06ld\n", ru.ru_maxrss,
		(long)ru.ru_utime.tv_sec, (long)ru.ru_utime.tv_usec, (long)ru.ru_stime.tv_sec,
		(long)ru.ru_stime.tv_usec);
	if (fclose(f) != 0) {
		perror("rusage: write");
		return 1;
	}
	if (WIFSIGNALED(status)) {
		signal(WTERMSIG(status), SIG_DFL);
		raise(WTERMSIG(status));
		return 128 + WTERMSIG(status);
	}
	return WEXITSTATUS(status);
}
