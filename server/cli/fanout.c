/* SPDX-License-Identifier: MIT */
/*
 * fanout.c — the command-line front end over the shared request layer.
 *
 *   fanout calc|simulate|tradeoff [--FIELD VALUE …]   one answer, in-process
 *   fanout simulate … --endpoints URL,URL…       the trials split into shards
 *                                                over fanoutd replicas, merged
 *   fanout simulate … --seed S --shard I/N       one shard, for batch engines
 *   fanout merge FILE…                           the shards' exact merge
 *   fanout sweep calc|simulate|tradeoff --FIELD LIST …  a grid, one row per point
 *
 * The flags are the request fields (the request layer's field table, "_"
 * written "-"), so a field added there is a flag here.  A split run merges
 * the shards' integer tallies (sim_tally_merge) and renders them with the
 * request layer's own renderer, so it answers bit for bit what one request
 * for all the trials answers; every shard's answer is checked to hold its
 * tallies exactly (req_read_tally) before it is merged.
 */
#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <curl/curl.h>

#include "fanout/grow.h"
#include "options.h"
#include "remote.h"
#include "request.h"
#include "settings.h"
#include "strbuf.h"

static const char short_usage[] =
	"usage: fanout calc|simulate|tradeoff [--FIELD VALUE ...] [options]\n"
	"       fanout sweep calc|simulate|tradeoff [--FIELD LIST ...] [options]\n"
	"       fanout merge [--format FORMAT] [--output FILE] FILE...\n"
	"'fanout --help' lists the fields and options\n";

static const char usage[] =
	"usage: fanout calc|simulate|tradeoff [--FIELD VALUE ...] [options]\n"
	"       fanout sweep calc|simulate|tradeoff [--FIELD LIST ...] [options]\n"
	"       fanout merge [--format FORMAT] [--output FILE] FILE...\n"
	"\n"
	"Answers the questions fanoutd answers, without a server: calc is\n"
	"calc_fanout, simulate is simulate_gossip, tradeoff is tradeoff.  Each\n"
	"request field is a flag (\"_\" written \"-\"); the answer is the API's JSON.\n"
	"\n"
	"Request fields (see fanoutd's /openapi.yaml):\n"
	"%s"
	"\n"
	"Options:\n"
	"  --format FORMAT      json (default), table or csv (one row; a list such as\n"
	"                       curve or rounds_to_all_hist is one cell of JSON, and a\n"
	"                       tradeoff is its rows); sweep: csv (default) or jsonl\n"
	"  --output FILE        write the answer to FILE instead of standard output\n"
	"  --resume FILE        sweep: keep the rows FILE already holds, run the rest\n"
	"                       and append them (FILE is also the output)\n"
	"  --endpoints URLS     comma-separated fanoutd base URLs: run there, each\n"
	"                       simulation split into shards by first_trial, sent in\n"
	"                       parallel, a failed shard retried on another endpoint\n"
	"                       (FANOUT_ENDPOINTS)\n"
	"  --shard-trials N     trials per shard with --endpoints (default: the trials\n"
	"                       over " FO_STR(FO_REMOTE_SHARDS_PER_ENDPOINT) " shards per endpoint)\n"
	"  --backoff SECONDS    with --endpoints, how long an endpoint that failed first\n"
	"                       rests (at least its Retry-After), doubled with each\n"
	"                       failure in a row, up to " FO_STR(FO_REMOTE_BACKOFF_MAX) " s; each shard is tried\n"
	"                       " FO_STR(FO_REMOTE_ATTEMPTS) " times (FANOUT_BACKOFF, default " FO_STR(FO_REMOTE_BACKOFF) ")\n"
	"  --shard I/N          simulate shard I of N (0-based) of the trials and print\n"
	"                       it for `fanout merge`; needs --seed\n"
	"  --work-budget UNITS  in-process work one request may cost, about 1 ns each\n"
	"                       (FANOUT_WORK_BUDGET, default " FO_STR(FO_CLI_WORK_BUDGET) ")\n"
	"  --sim-threads N      in-process threads for one simulation, 0 for the CPUs\n"
	"                       it may use (FANOUT_SIM_THREADS, default 0); with 2 or\n"
	"                       more the exact K search runs two K at once\n"
	"  --help               this text\n"
	"  --version            the version\n"
	"\n"
	"Sweep: a field's value may be a list a,b,c or a range a:b[:step] (step 1\n"
	"by default); every combination is one point, one CSV row or JSON line,\n"
	"written in order as soon as it is done.  SIGINT or SIGTERM keeps the rows\n"
	"done and says where the sweep stopped; --resume FILE goes on from there.\n"
	"A progress bar with an ETA goes to stderr when it is a terminal.\n"
	"\n"
	"Examples:\n"
	"  fanout calc --nodes 25 --target-prob 0.99 --rounds 5\n"
	"  fanout simulate --nodes 1000000 --fanout 3 --rounds 30 --trials 100000 --seed 7 \\\n"
	"      --endpoints http://fanoutd-0:8080,http://fanoutd-1:8080\n"
	"  fanout simulate --nodes 1000 --fanout 3 --rounds 12 --trials 10000 --seed 7 \\\n"
	"      --shard 0/4 > shard-0.json   # ... shards 1 to 3, then:\n"
	"  fanout merge shard-*.json\n"
	"  fanout sweep simulate --nodes 1000 --fanout 2:5 --loss 0,0.1,0.2 --rounds 15 \\\n"
	"      --trials 1000 --seed 1 > study.csv\n";

