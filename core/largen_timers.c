/*
 * largen_timers.c — the large-N method under independent timers (see
 * largen_timers.h for the phases and the interval).
 *
 * Time is in units of Δ, cut into S slots; slot t covers [t/S, (t+1)/S).  A
 * node's gossip ticks fall in the slots t = g (mod S), its probe ticks in
 * t = j (mod P), P the probe period in slots.  Within a slot the order is:
 * gossip ticks, probe ticks of informed nodes, probes of uninformed nodes,
 * pulls.  A node informed during a slot whose own tick falls in that same slot
 * ticks in it with probability 1/2 (its tick and the arrival are both uniform
 * in the slot), so a node waits on average Δ/2 for its first tick as in
 * continuous time.  The last slot may be partial (weight w < 1: each tick in
 * it falls before H with probability w).
 *
 * Budget of an informed node ("sends left" s, 1 … B, 0 = done): transmit
 * limit X: B = X, a gossip tick sends min(K, s) and a ping or ack carrying the
 * message one; forward_rounds T: B = T ticks, probes free; neither: B = 1,
 * never spent.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "costs.h"
#include "fanout/config.h"
#include "fanout/largen_timers.h"
#include "fanout/rng.h"
#include "fanout/sample.h"
#include "fanout/sim.h"


/* One sample in this many also runs the late phase from M / FO_LARGEN_CHECK_RATIO (the gap is paired). */
#define LT_CHECK_EVERY 4

/* Classes of more uninformed nodes than this are dealt by a normal approximation (see deal). */
#define LT_DEAL_EXACT 1000.0

/* The late phase stops once what is left could inform fewer nodes than this in expectation (see settled). */
#define LT_SETTLED 1e-15

/* Pulls of one slot are drawn in this many batches (see early_slot). */
#define LT_PULL_BATCHES 8

enum budget_kind { BUDGET_NONE, BUDGET_SENDS, BUDGET_TICKS };
/*
 * How a node learnt: a push or a ping (both its classes drawn), its own pull
 * (its gossip slot is now; the caller took it out of cg), the ack to its own
 * ping (its probe slot is now; the caller took it out of cp), or the origin.
 */
enum via { VIA_SEND, VIA_PULL, VIA_ACK, VIA_ORIGIN };

struct node {
	int32_t left;          /* budget left; 0: no longer sends */
	int32_t apos;          /* index in the active list, or -1 */
	int64_t first_g;       /* earliest slot its gossip tick counts in */
	int64_t first_p;       /* the same for its probe tick */
	int32_t g, j;          /* gossip slot (mod S), probe slot (mod P) */
};

struct ivec {
	int32_t *v;
	int32_t n, cap;
};

struct lt {
	/* parameters */
	int64_t nodes, live, failed, k;
	double keep;            /* 1 - loss */
	int push, pull;
	int ticking;            /* informed nodes' gossip ticks matter: they push, or count down T */
	enum budget_kind kind;
	int32_t budget;         /* B */
	int slots;              /* S */
	int32_t pp;             /* probe period in slots; 0: no probes */
	int64_t nslots;         /* slots 0 … nslots - 1 ... */
	double wlast;           /* ... the last with this weight */
	int64_t m, mc;          /* switch thresholds M and M / CHECK_RATIO */
	/* early state */
	struct node *node;
	int32_t count, cap;
	struct ivec *gb, *pb;   /* gossip buckets by slot g, probe buckets by slot j */
	struct ivec act;        /* nodes with budget left */
	int64_t *cg, *cp;       /* uninformed live nodes by gossip slot (S) and by probe slot (P) */
	int64_t cg_max, cp_max; /* bounds on their entries (they only fall) */
	struct rng rng;
	int gossip_open, probe_open;
	/* late phase scratch */
	double final_informed;  /* the late phase's informed count at the horizon (or where it settled) */
	double *mass;           /* S x (B + 1) */
	double *log_keep;       /* B + 1: log(1 - sends(s) (1 - loss) / (N - 1)), one sender's miss of a node */
	double *alpha, *beta;   /* S and P factors of the uninformed */
	double *curve;          /* NULL or per whole Δ: miss at r Δ of this sample */
	double *curve_f;        /* NULL or per whole Δ: its full (1 - miss, formed apart) */
	double *curve_c;        /* with curve_f: the check's miss at r Δ (late phase from M / CHECK_RATIO) */
	double *curve_i;        /* NULL or per point: the informed live nodes (largen_timers_curve) */
	int64_t curve_n;
	int64_t cstep;          /* slots per curve point: S (whole Δ), or S / 4 (largen_timers_curve) */
};

static void ivec_push(struct ivec *v, int32_t x, int *fail)
{
	if (v->n == v->cap) {
		int32_t cap = v->cap ? 2 * v->cap : 16;
		int32_t *n = realloc(v->v, (size_t)cap * sizeof *n);
		if (!n) {
			*fail = 1;
			return;
		}
		v->v = n;
		v->cap = cap;
	}
	v->v[v->n++] = x;
}

static int64_t imin(int64_t a, int64_t b)
{
	return a < b ? a : b;
}

/* Sends one gossip tick makes from budget s. */
static int64_t tick_sends(const struct lt *e, int32_t s)
{
	return e->kind == BUDGET_SENDS ? imin(e->k, s) : e->k;
}

static void deactivate(struct lt *e, int32_t v)
{
	struct node *n = &e->node[v];
	int32_t last;

	if (n->apos < 0)
		return;
	last = e->act.v[--e->act.n];
	e->act.v[n->apos] = last;
	e->node[last].apos = n->apos;
	n->apos = -1;
}

/* One send of v's budget (a ping or an ack carrying the message). */
static void spend_one(struct lt *e, int32_t v)
{
	if (e->kind == BUDGET_SENDS && --e->node[v].left == 0)
		deactivate(e, v);
}

/* The slot in the same class mod `per` as `cls` that comes first at or after t (t itself when open and by a coin). */
static int64_t first_slot(struct lt *e, int64_t t, int32_t cls, int32_t per, int open)
{
	int32_t now = (int32_t)(t % per);

	if (cls == now)
		return open && (rng_next(&e->rng) >> 63) ? t : t + per;
	return t;
}

/*
 * An uninformed node's class (its gossip or probe slot), drawn in proportion
 * to the uninformed counts c[0 … n-1] (total `total` > 0, entries at most
 * max), and taken out of it.  Nodes that ticked without learning stay in their
 * class, so the classes whose tick comes next hold more of the uninformed: a
 * pull or a probe sees them, not a uniform share.
 */
static int32_t take_class(struct lt *e, int64_t *c, int32_t n, int64_t total, int64_t max)
{
	int32_t k;

	if (total * 4 >= max * n) {
		for (;;) {
			k = (int32_t)rng_below(&e->rng, (uint64_t)n);
			if ((int64_t)rng_below(&e->rng, (uint64_t)max) < c[k])
				break;
		}
	} else {
		int64_t u = (int64_t)rng_below(&e->rng, (uint64_t)total);
		for (k = 0; u >= c[k]; k++)
			u -= c[k];
	}
	c[k]--;
	return k;
}

