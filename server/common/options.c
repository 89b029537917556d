/*
 * options.c — see options.h.
 */
#define _GNU_SOURCE /* sched_getaffinity and the CPU_ macros */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fanout/preset.h"
#include "options.h"
#include "request.h"
#include "settings.h"
#include "strbuf.h"

static struct opt_option *find(struct opt_option *opts, int count, const char *name, size_t len)
{
	for (int i = 0; i < count; i++)
		if (strlen(opts[i].name) == len && strncmp(opts[i].name, name, len) == 0)
			return &opts[i];
	return NULL;
}

int opt_parse(int argc, char **argv, struct opt_option *opts, int count, const char *prog,
	      const char *version, const char *usage)
{
	for (int i = 0; i < count; i++) {
		const char *env = opts[i].env ? getenv(opts[i].env) : NULL;
		if (env)
			opts[i].value = env;
	}
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i], *eq;
		struct opt_option *opt;

		if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
			fputs(usage, stdout);
			exit(0);
		}
		if (strcmp(arg, "--version") == 0) {
			printf("%s %s\n", prog, version);
			exit(0);
		}
		eq = strchr(arg, '=');
		opt = strncmp(arg, "--", 2) == 0
			? find(opts, count, arg + 2, eq ? (size_t)(eq - arg - 2) : strlen(arg + 2)) : NULL;
		if (!opt) {
			fprintf(stderr, "%s: unknown option '%s'\n%s", prog, arg, usage);
			return -1;
		}
		if (eq) {
			opt->value = eq + 1;
		} else if (i + 1 < argc) {
			opt->value = argv[++i];
		} else {
			fprintf(stderr, "%s: option '--%s' needs a value\n%s", prog, opt->name, usage);
			return -1;
		}
	}
	return 0;
}

/* Appends name(0) … name(count − 1), each after prefix, joined by ", " and before the last by `last`. */
static void add_names(struct strbuf *out, const char *prefix, const char *(*name)(int), int count,
		      const char *last)
{
	for (int i = 0; i < count; i++)
		strbuf_addf(out, "%s%s%s", i == 0 ? "" : i == count - 1 ? last : ", ", prefix, name(i));
}

static const char *op_name(int i)
{
	return req_op_name((enum req_op)i);
}

static const char *preset_name(int i)
{
	return gossip_preset(i)->name;
}

/* Appends text, the words of each of its lines filled into lines of OPT_USAGE_WIDTH columns. */
static void add_filled(struct strbuf *out, const char *text)
{
	size_t col = 0;

	while (*text) {
		size_t len = strcspn(text, " \n");
		if (col > 0 && col + 1 + len > OPT_USAGE_WIDTH) {
			strbuf_addstr(out, "\n");
			col = 0;
		} else if (col > 0) {
			strbuf_addstr(out, " ");
			col++;
		}
		strbuf_add(out, text, len);
		col += len;
		text += len;
		if (*text == '\n') {
			strbuf_addstr(out, "\n");
			col = 0;
		}
		if (*text)
			text++;
	}
}

int opt_usage(struct strbuf *out, const char *head, const char *about, const char *op_prefix,
	      const char *tail)
{
	struct strbuf ops = STRBUF_INIT, presets = STRBUF_INIT, text = STRBUF_INIT;
	int failed;

	add_names(&ops, op_prefix, op_name, REQ_OP_COUNT, " and ");
	add_names(&presets, "", preset_name, gossip_preset_count(), ", ");
	strbuf_addf(&text, about, ops.buf, presets.buf);
	strbuf_addstr(out, head);
	add_filled(out, text.buf);
	strbuf_addstr(out, tail);
	failed = ops.failed || presets.failed || text.failed || out->failed;
	strbuf_release(&ops);
	strbuf_release(&presets);
	strbuf_release(&text);
	return failed ? -1 : 0;
}

int opt_number(const char *prog, const struct opt_option *opt, double lo, double hi, int integral,
	       double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(opt->value, &end);
	if (errno || end == opt->value || *end || !(v >= lo && v <= hi) || (integral && v != floor(v))) {
		fprintf(stderr, "%s: '--%s' must be %s from %g to %g, not '%s'\n", prog, opt->name,
			integral ? "an integer" : "a number", lo, hi, opt->value);
		return -1;
	}
	*out = v;
	return 0;
}