/* The subcommands that are operations. */
static const struct {
	const char *command;
	enum req_op op;
} commands[] = {
	{ "calc", REQ_CALC_FANOUT },
	{ "simulate", REQ_SIMULATE_GOSSIP },
	{ "tradeoff", REQ_TRADEOFF },
};

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

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void bad_flag(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

static void say(const char *fmt, va_list ap)
{
	fputs("fanout: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

/* A failure: says why and exits 1. */
static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	say(fmt, ap);
	va_end(ap);
	exit(1);
}

/* A flag the user got wrong: says why and exits 2. */
static void bad_flag(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	say(fmt, ap);
	va_end(ap);
	exit(2);
}

static void *need(void *p)
{
	if (!p)
		die("out of memory");
	return p;
}

/* sb's contents, to be freed with free(); exits if any of its allocations failed. */
static char *need_text(struct strbuf *sb)
{
	if (sb->failed)
		die("out of memory");
	return need(strbuf_detach(sb, NULL));
}

/* ---- flags from the request layer's field table ---------------------------- */

/* "--target-prob" for "target_prob", in a buffer that lives as long as the program. */
static char *flag_name(const char *field)
{
	char *s = need(strdup(field));

	for (char *c = s; *c; c++)
		if (*c == '_')
			*c = '-';
	return s;
}

/* The help lines for the request fields. */
static char *field_help(void)
{
	static const char *const types[] = {
		[REQ_FIELD_INTEGER] = "N", [REQ_FIELD_NUMBER] = "X",
		[REQ_FIELD_BOOL] = "true|false", [REQ_FIELD_STRING] = "NAME",
	};
	struct strbuf out = STRBUF_INIT, ops = STRBUF_INIT;

	for (size_t i = 0; i < req_field_count(); i++) {
		struct req_field_info f;
		char left[64];
		char *flag;

		req_field_info(i, &f);
		flag = flag_name(f.name);
		snprintf(left, sizeof left, "--%s %s", flag, types[f.type]);
		for (int op = 0; op < REQ_OP_COUNT; op++) {
			if (!(f.ops & (1u << op)))
				continue;
			for (size_t c = 0; c < sizeof commands / sizeof commands[0]; c++)
				if (commands[c].op == (enum req_op)op)
					strbuf_addf(&ops, "%s%s%s", ops.len ? ", " : "", commands[c].command,
						    f.required & (1u << op) ? " (required)" : "");
		}
		strbuf_addf(&out, "  %-20s %s\n", left, ops.buf);
		strbuf_release(&ops);
		free(flag);
	}
	return need_text(&out);
}

/* The JSON value of flag text for field f; exits with a message if it is not one. */
static cJSON *field_value(const struct run *r, const struct req_field_info *f, const char *flag,
			  const char *text)
{
	char *end;
	double v;

	switch (f->type) {
	case REQ_FIELD_INTEGER:
	case REQ_FIELD_NUMBER:
		errno = 0;
		v = strtod(text, &end);
		if (errno || end == text || *end || !isfinite(v))
			bad_flag("%s: '--%s' must be a number, not '%s'", r->prog, flag, text);
		return need(cJSON_CreateNumber(v));
	case REQ_FIELD_BOOL:
		if (strcmp(text, "true") == 0 || strcmp(text, "false") == 0)
			return need(cJSON_CreateBool(text[0] == 't'));
		bad_flag("%s: '--%s' must be true or false, not '%s'", r->prog, flag, text);
	case REQ_FIELD_STRING:
		break;
	}
	return need(cJSON_CreateString(text));
}

/* ---- sweeps: a field's list or range of values ------------------------------ */

struct axis {
	size_t field;               /* index in the field table */
	char **values;              /* texts, one per point along the axis */
	size_t count;
};

/* Splits "a,b,c" or expands "a:b[:step]" into texts. */
static void expand(const struct run *r, const char *flag, const char *text, struct axis *ax)
{
	const char *colon = strchr(text, ':');

	ax->count = 0;
	if (!colon) {
		char *copy = need(strdup(text)), *save = NULL;
		ax->values = need(calloc(strlen(text) + 1, sizeof *ax->values));
		for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
			ax->values[ax->count++] = need(strdup(tok));
		free(copy);
		if (!ax->count)
			bad_flag("%s: '--%s' has no value", r->prog, flag);
		return;
	}
	double a, b, step = 1;
	char tail;
	int n = sscanf(text, "%lf:%lf:%lf%c", &a, &b, &step, &tail);
	double steps;

	if ((n != 2 && n != 3) || !(step > 0) || !(b >= a) || !isfinite(a) || !isfinite(b))
		bad_flag("%s: '--%s' range must be FROM:TO[:STEP] with FROM <= TO and STEP > 0, not '%s'",
		    r->prog, flag, text);
	/* A whisker of slack so 0:1:0.1 reaches 1 despite rounding. */
	steps = floor((b - a) / step + 1e-9);
	if (steps >= 1e6)
		bad_flag("%s: '--%s' range has more than a million values", r->prog, flag);
	ax->values = need(calloc((size_t)steps + 1, sizeof *ax->values));
	for (size_t i = 0; i <= (size_t)steps; i++) {
		char buf[64];
		snprintf(buf, sizeof buf, "%.17g", a + (double)i * step);
		/* Shortest text that reads back the same, so 0.1 stays "0.1". */
		for (int prec = 1; prec <= 17; prec++) {
			snprintf(buf, sizeof buf, "%.*g", prec, a + (double)i * step);
			if (strtod(buf, NULL) == a + (double)i * step)
				break;
		}
		ax->values[ax->count++] = need(strdup(buf));
	}
}

/* ---- one request: prepare, and run it in-process -------------------------- */

/* Prints every problem of a rejected request, naming flags, and exits 2. */
static void reject(const struct run *r, const struct req_error *err)
{
	if (err->status == REQ_BAD_FIELD && err->count) {
		for (int i = 0; i < err->count && i < FO_MAX_FIELD_ERRORS; i++) {
			char *flag = err->errors[i].field ? flag_name(err->errors[i].field) : NULL;
			fprintf(stderr, "fanout: %s: %s%s%s%s\n", r->prog, err->errors[i].detail,
				flag ? " (--" : "", flag ? flag : "", flag ? ")" : "");
			free(flag);
		}
	} else {
		fprintf(stderr, "fanout: %s: %s\n", r->prog, err->detail);
	}
	exit(err->status == REQ_BAD_FIELD ? 2 : 1);
}

/* Parses and checks `fields` for r's operation into *req; exits on a bad field. */
static void parse(const struct run *r, const cJSON *fields, struct request *req)
{
	struct req_error err;

	if (req_parse(r->op, fields, req, &err) != REQ_OK)
		reject(r, &err);
}

/* Set by SIGINT or SIGTERM (the signal's number): the work in hand is cancelled. */
static atomic_int stop_signal;

static void on_stop(int sig)
{
	atomic_store(&stop_signal, sig);
}

/* The answer of one request run here; NULL when a signal stopped it; exits on refusal or failure. */
static cJSON *run_local(const struct run *r, const cJSON *fields)
{
	struct request req;
	struct req_error err;
	cJSON *answer;

	if (req_prepare(r->op, fields, &r->lim, &req, &err) != REQ_OK)
		reject(r, &err);
	answer = req_execute(&req, &r->lim, &stop_signal, &err);
	if (!answer && !(err.status == REQ_CANCELLED && atomic_load(&stop_signal)))
		reject(r, &err);
	return answer;
}

/* ---- split simulations ---------------------------------------------------- */

/* Trials [*first, *first + *count) of shard i of n of req's trials. */
static void shard_range(const struct request *req, int64_t i, int64_t n, int64_t *first,
			int64_t *count)
{
	unsigned __int128 t = (unsigned __int128)req->trials;
	int64_t lo = (int64_t)(t * (unsigned __int128)i / (unsigned __int128)n);
	int64_t hi = (int64_t)(t * (unsigned __int128)(i + 1) / (unsigned __int128)n);

	*first = req->first_trial + lo;
	*count = hi - lo;
}

/* fields with first_trial and trials replaced, as a new object. */
static cJSON *shard_fields(const cJSON *fields, int64_t seed, int64_t first, int64_t count)
{
	cJSON *f = need(cJSON_Duplicate(fields, 1));

	cJSON_DeleteItemFromObjectCaseSensitive(f, "seed");
	cJSON_DeleteItemFromObjectCaseSensitive(f, "first_trial");
	cJSON_DeleteItemFromObjectCaseSensitive(f, "trials");
	need(cJSON_AddNumberToObject(f, "seed", (double)seed));
	need(cJSON_AddNumberToObject(f, "first_trial", (double)first));
	need(cJSON_AddNumberToObject(f, "trials", (double)count));
	return f;
}

/*
 * Adds a shard's answer into *merged after checking that it is the answer to
 * trials [first, first + count) of `whole` and holds its tallies exactly.
 * Returns 0, or -1 after saying what is wrong with it (`from` names it).
 */
static int merge_shard(const struct request *whole, int64_t first, int64_t count, const cJSON *answer,
		       struct sim_tally *merged, const char *from)
{
	struct request part = *whole;
	struct sim_tally t;
	const cJSON *seed = cJSON_GetObjectItemCaseSensitive(answer, "seed");
	const cJSON *ft = cJSON_GetObjectItemCaseSensitive(answer, "first_trial");
	const cJSON *tr = cJSON_GetObjectItemCaseSensitive(answer, "trials");
	int ok;

	part.first_trial = first;
	part.trials = count;
	if (!cJSON_IsNumber(seed) || seed->valuedouble != (double)whole->seed || !cJSON_IsNumber(ft) ||
	    ft->valuedouble != (double)first || !cJSON_IsNumber(tr) || tr->valuedouble != (double)count) {
		fprintf(stderr, "fanout: %s is not the answer for seed %lld, trials %lld from %lld\n", from,
			(long long)whole->seed, (long long)count, (long long)first);
		return -1;
	}
	if (sim_tally_init(&t, &whole->params, whole->curve) != FO_OK)
		die("out of memory");
	ok = req_read_tally(&part, answer, &t) == 0;
	if (ok)
		sim_tally_merge(merged, &t);
	else
		fprintf(stderr, "fanout: %s does not hold its tallies exactly (another version, or "
			"counts past 2^53)\n", from);
	sim_tally_release(&t);
	return ok ? 0 : -1;
}

/* ---- output ---------------------------------------------------------------- */

/*
 * A number as text.  Whole numbers with every digit (a seed of 4767549831167740
 * stays that); for csv every other number as JSON writes it (17 digits when a
 * shorter text would not read back the same); for a table six significant
 * digits, more near 1 (up to 15) so that 0.999999999 is not shown as "1".
 */
static char *number_text(const cJSON *v, int table)
{
	double d = v->valuedouble, a = fabs(d);
	char buf[64];
	int prec = 6;

	if (isfinite(d) && floor(d) == d && a < 0x1p64) {
		snprintf(buf, sizeof buf, "%.0f", d);
		return need(strdup(buf));
	}
	if (!table)
		return need(req_json_print((cJSON *)v));
	if (a > 0.9 && a < 1)
		prec = (int)ceil(-log10(1 - a)) + 3;
	snprintf(buf, sizeof buf, "%.*g", prec < 6 ? 6 : prec > 15 ? 15 : prec, d);
	return need(strdup(buf));
}

/* A value as a cell: strings bare, null empty (csv) or "null" (table), lists as JSON. */
static char *scalar_text(const cJSON *v, int table)
{
	if (cJSON_IsString(v))
		return need(strdup(v->valuestring));
	if (cJSON_IsNull(v) || !v)
		return need(strdup(table ? "null" : ""));
	if (cJSON_IsNumber(v))
		return number_text(v, table);
	return need(req_json_print((cJSON *)v));
}

/* An interval member: [lo, hi], written as two cells. */
static int is_interval(const cJSON *v)
{
	size_t len = strlen(v->string);

	return cJSON_IsArray(v) && cJSON_GetArraySize(v) == 2 &&
	       ((len > 3 && strcmp(v->string + len - 3, "_ci") == 0) ||
		(len > 9 && strcmp(v->string + len - 9, "_interval") == 0));
}

/*
 * Calls fn for each member of o, flattened: a.b for objects, a_lo/a_hi for
 * intervals, other lists whole (one cell of JSON); lists of objects (curve,
 * rows) only when `lists`, as a table prints them apart.
 */
static void flatten(const cJSON *o, const char *prefix, int lists,
		    void (*fn)(void *ctx, const char *key, const cJSON *v), void *ctx)
{
	const cJSON *v;

	cJSON_ArrayForEach(v, o) {
		char key[256];
		snprintf(key, sizeof key, "%s%s%s", prefix, prefix[0] ? "." : "", v->string);
		if (cJSON_IsObject(v)) {
			flatten(v, key, lists, fn, ctx);
		} else if (is_interval(v)) {
			char k2[300];
			snprintf(k2, sizeof k2, "%s_lo", key);
			fn(ctx, k2, cJSON_GetArrayItem(v, 0));
			snprintf(k2, sizeof k2, "%s_hi", key);
			fn(ctx, k2, cJSON_GetArrayItem(v, 1));
		} else if (lists || !cJSON_IsObject(cJSON_GetArrayItem(v, 0))) {
			fn(ctx, key, v);
		}
	}
}

static void csv_cell(FILE *out, const char *text, int first)
{
	if (!first)
		fputc(',', out);
	if (strpbrk(text, ",\"\n")) {
		fputc('"', out);
		for (const char *c = text; *c; c++) {
			if (*c == '"')
				fputc('"', out);
			fputc(*c, out);
		}
		fputc('"', out);
	} else {
		fputs(text, out);
	}
}

struct row {
	char **keys, **values;
	size_t n, keys_cap, values_cap;
	int table;                   /* cells as a table shows them */
	char *const *taken;          /* a sweep's columns: an answer key that is one gets */
	size_t n_taken;              /* "answer.", and params.COLUMN is left out */
};

static void row_put(struct row *r, const char *key, char *value)
{
	if (FO_GROW(r->keys, r->n + 1, r->keys_cap) < 0 || FO_GROW(r->values, r->n + 1, r->values_cap) < 0)
		die("out of memory");
	r->keys[r->n] = need(strdup(key));
	r->values[r->n++] = value;
}

static void row_add(void *ctx, const char *key, const cJSON *v)
{
	struct row *r = ctx;
	char buf[320];

	snprintf(buf, sizeof buf, "%.300s", key);
	for (size_t i = 0; i < r->n_taken; i++) {
		if (strncmp(key, "params.", 7) == 0 && strcmp(key + 7, r->taken[i]) == 0)
			return;     /* the column says it already */
		if (strcmp(r->taken[i], key) == 0)
			snprintf(buf, sizeof buf, "answer.%.300s", key);
	}
	row_put(r, buf, scalar_text(v, r->table));
}

/* The value of `key` in r, or "" when r has none. */
static const char *row_get(const struct row *r, const char *key)
{
	for (size_t i = 0; i < r->n; i++)
		if (strcmp(r->keys[i], key) == 0)
			return r->values[i];
	return "";
}

static void row_free(struct row *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free(r->keys[i]);
		free(r->values[i]);
	}
	free(r->keys);
	free(r->values);
	r->keys = r->values = NULL;
	r->n = r->keys_cap = r->values_cap = 0;
}

/* The first member of o that is an array of objects (curve, rows), or NULL. */
static const cJSON *object_list(const cJSON *o)
{
	const cJSON *v;

	cJSON_ArrayForEach(v, o)
		if (cJSON_IsArray(v) && cJSON_IsObject(cJSON_GetArrayItem(v, 0)))
			return v;
	return NULL;
}

/* An array of flat objects as CSV (header from the first) or an aligned table. */
static void print_list(FILE *out, const cJSON *list, int csv)
{
	const cJSON *head = list->child;
	size_t cols = (size_t)cJSON_GetArraySize(head), *width = need(calloc(cols + 1, sizeof *width));

	/* Widths: the longest text in each column, header included. */
	for (const cJSON *item = csv ? NULL : list->child; item; item = item->next) {
		size_t c = 0;
		for (const cJSON *v = item->child; v && c < cols; v = v->next, c++) {
			char *t = scalar_text(v, 1);
			width[c] = strlen(t) > width[c] ? strlen(t) : width[c];
			if (item == head && strlen(v->string) > width[c])
				width[c] = strlen(v->string);
			free(t);
		}
	}
	for (const cJSON *item = head; item; item = item->next) {
		size_t c = 0;
		if (item == head) {
			for (const cJSON *v = head->child; v; v = v->next, c++) {
				if (csv)
					csv_cell(out, v->string, c == 0);
				else
					fprintf(out, "%s%-*s", c == 0 ? "" : "  ",
						(int)(c + 1 < cols ? width[c] : 0), v->string);
			}
			fputc('\n', out);
			c = 0;
		}
		for (const cJSON *v = item->child; v; v = v->next, c++) {
			char *t = scalar_text(v, !csv);
			if (csv)
				csv_cell(out, t, c == 0);
			else
				fprintf(out, "%s%-*s", c == 0 ? "" : "  ",
					(int)(c + 1 < cols ? width[c] : 0), t);
			free(t);
		}
		fputc('\n', out);
	}
	free(width);
}

/* One answer in r->format on stdout. */
static void print_answer(const struct run *r, const cJSON *answer)
{
	int csv = strcmp(r->format, "csv") == 0;
	struct row row = { .table = !csv };
	const cJSON *list = object_list(answer);

	if (strcmp(r->format, "json") == 0) {
		char *text = need(req_json_print((cJSON *)answer));
		puts(text);
		cJSON_free(text);
		return;
	}
	if (csv) {
		/* A list answer (tradeoff's rows) is its list; otherwise one row, lists as JSON cells. */
		if (list && strcmp(list->string, "rows") == 0) {
			print_list(stdout, list, 1);
			return;
		}
		flatten(answer, "", 1, row_add, &row);
		for (size_t i = 0; i < row.n; i++)
			csv_cell(stdout, row.keys[i], i == 0);
		putchar('\n');
		for (size_t i = 0; i < row.n; i++)
			csv_cell(stdout, row.values[i], i == 0);
		putchar('\n');
	} else {
		size_t w = 0;
		flatten(answer, "", 0, row_add, &row);
		for (size_t i = 0; i < row.n; i++)
			w = strlen(row.keys[i]) > w ? strlen(row.keys[i]) : w;
		for (size_t i = 0; i < row.n; i++)
			printf("%-*s  %s\n", (int)w, row.keys[i], row.values[i]);
		if (list) {
			printf("\n%s:\n", list->string);
			print_list(stdout, list, 0);
		}
	}
	row_free(&row);
}

/* ---- progress ---------------------------------------------------------------- */

struct progress {
	int tty;
	const char *what;
	struct timespec start;
};

static double seconds_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

/* Draws the bar with an ETA on a terminal; nonzero once a signal asked to stop. */
static int show_progress(void *ctx, size_t done, size_t total)
{
	const struct progress *p = ctx;
	int width = 30, filled = total ? (int)((double)done / (double)total * width) : width;
	char eta[32] = "";

	if (!p->tty)
		return atomic_load(&stop_signal);
	if (done > 0 && done < total) {
		double left = seconds_since(&p->start) / (double)done * (double)(total - done);
		if (left < 3600)
			snprintf(eta, sizeof eta, " ETA %dm%02ds", (int)left / 60, (int)left % 60);
		else
			snprintf(eta, sizeof eta, " ETA %.1fh", left / 3600);
	}
	fprintf(stderr, "\r[%.*s%*s] %zu/%zu %s%s\033[K", filled, "##############################",
		width - filled, "", done, total, p->what, eta);
	if (done == total)
		fputs("\r\033[K", stderr);
	fflush(stderr);
	return atomic_load(&stop_signal);
}

/* ---- the points of a run ------------------------------------------------------ */

/* One request of a run (a sweep has many), and what it became. */
struct point {
	cJSON *fields;              /* the request fields */
	struct request req;         /* parsed, with its seed fixed for simulations */
	size_t first_job, n_jobs;   /* its jobs, with --endpoints */
	cJSON *answer;
};

/* Gives every simulation point a seed, so all its shards share it. */
static void fix_seed(struct point *pt)
{
	struct req_limits unbounded = { .work_budget = DBL_MAX, .sim_threads = 1 };
	struct req_error err;

	if (pt->req.op != REQ_SIMULATE_GOSSIP || pt->req.has_seed)
		return;
	req_plan(&pt->req, &unbounded, &err); /* makes the seed; the budget is the servers' */
	cJSON_DeleteItemFromObjectCaseSensitive(pt->fields, "seed");
	need(cJSON_AddNumberToObject(pt->fields, "seed", (double)pt->req.seed));
}

/* The number of shards a point's trials go into on r's endpoints. */
static int64_t shard_count(const struct run *r, const struct request *req)
{
	int64_t per = r->shard_trials;

	if (req->op != REQ_SIMULATE_GOSSIP)
		return 1;
	if (per <= 0)
		per = (req->trials + (int64_t)r->n_endpoints * FO_REMOTE_SHARDS_PER_ENDPOINT - 1) /
		      ((int64_t)r->n_endpoints * FO_REMOTE_SHARDS_PER_ENDPOINT);
	if (per < 1)
		per = 1;
	return (req->trials + per - 1) / per;
}

/* Called with each point's index, in input order, as soon as its answer is there. */
typedef void point_done(void *ctx, size_t i);

/* A remote run's state, for the progress callback that finishes points in order. */
struct remote_points {
	const struct run *r;
	struct point *pts;
	size_t n, next;             /* points [0, next) are finished */
	struct remote_job *jobs;
	point_done *done;
	void *ctx;
	struct progress *prog;
};

/* Gives pt its answer from its jobs' answers: the shards merged, or the one answer. */
static void finish_point(const struct run *r, struct point *pt, struct remote_job *jobs)
{
	struct sim_tally merged;

	if (r->op != REQ_SIMULATE_GOSSIP) {
		pt->answer = jobs[pt->first_job].answer;
		jobs[pt->first_job].answer = NULL;
		return;
	}
	if (sim_tally_init(&merged, &pt->req.params, pt->req.curve) != FO_OK)
		die("out of memory");
	for (size_t s = 0; s < pt->n_jobs; s++) {
		int64_t first, count;
		char from[96];
		shard_range(&pt->req, (int64_t)s, (int64_t)pt->n_jobs, &first, &count);
		snprintf(from, sizeof from, "the answer for shard %zu of %zu", s, pt->n_jobs);
		if (merge_shard(&pt->req, first, count, jobs[pt->first_job + s].answer, &merged, from) < 0)
			exit(1);
	}
	pt->answer = need(req_render_tally(&pt->req, &merged));
	sim_tally_release(&merged);
}

/* remote_run's progress: finishes the points whose jobs all answered, in order. */
static int remote_progress_points(void *ctx, size_t done, size_t total)
{
	struct remote_points *rp = ctx;

	while (rp->next < rp->n) {
		struct point *pt = &rp->pts[rp->next];
		size_t s = 0;
		while (s < pt->n_jobs && rp->jobs[pt->first_job + s].answer)
			s++;
		if (s < pt->n_jobs)
			break;
		finish_point(rp->r, pt, rp->jobs);
		if (rp->done)
			rp->done(rp->ctx, rp->next);
		rp->next++;
	}
	return show_progress(rp->prog, done, total);
}

/*
 * Runs every point: in-process one after another, or all their shards at once
 * remotely; `done` (when not NULL) gets each point as soon as it and every
 * point before it have their answers.  Returns how many points (from the
 * first) have their answers: fewer than n when a signal stopped the run.
 */
static size_t run_points(const struct run *r, struct point *pts, size_t n, point_done *done, void *ctx)
{
	struct progress prog = { isatty(2) && (r->sweep || r->n_endpoints), NULL, { 0, 0 } };

	clock_gettime(CLOCK_MONOTONIC, &prog.start);
	if (!r->n_endpoints) {
		prog.what = "points";
		for (size_t i = 0; i < n; i++) {
			if (atomic_load(&stop_signal) || !(pts[i].answer = run_local(r, pts[i].fields)))
				return i;
			if (done)
				done(ctx, i);
			if (r->sweep)
				show_progress(&prog, i + 1, n);
		}
		return n;
	}
	size_t n_jobs = 0, j = 0;
	for (size_t i = 0; i < n; i++) {
		fix_seed(&pts[i]);
		pts[i].first_job = n_jobs;
		pts[i].n_jobs = (size_t)shard_count(r, &pts[i].req);
		n_jobs += pts[i].n_jobs;
	}
	struct remote_job *jobs = need(calloc(n_jobs, sizeof *jobs));
	struct remote_points rp = { r, pts, n, 0, jobs, done, ctx, &prog };
	char path[64], why[512];

	for (size_t i = 0; i < n; i++) {
		snprintf(path, sizeof path, "/%s", req_op_name(r->op));
		for (size_t s = 0; s < pts[i].n_jobs; s++, j++) {
			cJSON *f;
			jobs[j].path = need(strdup(path));
			struct request shard = pts[i].req;
			struct req_error err;
			if (r->op == REQ_SIMULATE_GOSSIP) {
				int64_t first, count;
				shard_range(&pts[i].req, (int64_t)s, (int64_t)pts[i].n_jobs, &first, &count);
				f = shard_fields(pts[i].fields, pts[i].req.seed, first, count);
				shard.trials = count;
			} else {
				f = need(cJSON_Duplicate(pts[i].fields, 1));
			}
			/* Its estimate sets how long a transfer may go without a byte (a stopped replica). */
			jobs[j].work = req_plan(&shard, &r->lim, &err) == REQ_OK ? shard.work : r->lim.work_budget;
			jobs[j].body = need(req_json_print(f));
			cJSON_Delete(f);
		}
	}
	prog.what = "requests";
	if (remote_run(r->endpoints, r->n_endpoints, jobs, n_jobs, FO_REMOTE_PER_ENDPOINT, r->backoff,
		       remote_progress_points, &rp, why, sizeof why) < 0 && !atomic_load(&stop_signal))
		die("%s: %s", r->prog, why);
	remote_progress_points(&rp, 0, 0);
	for (size_t k = 0; k < n_jobs; k++) {
		free((char *)jobs[k].path);
		cJSON_free(jobs[k].body);
		cJSON_Delete(jobs[k].answer);
	}
	free(jobs);
	return rp.next;
}

/* ---- subcommands ------------------------------------------------------------ */

/* The request fields the flags gave, for a run that is not a sweep. */
static cJSON *flag_fields(const struct run *r)
{
	cJSON *fields = need(cJSON_CreateObject());

	for (size_t i = 0; i < req_field_count(); i++) {
		const struct opt_option *o = &r->opts[O_FIXED + i];
		struct req_field_info f;
		if (!o->value)
			continue;
		req_field_info(i, &f);
		cJSON_AddItemToObject(fields, f.name, field_value(r, &f, o->name, o->value));
	}
	return fields;
}

/* --shard I/N: this shard's answer wrapped with the whole request, for merge. */
static int run_shard(struct run *r, cJSON *fields)
{
	struct point pt = { .fields = fields };
	int64_t first, count;
	cJSON *file, *part;
	char *text;

	parse(r, fields, &pt.req);
	if (r->op != REQ_SIMULATE_GOSSIP)
		bad_flag("%s: --shard splits simulations only", r->prog);
	if (!pt.req.has_seed)
		bad_flag("%s: --shard needs --seed, so that every shard draws from the same run", r->prog);
	if (r->shard_count > pt.req.trials)
		bad_flag("%s: --shard %d/%d: more shards than trials", r->prog, r->shard_index, r->shard_count);
	shard_range(&pt.req, r->shard_index, r->shard_count, &first, &count);
	part = shard_fields(fields, pt.req.seed, first, count);
	{
		struct point one = { .fields = part };
		parse(r, part, &one.req);
		if (run_points(r, &one, 1, NULL, NULL) < 1)
			exit(128 + atomic_load(&stop_signal));
		file = need(cJSON_CreateObject());
		need(cJSON_AddStringToObject(file, "fanout_shard", req_op_name(r->op)));
		need(cJSON_AddNumberToObject(file, "index", r->shard_index));
		need(cJSON_AddNumberToObject(file, "count", r->shard_count));
		cJSON_AddItemToObject(file, "request", need(cJSON_Duplicate(fields, 1)));
		cJSON_AddItemToObject(file, "answer", one.answer);
	}
	cJSON_Delete(part);
	text = need(req_json_print(file));
	puts(text);
	cJSON_free(text);
	cJSON_Delete(file);
	return 0;
}

/* --output FILE: stdout goes to FILE (created or truncated); NULL keeps stdout. */
static void write_to(const char *path)
{
	if (path && !freopen(path, "w", stdout))
		die("cannot write '%s': %s", path, strerror(errno));
}

/* Reads a whole file; NULL if it cannot. */
static char *slurp(const char *path, size_t *len)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	struct strbuf sb = STRBUF_INIT;
	size_t n;

	if (!f)
		return NULL;
	do {
		if (strbuf_grow(&sb, 4096) < 0)
			die("out of memory");
		n = fread(sb.buf + sb.len, 1, sb.alloc - sb.len - 1, f);
		sb.len += n;
		sb.buf[sb.len] = '\0';
	} while (n > 0);
	if (f != stdin)
		fclose(f);
	return need(strbuf_detach(&sb, len));
}

