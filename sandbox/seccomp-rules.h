/* The seccomp filters the sandbox loads, by name. Built from
 * sandbox/seccomp-rules.c at build time (sandbox/gen-filters). */
#ifndef BULKHEAD_SANDBOX_SECCOMP_RULES_H
#define BULKHEAD_SANDBOX_SECCOMP_RULES_H

#include <linux/filter.h>

enum sandbox_filter {
    SANDBOX_FILTER_ALLOW,             /* allowlist, no network */
    SANDBOX_FILTER_ALLOW_NET,         /* allowlist, network granted */
    SANDBOX_FILTER_VIOLATIONS_NOTIFY, /* violations to the supervisor */
    SANDBOX_FILTER_VIOLATIONS_KILL,   /* violations kill (no user notification) */
    SANDBOX_FILTER_EXEC_BAN,          /* execve/execveat kill */
    SANDBOX_FILTER_COUNT
};

/* Build time: compiles one filter; out->filter is malloc'd. */
int sandbox_seccomp_compile(enum sandbox_filter which, struct sock_fprog *out);

/* Run time: the embedded programs (sandbox/filters.c, generated). */
extern const struct sock_fprog sandbox_filters[SANDBOX_FILTER_COUNT];

#endif
