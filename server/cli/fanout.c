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
#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <curl/curl.h>

#include "fanout/grow.h"
#include "options.h"
#include "remote.h"
#include "request.h"
#include "settings.h"
#include "strbuf.h"

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
	"  --format FORMAT      json (default), table or csv; sweep: csv (default) or jsonl\n"
	"  --output FILE        write the answer to FILE instead of standard output\n"
	"  --endpoints URLS     comma-separated fanoutd base URLs: run there, each\n"
	"                       simulation split into shards by first_trial, sent in\n"
	"                       parallel, a failed shard retried on another endpoint\n"
	"                       (FANOUT_ENDPOINTS)\n"
	"  --shard-trials N     trials per shard with --endpoints (default: the trials\n"
	"                       over " FO_STR(FO_REMOTE_SHARDS_PER_ENDPOINT) " shards per endpoint)\n"
	"  --shard I/N          simulate shard I of N (0-based) of the trials and print\n"
	"                       it for `fanout merge`; needs --seed\n"
	"  --work-budget UNITS  in-process work one request may cost, about 1 ns each\n"
	"                       (FANOUT_WORK_BUDGET, default " FO_STR(FO_CLI_WORK_BUDGET) ")\n"
	"  --sim-threads N      in-process threads for one simulation, 0 for the CPUs\n"
	"                       it may use (FANOUT_SIM_THREADS, default 0)\n"
	"  --help               this text\n"
	"  --version            the version\n"
	"\n"
	"Sweep: a field's value may be a list a,b,c or a range a:b[:step] (step 1\n"
	"by default); every combination is one point, one CSV row or JSON line.\n"
	"A progress bar goes to stderr when it is a terminal.\n"
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

enum { O_FORMAT, O_OUTPUT, O_ENDPOINTS, O_SHARD_TRIALS, O_SHARD, O_BUDGET, O_SIM_THREADS, O_FIXED };

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