/* fanout merge FILE…: the shards of one run, merged and checked. */
static int cmd_merge(struct run *r, int argc, char **argv)
{
	cJSON **files;
	int n = 0, count = -1;
	char *want = NULL;
	struct request whole;
	struct sim_tally merged;
	cJSON *answer;
	int *seen;
	const char *output = NULL;

	r->format = "json";
	files = need(calloc((size_t)argc + 1, sizeof *files));
	for (int i = 1; i < argc; i++) {
		size_t len;
		char *text;
		if (strcmp(argv[i], "--format") == 0 && i + 1 < argc) {
			r->format = argv[++i];
			continue;
		}
		if (strncmp(argv[i], "--format=", 9) == 0) {
			r->format = argv[i] + 9;
			continue;
		}
		if (strcmp(argv[i], "--output") == 0 && i + 1 < argc) {
			output = argv[++i];
			continue;
		}
		if (strcmp(argv[i], "--help") == 0) {
			char *help = field_help();
			printf(usage, help);
			free(help);
			free(files);
			return 0;
		}
		text = slurp(argv[i], &len);
		if (!text)
			die("merge: cannot read '%s': %s", argv[i], strerror(errno));
		files[n] = req_json_parse(text, len);
		free(text);
		if (!files[n] || !cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(files[n], "answer")))
			die("merge: '%s' is not a shard written by fanout --shard", argv[i]);
		n++;
	}
	if (strcmp(r->format, "json") && strcmp(r->format, "table") && strcmp(r->format, "csv"))
		bad_flag("merge: '--format' must be json, table or csv, not '%s'", r->format);
	if (!n)
		bad_flag("merge: name the shard files to merge; 'fanout --help' says how they are made");
	write_to(output);
	for (int i = 0; i < n; i++) {
		const cJSON *c = cJSON_GetObjectItemCaseSensitive(files[i], "count");
		char *req = need(req_json_print(cJSON_GetObjectItemCaseSensitive(files[i], "request")));
		if (i == 0) {
			const cJSON *op = cJSON_GetObjectItemCaseSensitive(files[0], "fanout_shard");
			if (!cJSON_IsString(op) || req_op_parse(op->valuestring, &r->op) < 0 ||
			    r->op != REQ_SIMULATE_GOSSIP || !cJSON_IsNumber(c) || c->valuedouble < 1 ||
			    c->valuedouble > 1e9)
				die("merge: '%s' is not a simulation shard", argv[1]);
			count = (int)c->valuedouble;
			want = req;
			continue;
		}
		if (strcmp(req, want) != 0 || !cJSON_IsNumber(c) || (int)c->valuedouble != count)
			die("merge: the files are shards of different runs (the %d%s differs from the first)",
			    i + 1, i == 1 ? "nd" : i == 2 ? "rd" : "th");
		cJSON_free(req);
	}
	r->prog = "merge";
	parse(r, cJSON_GetObjectItemCaseSensitive(files[0], "request"), &whole);
	if (!whole.has_seed)
		die("merge: the shards' request has no seed");
	if (n != count)
		die("merge: %d shard file(s) given, but the run has %d shards", n, count);
	seen = need(calloc((size_t)count, sizeof *seen));
	if (sim_tally_init(&merged, &whole.params, whole.curve) != FO_OK)
		die("out of memory");
	for (int i = 0; i < n; i++) {
		const cJSON *idx = cJSON_GetObjectItemCaseSensitive(files[i], "index");
		int64_t first, len;
		char from[300];
		int k = cJSON_IsNumber(idx) ? (int)idx->valuedouble : -1;
		if (k < 0 || k >= count || seen[k]++)
			die("merge: shard index %d is repeated or out of range", k);
		shard_range(&whole, k, count, &first, &len);
		snprintf(from, sizeof from, "shard %d of %d", k, count);
		if (merge_shard(&whole, first, len, cJSON_GetObjectItemCaseSensitive(files[i], "answer"),
				&merged, from) < 0)
			exit(1);
	}
	answer = need(req_render_tally(&whole, &merged));
	print_answer(r, answer);
	cJSON_Delete(answer);
	sim_tally_release(&merged);
	for (int i = 0; i < n; i++)
		cJSON_Delete(files[i]);
	free(files);
	free(seen);
	cJSON_free(want);
	return 0;
}