/* A new informed node at slot t; -1 when memory runs out. */
static int32_t inform(struct lt *e, int64_t t, enum via via)
{
	struct node *n;
	int32_t v;
	int64_t uninformed;
	int fail = 0;

	if (e->count == e->cap) {
		int32_t cap = e->cap ? 2 * e->cap : 1024;
		struct node *nn = realloc(e->node, (size_t)cap * sizeof *nn);
		if (!nn)
			return -1;
		e->node = nn;
		e->cap = cap;
	}
	/* The uninformed before this one, it included: its classes are drawn from them (the origin's are uniform). */
	uninformed = e->live - e->count;
	v = e->count++;
	n = &e->node[v];
	n->left = e->budget;
	n->apos = -1;
	if (via == VIA_PULL) {
		n->g = (int32_t)(t % e->slots);
		n->first_g = t + e->slots;
	} else {
		n->g = via == VIA_ORIGIN ? (int32_t)rng_below(&e->rng, (uint64_t)e->slots)
			 : take_class(e, e->cg, e->slots, uninformed, e->cg_max);
		n->first_g = via == VIA_ORIGIN ? 0 : first_slot(e, t, n->g, e->slots, e->gossip_open);
	}
	if (e->pp) {
		if (via == VIA_ACK) {
			n->j = (int32_t)(t % e->pp);
			n->first_p = t + e->pp;
		} else {
			n->j = via == VIA_ORIGIN ? (int32_t)rng_below(&e->rng, (uint64_t)e->pp)
				 : take_class(e, e->cp, e->pp, uninformed, e->cp_max);
			n->first_p = via == VIA_ORIGIN ? 0 : first_slot(e, t, n->j, e->pp, e->probe_open);
		}
		ivec_push(&e->pb[n->j], v, &fail);
	}
	if (e->ticking)
		ivec_push(&e->gb[n->g], v, &fail);
	n->apos = e->act.n;
	ivec_push(&e->act, v, &fail);
	return fail ? -1 : v;
}

/* v's gossip tick: K distinct peers among the N - 1 others (none in pull alone: the tick only counts down T). */
static int gossip_tick(struct lt *e, int64_t t, int32_t v)
{
	int64_t sends = e->push ? tick_sends(e, e->node[v].left) : 0;
	/* Peers already picked are out of the draw: informed ones implicitly (the rest of N - 1 - r). */
	int64_t unf_lost = 0, failed_picked = 0;

	for (int64_t r = 0; r < sends; r++) {
		int64_t uninformed = e->live - e->count - unf_lost;
		uint64_t u = rng_below(&e->rng, (uint64_t)(e->nodes - 1 - r));
		if (u < (uint64_t)uninformed) {
			if (e->keep >= 1 || rng_unit(&e->rng) < e->keep) {
				if (inform(e, t, VIA_SEND) < 0)
					return -1;
			} else {
				unf_lost++;
			}
		} else if (u < (uint64_t)(uninformed + e->failed - failed_picked)) {
			failed_picked++;
		}
	}
	if (e->kind == BUDGET_SENDS)
		e->node[v].left -= (int32_t)sends;
	else if (e->kind == BUDGET_TICKS)
		e->node[v].left--;
	if (e->node[v].left <= 0) {
		e->node[v].left = 0;
		deactivate(e, v);
	}
	return 0;
}

/* v's probe tick: one uniform peer, the ping and its ack. */
static int probe_tick(struct lt *e, int64_t t, int32_t v)
{
	int64_t uninformed = e->live - e->count;
	uint64_t u = rng_below(&e->rng, (uint64_t)(e->nodes - 1));
	int carries = e->node[v].left > 0;

	if (carries)
		spend_one(e, v);
	if (u < (uint64_t)uninformed) {
		/* The target did not hold it when the ping came: its ack carries nothing. */
		if (carries && rng_unit(&e->rng) < e->keep && inform(e, t, VIA_SEND) < 0)
			return -1;
	} else if (u >= (uint64_t)(uninformed + e->failed) && e->count > 1) {
		int32_t w = (int32_t)rng_below(&e->rng, (uint64_t)(e->count - 1));
		if (w >= v)
			w++;
		if (e->node[w].left > 0 && rng_unit(&e->rng) < e->keep)
			spend_one(e, w);
	}
	return 0;
}

/* P(an uninformed puller's K distinct peers give it nothing), i informed (binomial approximation). */
static double pull_miss(const struct lt *e, double informed)
{
	double x = e->keep * informed / (double)(e->nodes - 1);

	return x >= 1 ? 0 : exp((double)e->k * log1p(-x));
}

/* One slot of the early phase. */
static int early_slot(struct lt *e, int64_t t, double w)
{
	struct ivec *b;

	e->gossip_open = e->probe_open = 1;
	if (e->ticking) {
		b = &e->gb[t % e->slots];
		for (int32_t i = 0; i < b->n;) {
			int32_t v = b->v[i];
			if (e->node[v].left <= 0) {
				b->v[i] = b->v[--b->n];
				continue;
			}
			if (e->node[v].first_g <= t && (w >= 1 || rng_unit(&e->rng) < w) && gossip_tick(e, t, v) < 0)
				return -1;
			i++;
		}
	}
	e->gossip_open = 0;
	if (e->pp) {
		int64_t hits;
		b = &e->pb[t % e->pp];
		for (int32_t i = 0; i < b->n; i++) {
			int32_t v = b->v[i];
			if (e->node[v].first_p <= t && (w >= 1 || rng_unit(&e->rng) < w) && probe_tick(e, t, v) < 0)
				return -1;
		}
		e->probe_open = 0;
		/* The uninformed whose probe tick this is, and whose ping reaches a node with sends left. */
		int64_t *cls = &e->cp[t % e->pp];
		hits = (int64_t)sample_binomial(&e->rng, (uint64_t)*cls,
						w * e->keep * (double)e->act.n / (double)(e->nodes - 1));
		for (int64_t h = 0; h < hits && e->act.n > 0; h++) {
			int32_t target = e->act.v[rng_below(&e->rng, (uint64_t)e->act.n)];
			spend_one(e, target);
			if (rng_unit(&e->rng) < e->keep) {
				(*cls)--;
				if (inform(e, t, VIA_ACK) < 0)
					return -1;
			}
		}
	}
	e->probe_open = 0;
	if (e->pull) {
		/*
		 * The uninformed whose gossip tick this is ask K peers, in
		 * LT_PULL_BATCHES batches through the slot: those who learn early
		 * in it answer the later ones, as in continuous time (one batch
		 * would grow by (1 + K/S)^S a Δ instead of e^K).
		 */
		int64_t *cls = &e->cg[t % e->slots], pullers = *cls;
		for (int batch = LT_PULL_BATCHES; batch > 0; batch--) {
			int64_t part = pullers / batch;
			int64_t got = (int64_t)sample_binomial(&e->rng, (uint64_t)part,
							       w * (1 - pull_miss(e, (double)e->count)));
			pullers -= part;
			for (int64_t h = 0; h < got; h++) {
				(*cls)--;
				if (inform(e, t, VIA_PULL) < 0)
					return -1;
			}
		}
	}
	return 0;
}

static double slot_weight(const struct lt *e, int64_t t)
{
	return t == e->nslots - 1 ? e->wlast : 1;
}

