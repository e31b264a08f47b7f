/* The run report's "sandbox" object. */
#include <errno.h>
#include <jansson.h>
#include <string.h>

#include "sandbox/sandbox.h"

const char *sandbox_end_name(enum sandbox_end how)
{
    switch (how) {
    case SANDBOX_EXITED: return "exited";
    case SANDBOX_SIGNALED: return "signaled";
    case SANDBOX_OOM: return "oom";
    case SANDBOX_TIMEOUT: return "timeout";
    case SANDBOX_SECCOMP: return "seccomp";
    case SANDBOX_PIDS_LIMIT: return "pids_limit";
    case SANDBOX_SETUP_FAILED: return "setup_failed";
    }
    return "unknown";
}

static const char *cgroup_name(enum sandbox_cgroup_mode m)
{
    return m == SANDBOX_CGROUP_V2 ? "v2" : m == SANDBOX_CGROUP_V1 ? "v1" : "none";
}

static int set(json_t *obj, const char *key, json_t *value)
{
    return value ? json_object_set_new(obj, key, value) : -1;
}

int sandbox_result_to_json(const struct sandbox_result *r, struct json_t **out)
{
    if (!r || !out)
        return -EINVAL;
    json_t *o = json_object();
    json_t *limits = json_object();
    int bad = !o || !limits;
    if (!bad) {
        bad |= set(o, "ended", json_string(sandbox_end_name(r->how)));
        bad |= set(o, "message", json_string(r->message));
        bad |= set(o, "exit_code", r->how == SANDBOX_EXITED ? json_integer(r->exit_code) : json_null());
        bad |= set(o, "signal", r->signal ? json_integer(r->signal) : json_null());
        if (r->how == SANDBOX_SECCOMP) {
            json_t *sc = json_object();
            bad |= !sc;
            if (sc) {
                bad |= set(sc, "name", json_string(r->syscall_name));
                bad |= set(sc, "nr", r->syscall_nr >= 0 ? json_integer(r->syscall_nr) : json_null());
                bad |= set(sc, "arch", r->syscall_arch[0] ? json_string(r->syscall_arch) : json_null());
                bad |= set(o, "syscall", sc);
            }
        } else {
            bad |= set(o, "syscall", json_null());
        }
        bad |= set(o, "peak_memory_bytes", json_integer((json_int_t)r->peak_memory));
        bad |= set(o, "cpu_user_ns", json_integer((json_int_t)r->cpu_user_ns));
        bad |= set(o, "cpu_system_ns", json_integer((json_int_t)r->cpu_system_ns));
        bad |= set(o, "wall_ns", json_integer((json_int_t)r->wall_ns));
        bad |= set(limits, "memory_bytes",
                   r->memory_limit ? json_integer((json_int_t)r->memory_limit) : json_null());
        bad |= set(limits, "cpus", r->cpus_limit > 0 ? json_real(r->cpus_limit) : json_null());
        bad |= set(limits, "pids", r->pids_limit ? json_integer((json_int_t)r->pids_limit) : json_null());
        bad |= set(limits, "timeout_ns",
                   r->timeout_ns ? json_integer((json_int_t)r->timeout_ns) : json_null());
        bad |= set(limits, "enforced", json_boolean(r->limits_enforced));
        bad |= json_object_set(o, "limits", limits);
        bad |= set(o, "cgroup", json_string(cgroup_name(r->cgroup)));
        bad |= set(o, "isolated", json_boolean(r->isolated));
    }
    json_decref(limits);
    if (bad) {
        json_decref(o);
        return -ENOMEM;
    }
    *out = o;
    return 0;
}