/* A sweep's output: rows written in order as their points finish. */
struct sweep {
	const struct run *r;
	struct point *pts;
	size_t n_points, written;   /* rows in the output (those resumed included) */
	int csv;
	char **axes;                /* every swept field (the columns: those with several values) */
	size_t n_axes;
	char **columns;
	size_t n_columns;
	struct row *rows;           /* csv: every row, for rewriting under a wider header */
	char **header;              /* csv: the answer keys the header line has */
	size_t n_header, header_cap;
	int header_out;             /* the header line is written */
	int late;                   /* a row has keys the header line lacks */
};

/* The cell texts of point p's swept columns. */
static char *column_text(const struct sweep *sw, size_t p, size_t c)
{
	return scalar_text(cJSON_GetObjectItemCaseSensitive(sw->pts[p].fields, sw->columns[c]), 0);
}

static void add_header_key(struct sweep *sw, const char *key)
{
	for (size_t k = 0; k < sw->n_header; k++)
		if (strcmp(sw->header[k], key) == 0)
			return;
	if (FO_GROW(sw->header, sw->n_header + 1, sw->header_cap) < 0)
		die("out of memory");
	sw->header[sw->n_header++] = need(strdup(key));
}

static void write_csv_header(const struct sweep *sw)
{
	for (size_t c = 0; c < sw->n_columns; c++)
		csv_cell(stdout, sw->columns[c], c == 0);
	for (size_t k = 0; k < sw->n_header; k++)
		csv_cell(stdout, sw->header[k], sw->n_columns == 0 && k == 0);
	putchar('\n');
}