/* A sample's miss 1 - (1 - q)^U and full (1 - q)^U, each formed apart, for uninf = q U. */
static void from_uninf(double uninf, int64_t u0, double *miss, double *full)
{
	double q = fmin(1, uninf / (double)u0);

	*miss = q >= 1 ? 1 : -expm1((double)u0 * log1p(-q));
	*full = q >= 1 ? 0 : exp((double)u0 * log1p(-q));
}

/*
 * Has the late phase settled?  Either the expected uninformed count is below
 * LT_SETTLED (the miss, 1 - (1 - q)^U <= U q, is then below it and only
 * falls), or, without pulls, the informed mass with sends left is so small
 * that all it may still send (at most B (K + 2 (S + 1)) each: B budgets or
 * ticks, K pushes a tick, a ping and an ack per probe, at most S + 1 probes
 * a tick) informs fewer than LT_SETTLED nodes in expectation.  Stopping
 * there leaves the miss where it is: from above, by at most LT_SETTLED.
 * settled() is the second test; it sums the mass afresh (the running total
 * drifts), so the caller asks it once a Δ.
 */
static int settled(const struct lt *e)
{
	int B1 = e->budget + 1;
	double a = 0;

	if (e->pull || e->kind == BUDGET_NONE)
		return 0;
	for (int h = 0; h < e->slots; h++)
		for (int s = 1; s < B1; s++)
			a += e->mass[h * B1 + s];
	return a * (double)e->budget * (double)(e->k + 2 * (e->slots + 1)) < LT_SETTLED;
}

/*
 * The late phase from the state at the end of slot t0: the miss probability
 * (1 - (1 - q)^U) into *miss, (1 - q)^U into *full, q into *q_out.  With
 * e->curve, the miss at every whole Δ after t0 too.
 */
static void late(struct lt *e, int64_t t0, double *miss, double *full, double *q_out)
{
	int S = e->slots, B1 = e->budget + 1;
	int64_t u0 = e->live - e->count;
	double nm1 = (double)(e->nodes - 1), keep = e->keep;
	double c = 0, a = 0, informed = (double)e->count, sum_a = S, sum_b = e->pp ? e->pp : 1;
	double pend = 0, rho = 0, uninf = (double)u0, last_fresh = 0;
	double *mass = e->mass;

	memset(mass, 0, (size_t)S * (size_t)B1 * sizeof *mass);
	for (int32_t i = 0; i < e->act.n; i++) {
		const struct node *n = &e->node[e->act.v[i]];
		mass[n->g * B1 + n->left] += 1;
	}
	a = e->act.n;
	/* Each class's share of the uninformed, relative to a uniform one. */
	for (int g = 0; g < S; g++)
		e->alpha[g] = u0 > 0 ? (double)e->cg[g] * S / (double)u0 : 1;
	for (int32_t j = 0; j < e->pp; j++)
		e->beta[j] = u0 > 0 ? (double)e->cp[j] * e->pp / (double)u0 : 1;
	if (e->pp && e->kind == BUDGET_SENDS)
		rho = (1 + keep * (double)(e->live - 1) / nm1) / e->pp;
	for (int64_t t = t0 + 1; t < e->nslots && u0 > 0; t++) {
		double w = slot_weight(e, t), logstay = pend, before, after, fresh, pulled = 0;
		int g = (int)(t % S);
		double *col = mass + g * B1;

		pend = 0;
		if (e->ticking) {
			for (int s = 1; s < B1; s++) {
				double n = col[s];
				int64_t k = tick_sends(e, s);
				int to;
				if (n == 0)
					continue;
				if (e->push)
					logstay += w * n * e->log_keep[s];
				to = e->kind == BUDGET_SENDS ? (int)(s - k) : e->kind == BUDGET_TICKS ? s - 1 : s;
				if (to != s) {
					col[s] = 0;
					col[to] += n;
					if (to == 0)
						a -= n;
				}
			}
		}
		if (e->pp)
			logstay += w * a / e->pp * log1p(-keep / nm1);
		before = uninf;
		c += logstay;
		/*
		 * Pulls and the acks to uninformed pingers see the nodes informed
		 * earlier in the slot: about half of its new ones, estimated by the
		 * last slot's.
		 */
		if (e->pull) {
			double old = e->alpha[g];
			e->alpha[g] *= 1 - w * (1 - pull_miss(e, informed + last_fresh / 2));
			sum_a += e->alpha[g] - old;
			pulled = (double)u0 * exp(c) * (sum_b / (e->pp ? e->pp : 1)) * (old - e->alpha[g]) / S;
		}
		if (e->pp) {
			int32_t j = (int32_t)(t % e->pp);
			double old = e->beta[j], x = w * (a + last_fresh / 2) * keep * keep / nm1;
			e->beta[j] *= x >= 1 ? 0 : 1 - x;
			sum_b += e->beta[j] - old;
		}
		after = (double)u0 * exp(c) * (sum_a / S) * (sum_b / (e->pp ? e->pp : 1));
		uninf = after;
		fresh = fmax(0, before - after);
		last_fresh = fresh;
		informed += fresh;
		a += fresh;
		if (e->push || e->pp) {
			double spread = fmax(0, fresh - pulled) / S;
			for (int h = 0; h < S; h++)
				mass[h * B1 + B1 - 1] += spread;
			col[B1 - 1] += pulled;
			if (e->push && spread > 0) {
				/* Half of the share whose tick is this slot ticks in it: its hits count from the next slot. */
				int64_t k = tick_sends(e, B1 - 1);
				double half = spread / 2;
				int to = e->kind == BUDGET_SENDS ? (int)(B1 - 1 - k) : e->kind == BUDGET_TICKS ? B1 - 2 : B1 - 1;
				pend += half * e->log_keep[B1 - 1];
				if (to != B1 - 1) {
					col[B1 - 1] -= half;
					col[to] += half;
					if (to == 0)
						a -= half;
				}
			}
		}
		if (rho > 0) {
			double r = fmin(1, w * rho), stay = 1 - r;
			for (int h = 0; h < S; h++) {
				double *m = mass + h * B1;
				a -= r * m[1];
				m[0] += r * m[1];
				/* A plain multiply-add over the cells (vectorised, see the Makefile). */
				for (int s = 1; s + 1 < B1; s++)
					m[s] = m[s] * stay + r * m[s + 1];
				m[B1 - 1] *= stay;
			}
		}
		if (e->curve && (t + 1) % e->cstep == 0 && (t + 1) / e->cstep < e->curve_n) {
			double m, f;
			from_uninf(uninf, u0, &m, &f);
			e->curve[(t + 1) / e->cstep] = m;
			if (e->curve_f)
				e->curve_f[(t + 1) / e->cstep] = f;
			if (e->curve_i)
				e->curve_i[(t + 1) / e->cstep] = informed;
		}
		if (uninf < LT_SETTLED || ((t + 1) % S == 0 && settled(e))) {
			/* Nothing left can move the miss by LT_SETTLED: it stays (a bound from above) to the horizon. */
			if (e->curve) {
				double m, f;
				from_uninf(uninf, u0, &m, &f);
				for (int64_t r = t / e->cstep + 1; r < e->curve_n; r++) {
					e->curve[r] = m;
					if (e->curve_f)
						e->curve_f[r] = f;
					if (e->curve_i)
						e->curve_i[r] = informed;
				}
			}
			break;
		}
	}
	e->final_informed = informed;
	if (u0 == 0) {
		*miss = 0;
		*full = 1;
		*q_out = 0;
		return;
	}
	*q_out = fmin(1, uninf / (double)u0);
	from_uninf(uninf, u0, miss, full);
}

