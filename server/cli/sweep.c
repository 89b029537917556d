/* SPDX-License-Identifier: MIT */
/*
 * sweep.c — `fanout sweep`: every combination of the fields' lists and ranges.
 *
 * The grid is an odometer over the flags (the last turns fastest); its points
 * run through points.c, and each row is written and flushed in order as soon
 * as it and every row before it are done: CSV (columns for the fields with
 * several values, then the answer's members flattened) or JSON lines.
 * --resume FILE checks the rows FILE holds against the grid and goes on.
 */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "fanout/grow.h"

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
int cmd_sweep(struct run *r)
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