static void write_csv_row(const struct sweep *sw, size_t p)
{
	for (size_t c = 0; c < sw->n_columns; c++) {
		char *t = column_text(sw, p, c);
		csv_cell(stdout, t, c == 0);
		free(t);
	}
	for (size_t k = 0; k < sw->n_header; k++)
		csv_cell(stdout, row_get(&sw->rows[p], sw->header[k]), sw->n_columns == 0 && k == 0);
	putchar('\n');
}

/* point_done for a sweep: writes point i's row (i is the next row) and flushes it. */
static void sweep_row(void *ctx, size_t i)
{
	struct sweep *sw = ctx;
	struct point *pt;

	/* i counts from the first point run here; the rows resumed come before it. */
	(void)i;
	i = sw->written;
	pt = &sw->pts[i];

	if (sw->csv) {
		struct row *row = &sw->rows[i];
		*row = (struct row){ .taken = sw->columns, .n_taken = sw->n_columns };
		flatten(pt->answer, "", 1, row_add, row);
		if (!sw->header_out) {
			for (size_t k = 0; k < row->n; k++)
				add_header_key(sw, row->keys[k]);
			write_csv_header(sw);
			sw->header_out = 1;
		}
		for (size_t k = 0; k < row->n && !sw->late; k++) {
			size_t h = 0;
			while (h < sw->n_header && strcmp(sw->header[h], row->keys[k]) != 0)
				h++;
			sw->late = h == sw->n_header;
		}
		write_csv_row(sw, i);
	} else {
		cJSON *line = need(cJSON_CreateObject());
		char *text;
		cJSON_AddItemToObject(line, "request", pt->fields);
		cJSON_AddItemToObject(line, "answer", pt->answer);
		text = need(req_json_print(line));
		puts(text);
		cJSON_free(text);
		cJSON_DetachItemViaPointer(line, pt->fields);
		cJSON_DetachItemViaPointer(line, pt->answer);
		cJSON_Delete(line);
	}
	cJSON_Delete(pt->answer);
	pt->answer = NULL;
	fflush(stdout);
	sw->written = i + 1;
}