/* The Chernoff bound's KL divergence of Bernoulli(x) from Bernoulli(m). */
static double kl(double x, double m)
{
	double r = 0;

	if (x > 0)
		r += x * log(x / m);
	if (x < 1)
		r += (1 - x) * log((1 - x) / (1 - m));
	return r;
}

/* The interval [lo, hi] for the mean of n [0, 1] samples with mean x, each side at error delta. */
static void kl_interval(double x, double n, double delta, double out[2])
{
	double level = log(1 / delta) / n, a, b;

	a = x;
	b = 1;
	for (int i = 0; i < 100 && x < 1; i++) {
		double mid = (a + b) / 2;
		if (kl(x, mid) > level)
			b = mid;
		else
			a = mid;
	}
	out[1] = x < 1 ? b : 1;
	a = 0;
	b = x;
	for (int i = 0; i < 100 && x > 0; i++) {
		double mid = (a + b) / 2;
		if (kl(x, mid) > level)
			a = mid;
		else
			b = mid;
	}
	out[0] = x > 0 ? a : 0;
}

/* The seed: a hash of every parameter but the horizon (largen_timers_rows relies on it). */
static uint64_t params_seed(const struct gossip_params *p)
{
	uint64_t h = 0x74696d657273ULL, v[8], d;

	v[0] = (uint64_t)p->nodes;
	v[1] = (uint64_t)p->fanout;
	memcpy(&d, &p->loss, sizeof d);
	v[2] = d;
	v[3] = (uint64_t)p->mode;
	v[4] = (uint64_t)p->failed;
	v[5] = (uint64_t)p->forward_rounds;
	v[6] = (uint64_t)p->transmit_limit;
	memcpy(&d, &p->probe_interval, sizeof d);
	v[7] = d;
	for (int i = 0; i < 8; i++)
		h = rng_mix64(h ^ v[i]);
	return h;
}

static void lt_release(struct lt *e)
{
	if (e->gb)
		for (int g = 0; g < e->slots; g++)
			free(e->gb[g].v);
	if (e->pb)
		for (int32_t j = 0; j < e->pp; j++)
			free(e->pb[j].v);
	free(e->gb);
	free(e->pb);
	free(e->act.v);
	free(e->node);
	free(e->mass);
	free(e->log_keep);
	free(e->alpha);
	free(e->beta);
	free(e->cg);
	free(e->cp);
	free(e->curve);
	free(e->curve_f);
	free(e->curve_c);
	free(e->curve_i);
}

_Static_assert(FO_LT_SLOTS % SIM_BINS_PER_INTERVAL == 0, "largen_timers_curve: a quarter interval is whole slots");

/*
 * Sets up e for p; -1 on a parameter outside what the method follows, -2 on
 * memory.  curve: a curve per whole Δ (rows: with full and check); quarters:
 * instead a curve at the simulation's points (sim_edge), with full, check and
 * informed.
 */
static int lt_init(struct lt *e, const struct gossip_params *p, int curve, int rows, int quarters)
{
	double h = gossip_horizon(p), hs;

	memset(e, 0, sizeof *e);
	e->nodes = p->nodes;
	e->live = gossip_live(p);
	e->failed = p->failed;
	e->k = p->fanout;
	e->keep = 1 - p->loss;
	e->push = gossip_pushes(p->mode);
	e->pull = gossip_pulls(p->mode);
	e->ticking = e->push || p->forward_rounds > 0;
	e->slots = FO_LT_SLOTS;
	if (p->transmit_limit > 0) {
		e->kind = BUDGET_SENDS;
		e->budget = (int32_t)p->transmit_limit;
	} else if (p->forward_rounds > 0) {
		e->kind = BUDGET_TICKS;
		e->budget = (int32_t)p->forward_rounds;
	} else {
		e->kind = BUDGET_NONE;
		e->budget = 1;
	}
	if (p->transmit_limit > FO_LT_MAX_BUDGET || p->forward_rounds > FO_LT_MAX_BUDGET)
		return -1;
	if (p->probe_interval > 0)
		e->pp = (int32_t)fmax(1, lround(p->probe_interval * e->slots));
	hs = h * e->slots;
	if (hs > FO_LT_MAX_SLOTS)
		return -1;
	e->nslots = (int64_t)ceil(hs - 1e-9);
	e->wlast = hs - (double)(e->nslots - 1);
	if (e->wlast > 1 - 1e-9)
		e->wlast = 1;
	e->m = imin(FO_LT_THRESHOLD, e->live);
	e->mc = e->m / FO_LARGEN_CHECK_RATIO;
	e->gb = calloc((size_t)e->slots, sizeof *e->gb);
	e->pb = calloc((size_t)(e->pp ? e->pp : 1), sizeof *e->pb);
	e->mass = malloc((size_t)e->slots * (size_t)(e->budget + 1) * sizeof *e->mass);
	e->alpha = malloc((size_t)e->slots * sizeof *e->alpha);
	e->log_keep = malloc((size_t)(e->budget + 1) * sizeof *e->log_keep);
	if (e->log_keep)
		for (int32_t b = 0; b <= e->budget; b++)
			e->log_keep[b] = log1p(-(double)tick_sends(e, b) * e->keep / (double)(e->nodes - 1));
	e->beta = malloc((size_t)(e->pp ? e->pp : 1) * sizeof *e->beta);
	e->cg = malloc((size_t)e->slots * sizeof *e->cg);
	e->cp = malloc((size_t)(e->pp ? e->pp : 1) * sizeof *e->cp);
	if (quarters)
		curve = rows = 1;
	e->cstep = quarters ? e->slots / SIM_BINS_PER_INTERVAL : e->slots;
	e->curve_n = quarters ? sim_steps(p) + 1 : curve ? (int64_t)floor(h + 1e-9) + 1 : 0;
	if (curve)
		e->curve = malloc((size_t)e->curve_n * sizeof *e->curve);
	if (curve && rows) {
		e->curve_f = malloc((size_t)e->curve_n * sizeof *e->curve_f);
		e->curve_c = malloc((size_t)e->curve_n * sizeof *e->curve_c);
	}
	if (quarters)
		e->curve_i = malloc((size_t)e->curve_n * sizeof *e->curve_i);
	if (!e->gb || !e->pb || !e->mass || !e->log_keep || !e->alpha || !e->beta || !e->cg || !e->cp || (curve && !e->curve) ||
	    (curve && rows && (!e->curve_f || !e->curve_c)) || (quarters && !e->curve_i))
		return -2;
	return 0;
}

/* The L - 1 uninformed nodes dealt into n classes uniformly (a multinomial); *max the largest. */
static void deal(struct lt *e, int64_t *c, int32_t n, int64_t *max)
{
	int64_t left = e->live - 1;

	*max = 0;
	for (int32_t k = 0; k < n; k++) {
		double q = 1.0 / (n - k), mean = (double)left * q;
		/* Past LT_DEAL_EXACT a class, the binomial's normal approximation (relative error ~ 1/sqrt(N)). */
		if (k == n - 1)
			c[k] = left;
		else if (mean < LT_DEAL_EXACT)
			c[k] = (int64_t)sample_binomial(&e->rng, (uint64_t)left, q);
		else
			c[k] = imin(left, (int64_t)fmax(0, llround(mean + sqrt(mean * (1 - q)) * sample_normal(&e->rng))));
		left -= c[k];
		if (c[k] > *max)
			*max = c[k];
	}
}

