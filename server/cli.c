/*
 * cli.c — see cli.h.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "fanout/config.h"

static struct cli_option *find(struct cli_option *opts, int count, const char *name, size_t len)
{
	for (int i = 0; i < count; i++)
		if (strlen(opts[i].name) == len && strncmp(opts[i].name, name, len) == 0)
			return &opts[i];
	return NULL;
}

int cli_parse(int argc, char **argv, struct cli_option *opts, int count, const char *prog,
	      const char *version, const char *usage)
{
	for (int i = 0; i < count; i++) {
		const char *env = opts[i].env ? getenv(opts[i].env) : NULL;
		if (env)
			opts[i].value = env;
	}
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i], *eq;
		struct cli_option *opt;

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

int cli_number(const char *prog, const struct cli_option *opt, double lo, double hi, int integral,
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

int cli_threads(double n)
{
	long cpus = n > 0 ? (long)n : sysconf(_SC_NPROCESSORS_ONLN);

	return cpus < 1 ? 1 : cpus > FO_SIM_MAX_THREADS ? FO_SIM_MAX_THREADS : (int)cpus;
}
