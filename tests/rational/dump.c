/* SPDX-License-Identifier: MIT */
/*
 * dump.c — runs the exact chain once and prints what it reports, exactly
 * (hexadecimal floating point), for tests/rational/test_rational.py.
 *
 *   dump N K R MODE LOSS F T [X]
 *
 * MODE is push, pull or push_pull; T = 0 means no push window; X is the
 * transmit limit (0 or absent: none).  Prints one
 * JSON object: p_full, p_miss and round_bound per round, node_miss and
 * error_bound, each as the string C's %a gives.
 */
#include <stdio.h>
#include <stdlib.h>

#include "fanout/exact.h"

static void list(const char *name, const double *v, int64_t n)
{
	printf("\"%s\": [", name);
	for (int64_t k = 0; k < n; k++)
		printf("%s\"%a\"", k ? ", " : "", v[k]);
	printf("], ");
}

int main(int argc, char **argv)
{
	struct gossip_params p = { 0 };
	struct chain_result r;
	struct gossip_problem bad;
	enum fo_status st;

	if ((argc != 8 && argc != 9) || gossip_mode_parse(argv[4], &p.mode) < 0) {
		fprintf(stderr, "usage: dump N K R push|pull|push_pull LOSS F T [X]\n");
		return 2;
	}
	p.nodes = atoll(argv[1]);
	p.fanout = atoll(argv[2]);
	p.rounds = atoll(argv[3]);
	p.loss = strtod(argv[5], NULL);
	p.failed = atoll(argv[6]);
	p.forward_rounds = atoll(argv[7]);
	p.transmit_limit = argc == 9 ? atoll(argv[8]) : 0;
	if (gossip_params_check(&p, 1, &bad, 1) > 0) {
		fprintf(stderr, "dump: %s\n", bad.detail);
		return 2;
	}
	st = exact_run(&p, NULL, &r);
	if (st != FO_OK) {
		fprintf(stderr, "dump: exact_run failed (%d)\n", (int)st);
		return 1;
	}
	printf("{");
	list("p_full", r.p_full, p.rounds + 1);
	list("p_miss", r.p_miss, p.rounds + 1);
	list("round_bound", r.round_bound, p.rounds + 1);
	list("miss_bound", r.miss_bound, p.rounds + 1);
	list("full_bound", r.full_bound, p.rounds + 1);
	printf("\"node_miss\": \"%a\", \"error_bound\": \"%a\"}\n", r.node_miss, r.error_bound);
	chain_result_release(&r);
	return 0;
}
