/* SPDX-License-Identifier: MIT */
/*
 * cli.h — what the files of the `fanout` command share; not a library.
 *
 *   fanout.c   main, the usage text, flags from the request layer's field
 *              table, messages and exits, files in and out
 *   points.c   the requests of a run ("points"): in-process, or split into
 *              shards over fanoutd replicas (remote.c) and merged; --shard
 *              and `fanout merge`
 *   sweep.c    `fanout sweep`: the grid, its rows in order, --resume
 *   output.c   an answer as JSON, a table or CSV; rows of flattened members
 *
 * Errors: a function here that cannot go on says why on stderr and exits
 * (1 for a failure, 2 for a flag the user got wrong); only slurp returns
 * one (NULL, errno set), for its caller to say which file.
 */
#ifndef FANOUT_CLI_H
#define FANOUT_CLI_H

#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>

#include <cjson/cJSON.h>

#include "options.h"
#include "request.h"

enum { O_FORMAT, O_OUTPUT, O_RESUME, O_ENDPOINTS, O_SHARD_TRIALS, O_BACKOFF, O_SHARD, O_BUDGET, O_SIM_THREADS,
       O_FIXED };

/* Everything one invocation was told. */
struct run {
	const char *prog;           /* "fanout simulate", for messages */
	enum req_op op;
	int sweep;
	struct opt_option *opts;    /* O_FIXED fixed ones, then one per request field */
	int n_opts;
	struct req_limits lim;
	const char *format;
	char **endpoints;           /* into endpoint_list */
	char *endpoint_list;
	int n_endpoints;
	int64_t shard_trials;       /* 0: the default split */
	double backoff;             /* seconds a failing endpoint first rests */
	int shard_index, shard_count; /* --shard I/N; count 0 without it */
};

/* ---- fanout.c -------------------------------------------------------------- */

/* Set by SIGINT or SIGTERM (the signal's number): the work in hand is cancelled. */
extern atomic_int stop_signal;

/* A failure: says why and exits 1. */
void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
/* A flag the user got wrong: says why and exits 2. */
void bad_flag(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
/* p, or exits saying "out of memory" when it is NULL. */
void *need(void *p);
/* The usage text with the request fields' lines, on stdout. */
void print_usage(void);
/* The JSON value of flag text for field f; exits with a message if it is not one. */
cJSON *field_value(const struct run *r, const struct req_field_info *f, const char *flag, const char *text);
/* Prints every problem of a rejected request, naming flags, and exits 2. */
void reject(const struct run *r, const struct req_error *err) __attribute__((noreturn));
/* Parses and checks `fields` for r's operation into *req; exits on a bad field. */
void parse(const struct run *r, const cJSON *fields, struct request *req);
/* --output FILE: stdout goes to FILE (created or truncated); NULL keeps stdout. */
void write_to(const char *path);
/* A whole file ("-": stdin), *len its length, freed with free(); NULL if it cannot be read. */
char *slurp(const char *path, size_t *len);

/* ---- points.c -------------------------------------------------------------- */

/* One request of a run (a sweep has many), and what it became. */
struct point {
	cJSON *fields;              /* the request fields */
	struct request req;         /* parsed, with its seed fixed for simulations */
	size_t first_job, n_jobs;   /* its jobs, with --endpoints */
	cJSON *answer;
};

/* Called with each point's index, in input order, as soon as its answer is there. */
typedef void point_done(void *ctx, size_t i);

/*
 * Runs every point: in-process one after another, or all their shards at once
 * remotely; `done` (when not NULL) gets each point as soon as it and every
 * point before it have their answers.  Returns how many points (from the
 * first) have their answers: fewer than n when a signal stopped the run.
 */
size_t run_points(const struct run *r, struct point *pts, size_t n, point_done *done, void *ctx);
/* --shard I/N: this shard's answer wrapped with the whole request, for merge. */
int run_shard(struct run *r, cJSON *fields);
/* fanout merge FILE…: the shards of one run, merged and checked. */
int cmd_merge(struct run *r, int argc, char **argv);

/* ---- sweep.c --------------------------------------------------------------- */

/* fanout sweep OP …: every combination of the fields' lists, one row each. */
int cmd_sweep(struct run *r);

/* ---- output.c -------------------------------------------------------------- */

/* An answer's members flattened into cells: keys and their texts. */
struct row {
	char **keys, **values;
	size_t n, keys_cap, values_cap;
	int table;                   /* cells as a table shows them */
	char *const *taken;          /* a sweep's columns: an answer key that is one gets */
	size_t n_taken;              /* "answer.", and params.COLUMN is left out */
};

/* A value as a cell, freed with free(): strings bare, null empty (csv) or "null" (table), lists as JSON. */
char *scalar_text(const cJSON *v, int table);
/*
 * Calls fn for each member of o, flattened: a.b for objects, a_lo/a_hi for
 * intervals, other lists whole (one cell of JSON); lists of objects (curve,
 * rows) only when `lists`, as a table prints them apart.
 */
void flatten(const cJSON *o, const char *prefix, int lists,
	     void (*fn)(void *ctx, const char *key, const cJSON *v), void *ctx);
/* One CSV cell, quoted when it must be, after a comma unless `first`. */
void csv_cell(FILE *out, const char *text, int first);
/* Appends key (copied) and value (taken, freed by row_free) to r. */
void row_put(struct row *r, const char *key, char *value);
/* flatten's fn for a struct row (ctx). */
void row_add(void *ctx, const char *key, const cJSON *v);
/* The value of `key` in r, or "" when r has none. */
const char *row_get(const struct row *r, const char *key);
/* Frees r's keys and values and empties it. */
void row_free(struct row *r);
/* One answer in r->format on stdout. */
void print_answer(const struct run *r, const cJSON *answer);

#endif
