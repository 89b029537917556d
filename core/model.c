/*
 * model.c — small facts about the model's parameters shared by every
 * calculator and simulator (live nodes, the push window, monotonicity).
 */
#include <stdlib.h>
#include <string.h>

#include "fanout/config.h"
#include "fanout/model.h"

static const char *const mode_names[] = {
	[GOSSIP_PUSH] = "push",
	[GOSSIP_PULL] = "pull",
	[GOSSIP_PUSH_PULL] = "push_pull",
};

void chain_result_release(struct chain_result *r)
{
	free(r->p_full);
	free(r->mean_informed);
	free(r->final_informed);
	free(r->p_miss);
	free(r->round_bound);
	r->p_miss = NULL;
	r->round_bound = NULL;
	r->p_full = NULL;
	r->mean_informed = NULL;
	r->final_informed = NULL;
}

int64_t gossip_live(const struct gossip_params *p)
{
	return p->nodes - p->failed;
}

int64_t gossip_window(const struct gossip_params *p)
{
	/* The origin, informed in round 0, pushes in rounds 1..T: T >= R is no limit. */
	if (!gossip_pushes(p->mode) || p->forward_rounds <= 0 || p->forward_rounds >= p->rounds)
		return 0;
	return p->forward_rounds;
}

int gossip_fanout_monotone(const struct gossip_params *p)
{
	return gossip_window(p) == 0;
}

const char *gossip_params_invalid(const struct gossip_params *p, int check_fanout)
{
	if (p->nodes < 1)
		return "nodes";
	if (check_fanout && (p->fanout < 0 || p->fanout > p->nodes - 1))
		return "fanout";
	if (p->rounds < 1 || p->rounds > FO_MAX_ROUNDS)
		return "rounds";
	if ((unsigned)p->mode > GOSSIP_PUSH_PULL)
		return "mode";
	if (!(p->loss >= 0 && p->loss < 1))
		return "loss";
	if (p->failed < 0 || p->failed > p->nodes - 1)
		return "failed_nodes";
	if (p->forward_rounds < 0)
		return "forward_rounds";
	return NULL;
}

const char *gossip_mode_name(enum gossip_mode m)
{
	return mode_names[m];
}

int gossip_mode_parse(const char *name, enum gossip_mode *out)
{
	for (size_t i = 0; i < sizeof mode_names / sizeof mode_names[0]; i++) {
		if (strcmp(name, mode_names[i]) == 0) {
			*out = (enum gossip_mode)i;
			return 0;
		}
	}
	return -1;
}