/*
 * CSV rows whose answers had members the header (taken from the first row)
 * lacks: a regular file is written again under the header of every row's
 * members, in first-seen order; anything else is told what it misses.
 */
static void sweep_widen(struct sweep *sw)
{
	struct stat st;

	if (!sw->late)
		return;
	for (size_t p = 0; p < sw->written; p++)
		for (size_t k = 0; k < sw->rows[p].n; k++)
			add_header_key(sw, sw->rows[p].keys[k]);
	if (fstat(fileno(stdout), &st) == 0 && S_ISREG(st.st_mode) && fflush(stdout) == 0 &&
	    ftruncate(fileno(stdout), 0) == 0 && fseek(stdout, 0, SEEK_SET) == 0) {
		write_csv_header(sw);
		for (size_t p = 0; p < sw->written; p++)
			write_csv_row(sw, p);
		fflush(stdout);
		return;
	}
	fprintf(stderr, "fanout: %s: later rows have members the CSV header lacks, left out; "
		"--output FILE or --format jsonl keeps them\n", sw->r->prog);
}

/* The records of a CSV text, each an array of cells; *n records. */
static char ***csv_records(const char *text, size_t *n, size_t **widths)
{
	char ***recs = NULL;
	size_t recs_cap = 0, widths_cap = 0;

	*n = 0;
	*widths = NULL;
	while (*text) {
		char **cells = NULL;
		size_t n_cells = 0, cells_cap = 0;
		for (;;) {
			/* A cell is never longer than its text up to the next unquoted comma or line end. */
			const char *end = text;
			for (int quoted = 0; *end && (quoted || (*end != ',' && *end != '\n')); end++)
				quoted ^= *end == '"';
			size_t len = 0;
			char *cell = need(malloc((size_t)(end - text) + 1));
			if (*text == '"') {
				for (text++; *text && !(*text == '"' && text[1] != '"'); text++) {
					if (*text == '"')
						text++;
					cell[len++] = *text;
				}
				if (*text == '"')
					text++;
			}
			while (*text && *text != ',' && *text != '\n')
				cell[len++] = *text++;
			cell[len] = '\0';
			if (FO_GROW(cells, n_cells + 1, cells_cap) < 0)
				die("out of memory");
			cells[n_cells++] = cell;
			if (*text != ',')
				break;
			text++;
		}
		if (*text == '\n')
			text++;
		if (FO_GROW(recs, *n + 1, recs_cap) < 0 || FO_GROW(*widths, *n + 1, widths_cap) < 0)
			die("out of memory");
		(*widths)[*n] = n_cells;
		recs[(*n)++] = cells;
	}
	return recs;
}

