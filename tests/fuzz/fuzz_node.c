/* SPDX-License-Identifier: MIT */
/*
 * fuzz_node.c — any bytes as fanout-node's standard input: node.c's own
 * read loop and line handler (built with -DFUZZING, which drops its main),
 * replies written to /dev/null.  The node keeps its state (its name after an
 * init) from one input to the next, as a running node would.  Each input
 * waits for the work it queued, so queued jobs cannot pile up across inputs.
 */
#define FUZZING 1
#include "../../server/node/node.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct node fuzz_node;
static char *line_buf;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	FILE *in;

	if (!line_buf) {
		fuzz_node.limits.work_budget = 2e6;
		fuzz_node.limits.sim_threads = 1;
		fuzz_node.timeout = 10;
		line_buf = malloc(FO_NODE_MAX_LINE);
		if (!line_buf || node_open(&fuzz_node, fopen("/dev/null", "w"), 1) < 0)
			abort();
	}
	if (size == 0)
		return 0;
	in = fmemopen((void *)data, size, "r");
	if (!in)
		return 0;
	read_loop(&fuzz_node, line_buf, in);
	fclose(in);
	while (workpool_load(fuzz_node.pool) > 0) {
		const struct timespec tick = { 0, 100 * 1000 };
		nanosleep(&tick, NULL);
	}
	return 0;
}
