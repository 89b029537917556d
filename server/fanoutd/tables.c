/* SPDX-License-Identifier: MIT */
/*
 * tables.c — a build-time tool: what the tables hold, for the files that
 * cannot include them.
 *
 *   tables page < page.html > page.html   the page, with a line holding
 *                                         PRESET_OPTIONS replaced by one
 *                                         <option> per preset (core/preset.c)
 *   tables json                           operations, modes, models and
 *                                         presets as JSON, for the check of
 *                                         openapi.yaml (tests/lint/tables.py)
 *                                         and its enums and the man pages'
 *                                         lists (tests/lint/blocks.py)
 *
 * So the page's preset select follows the presets' table, and a test notices
 * when openapi.yaml's enums do not.  Exits 0, or 1 on bad usage or output.
 */
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "fanout/calc.h"
#include "fanout/model.h"
#include "fanout/preset.h"
#include "request.h"

/* s with &, < and > escaped, for an HTML text node or attribute. */
static void put_html(const char *s)
{
	for (; *s; s++) {
		if (*s == '&')
			fputs("&amp;", stdout);
		else if (*s == '<')
			fputs("&lt;", stdout);
		else if (*s == '>')
			fputs("&gt;", stdout);
		else if (*s == '"')
			fputs("&quot;", stdout);
		else
			putchar(*s);
	}
}

/* Copies stdin to stdout, the marker's line becoming the preset options at its indentation. */
static int page(void)
{
	char line[4096];

	while (fgets(line, sizeof line, stdin)) {
		if (!strstr(line, "PRESET_OPTIONS")) {
			fputs(line, stdout);
			continue;
		}
		for (int i = 0; i < gossip_preset_count(); i++) {
			const struct gossip_preset *p = gossip_preset(i);
			printf("%.*s<option value=\"", (int)strspn(line, " \t"), line);
			put_html(p->name);
			fputs("\">", stdout);
			put_html(p->label);
			fputs("</option>\n", stdout);
		}
	}
	return 0;
}

static int json(void)
{
	cJSON *o = cJSON_CreateObject(), *a;
	char *text;

	a = cJSON_AddArrayToObject(o, "operations");
	for (int i = 0; i < REQ_OP_COUNT; i++)
		cJSON_AddItemToArray(a, cJSON_CreateString(req_op_name((enum req_op)i)));
	a = cJSON_AddArrayToObject(o, "modes");
	for (int i = 0; i < GOSSIP_MODE_COUNT; i++)
		cJSON_AddItemToArray(a, cJSON_CreateString(gossip_mode_name((enum gossip_mode)i)));
	a = cJSON_AddArrayToObject(o, "models");
	for (int i = 0; i < CALC_MODEL_COUNT; i++)
		cJSON_AddItemToArray(a, cJSON_CreateString(calc_model_name((enum calc_model)i)));
	a = cJSON_AddArrayToObject(o, "presets");
	for (int i = 0; i < gossip_preset_count(); i++)
		cJSON_AddItemToArray(a, cJSON_CreateString(gossip_preset(i)->name));
	text = cJSON_Print(o);
	cJSON_Delete(o);
	if (!text)
		return 1;
	puts(text);
	cJSON_free(text);
	return 0;
}

int main(int argc, char **argv)
{
	int rc;

	if (argc == 2 && strcmp(argv[1], "page") == 0)
		rc = page();
	else if (argc == 2 && strcmp(argv[1], "json") == 0)
		rc = json();
	else {
		fputs("usage: tables page < page.html | tables json\n", stderr);
		return 1;
	}
	return rc || fflush(stdout) != 0 || ferror(stdout) ? 1 : 0;
}