/*
 * --resume FILE: the rows FILE holds, checked to be this sweep's first rows,
 * taken as written; a last line cut short is dropped.  Then FILE is the
 * output, appended to.  A FILE that does not exist yet is simply the output.
 */
static void sweep_resume(struct sweep *sw, const char *path)
{
	size_t len = 0, keep;
	char *text = slurp(path, &len);

	if (!text) {
		if (errno != ENOENT)
			die("%s: cannot read '%s': %s", sw->r->prog, path, strerror(errno));
		write_to(path);
		return;
	}
	for (keep = len; keep > 0 && text[keep - 1] != '\n'; keep--)
		;
	text[keep] = '\0';
	if (keep < len && truncate(path, (off_t)keep) < 0)
		die("%s: cannot cut the unfinished last line of '%s': %s", sw->r->prog, path,
		    strerror(errno));
	if (sw->csv) {
		size_t n, *widths;
		char ***recs = csv_records(text, &n, &widths);
		for (size_t i = 0; i < n; i++) {
			int ok = i == 0 ? widths[0] >= sw->n_columns : i <= sw->n_points && widths[i] == widths[0];
			for (size_t c = 0; ok && c < sw->n_columns; c++) {
				char *t = i == 0 ? need(strdup(sw->columns[c])) : column_text(sw, i - 1, c);
				ok = strcmp(recs[i][c], t) == 0;
				free(t);
			}
			if (!ok)
				die("%s: line %zu of '%s' is not %s of this sweep", sw->r->prog, i + 1, path,
				    i == 0 ? "the header" : "the row");
		}
		for (size_t k = sw->n_columns; n > 0 && k < widths[0]; k++)
			add_header_key(sw, recs[0][k]);
		sw->header_out = n > 0;
		for (size_t i = 1; i < n; i++) {
			sw->rows[i - 1] = (struct row){ 0 };
			for (size_t k = sw->n_columns; k < widths[i]; k++)
				row_put(&sw->rows[i - 1], recs[0][k], need(strdup(recs[i][k])));
		}
		sw->written = n > 0 ? n - 1 : 0;
		for (size_t i = 0; i < n; i++) {
			for (size_t c = 0; c < widths[i]; c++)
				free(recs[i][c]);
			free(recs[i]);
		}
		free(recs);
		free(widths);
	} else {
		char *save = NULL;
		for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
			cJSON *o = req_json_parse(line, strlen(line));
			const cJSON *req = cJSON_GetObjectItemCaseSensitive(o, "request");
			int ok = o && sw->written < sw->n_points;
			for (size_t a = 0; ok && a < sw->n_axes; a++)
				ok = cJSON_Compare(cJSON_GetObjectItemCaseSensitive(req, sw->axes[a]),
						   cJSON_GetObjectItemCaseSensitive(sw->pts[sw->written].fields,
										    sw->axes[a]), 1);
			cJSON_Delete(o);
			if (!ok)
				die("%s: line %zu of '%s' is not the row of this sweep", sw->r->prog,
				    sw->written + 1, path);
			sw->written++;
		}
	}
	free(text);
	if (!freopen(path, "a", stdout))
		die("cannot write '%s': %s", path, strerror(errno));
}

/* fanout sweep OP …: every combination of the fields' lists, one row each. */
static int cmd_sweep(struct run *r)
{
	struct axis *axes = need(calloc(req_field_count() + 1, sizeof *axes));
	size_t n_axes = 0, n_points = 1, *at, done;
	struct point *pts;
	struct sweep sw = { .r = r, .csv = strcmp(r->format, "csv") == 0 };
	const char *resume = r->opts[O_RESUME].value;

	for (size_t i = 0; i < req_field_count(); i++) {
		const struct opt_option *o = &r->opts[O_FIXED + i];
		if (!o->value)
			continue;
		axes[n_axes].field = i;
		expand(r, o->name, o->value, &axes[n_axes]);
		if (axes[n_axes].count > 1 && (double)n_points * (double)axes[n_axes].count > 1e7)
			bad_flag("%s: the grid has more than ten million points", r->prog);
		n_points *= axes[n_axes].count;
		n_axes++;
	}
	pts = need(calloc(n_points, sizeof *pts));
	at = need(calloc(n_axes + 1, sizeof *at));
	for (size_t p = 0; p < n_points; p++) {
		/* The odometer: the last flag's values turn fastest. */
		size_t rest = p;
		for (size_t a = n_axes; a-- > 0;) {
			at[a] = rest % axes[a].count;
			rest /= axes[a].count;
		}
		pts[p].fields = need(cJSON_CreateObject());
		for (size_t a = 0; a < n_axes; a++) {
			struct req_field_info f;
			req_field_info(axes[a].field, &f);
			cJSON_AddItemToObject(pts[p].fields, f.name,
					      field_value(r, &f, r->opts[O_FIXED + axes[a].field].name,
							  axes[a].values[at[a]]));
		}
		parse(r, pts[p].fields, &pts[p].req);
	}
	sw.pts = pts;
	sw.n_points = n_points;
	sw.rows = need(calloc(n_points, sizeof *sw.rows));
	sw.axes = need(calloc(n_axes + 1, sizeof *sw.axes));
	sw.columns = need(calloc(n_axes + 1, sizeof *sw.columns));
	for (size_t a = 0; a < n_axes; a++) {
		struct req_field_info f;
		req_field_info(axes[a].field, &f);
		sw.axes[sw.n_axes++] = (char *)f.name;
		if (axes[a].count > 1)
			sw.columns[sw.n_columns++] = (char *)f.name;
	}
	if (resume)
		sweep_resume(&sw, resume);
	done = sw.written + run_points(r, pts + sw.written, n_points - sw.written, sweep_row, &sw);
	if (sw.csv)
		sweep_widen(&sw);
	if (done < n_points)
		fprintf(stderr, "fanout: %s: stopped by %s after %zu of %zu rows; the same command with "
			"--resume FILE (the output) runs the rest\n", r->prog,
			atomic_load(&stop_signal) == SIGTERM ? "SIGTERM" : "SIGINT", done, n_points);
	for (size_t p = 0; p < n_points; p++) {
		cJSON_Delete(pts[p].fields);
		cJSON_Delete(pts[p].answer);
		row_free(&sw.rows[p]);
	}
	for (size_t k = 0; k < sw.n_header; k++)
		free(sw.header[k]);
	for (size_t a = 0; a < n_axes; a++) {
		for (size_t v = 0; v < axes[a].count; v++)
			free(axes[a].values[v]);
		free(axes[a].values);
	}
	free(sw.header);
	free(sw.rows);
	free(sw.axes);
	free(sw.columns);
	free(axes);
	free(at);
	free(pts);
	return done < n_points ? 128 + atomic_load(&stop_signal) : 0;
}

