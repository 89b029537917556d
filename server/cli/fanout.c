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
 *
 * This file holds main, the usage text and the flags; the points of a run
 * and their shards are points.c's, sweeps sweep.c's, the writers output.c's
 * (cli.h says what each offers).
 */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "cli.h"
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
	"                       more the exact K search runs two K at once and\n"
	"                       splits a wide push_pull round of a chain in two\n"
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


static void say(const char *fmt, va_list ap)
{
	fputs("fanout: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

/* A failure: says why and exits 1. */
void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	say(fmt, ap);
	va_end(ap);
	exit(1);
}

/* A flag the user got wrong: says why and exits 2. */
void bad_flag(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	say(fmt, ap);
	va_end(ap);
	exit(2);
}

void *need(void *p)
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

void print_usage(void)
{
	char *help = field_help();

	printf(usage, help);
	free(help);
}

/* The JSON value of flag text for field f; exits with a message if it is not one. */
cJSON *field_value(const struct run *r, const struct req_field_info *f, const char *flag,
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

/* ---- one request: parsed, or refused with the flags named ----------------- */

/* Prints every problem of a rejected request, naming flags, and exits 2. */
void reject(const struct run *r, const struct req_error *err)
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
void parse(const struct run *r, const cJSON *fields, struct request *req)
{
	struct req_error err;

	if (req_parse(r->op, fields, req, &err) != REQ_OK)
		reject(r, &err);
}

/* Set by SIGINT or SIGTERM (the signal's number): the work in hand is cancelled. */
atomic_int stop_signal;

static void on_stop(int sig)
{
	atomic_store(&stop_signal, sig);
}

/* ---- the flags' request, files in and out ----------------------------------- */

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

/* --output FILE: stdout goes to FILE (created or truncated); NULL keeps stdout. */
void write_to(const char *path)
{
	if (path && !freopen(path, "w", stdout))
		die("cannot write '%s': %s", path, strerror(errno));
}

/* Reads a whole file; NULL if it cannot. */
char *slurp(const char *path, size_t *len)
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

/* ---- the command ------------------------------------------------------------ */

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
			print_usage();
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