/* The answer of one request run here; exits on refusal or failure. */
static cJSON *run_local(const struct run *r, const cJSON *fields)
{
	struct request req;
	struct req_error err;
	cJSON *answer;

	if (req_prepare(r->op, fields, &r->lim, &req, &err) != REQ_OK)
		reject(r, &err);
	answer = req_execute(&req, &r->lim, NULL, &err);
	if (!answer)
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

/* A scalar as text: numbers as JSON writes them, strings bare, null empty. */
static char *scalar_text(const cJSON *v, int null_empty)
{
	if (cJSON_IsString(v))
		return need(strdup(v->valuestring));
	if (cJSON_IsNull(v))
		return need(strdup(null_empty ? "" : "null"));
	return need(cJSON_PrintUnformatted(v));
}

/* Calls fn for each scalar of o, flattened: a.b for objects, a_lo/a_hi for intervals. */
static void flatten(const cJSON *o, const char *prefix,
		    void (*fn)(void *ctx, const char *key, const cJSON *v), void *ctx)
{
	const cJSON *v;

	cJSON_ArrayForEach(v, o) {
		char key[256];
		snprintf(key, sizeof key, "%s%s%s", prefix, prefix[0] ? "." : "", v->string);
		if (cJSON_IsObject(v)) {
			flatten(v, key, fn, ctx);
		} else if (cJSON_IsArray(v)) {
			if (cJSON_GetArraySize(v) == 2 && cJSON_IsNumber(cJSON_GetArrayItem(v, 0))) {
				char k2[300];
				snprintf(k2, sizeof k2, "%s_lo", key);
				fn(ctx, k2, cJSON_GetArrayItem(v, 0));
				snprintf(k2, sizeof k2, "%s_hi", key);
				fn(ctx, k2, cJSON_GetArrayItem(v, 1));
			}
			/* Arrays of objects (curve, rows) are tables of their own. */
		} else {
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
	const char *prefix;          /* put before keys that are already columns */
	char *const *taken;          /* those columns */
	size_t n_taken;
};

static void row_add(void *ctx, const char *key, const cJSON *v)
{
	struct row *r = ctx;
	char buf[300];

	for (size_t i = 0; i < r->n_taken; i++)
		if (strcmp(r->taken[i], key) == 0) {
			snprintf(buf, sizeof buf, "%s%s", r->prefix, key);
			key = buf;
		}
	if (FO_GROW(r->keys, r->n + 1, r->keys_cap) < 0 || FO_GROW(r->values, r->n + 1, r->values_cap) < 0)
		die("out of memory");
	r->keys[r->n] = need(strdup(key));
	r->values[r->n++] = scalar_text(v, 1);
}

static void row_free(struct row *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free(r->keys[i]);
		free(r->values[i]);
	}
	free(r->keys);
	free(r->values);
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
			char *t = scalar_text(v, 0);
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
			char *t = scalar_text(v, csv);
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
	struct row row = { .prefix = "" };
	const cJSON *list = object_list(answer);

	if (strcmp(r->format, "json") == 0) {
		char *text = need(cJSON_PrintUnformatted(answer));
		puts(text);
		cJSON_free(text);
		return;
	}
	flatten(answer, "", row_add, &row);
	if (strcmp(r->format, "csv") == 0) {
		/* A list answer (tradeoff's rows) is its list; otherwise one row of scalars. */
		if (list && strcmp(list->string, "rows") == 0) {
			print_list(stdout, list, 1);
		} else {
			for (size_t i = 0; i < row.n; i++)
				csv_cell(stdout, row.keys[i], i == 0);
			putchar('\n');
			for (size_t i = 0; i < row.n; i++)
				csv_cell(stdout, row.values[i], i == 0);
			putchar('\n');
		}
	} else {
		size_t w = 0;
		for (size_t i = 0; i < row.n; i++)
			w = strlen(row.keys[i]) > w ? strlen(row.keys[i]) : w;
		for (size_t i = 0; i < row.n; i++)
			printf("%-*s  %s\n", (int)w, row.keys[i], row.values[i][0] ? row.values[i] : "null");
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
};

static void show_progress(void *ctx, size_t done, size_t total)
{
	const struct progress *p = ctx;
	int width = 30, filled = total ? (int)((double)done / (double)total * width) : width;

	if (!p->tty)
		return;
	fprintf(stderr, "\r[%.*s%*s] %zu/%zu %s", filled, "##############################",
		width - filled, "", done, total, p->what);
	if (done == total)
		fputs("\r\033[K", stderr);
	fflush(stderr);
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
	struct req_limits unbounded = { DBL_MAX, 1 };
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

/* Runs every point: in-process one after another, or all their shards at once remotely. */
static void run_points(const struct run *r, struct point *pts, size_t n)
{
	struct progress prog = { isatty(2) && (r->sweep || r->n_endpoints), NULL };

	if (!r->n_endpoints) {
		prog.what = "points";
		for (size_t i = 0; i < n; i++) {
			pts[i].answer = run_local(r, pts[i].fields);
			if (r->sweep)
				show_progress(&prog, i + 1, n);
		}
		return;
	}
	size_t n_jobs = 0, j = 0;
	for (size_t i = 0; i < n; i++) {
		fix_seed(&pts[i]);
		pts[i].first_job = n_jobs;
		pts[i].n_jobs = (size_t)shard_count(r, &pts[i].req);
		n_jobs += pts[i].n_jobs;
	}
	struct remote_job *jobs = need(calloc(n_jobs, sizeof *jobs));
	char path[64], why[512];

	for (size_t i = 0; i < n; i++) {
		snprintf(path, sizeof path, "/%s", req_op_name(r->op));
		for (size_t s = 0; s < pts[i].n_jobs; s++, j++) {
			cJSON *f;
			jobs[j].path = need(strdup(path));
			if (r->op == REQ_SIMULATE_GOSSIP) {
				int64_t first, count;
				shard_range(&pts[i].req, (int64_t)s, (int64_t)pts[i].n_jobs, &first, &count);
				f = shard_fields(pts[i].fields, pts[i].req.seed, first, count);
			} else {
				f = need(cJSON_Duplicate(pts[i].fields, 1));
			}
			jobs[j].body = need(cJSON_PrintUnformatted(f));
			cJSON_Delete(f);
		}
	}
	prog.what = "requests";
	if (remote_run(r->endpoints, r->n_endpoints, jobs, n_jobs, FO_REMOTE_PER_ENDPOINT, show_progress,
		       &prog, why, sizeof why) < 0)
		die("%s: %s", r->prog, why);
	for (size_t i = 0; i < n; i++) {
		struct point *pt = &pts[i];
		struct sim_tally merged;
		if (r->op != REQ_SIMULATE_GOSSIP) {
			pt->answer = jobs[pt->first_job].answer;
			jobs[pt->first_job].answer = NULL;
			continue;
		}
		if (sim_tally_init(&merged, &pt->req.params, pt->req.curve) != FO_OK)
			die("out of memory");
		for (size_t s = 0; s < pt->n_jobs; s++) {
			int64_t first, count;
			char from[96];
			shard_range(&pt->req, (int64_t)s, (int64_t)pt->n_jobs, &first, &count);
			snprintf(from, sizeof from, "the answer for shard %zu of %zu", s, pt->n_jobs);
			if (merge_shard(&pt->req, first, count, jobs[pt->first_job + s].answer, &merged,
					from) < 0)
				exit(1);
		}
		pt->answer = need(req_render_tally(&pt->req, &merged));
		sim_tally_release(&merged);
	}
	for (size_t k = 0; k < n_jobs; k++) {
		free((char *)jobs[k].path);
		cJSON_free(jobs[k].body);
		cJSON_Delete(jobs[k].answer);
	}
	free(jobs);
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
		run_points(r, &one, 1);
		file = need(cJSON_CreateObject());
		need(cJSON_AddStringToObject(file, "fanout_shard", req_op_name(r->op)));
		need(cJSON_AddNumberToObject(file, "index", r->shard_index));
		need(cJSON_AddNumberToObject(file, "count", r->shard_count));
		cJSON_AddItemToObject(file, "request", need(cJSON_Duplicate(fields, 1)));
		cJSON_AddItemToObject(file, "answer", one.answer);
	}
	cJSON_Delete(part);
	text = need(cJSON_PrintUnformatted(file));
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
		die("merge: name the shard files to merge");
	write_to(output);
	for (int i = 0; i < n; i++) {
		const cJSON *c = cJSON_GetObjectItemCaseSensitive(files[i], "count");
		char *req = need(cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(files[i], "request")));
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

/* fanout sweep OP …: every combination of the fields' lists, one row each. */
static int cmd_sweep(struct run *r)
{
	struct axis *axes = need(calloc(req_field_count() + 1, sizeof *axes));
	size_t n_axes = 0, n_points = 1, *at;
	struct point *pts;
	char **columns = NULL;
	size_t n_columns = 0, columns_cap = 0;
	int csv = strcmp(r->format, "csv") == 0;

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
	run_points(r, pts, n_points);
	for (size_t a = 0; a < n_axes; a++)
		if (axes[a].count > 1) {
			struct req_field_info f;
			req_field_info(axes[a].field, &f);
			if (FO_GROW(columns, n_columns + 1, columns_cap) < 0)
				die("out of memory");
			columns[n_columns++] = (char *)f.name;
		}
	if (csv) {
		/* Columns: the swept fields, then every answer key any point has, in first-seen order. */
		struct row *rows = need(calloc(n_points, sizeof *rows));
		char **keys = NULL;
		size_t n_keys = 0, keys_cap = 0;
		for (size_t p = 0; p < n_points; p++) {
			rows[p] = (struct row){ .prefix = "answer.", .taken = columns, .n_taken = n_columns };
			flatten(pts[p].answer, "", row_add, &rows[p]);
			for (size_t i = 0; i < rows[p].n; i++) {
				size_t k = 0;
				while (k < n_keys && strcmp(keys[k], rows[p].keys[i]) != 0)
					k++;
				if (k == n_keys) {
					if (FO_GROW(keys, n_keys + 1, keys_cap) < 0)
						die("out of memory");
					keys[n_keys++] = rows[p].keys[i];
				}
			}
		}
		for (size_t c = 0; c < n_columns; c++)
			csv_cell(stdout, columns[c], c == 0);
		for (size_t k = 0; k < n_keys; k++)
			csv_cell(stdout, keys[k], n_columns == 0 && k == 0);
		putchar('\n');
		for (size_t p = 0; p < n_points; p++) {
			for (size_t c = 0; c < n_columns; c++) {
				char *t = scalar_text(cJSON_GetObjectItemCaseSensitive(pts[p].fields, columns[c]), 1);
				csv_cell(stdout, t, c == 0);
				free(t);
			}
			for (size_t k = 0; k < n_keys; k++) {
				const char *v = "";
				for (size_t i = 0; i < rows[p].n; i++)
					if (strcmp(rows[p].keys[i], keys[k]) == 0)
						v = rows[p].values[i];
				csv_cell(stdout, v, n_columns == 0 && k == 0);
			}
			putchar('\n');
		}
		for (size_t p = 0; p < n_points; p++)
			row_free(&rows[p]);
		free(rows);
		free(keys);
	}
	for (size_t p = 0; p < n_points; p++) {
		if (!csv) {
			cJSON *line = need(cJSON_CreateObject());
			char *text;
			cJSON_AddItemToObject(line, "request", pts[p].fields);
			cJSON_AddItemToObject(line, "answer", pts[p].answer);
			text = need(cJSON_PrintUnformatted(line));
			puts(text);
			cJSON_free(text);
			pts[p].fields = pts[p].answer = NULL;
			cJSON_Delete(line);
		}
		cJSON_Delete(pts[p].fields);
		cJSON_Delete(pts[p].answer);
	}
	for (size_t a = 0; a < n_axes; a++) {
		for (size_t v = 0; v < axes[a].count; v++)
			free(axes[a].values[v]);
		free(axes[a].values);
	}
	free(axes);
	free(at);
	free(pts);
	free(columns);
	return 0;
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
	r->opts[O_ENDPOINTS] = (struct opt_option){ "endpoints", "FANOUT_ENDPOINTS", NULL };
	r->opts[O_SHARD_TRIALS] = (struct opt_option){ "shard-trials", NULL, NULL };
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
	    (r->opts[O_SHARD_TRIALS].value &&
	     opt_number(r->prog, &r->opts[O_SHARD_TRIALS], 1, FO_MAX_JSON_INT, 1, &shard_trials) < 0))
		exit(2);
	r->lim.work_budget = budget;
	r->lim.sim_threads = opt_threads(threads);
	r->shard_trials = (int64_t)shard_trials;
	r->format = r->opts[O_FORMAT].value;
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
	size_t c = 0;
	while (c < sizeof commands / sizeof commands[0] && strcmp(commands[c].command, cmd) != 0)
		c++;
	if (c == sizeof commands / sizeof commands[0]) {
		char *help = field_help();
		int known = strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0;
		if (!known)
			fprintf(stderr, "fanout: unknown command '%s'\n", cmd);
		fprintf(known ? stdout : stderr, usage, help);
		free(help);
		return known ? 0 : 2;
	}
	r.op = commands[c].op;
	snprintf(prog, sizeof prog, "%s%s", r.sweep ? "sweep " : "", cmd);
	r.prog = prog;
	configure(&r, argc - 1, argv + 1);
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
			run_points(&r, &pt, 1);
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