/* One sample: the miss at M (and its full, and q), and the miss at M / CHECK_RATIO when checked. */
struct sample {
	double miss, full, miss_c, q;
	int switched;           /* the late phase answered it (else the early phase ended it: exact) */
	int64_t switch_slot;    /* the slot after which it switched at M (nslots when it did not) */
};

/* Runs sample `index`; with `check`, also the late phase from M / CHECK_RATIO.  -1 on memory. */
static int run_sample(struct lt *e, uint64_t seed, uint64_t index, int check, struct sample *out,
		      double *curve_acc)
{
	/* With M = L no sample switches at M (it is full first): all are exact, none needs the check. */
	int done_c = !check || e->m >= e->live;
	double q = 0, f;
	int64_t t;

	rng_stream(&e->rng, seed, index);
	e->count = 0;
	e->act.n = 0;
	for (int g = 0; g < e->slots; g++)
		e->gb[g].n = 0;
	for (int32_t j = 0; j < e->pp; j++)
		e->pb[j].n = 0;
	e->gossip_open = e->probe_open = 1;
	deal(e, e->cg, e->slots, &e->cg_max);
	if (e->pp)
		deal(e, e->cp, e->pp, &e->cp_max);
	if (inform(e, 0, VIA_ORIGIN) < 0)
		return -1;
	if (e->curve)
		for (int64_t r = 0; r < e->curve_n; r++)
			e->curve[r] = e->live > 1;
	if (e->curve_f)
		for (int64_t r = 0; r < e->curve_n; r++)
			e->curve_f[r] = e->live <= 1;
	if (e->curve_i)
		for (int64_t r = 0; r < e->curve_n; r++)
			e->curve_i[r] = 1;
	out->switch_slot = e->nslots;
	out->miss = out->miss_c = e->live > 1;
	out->full = e->live <= 1;
	out->q = (double)(e->live > 1);
	out->switched = 0;
	for (t = 0; t < e->nslots && e->count < e->live; t++) {
		if (early_slot(e, t, slot_weight(e, t)) < 0)
			return -1;
		if (e->curve && (t + 1) % e->cstep == 0 && (t + 1) / e->cstep < e->curve_n) {
			e->curve[(t + 1) / e->cstep] = e->count < e->live;
			if (e->curve_f)
				e->curve_f[(t + 1) / e->cstep] = e->count >= e->live;
			if (e->curve_i)
				e->curve_i[(t + 1) / e->cstep] = (double)e->count;
		}
		if (e->count >= e->live)
			break;
		if (!done_c && e->count >= e->mc) {
			/* The check's own curve (rows), or none. */
			double *keep_curve = e->curve, *keep_f = e->curve_f, *keep_i = e->curve_i;
			e->curve = e->curve_c;
			e->curve_f = e->curve_i = NULL;
			late(e, t, &out->miss_c, &f, &q);
			e->curve = keep_curve;
			e->curve_f = keep_f;
			e->curve_i = keep_i;
			done_c = 1;
		}
		if (e->count >= e->m) {
			late(e, t, &out->miss, &out->full, &out->q);
			out->switched = 1;
			out->switch_slot = t;
			if (!done_c)
				out->miss_c = out->miss;
			break;
		}
		if (e->act.n == 0 && !e->pull) {
			/* No informed node may send any more and none pulls: the state stays to the horizon. */
			if (e->curve_i)
				for (int64_t r = t / e->cstep + 1; r < e->curve_n; r++)
					e->curve_i[r] = (double)e->count;
			t = e->nslots;
			break;
		}
	}
	if (e->count >= e->live) {
		out->miss = 0;
		out->full = 1;
		out->q = 0;
		if (!done_c)
			out->miss_c = 0;
		if (e->curve)
			for (int64_t r = t / e->cstep + 1; r < e->curve_n; r++)
				e->curve[r] = 0;
		if (e->curve_f)
			for (int64_t r = t / e->cstep + 1; r < e->curve_n; r++)
				e->curve_f[r] = 1;
		if (e->curve_i)
			for (int64_t r = t / e->cstep + 1; r < e->curve_n; r++)
				e->curve_i[r] = (double)e->live;
	} else if (e->count < e->m && t >= e->nslots) {
		/* Reached the horizon in the early phase: the sample is exact. */
		out->q = (double)(e->live - e->count) / (double)(e->live - 1);
		if (!done_c)
			out->miss_c = 1;
	}
	if (curve_acc)
		for (int64_t r = 0; r < e->curve_n; r++)
			curve_acc[r] += 1 - e->curve[r];
	return 0;
}

/*
 * Sample n of a run that charges its samples look by look: at n = 0 and at
 * each look's half (next / 2) the samples up to `next` are charged to *work,
 * which must stay within max_work (FO_TOO_LARGE); then cancellation, then the
 * sample.  FO_OK, or why the run stops.
 */
static enum fo_status take_sample(struct lt *e, uint64_t seed, int64_t n, int64_t next, double one,
				  double max_work, double *work, const atomic_int *cancel,
				  struct sample *s, double *curve_acc)
{
	if (n == 0 || n == next / 2) {
		/* The next look's samples must fit in what is left. */
		if (*work + (double)(next - n) * one > max_work)
			return FO_TOO_LARGE;
		*work += (double)(next - n) * one;
	}
	if (fo_cancelled(cancel))
		return FO_CANCELLED;
	return run_sample(e, seed, (uint64_t)n, n % LT_CHECK_EVERY == 0, s, curve_acc) < 0 ? FO_NOMEM : FO_OK;
}

/* Looks at FO_LT_FIRST_SAMPLES, twice that, … FO_LT_MAX_SAMPLES: how many. */
static int looks(void)
{
	int n = 0;

	for (int64_t s = FO_LT_FIRST_SAMPLES; s <= FO_LT_MAX_SAMPLES; s *= 2)
		n++;
	return n;
}

/* Each side's error at one look: FO_CALC_SIM_CONFIDENCE split over both sides and every look. */
static double look_delta(void)
{
	return (1 - FO_CALC_SIM_CONFIDENCE) / 2 / looks();
}

/* The interval after n samples with these means; gap is the checked samples' mean difference. */
static void interval(double miss, double full, double gap, double n, struct largen_result *out)
{
	double b[2], extra = FO_LT_SAFETY * gap + FO_LT_REL * fmin(miss, full) + FO_LARGEN_ABS_FLOOR;

	kl_interval(miss, n, look_delta(), b);
	out->miss = miss;
	out->p_full = full;
	out->miss_lo = fmax(0, b[0] - extra);
	out->miss_hi = fmin(1, b[1] + extra);
	kl_interval(full, n, look_delta(), b);
	out->p_lo = fmax(0, b[0] - extra);
	out->p_hi = fmin(1, b[1] + extra);
}

/* 1: the interval shows the target met, -1: missed, 0: neither. */
static int decides(const struct largen_result *r, double target)
{
	if (target >= 0.5)
		return r->miss_hi <= 1 - target ? 1 : r->miss_lo > 1 - target ? -1 : 0;
	return r->p_lo >= target ? 1 : r->p_hi < target ? -1 : 0;
}

