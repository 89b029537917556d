/*
 * test_options.c — the CPU count under cgroup v2 quotas, on a made-up hierarchy
 * in a temporary directory (the machine's own may have no cgroup v2 quota);
 * usage texts made from the tables.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fanout/config.h"
#include "fanout/preset.h"
#include "options.h"
#include "request.h"
#include "suites.h"

/* Writes `text` to root/rel/cpu.max (creating the directories), or removes it for NULL. */
static void put_cpu_max(const char *root, const char *rel, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof path, "%s%s", root, rel);
	for (char *s = path + strlen(root) + 1; (s = strchr(s, '/')); s++) {
		*s = '\0';
		mkdir(path, 0700);
		*s = '/';
	}
	mkdir(path, 0700);
	strncat(path, "/cpu.max", sizeof path - strlen(path) - 1);
	if (!text) {
		remove(path);
		return;
	}
	f = fopen(path, "w");
	ck_assert_msg(f != NULL, "cannot write %s", path);
	fputs(text, f);
	fclose(f);
}

static const struct {
	const char *root_max, *a_max, *ab_max; /* NULL: no file */
	long want;
} quotas[] = {
	{ NULL, NULL, NULL, 0 },
	{ NULL, NULL, "max 100000\n", 0 },
	{ NULL, NULL, "200000 100000\n", 2 },
	{ NULL, NULL, "150000 100000\n", 2 },        /* 1.5 CPUs: rounded up */
	{ NULL, NULL, "50000 100000\n", 1 },
	{ NULL, "300000 100000\n", "max 100000\n", 3 }, /* the parent's limit holds */
	{ "100000 100000\n", "400000 100000\n", "800000 100000\n", 1 },
	{ NULL, "400000 100000\n", "200000 50000\n", 4 },
	{ NULL, NULL, "garbage\n", 0 },
};

START_TEST(test_cgroup_cpu_limit)
{
	char root[] = "/tmp/fanout-cgroup-XXXXXX";
	long got;

	ck_assert_ptr_nonnull(mkdtemp(root));
	put_cpu_max(root, "", quotas[_i].root_max);
	put_cpu_max(root, "/a", quotas[_i].a_max);
	put_cpu_max(root, "/a/b", quotas[_i].ab_max);
	got = opt_cgroup_cpu_limit(root, "/a/b");
	put_cpu_max(root, "/a/b", NULL);
	put_cpu_max(root, "/a", NULL);
	put_cpu_max(root, "", NULL);
	for (int level = 2; level >= 0; level--) {
		char dir[600];
		snprintf(dir, sizeof dir, "%s%s", root, level == 2 ? "/a/b" : level == 1 ? "/a" : "");
		rmdir(dir);
	}
	ck_assert_msg(got == quotas[_i].want, "case %d: want %ld CPUs, got %ld", _i, quotas[_i].want,
		      got);
}
END_TEST

START_TEST(test_threads_bounds)
{
	ck_assert_int_eq(opt_threads(3), 3);
	ck_assert_int_eq(opt_threads(1000), FO_SIM_MAX_THREADS);
	ck_assert_int_ge(opt_threads(0), 1);
	ck_assert_int_le(opt_threads(0), opt_cpus());
	ck_assert_int_ge(opt_cpus(), 1);
	ck_assert_int_le(opt_cpus(), (int)sysconf(_SC_NPROCESSORS_ONLN));
}
END_TEST

/* Every preset and operation named, the prose filled to its width, head and tail kept as they are. */
START_TEST(test_usage_lists_tables)
{
	struct strbuf usage = STRBUF_INIT;
	const char *text, *line;

	ck_assert_int_eq(opt_usage(&usage, "usage: x\n\n",
				   "answering %s, with presets %s, and here is a sentence long enough to need a "
				   "second line.\nA short one.\n", "/",
				   "\n  --flag   a flag whose line is longer than seventy-nine columns, kept whole\n"), 0);
	text = usage.buf;
	const char *start = "usage: x\n\nanswering /calc_fanout, /simulate_gossip and /tradeoff, with";

	ck_assert_msg(strncmp(text, start, strlen(start)) == 0, "want a start of \"%s\", got: %s", start, text);
	for (int i = 0; i < gossip_preset_count(); i++)
		ck_assert_msg(strstr(text, gossip_preset(i)->name), "preset '%s' missing from: %s",
			      gossip_preset(i)->name, text);
	for (int i = 0; i < REQ_OP_COUNT; i++)
		ck_assert_msg(strstr(text, req_op_name((enum req_op)i)), "operation missing from: %s", text);
	ck_assert_msg(strstr(text, ".\nA short one.\n\n  --flag   a flag whose line is longer than seventy-nine "
			      "columns, kept whole\n"), "got: %s", text);
	for (line = text; *line; ) {
		size_t len = strcspn(line, "\n");
		if (strncmp(line, "  --flag", 8) != 0)
			ck_assert_msg(len <= OPT_USAGE_WIDTH, "line of %zu columns: %.*s", len, (int)len, line);
		line += len + (line[len] == '\n');
	}
	strbuf_release(&usage);
}
END_TEST

/* The cases, one a row: CK_RUN_CASE picks one by its name without "test_". */
static const struct unit_case suite_cases[] = {
	UNIT_LOOP(test_cgroup_cpu_limit, UNIT_COUNT(quotas)),
	UNIT_TEST(test_threads_bounds),
	UNIT_TEST(test_usage_lists_tables),
};

Suite *opt_suite(void)
{
	return unit_suite("options", suite_cases, UNIT_COUNT(suite_cases), 0);
}
