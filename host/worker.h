/* bulkhead-worker: runs one plan (a transfer, preview, check or guess) with
 * the plugins the host resolved, and reports over the control channel.
 *
 * The plan is JSON read from the control socket (fd 3) until the host shuts
 * down its write side; events go back on the same socket, one JSON object a
 * line.  Plan:
 *   {"mode": "run"|"preview"|"check"|"guess",
 *    "run_time": {"sec": S, "nsec": N}, "max_threads": 2, "page_records": 1024,
 *    "split_size": BYTES (smallest part of a split input file; 0: never split),
 *    "preview_records": 20, "guess_bytes": 65536,
 *    "invalid_records": {"action": "stop"|"skip", "max": -1, "reject_file": PATH|null},
 *    "plugins": [{"name", "version", "library": ABSOLUTE PATH}],
 *    "input": STAGE, "decoders": [STAGE], "parser": STAGE|null, "filters": [STAGE],
 *    "formatter": STAGE|null, "encoders": [STAGE], "output": STAGE|null,
 *    "guess_decoders": [STAGE], "guess_parsers": [STAGE]}
 * where STAGE = {"plugin": INDEX into plugins, "kind": "parser", "type": "csv",
 *                "config": {validated options with defaults}}.
 * Events: {"event":"progress",...counts}, {"event":"log",...},
 *         {"event":"done","status":"ok"|"error","category":..,"message":..,
 *          "counts":{..},"next":{..},"schema":[..],"records":[..],"guess":{..}}. */
#ifndef BH_HOST_WORKER_H
#define BH_HOST_WORKER_H

#define WORKER_CONTROL_FD 3
/* Upper bound on a plan's size, read before any plugin runs. */
#define WORKER_PLAN_MAX (16 * 1024 * 1024)

#endif
