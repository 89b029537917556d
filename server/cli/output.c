/* SPDX-License-Identifier: MIT */
/*
 * output.c — fanout's answers as text: the API's JSON, an aligned table or CSV.
 *
 * An answer is flattened into a row of cells (a.b for nested objects, a_lo and
 * a_hi for intervals, other lists as one cell of JSON); a list of objects
 * (curve, tradeoff's rows) is printed apart as a table or is the CSV itself.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "fanout/grow.h"

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
char *scalar_text(const cJSON *v, int table)
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
void flatten(const cJSON *o, const char *prefix, int lists,
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

void csv_cell(FILE *out, const char *text, int first)
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

void row_put(struct row *r, const char *key, char *value)
{
	if (FO_GROW(r->keys, r->n + 1, r->keys_cap) < 0 || FO_GROW(r->values, r->n + 1, r->values_cap) < 0)
		die("out of memory");
	r->keys[r->n] = need(strdup(key));
	r->values[r->n++] = value;
}

void row_add(void *ctx, const char *key, const cJSON *v)
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
const char *row_get(const struct row *r, const char *key)
{
	for (size_t i = 0; i < r->n; i++)
		if (strcmp(r->keys[i], key) == 0)
			return r->values[i];
	return "";
}

void row_free(struct row *r)
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
void print_answer(const struct run *r, const cJSON *answer)
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
