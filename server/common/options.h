/*
 * options.h — command-line options with environment-variable twins, shared by
 * fanoutd and fanout-node.
 *
 * Each option is "--name VALUE" or "--name=VALUE"; its environment twin, when
 * set, gives the default and the flag overrides it.  --help and --version are
 * answered here.  Values stay text until the program converts them with
 * opt_number, so every program reports a bad value the same way.
 */
#ifndef FANOUT_OPTIONS_H
#define FANOUT_OPTIONS_H

#include <stddef.h>

#include "strbuf.h"

struct opt_option {
	const char *name;   /* without the leading "--" */
	const char *env;    /* environment twin, or NULL */
	const char *value;  /* in: default; out: what the environment or flag said */
};

/*
 * Fills opts[0..count-1] from the environment, then from argv.  --help prints
 * `usage` to stdout and exits 0; --version prints "prog version" and exits 0.
 * Returns 0, or -1 after printing the problem and `usage` to stderr.
 */
int opt_parse(int argc, char **argv, struct opt_option *opts, int count, const char *prog,
	      const char *version, const char *usage);

/* Usage texts wrap their prose at this many columns. */
#define OPT_USAGE_WIDTH 79

/*
 * Appends a usage text to out: `head`, then `about` with its words filled
 * into lines of at most OPT_USAGE_WIDTH columns (each of its own lines filled
 * apart), then `tail`.  `about` is a printf format taking two strings, made
 * from the tables: the operations ("a, b and c", each after `op_prefix`),
 * then the presets ("a, b, c"), so no usage text lists them by hand.
 * Returns 0, or -1 if allocation failed (out then holds part of the text).
 */
int opt_usage(struct strbuf *out, const char *head, const char *about, const char *op_prefix,
	      const char *tail);

/*
 * Converts opt's value to a number in [lo, hi] (an integer when `integral`).
 * Returns 0, or -1 after printing which option was wrong and why to stderr.
 */
int opt_number(const char *prog, const struct opt_option *opt, double lo, double hi, int integral,
	       double *out);

/*
 * The threads a value of `n` means: n itself, or for 0 the CPUs this process
 * may use (opt_cpus).  Always 1 … FO_SIM_MAX_THREADS.
 */
int opt_threads(double n);

/*
 * The CPUs this process may use: the CPUs in its affinity mask (cpusets,
 * taskset), lowered to the cgroup v2 CPU quota of its own cgroup or any
 * ancestor (cpu.max "QUOTA PERIOD", rounded up), so a container limited to
 * 2 CPUs on a 64-core node gets 2.  At least 1.
 */
int opt_cpus(void);

/*
 * The CPU limit the cpu.max files under cgroup v2 directory `mount` set for
 * the cgroup `path` ("/a/b": a/b/cpu.max, a/cpu.max and cpu.max are read):
 * the smallest ceil(QUOTA / PERIOD), or 0 when none sets one ("max", or no
 * file).
 */
long opt_cgroup_cpu_limit(const char *mount, const char *path);

#endif