/* ceil(QUOTA / PERIOD) of a cpu.max line, or 0 for "max" or an unreadable line. */
static long quota_cpus(const char *line)
{
	long long quota, period;

	if (sscanf(line, "%lld %lld", &quota, &period) != 2 || quota <= 0 || period <= 0)
		return 0;
	return (long)((quota + period - 1) / period);
}

long opt_cgroup_cpu_limit(const char *mount, const char *path)
{
	char dir[PATH_MAX], file[PATH_MAX + 16], line[64];
	long limit = 0;

	if (snprintf(dir, sizeof dir, "%s%s", mount, path) >= (int)sizeof dir)
		return 0;
	for (;;) {
		FILE *f;
		char *slash;
		long cpus = 0;

		snprintf(file, sizeof file, "%s/cpu.max", dir);
		f = fopen(file, "r");
		if (f) {
			if (fgets(line, sizeof line, f))
				cpus = quota_cpus(line);
			fclose(f);
		}
		if (cpus > 0 && (limit == 0 || cpus < limit))
			limit = cpus;
		/* Up one level, but not above the mount point. */
		slash = strrchr(dir, '/');
		if (!slash || (size_t)(slash - dir) < strlen(mount))
			break;
		*slash = '\0';
	}
	return limit;
}

/*
 * The cgroup v2 hierarchy's mount point (from /proc/self/mountinfo) and this
 * process's cgroup in it (from /proc/self/cgroup's "0::" line).  0, or -1 on
 * a system without cgroup v2.
 */
static int own_cgroup(char *mount, size_t mount_size, char *path, size_t path_size)
{
	char line[4096], root[PATH_MAX] = "", mnt[PATH_MAX] = "";
	FILE *f = fopen("/proc/self/mountinfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof line, f)) {
		const char *sep = strstr(line, " - cgroup2 ");
		if (sep && sscanf(line, "%*s %*s %*s %4095s %4095s", root, mnt) == 2)
			break;
		mnt[0] = '\0';
	}
	fclose(f);
	f = fopen("/proc/self/cgroup", "r");
	if (!mnt[0] || !f) {
		if (f)
			fclose(f);
		return -1;
	}
	path[0] = '\0';
	while (fgets(line, sizeof line, f))
		if (strncmp(line, "0::", 3) == 0) {
			line[strcspn(line, "\n")] = '\0';
			snprintf(path, path_size, "%s", line + 3);
		}
	fclose(f);
	/* A bind mount of a subtree: the cgroup path is given from the hierarchy's root. */
	if (strcmp(root, "/") != 0 && strncmp(path, root, strlen(root)) == 0)
		memmove(path, path + strlen(root), strlen(path + strlen(root)) + 1);
	if (strcmp(path, "/") == 0)
		path[0] = '\0';
	snprintf(mount, mount_size, "%s", mnt);
	return path[0] == '\0' || path[0] == '/' ? 0 : -1;
}

int opt_cpus(void)
{
	char mount[PATH_MAX], path[PATH_MAX];
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);

	/* The affinity mask, in sets large enough for the machine's CPUs. */
	for (int size = 1024; size <= 1 << 16; size *= 2) {
		cpu_set_t *set = CPU_ALLOC(size);
		int got;

		if (!set)
			break;
		got = sched_getaffinity(0, CPU_ALLOC_SIZE(size), set);
		if (got == 0)
			cpus = CPU_COUNT_S(CPU_ALLOC_SIZE(size), set);
		CPU_FREE(set);
		if (got == 0 || errno != EINVAL)
			break;
	}
	if (own_cgroup(mount, sizeof mount, path, sizeof path) == 0) {
		long limit = opt_cgroup_cpu_limit(mount, path);
		if (limit > 0 && limit < cpus)
			cpus = limit;
	}
	return cpus < 1 ? 1 : cpus > INT_MAX ? INT_MAX : (int)cpus;
}

int opt_threads(double n)
{
	long cpus = n > 0 ? (long)n : opt_cpus();

	return cpus < 1 ? 1 : cpus > FO_SIM_MAX_THREADS ? FO_SIM_MAX_THREADS : (int)cpus;
}