/* Reads the options of a calc/simulate/sweep invocation into *r. */
static void configure(struct run *r, int argc, char **argv)
{
	size_t nf = req_field_count();
	char *help = field_help(), *text;
	struct strbuf usage_text = STRBUF_INIT;
	double budget, threads, shard_trials = 0;

	r->n_opts = O_FIXED + (int)nf;
	r->opts = need(calloc((size_t)r->n_opts, sizeof *r->opts));
	r->opts[O_FORMAT] = (struct opt_option){ "format", NULL, r->sweep ? "csv" : "json" };
	r->opts[O_OUTPUT] = (struct opt_option){ "output", NULL, NULL };
	r->opts[O_RESUME] = (struct opt_option){ "resume", NULL, NULL };
	r->opts[O_ENDPOINTS] = (struct opt_option){ "endpoints", "FANOUT_ENDPOINTS", NULL };
	r->opts[O_SHARD_TRIALS] = (struct opt_option){ "shard-trials", NULL, NULL };
	r->opts[O_BACKOFF] = (struct opt_option){ "backoff", "FANOUT_BACKOFF", FO_STR(FO_REMOTE_BACKOFF) };
	r->opts[O_SHARD] = (struct opt_option){ "shard", NULL, NULL };
	r->opts[O_BUDGET] = (struct opt_option){ "work-budget", "FANOUT_WORK_BUDGET",
						 FO_STR(FO_CLI_WORK_BUDGET) };
	r->opts[O_SIM_THREADS] = (struct opt_option){ "sim-threads", "FANOUT_SIM_THREADS", "0" };
	for (size_t i = 0; i < nf; i++) {
		struct req_field_info f;
		req_field_info(i, &f);
		r->opts[O_FIXED + i] = (struct opt_option){ flag_name(f.name), NULL, NULL };
	}
	strbuf_addf(&usage_text, usage, help);
	text = need_text(&usage_text);
	free(help);
	if (opt_parse(argc, argv, r->opts, r->n_opts, "fanout", FO_VERSION, text) < 0)
		exit(2);
	free(text);
	if (opt_number(r->prog, &r->opts[O_BUDGET], 1, 1e18, 0, &budget) < 0 ||
	    opt_number(r->prog, &r->opts[O_SIM_THREADS], 0, FO_SIM_MAX_THREADS, 1, &threads) < 0 ||
	    opt_number(r->prog, &r->opts[O_BACKOFF], 0.001, FO_REMOTE_BACKOFF_MAX, 0, &r->backoff) < 0 ||
	    (r->opts[O_SHARD_TRIALS].value &&
	     opt_number(r->prog, &r->opts[O_SHARD_TRIALS], 1, FO_MAX_JSON_INT, 1, &shard_trials) < 0))
		exit(2);
	r->lim.work_budget = budget;
	r->lim.sim_threads = opt_threads(threads);
	r->shard_trials = (int64_t)shard_trials;
	r->format = r->opts[O_FORMAT].value;
	if (r->opts[O_RESUME].value && !r->sweep)
		bad_flag("%s: --resume continues a sweep", r->prog);
	if (r->opts[O_RESUME].value && r->opts[O_OUTPUT].value &&
	    strcmp(r->opts[O_RESUME].value, r->opts[O_OUTPUT].value) != 0)
		bad_flag("%s: --resume FILE writes to FILE; --output names another file", r->prog);
	if (!r->opts[O_RESUME].value)
		write_to(r->opts[O_OUTPUT].value);
	if (r->sweep ? strcmp(r->format, "csv") && strcmp(r->format, "jsonl")
		     : strcmp(r->format, "json") && strcmp(r->format, "table") && strcmp(r->format, "csv"))
		bad_flag("%s: '--format' must be %s, not '%s'", r->prog,
		    r->sweep ? "csv or jsonl" : "json, table or csv", r->format);
	/* A field of another operation would be ignored by the request layer: refuse it. */
	for (size_t i = 0; i < nf; i++) {
		struct req_field_info f;
		req_field_info(i, &f);
		if (r->opts[O_FIXED + i].value && !(f.ops & (1u << r->op)))
			bad_flag("%s: '--%s' is not a field of %s", r->prog, r->opts[O_FIXED + i].name,
			    req_op_name(r->op));
	}
	if (r->opts[O_ENDPOINTS].value && r->opts[O_ENDPOINTS].value[0]) {
		char *list = need(strdup(r->opts[O_ENDPOINTS].value)), *save = NULL;
		r->endpoint_list = list;
		r->endpoints = need(calloc(strlen(list) + 1, sizeof *r->endpoints));
		for (char *tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
			r->endpoints[r->n_endpoints++] = tok;
	}
	if (r->opts[O_SHARD].value) {
		char tail;
		if (sscanf(r->opts[O_SHARD].value, "%d/%d%c", &r->shard_index, &r->shard_count, &tail) != 2 ||
		    r->shard_count < 1 || r->shard_index < 0 || r->shard_index >= r->shard_count)
			bad_flag("%s: '--shard' must be I/N with 0 <= I < N, not '%s'", r->prog,
			    r->opts[O_SHARD].value);
		if (r->sweep)
			bad_flag("%s: --shard splits one simulation, not a sweep", r->prog);
	}
}

/* Frees what configure allocated. */
static void release(struct run *r)
{
	for (int i = O_FIXED; i < r->n_opts; i++)
		free((char *)r->opts[i].name);
	free(r->opts);
	free(r->endpoints);
	free(r->endpoint_list);
}

int main(int argc, char **argv)
{
	struct run r = { .prog = "fanout" };
	const char *cmd = argc > 1 ? argv[1] : "";
	char prog[64];
	int status;

	if (strcmp(cmd, "--version") == 0) {
		printf("fanout %s\n", FO_VERSION);
		return 0;
	}
	if (strcmp(cmd, "merge") == 0)
		return cmd_merge(&r, argc - 1, argv + 1);
	r.sweep = strcmp(cmd, "sweep") == 0;
	if (r.sweep) {
		argc--;
		argv++;
		cmd = argc > 1 ? argv[1] : "";
	}
	if (!*cmd) {
		fputs(short_usage, stderr);
		return 2;
	}
	size_t c = 0;
	while (c < sizeof commands / sizeof commands[0] && strcmp(commands[c].command, cmd) != 0)
		c++;
	if (c == sizeof commands / sizeof commands[0]) {
		const char *near = NULL;
		if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
			char *help = field_help();
			printf(usage, help);
			free(help);
			return 0;
		}
		for (size_t k = 0; k < sizeof commands / sizeof commands[0]; k++)
			if (opt_edit_distance(cmd, commands[k].command) <= 2)
				near = commands[k].command;
		if (!r.sweep && opt_edit_distance(cmd, "sweep") <= 2)
			near = "sweep";
		if (!r.sweep && opt_edit_distance(cmd, "merge") <= 2)
			near = "merge";
		fprintf(stderr, "fanout: unknown command '%s'%s%s%s; 'fanout --help' lists them\n", cmd,
			near ? " (did you mean '" : "", near ? near : "", near ? "'?)" : "");
		return 2;
	}
	r.op = commands[c].op;
	snprintf(prog, sizeof prog, "%s%s", r.sweep ? "sweep " : "", cmd);
	r.prog = prog;
	configure(&r, argc - 1, argv + 1);
	{
		/* A signal only sets stop_signal: the work in hand is cancelled, what is done kept. */
		struct sigaction sa;
		memset(&sa, 0, sizeof sa);
		sa.sa_handler = on_stop;
		sigemptyset(&sa.sa_mask);
		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGTERM, &sa, NULL);
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		die("cannot start libcurl");
	if (r.sweep) {
		status = cmd_sweep(&r);
	} else {
		cJSON *fields = flag_fields(&r);
		if (r.shard_count) {
			status = run_shard(&r, fields);
		} else {
			struct point pt = { .fields = fields };
			parse(&r, fields, &pt.req);
			if (run_points(&r, &pt, 1, NULL, NULL) < 1)
				exit(128 + atomic_load(&stop_signal));
			print_answer(&r, pt.answer);
			cJSON_Delete(pt.answer);
			status = 0;
		}
		cJSON_Delete(fields);
	}
	curl_global_cleanup();
	release(&r);
	return status;
}