/*
 * With sync_interval the sampler follows gossip alone (the syncs are not
 * sampled; params_seed leaves them out, so the paths are gossip alone's):
 * syncs only add deliveries, so gossip alone's lower end bounds P(full) with
 * them from below (largen_timers.h), and the upper end is 1 (what syncs can
 * add is not bounded here).  A verdict "missed" becomes "neither".
 */
static void sync_bound(const struct gossip_params *p, struct largen_result *r, signed char *verdict)
{
	if (!(p->sync_interval > 0))
		return;
	r->p_hi = 1;
	r->miss_lo = 0;
	if (verdict && *verdict == -1)
		*verdict = 0;
}

enum fo_status largen_timers_run(const struct gossip_params *p, double target, double max_work,
				 const atomic_int *cancel, struct largen_result *out,
				 struct largen_timers_info *info, double *curve)
{
	struct lt e;
	struct sample s;
	uint64_t seed = params_seed(p);
	double sum_miss = 0, sum_full = 0, sum_diff = 0, sum_q = 0, gap = 0, checked = 0;
	double one = largen_timers_sample_cost(p), work = 0;
	int64_t n = 0, next = FO_LT_FIRST_SAMPLES, ended = 0;
	int rc = lt_init(&e, p, curve != NULL, 0, 0);
	double *acc = NULL;
	enum fo_status st = FO_OK;

	memset(out, 0, sizeof *out);
	if (info)
		memset(info, 0, sizeof *info);
	if (rc == 0 && curve && !(acc = calloc((size_t)e.curve_n, sizeof *acc)))
		rc = -2;
	if (rc != 0 || !(one < HUGE_VAL)) {
		lt_release(&e);
		free(acc);
		return rc == -2 ? FO_NOMEM : FO_TOO_LARGE;
	}
	for (;;) {
		if ((st = take_sample(&e, seed, n, next, one, max_work, &work, cancel, &s, acc)) != FO_OK)
			break;
		if (n % LT_CHECK_EVERY == 0) {
			/* Only a sample that switched at M owes its value to the late phase (else it is exact). */
			if (s.switched)
				sum_diff += s.miss - s.miss_c;
			checked++;
		}
		n++;
		/* Ended in the early phase short of full delivery: an exact 0. */
		ended += !s.switched && s.full < 1;
		sum_miss += s.miss;
		sum_full += s.full;
		sum_q += s.q;
		if (n == next) {
			struct largen_result last;
			double m = sum_miss / (double)n, f = sum_full / (double)n;
			gap = fabs(sum_diff) / checked;
			interval(m, f, gap, (double)n, out);
			if (n >= FO_LT_MAX_SAMPLES)
				break;
			if (target > 0 && !curve) {
				if (decides(out, target) != 0)
					break;
				/* Stop when even the most samples, with these means, would not decide. */
				interval(m, f, gap, FO_LT_MAX_SAMPLES, &last);
				if (decides(&last, target) == 0)
					break;
			}
			next *= 2;
		}
	}
	if (st == FO_OK) {
		out->node_miss = sum_q / (double)n;
		sync_bound(p, out, NULL);
		if (curve)
			for (int64_t r = 0; r < e.curve_n; r++)
				curve[r] = acc[r] / (double)n;
	} else {
		memset(out, 0, sizeof *out);
	}
	if (info) {
		info->samples = n;
		info->gap = gap;
		info->work = work;
		info->ended = ended;
	}
	free(acc);
	lt_release(&e);
	return st;
}

static double show_samples(double target);
static double rows_sample_cost(const struct gossip_params *p, int shown, double cap);

enum fo_status largen_timers_rows(const struct gossip_params *p, double target, double max_work,
				  const atomic_int *cancel, struct largen_result *rows, signed char *verdict,
				  struct largen_timers_info *info)
{
	struct lt e;
	struct sample s;
	uint64_t seed = params_seed(p);
	double one = largen_timers_rows_sample_cost(p, target), work = 0, checked = 0;
	double *sum_miss = NULL, *sum_full = NULL, *sum_diff = NULL;
	int64_t n = 0, next = FO_LT_FIRST_SAMPLES, rn, upto;
	int rc = lt_init(&e, p, 1, 1, 0);
	enum fo_status st = FO_OK;

	if (info)
		memset(info, 0, sizeof *info);
	rn = e.curve_n;
	upto = rn - 1;
	if (rc == 0) {
		sum_miss = calloc((size_t)rn, sizeof *sum_miss);
		sum_full = calloc((size_t)rn, sizeof *sum_full);
		sum_diff = calloc((size_t)rn, sizeof *sum_diff);
		if (!sum_miss || !sum_full || !sum_diff)
			rc = -2;
	}
	if (rc != 0 || !(one < HUGE_VAL)) {
		lt_release(&e);
		free(sum_miss);
		free(sum_full);
		free(sum_diff);
		return rc == -2 ? FO_NOMEM : FO_TOO_LARGE;
	}
	for (int64_t r = 0; r < rn; r++) {
		memset(&rows[r], 0, sizeof rows[r]);
		verdict[r] = 2;
	}
	for (;;) {
		if ((st = take_sample(&e, seed, n, next, one, max_work, &work, cancel, &s, NULL)) != FO_OK)
			break;
		/* As largen_timers_run sums them, r by r (a sample switched by r when it switched before r S). */
		for (int64_t r = 0; r <= upto; r++) {
			if (verdict[r] != 2)
				continue;
			if (n % LT_CHECK_EVERY == 0 && s.switched && s.switch_slot < r * e.slots)
				sum_diff[r] += e.curve[r] - e.curve_c[r];
			sum_miss[r] += e.curve[r];
			sum_full[r] += e.curve_f[r];
		}
		if (n % LT_CHECK_EVERY == 0)
			checked++;
		n++;
		if (n == next) {
			int64_t open = 0;
			for (int64_t r = 0; r < rn; r++) {
				if (verdict[r] == 2) {
					struct largen_result last;
					double m = sum_miss[r] / (double)n, f = sum_full[r] / (double)n;
					double gap = fabs(sum_diff[r]) / checked;
					int d;
					interval(m, f, gap, (double)n, &rows[r]);
					rows[r].node_miss = NAN;
					d = decides(&rows[r], target);
					if (n >= FO_LT_MAX_SAMPLES || d != 0) {
						verdict[r] = (signed char)d;
					} else {
						/* As largen_timers_run: stop when even the most samples would not decide. */
						interval(m, f, gap, FO_LT_MAX_SAMPLES, &last);
						if (decides(&last, target) == 0)
							verdict[r] = 0;
					}
				}
				if (verdict[r] == 1)
					break; /* the least r that meets it: those past it need not settle */
				open += verdict[r] == 2;
			}
			if (verdict[rn - 1] == 2 && upto == rn - 1) {
				/* The horizon's figures at every look (tradeoff's by max_rounds), open or not. */
				interval(sum_miss[rn - 1] / (double)n, sum_full[rn - 1] / (double)n,
					 fabs(sum_diff[rn - 1]) / checked, (double)n, &rows[rn - 1]);
				rows[rn - 1].node_miss = NAN;
			}
			/*
			 * Done when every r up to the least that meets it (or every r) is
			 * settled, or when no r can meet it: even FO_LT_MAX_SAMPLES with
			 * no miss at all would not show the target (show_samples), so no
			 * r's verdict can become 1.
			 */
			if (open == 0 || n >= FO_LT_MAX_SAMPLES || show_samples(target) == 0)
				break;
			/*
			 * Past the least r that meets it, no r needs more samples: the
			 * next ones stop there (their values up to it are the same), and
			 * the horizon's figures stay those of this look.
			 */
			for (int64_t r = 0; r < upto; r++)
				if (verdict[r] == 1) {
					upto = r;
					e.nslots = r * e.slots;
					e.wlast = 1;
					/* Samples from now on stop at r: the looks to come are charged so. */
					one = rows_sample_cost(p, show_samples(target) > 0, (double)r);
					break;
				}
			next *= 2;
		}
	}
	for (int64_t r = 0; r < rn && st == FO_OK; r++)
		sync_bound(p, &rows[r], &verdict[r]);
	if (info) {
		info->samples = n;
		info->work = work;
	}
	free(sum_miss);
	free(sum_full);
	free(sum_diff);
	lt_release(&e);
	return st;
}

/*
 * Work units of one sample (upper-end): the early phase's picks, probes and
 * pull batches up to M (or the horizon), and its late phase (a quarter of the
 * samples run a second one), whose slots update a column of B + 1 cells, or
 * every column with probes under a transmit limit.  HUGE_VAL when it refuses.
 */
/*
 * largen_timers_sample_cost, with its late phases or without (M = L: every
 * sample ends early).  `age` < 0: every informed node may tick to the
 * horizon, and the late phase walks every slot.  Else (largen_timers_rows,
 * which switches at M < L): the informed of the early phase grow about
 * geometrically, so their mean time informed before the switch is about
 * `age` intervals (their sends and probes follow it), and the late phases
 * walk the slots after the earliest switch, `late_from` intervals in.
 */
static double sample_cost_at(const struct gossip_params *p, int with_late, double age, double late_from)
{
	double h = gossip_horizon(p), live = (double)gossip_live(p), k = (double)p->fanout;
	double m = fmin(FO_LT_THRESHOLD, live), sends, slots = h * FO_LT_SLOTS;
	double ticks = age < 0 ? ceil(h) + 1 : fmin(ceil(h) + 1, ceil(age) + 1), lived = age < 0 ? h : fmin(h, age);
	double cells, probes = 0, pulls = 0, budget;

	if (live <= 1)
		return 0;
	/*
	 * Anti-entropy is not in the sampler: with syncs it samples gossip alone
	 * (sync_bound).  Cassandra's seeds are not either: it refuses them.
	 */
	if (slots > FO_LT_MAX_SLOTS || p->seed_gossip || p->transmit_limit > FO_LT_MAX_BUDGET ||
	    p->forward_rounds > FO_LT_MAX_BUDGET || p->nodes > INT32_MAX || p->fanout > INT32_MAX)
		return HUGE_VAL;
	budget = p->transmit_limit > 0 ? (double)p->transmit_limit : p->forward_rounds > 0 ? (double)p->forward_rounds : 1;
	sends = !gossip_pushes(p->mode) ? 0 : p->transmit_limit > 0 ? fmin(budget, k * ticks)
		: p->forward_rounds > 0 ? k * fmin(budget, ticks) : k * ticks;
	if (p->probe_interval > 0)
		probes = 2 * (lived / p->probe_interval + 1);
	if (gossip_pulls(p->mode))
		pulls = slots * LT_PULL_BATCHES * LT_PULL_DRAW_COST;
	cells = (age < 0 ? slots : fmax(0, h - late_from) * FO_LT_SLOTS) * (budget + 1) *
		(p->probe_interval > 0 && p->transmit_limit > 0 ? FO_LT_SLOTS + 1 : 1);
	/* The slot that crosses M may inform up to about half as many more. */
	return LT_PICK_COST * 1.5 * m * (sends + probes + 2) + pulls +
	       (with_late ? (1 + 1.0 / LT_CHECK_EVERY) * LT_CELL_COST * cells : 0) + LT_SAMPLE_COST;
}

static double sample_cost(const struct gossip_params *p, int with_late)
{
	return sample_cost_at(p, with_late, -1, 0);
}

double largen_timers_sample_cost(const struct gossip_params *p)
{
	return sample_cost(p, 1);
}

double largen_timers_cost(const struct gossip_params *p)
{
	return FO_LT_MAX_SAMPLES * largen_timers_sample_cost(p);
}

/*
 * How far a sample of largen_timers_rows runs, in intervals: to about when
 * its late phase settles (see settled()), twice the time the informed count
 * takes to grow from 1 to L at a rate of 1 + (1 - loss)(K + 1/probe
 * interval) per Δ, and 5 Δ to drain the budgets; or, where the target can
 * be shown, to about the rows' own R (samples after the first look that shows
 * it stop there): that growth time and 5 Δ.  Fitted to the
 * memberlist presets' rows at N = 30 … 10^6 (docs/PERFORMANCE.md); the
 * horizon itself when nothing grows.
 */
/* The growth rate rows_horizon takes: 1 + (1 - loss)(K + 1/probe interval) per Δ, less one. */
static double rows_rate(const struct gossip_params *p)
{
	return (1 - p->loss) * ((gossip_pushes(p->mode) || gossip_pulls(p->mode) ? (double)p->fanout : 0) +
				(p->probe_interval > 0 ? 1 / p->probe_interval : 0));
}

static double rows_horizon(const struct gossip_params *p, int shown)
{
	double live = (double)gossip_live(p), rate = rows_rate(p);

	if (!(rate > 0) || live <= 1)
		return gossip_horizon(p);
	return fmin(gossip_horizon(p), (shown ? 1 : 2) * (1 + log(live) / log1p(rate)) + 5);
}

/* The first look whose KL bound, with no miss at all, could show the target; 0 when none could. */
static double show_samples(double target)
{
	double show = log(1 / look_delta()) / fmax(target >= 0.5 ? 1 - target : target, 1e-12), n = FO_LT_FIRST_SAMPLES;

	if (show > FO_LT_MAX_SAMPLES)
		return 0;
	while (n < show && n < FO_LT_MAX_SAMPLES)
		n *= 2;
	return n;
}

int largen_timers_can_show(double target)
{
	return show_samples(target) > 0;
}

/*
 * largen_timers_rows_sample_cost, where `shown` says whether the target can
 * be shown, for samples that stop at `cap` intervals at the latest.
 */
static double rows_sample_cost(const struct gossip_params *p, int shown, double cap)
{
	struct gossip_params q = *p;
	double push = (1 - p->loss) * (gossip_pushes(p->mode) ? (double)p->fanout : 0), rate = rows_rate(p);
	double age = -1, late_from = 0;

	if (!(largen_timers_sample_cost(p) < HUGE_VAL))
		return HUGE_VAL;
	q.horizon = fmin(rows_horizon(p, shown), cap);
	if (gossip_live(p) > FO_LT_THRESHOLD && push > 0 && rate > 0) {
		/*
		 * It switches at M: growing by at least 1 + (1 - loss) K per Δ
		 * (pushes alone), the early phase's informed were informed for
		 * 1 / ln(1 + (1 - loss) K) intervals on average, and 2 more for the
		 * ticks' phases; its late phases start no sooner than the informed
		 * could reach M / FO_LARGEN_CHECK_RATIO at rows_horizon's rate.
		 * Measured against the rows' CPU time in docs/PERFORMANCE.md.
		 */
		age = 1 / log1p(push) + 2;
		late_from = log(FO_LT_THRESHOLD / FO_LARGEN_CHECK_RATIO) / log1p(rate);
	}
	/* Its early phase also walks the slots one by one until the sample settles. */
	return sample_cost_at(&q, gossip_live(p) > FO_LT_THRESHOLD, age, late_from) +
	       q.horizon * FO_LT_SLOTS * LT_EARLY_SLOT_COST;
}

double largen_timers_rows_sample_cost(const struct gossip_params *p, double target)
{
	return rows_sample_cost(p, show_samples(target) > 0, HUGE_VAL);
}

double largen_timers_rows_cost(const struct gossip_params *p, double target)
{
	double one = largen_timers_rows_sample_cost(p, target), n = show_samples(target);

	/*
	 * About three times the first look that could show the target (the r
	 * whose P is near the target sample longer).  Where even
	 * FO_LT_MAX_SAMPLES with no miss at all cannot, the first look.
	 */
	if (!(one < HUGE_VAL))
		return one;
	return one * (n > 0 ? fmin(FO_LT_MAX_SAMPLES, 3 * n) : FO_LT_FIRST_SAMPLES);
}

double largen_timers_rows_cost_below(const struct gossip_params *p, double target, double p_full)
{
	struct gossip_params q = *p;
	double one, need, n = FO_LT_FIRST_SAMPLES, x;

	if (!(largen_timers_sample_cost(p) < HUGE_VAL))
		return HUGE_VAL;
	/* The interval's widening but the check's gap (not known before): on the side of the target. */
	x = fmin(1, fmax(0, p_full) + FO_LT_REL * fmin(p_full, 1 - p_full) + FO_LARGEN_ABS_FLOOR);
	if (!(target >= 0.5) || !(x < target))
		return largen_timers_rows_cost(p, target);
	/* The first look whose KL bound at mean x falls short of the target (interval(), decides()). */
	need = log(1 / look_delta()) / kl(x, target);
	while (n < need && n < FO_LT_MAX_SAMPLES)
		n *= 2;
	if (n < need)
		return largen_timers_rows_cost(p, target);
	/* No r is shown: every sample runs to where its late phase settles. */
	one = rows_sample_cost(&q, 0, HUGE_VAL);
	return one * n;
}

int64_t largen_timers_rows_least_fanout(const struct gossip_params *p, int64_t top)
{
	struct gossip_params q = *p;
	double live = (double)gossip_live(p);

	if (live <= 1)
		return 1;
	for (int64_t k = 1; k <= top; k++) {
		double rate;
		q.fanout = k;
		rate = rows_rate(&q);
		if (rate > 0 && 1 + log(live) / log1p(rate) <= gossip_horizon(p))
			return k;
	}
	return 0;
}

double largen_timers_cost_target(const struct gossip_params *p, double target)
{
	double one = largen_timers_sample_cost(p), show, n = FO_LT_FIRST_SAMPLES;

	if (!(one < HUGE_VAL))
		return one;
	/* Twice the first look whose KL bound, with no miss at all, could show the target. */
	show = log(1 / look_delta()) / fmax(target >= 0.5 ? 1 - target : target, 1e-12);
	while (n < show && n < FO_LT_MAX_SAMPLES)
		n *= 2;
	return one * fmin(FO_LT_MAX_SAMPLES, 2 * n);
}

enum fo_status largen_timers_curve(const struct gossip_params *p, int64_t samples, const atomic_int *cancel,
				   struct largen_result *pts, double *informed, struct largen_timers_info *info)
{
	struct lt e;
	struct sample s;
	uint64_t seed = params_seed(p);
	double one = largen_timers_sample_cost(p), checked = 0;
	double *sum_miss = NULL, *sum_full = NULL, *sum_diff = NULL, *sum_inf = NULL;
	int64_t n, rn;
	int rc = lt_init(&e, p, 1, 1, 1);
	enum fo_status st = FO_OK;

	if (info)
		memset(info, 0, sizeof *info);
	rn = e.curve_n;
	if (rc == 0) {
		sum_miss = calloc((size_t)rn, sizeof *sum_miss);
		sum_full = calloc((size_t)rn, sizeof *sum_full);
		sum_diff = calloc((size_t)rn, sizeof *sum_diff);
		sum_inf = calloc((size_t)rn, sizeof *sum_inf);
		if (!sum_miss || !sum_full || !sum_diff || !sum_inf)
			rc = -2;
	}
	if (rc == 0 && (!(one < HUGE_VAL) || samples < 1))
		rc = -1;
	for (n = 0; rc == 0 && n < samples; n++) {
		if (fo_cancelled(cancel)) {
			st = FO_CANCELLED;
			break;
		}
		if (run_sample(&e, seed, (uint64_t)n, n % LT_CHECK_EVERY == 0, &s, NULL) < 0) {
			rc = -2;
			break;
		}
		/* The horizon's point (not on a slot boundary when 4 H is not whole): the sample's own end. */
		e.curve[rn - 1] = s.miss;
		e.curve_f[rn - 1] = s.full;
		e.curve_c[rn - 1] = s.miss_c;
		e.curve_i[rn - 1] = e.count >= e.live ? (double)e.live : s.switched ? e.final_informed : (double)e.count;
		for (int64_t b = 0; b < rn; b++) {
			/* A sample owes point b to the late phase when it switched before b (as in the rows). */
			if (n % LT_CHECK_EVERY == 0 && s.switched && s.switch_slot < b * e.cstep)
				sum_diff[b] += e.curve[b] - e.curve_c[b];
			sum_miss[b] += e.curve[b];
			sum_full[b] += e.curve_f[b];
			sum_inf[b] += e.curve_i[b];
		}
		if (n % LT_CHECK_EVERY == 0)
			checked++;
	}
	if (rc == 0 && st == FO_OK)
		for (int64_t b = 0; b < rn; b++) {
			interval(sum_miss[b] / (double)n, sum_full[b] / (double)n, fabs(sum_diff[b]) / checked, (double)n,
				 &pts[b]);
			pts[b].node_miss = NAN;
			sync_bound(p, &pts[b], NULL);
			informed[b] = sum_inf[b] / (double)n;
		}
	if (info) {
		info->samples = rc == 0 ? n : 0;
		info->work = rc == 0 ? (double)n * one : 0;
	}
	free(sum_miss);
	free(sum_full);
	free(sum_diff);
	free(sum_inf);
	lt_release(&e);
	return rc == -2 ? FO_NOMEM : rc == -1 ? FO_TOO_LARGE : st;
}

int64_t largen_timers_curve_samples(const struct gossip_params *p, double max_work)
{
	double one = largen_timers_sample_cost(p);
	int64_t n = FO_LT_MAX_SAMPLES;

	if (!(one < HUGE_VAL))
		return 0;
	while (n >= FO_LT_FIRST_SAMPLES && (double)n * one > max_work)
		n /= 2;
	return n >= FO_LT_FIRST_SAMPLES ? n : 0;
}
