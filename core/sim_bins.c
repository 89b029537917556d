/*
 * sim_bins.c — the fast simulator under independent timers, counts-based,
 * for plain push: no transmit limit, no forward_rounds window, no probes, no
 * anti-entropy, no seeds (loss and failures allowed), K <= BINS_MAX_K, and a
 * horizon H on the grid of 1/BINS_S intervals.  An exact sampler of the law
 * of sim_agent.c's timed trial for those cases; sim_clock.c does the rest.
 *
 * Time is cut into slots of 1/S of an interval (S = sim_bins_s: 8 to 128,
 * growing with the run; horizons lie on the grid of 1/32); slot j covers
 * [j/S, (j+1)/S) and holds bin b = j mod S of the phases.  An informed node
 * whose phase lies in bin b ticks once in every later slot of bin b.  The
 * state between slots is:
 *
 * - m, the live nodes not yet informed.  Their phases have not influenced
 *   anything (a node acts only once it is informed), so given the history
 *   they are i.i.d. uniform: each slot draws afresh how many lie in its bin.
 * - anon[b]: informed nodes with phase in bin b whose place inside the bin
 *   is still uniform given everything recorded ("anonymous").
 * - ex[b]: informed nodes of bin b whose place u inside the bin is known
 *   ("explicit"), because something recorded depended on it.
 *
 * One slot j (bin b), with A = anon[b] and E = |ex[b]| senders: the
 * uninformed split into U_in (m_in ~ Binomial(m, 1/S), phase in bin b) and
 * U_out (the rest).  A sender's K peers are a uniform K-subset of the N - 1
 * others; the number a that arrive (not lost) among the m uninformed has the
 * pmf reach(a) (hypergeometric thinned by loss) and, given a, they are a
 * uniform a-subset of the uninformed, so a_in ~ Hyp(m, m_in, a) of them lie
 * in U_in, independently of the sender's place in the bin.  So:
 *
 * - "hitters", the senders with a_in >= 1, are a Binomial(A, P(a_in >= 1))
 *   draw among the anonymous (given a uniform place now, and explicit from
 *   now on) and a Binomial(E, ·) choice among the explicit.  Their (a_in,
 *   a_out) are drawn from the joint pmf given a_in >= 1, their U_in peers
 *   as a uniform a_in-subset of U_in.
 * - the others reach only U_out.  A node of U_out informed in this slot
 *   first ticks in a later slot of its own bin whatever its time of
 *   arrival inside this one, and its own place in that bin is uniform
 *   (never looked at): it joins anon[x], x uniform among the other S - 1
 *   bins.  Only how many of U_out are reached matters, the size of a union
 *   of uniform subsets, which does not depend on the order of the senders:
 *   the aligned sampler's layered occupancy draw over U_out with the
 *   senders counted by a_out ("bulk"), or, when few of them reach U_out,
 *   each such sender at a uniform place in the bin with its a_out peers
 *   drawn one by one ("individual", which gives every node's time of
 *   arrival: used whenever the slot might inform the last node).
 * - U_in: a node of U_in first reached at place s draws its own place u,
 *   uniform in the bin; if u > s it ticks in this very slot at u (a "chain"
 *   sender: K peers among the N - 1 others, drawn like the others' with
 *   itself left out of U_in), else first in the next slot of bin b.  Either
 *   way it is explicit (u).  Individual mode takes the hitters (and the
 *   senders reaching U_out) sorted by their places and the chain senders
 *   as they come, in time order.  Bulk mode (bulk_in) needs no order (a
 *   node's first arrival only moves earlier as arrivals come in, whatever
 *   their order: see there); and only the chain senders that reach U_in
 *   matter there: each does with the chance P(a_in >= 1) of its joint,
 *   independently, so the senders between two such are a geometric count,
 *   and the others' a_out are drawn after the slot from the joint's cells
 *   a_in = 0 (tests/unit/test_timers.c holds one slot of each mode against
 *   the other, the nodes ticking in it included: test_bins_slot_modes).
 *
 * Why the anonymous stay anonymous: what is recorded of a slot is how many
 * were informed, the bins of those of U_out, and the places of the explicit
 * nodes.  The count reached in U_out is the size of a union and does not
 * depend on places; the time a node of U_in was first reached and whether
 * it ticks in the slot depend on the places of every sender whose message
 * arrived at it, and those are exactly the hitters, made explicit (a sender
 * whose message to U_in was lost, or went to a node informed earlier,
 * carries no such constraint: the hitters are those with arrivals in U_in
 * as it was at the start of the slot, whatever happened to those nodes
 * during the slot).  So given the record, each anonymous node's place is
 * still uniform on its bin and independent of the rest.
 *
 * The time of the last node informed is kept exactly in individual mode.
 * Bulk mode is used only when the chance that it informs every node of
 * U_out is below e^-45 (the events "v reached" are negatively associated,
 * so that chance is at most the product of their probabilities, each at
 * most 1 - (1 - K (1 - loss) / (N - 1))^(A + E + m_in)); in that event,
 * never met in practice, the time to all is taken as the slot's end.
 *
 * Messages: an informed node pushes K at each of its ticks before H, so
 * its count follows from its first slot and bin, added when it is placed.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fanout/dist.h"
#include "fanout/sample.h"
#include "fanout/sim.h"
#include "sim_bins.h"

struct bev {
	double t;
	int64_t who;      /* explicit index in ex[b] or -1 (anonymous); 0 for a chain sender */
	int ain, aout;
};

#define BINS_CELLS ((BINS_MAX_K + 1) * (BINS_MAX_K + 1))

/* Cells of a joint pmf over (a_in, a_out) with weight, for cells_draw. */
struct cells {
	int n;
	int at[BINS_CELLS];
	unsigned char ain[BINS_CELLS], aout[BINS_CELLS]; /* at's (a_in, a_out) */
	double cum[BINS_CELLS], total;
};

struct bins {
	const struct gossip_params *p;
	int64_t live, n1, k, slots;
	double loss, log_miss; /* log_miss: log(1 - q), q = K (1 - loss) / (N - 1) capped at 1 */
	double lq_bin;         /* log1p(-1 / S) */
	int64_t s;                /* phase bins (sim_bins_s) */
	int s_log2;
	int64_t anon[BINS_S_MAX];
	double *ex[BINS_S_MAX];
	int64_t ex_n[BINS_S_MAX], ex_cap[BINS_S_MAX];
	double *pend;             /* explicit places to add to the slot's bin after it */
	int64_t pend_n, pend_cap;
	struct bev *ev, *heap, *sorted;
	int64_t *bucket;
	int64_t ev_cap, heap_n, heap_cap; /* sorted holds ev_cap too */
	/* bulk_in's nodes of U_in reached: first arrival, own place, ticking in the slot; and its stack */
	double *rs, *ru;
	unsigned char *act;
	int64_t *stk, r_cap;
	int64_t tree[2 * BINS_S_MAX]; /* placed nodes not yet told apart: uniform over a subtree's bins */
	int64_t *slot_new;        /* slots: nodes informed in each */
	double thin[BINS_MAX_K + 1][BINS_MAX_K + 1]; /* thin[h][a]: Bin(a; h, 1 - loss) */
	double reach[BINS_MAX_K + 1], joint[BINS_CELLS];
	double cjoint[BINS_CELLS];
	struct cells hit, chit; /* joint's and cjoint's cells with a_in >= 1 */
	struct cells crow;      /* cjoint's cells with a_in = 0 */
	double r0[BINS_MAX_K + 1];
	int64_t cnt[BINS_MAX_K + 1];
	uint64_t ticks, steps;
	enum sim_bins_mode mode;
	struct rng rng;
};

int sim_bins_covers(const struct gossip_params *p)
{
	double js;

	if (p->timers != GOSSIP_TIMERS_INDEPENDENT || p->mode != GOSSIP_PUSH || p->transmit_limit > 0 ||
	    p->forward_rounds > 0 || p->probe_interval > 0 || p->sync_interval > 0 ||
	    (p->seed_gossip && p->seeds > 0) || p->fanout < 1 || p->fanout > BINS_MAX_K ||
	    gossip_live(p) < 2 || p->nodes > 1000000000)
		return 0;
	js = gossip_horizon(p) * BINS_S;
	return js >= 1 && js <= 1e9 && fabs(js - nearbyint(js)) <= 1e-9 * js;
}

static int64_t imin(int64_t a, int64_t b)
{
	return a < b ? a : b;
}

/*
 * The phase bins a run of p uses.  A trial costs about a S per slot-unit
 * and b k L / S per hitter and node of U_in (k the arrivals a tick makes
 * among live peers), so the best S grows as the square root of k L:
 * measured (docs/PERFORMANCE.md), BINS_S_MIN below k L = 1.25 10^5, then
 * twice as many each time k L is four times larger, up to BINS_S_MAX.  The
 * horizon must lie on the grid of 1/S (BINS_S's always does, for what
 * sim_bins_covers), and H S within 10^6 slots.
 */
int sim_bins_s(const struct gossip_params *p)
{
	double live = (double)gossip_live(p), h = gossip_horizon(p);
	double kl = (double)p->fanout * (1 - p->loss) * (live - 1) / fmax((double)p->nodes - 1, 1) * live;
	int s = BINS_S_MIN;

	while (s < BINS_S_MAX && kl >= 1.25e5 * (double)(s / BINS_S_MIN) * (double)(s / BINS_S_MIN))
		s *= 2;
	while (s < BINS_S && fabs(h * s - nearbyint(h * s)) > 1e-9 * h * s)
		s *= 2;
	while (s > BINS_S && h * s > 1e6)
		s /= 2;
	return s;
}

/*
 * The steps (struct sim_timed.steps) a trial is expected to take: slots
 * until everyone is informed (about 2 ln L / k intervals, k the arrivals a
 * tick makes among live peers) or H; a slot whose bin has senders costs its
 * draws, the tree's binomials and up to about K senders taken one by one
 * (more reaching U_out go in bulk), fewer when a bin holds fewer live
 * nodes; and about 2 L / S senders and nodes of U_in in all.  Held within a few times of the count
 * by tests/unit/test_timers.c (test_bins_steps_estimate).
 */
double sim_bins_steps(const struct gossip_params *p)
{
	double live = (double)gossip_live(p), h = gossip_horizon(p);
	double k = (double)p->fanout * (1 - p->loss) * (live - 1) / fmax((double)p->nodes - 1, 1);
	double t_all = k > 0 ? 2 * log(fmax(live, 2)) / k + 1 : h, t = fmin(h, t_all);
	double grown = k * t > 700 ? live : fmin(live, expm1(k * t) / fmax(k * t, 1e-9) + 1);
	double s = sim_bins_s(p), busy = fmin(1, grown / s);
	double per_slot = 1 + busy * (2 + fmin((double)p->fanout + 9, live / s));

	return s * t * per_slot + 2 * fmin(live, exp(fmin(k * h, 700))) / s;
}

static void bins_release(struct bins *c)
{
	for (int b = 0; b < BINS_S_MAX; b++)
		free(c->ex[b]);
	free(c->pend);
	free(c->ev);
	free(c->heap);
	free(c->sorted);
	free(c->bucket);
	free(c->rs);
	free(c->ru);
	free(c->act);
	free(c->stk);
	free(c->slot_new);
}

static int bins_init(struct bins *c, const struct gossip_params *p, int s)
{
	memset(c, 0, sizeof *c);
	c->p = p;
	c->live = gossip_live(p);
	c->n1 = p->nodes - 1;
	c->k = p->fanout;
	c->loss = p->loss;
	c->log_miss = log1p(-fmin((double)p->fanout * (1 - p->loss) / (double)c->n1, 1));
	c->s = s > 0 ? s : sim_bins_s(p);
	c->s_log2 = __builtin_ctz((unsigned)c->s);
	c->slots = (int64_t)nearbyint(gossip_horizon(p) * (double)c->s);
	c->lq_bin = log1p(-1.0 / (double)c->s);
	c->slot_new = malloc((size_t)c->slots * sizeof *c->slot_new);
	if (!c->slot_new) {
		bins_release(c);
		return -1;
	}
	for (int64_t h = 0; h <= c->k; h++) {
		double pmf[BINS_MAX_K + 1];
		dist_binom(h, 1 - p->loss, pmf);
		for (int64_t a = 0; a <= h; a++)
			c->thin[h][a] = pmf[a];
	}
	return 0;
}

/* Room for `more` doubles after the n held by a growing array. */
static int reserve_double(double **arr, int64_t n, int64_t *cap, int64_t more)
{
	if (n + more > *cap) {
		int64_t nc = *cap ? *cap : 64;
		double *na;
		while (nc < n + more)
			nc *= 2;
		na = realloc(*arr, (size_t)nc * sizeof *na);
		if (!na)
			return -1;
		*arr = na;
		*cap = nc;
	}
	return 0;
}

/*
 * The cells of pmf in [lo, hi) that have weight, with their running sums
 * in the same order, for draws by one uniform: the cell sample_discrete
 * would return for the same uniform (adding a zero leaves a sum as it is),
 * without the zeros and the additions.
 */
static void cells_make(struct cells *t, const double *pmf, int64_t lo, int64_t hi, int64_t kk)
{
	double cdf = 0;

	t->n = 0;
	/* Each cell written, kept only with weight (no branch: which have weight varies slot by slot). */
	for (int64_t x = lo; x < hi; x++) {
		cdf += pmf[x];
		t->at[t->n] = (int)x;
		t->ain[t->n] = (unsigned char)(x / kk);
		t->aout[t->n] = (unsigned char)(x % kk);
		t->cum[t->n] = cdf;
		t->n += pmf[x] > 0;
	}
	t->total = cdf;
}

/* The index in t of a cell with chance proportional to its weight (t holds at least one). */
static int cells_index(struct rng *r, const struct cells *t)
{
	double u = rng_unit(r) * t->total;
	int i = 0;

	/* The first cell whose running sum exceeds u: the count of those that do not (no branch to mispredict). */
	for (int q = 0; q < t->n - 1; q++)
		i += u >= t->cum[q];
	return i;
}

/* The same cell, as its place in the pmf. */
static int64_t cells_draw(struct rng *r, const struct cells *t)
{
	return t->at[cells_index(r, t)];
}

/* reach[a], a = 0..K: arrivals among mm uninformed of one sender's K peers (the sender not among them). */
static void make_reach(struct bins *c, int64_t mm, double *reach)
{
	int64_t k = c->k, n1 = c->n1;
	double hyp[BINS_MAX_K + 1];

	if (n1 - mm >= k && mm >= 0) {
		/* Products of at most K factors below 1e9 each: no overflow, one division a term. */
		double num = 1, den = 1, h0;
		for (int64_t j = 0; j < k; j++) {
			num *= (double)(n1 - mm - j);
			den *= (double)(n1 - j);
		}
		h0 = num / den;
		hyp[0] = h0;
		for (int64_t h = 0; h < k; h++)
			hyp[h + 1] = h < mm ? hyp[h] * ((double)(k - h) * (double)(mm - h)) /
						     ((double)(h + 1) * (double)(n1 - mm - k + h + 1))
					    : 0;
		if (!(h0 > 1e-250)) {
			struct dist_pmf pmf;
			dist_hypergeom(n1, mm, k, hyp, k + 1, &pmf);
		}
	} else {
		struct dist_pmf pmf;
		dist_hypergeom(n1, mm, k, hyp, k + 1, &pmf);
	}
	for (int64_t a = 0; a <= k; a++)
		reach[a] = 0;
	for (int64_t h = 0; h <= k; h++)
		for (int64_t a = 0; a <= h; a++)
			reach[a] += hyp[h] * c->thin[h][a];
}

/*
 * joint[i (K+1) + o] = P(a_in = i, a_out = o) with reach for mm, min_ of
 * them in U_in: reach[i + o] times the chance that i of a uniform
 * (i + o)-subset of the mm lie among the min_, C(min_, i) C(mm - min_, o) /
 * C(mm, i + o), from the three factors' tables (a binomial coefficient's
 * product holds a zero factor when it is zero).
 */
static void make_joint(const struct bins *c, const double *reach, int64_t mm, int64_t min_, double *joint)
{
	int64_t k = c->k, mo = mm - min_;
	double cin[BINS_MAX_K + 1], cout[BINS_MAX_K + 1], inv[BINS_MAX_K + 1];

	cin[0] = cout[0] = inv[0] = 1;
	for (int64_t t = 0; t < k; t++) {
		cin[t + 1] = cin[t] * (double)(min_ - t) / (double)(t + 1);
		cout[t + 1] = cout[t] * (double)(mo - t) / (double)(t + 1);
		/* 0 from t = mm on (no branch: mm - t is then at most 0, so divide by 1). */
		inv[t + 1] = (double)(t < mm) * inv[t] * (double)(t + 1) / (double)(t < mm ? mm - t : 1);
	}
	/* All finite, so a zero reach gives a zero cell; those with i + o > K stay 0. */
	memset(joint, 0, BINS_CELLS * sizeof *joint);
	for (int64_t i = 0; i <= k; i++)
		for (int64_t o = 0; o <= k - i; o++)
			joint[i * (k + 1) + o] = reach[i + o] * cin[i] * cout[o] * inv[i + o];
}

/*
 * Binomial(n, p): for n up to 16 the count of n uniforms below p (exact,
 * and cheaper than the exp and log1p of sample_binomial's inversion), else
 * sample_binomial_lq, with its *lq (log1p(-p) or NaN, kept) for several
 * draws with one p.
 */
static int64_t binomial_lq(struct rng *r, int64_t n, double p, double *lq)
{
	int64_t x = 0;

	if (n > 16)
		return (int64_t)sample_binomial_lq(r, (uint64_t)n, p, lq);
	for (int64_t i = 0; i < n; i++)
		x += rng_unit(r) < p;
	return x;
}

/* The same, for one draw. */
static int64_t binomial(struct rng *r, int64_t n, double p)
{
	double lq = NAN;

	return binomial_lq(r, n, p, &lq);
}

/* First slot >= j of bin x, and the ticks before the horizon from it on (S a power of two: masks, no division). */
static int64_t ticks_from(const struct bins *c, int64_t j, int64_t x)
{
	int64_t k0 = j + ((x - j) & (c->s - 1));

	return k0 < c->slots ? ((c->slots - 1 - k0) >> c->s_log2) + 1 : 0;
}

/*
 * Binomial(n, 1/2): for n up to HALF_BY_BITS the count of ones among n
 * uniform random bits (exact, n / 64 draws of the generator), else
 * sample_binomial.
 */
#define HALF_BY_BITS 1024

/* The ones in x (inline: without -mpopcnt the builtin is a library call). */
static int64_t ones64(uint64_t x)
{
	x -= (x >> 1) & 0x5555555555555555u;
	x = (x & 0x3333333333333333u) + ((x >> 2) & 0x3333333333333333u);
	x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0fu;
	return (int64_t)((x * 0x0101010101010101u) >> 56);
}

static int64_t binomial_half(struct rng *r, int64_t n)
{
	int64_t ones = 0;

	if (n > HALF_BY_BITS)
		return (int64_t)sample_binomial(r, (uint64_t)n, 0.5);
	for (; n >= 64; n -= 64)
		ones += ones64(rng_next(r));
	if (n > 0)
		ones += ones64(rng_next(r) >> (64 - n));
	return ones;
}

/* d nodes informed in slot j outside bin b: each joins a uniform other bin, anonymous. */
static void place_out(struct bins *c, int64_t j, int64_t b, int64_t d)
{
	/*
	 * Many: each uniform over all S bins, halving down the path from the
	 * root to leaf b of a binary tree over the bins; the share that leaves
	 * the path stays uniform over its subtree until a bin of it is reached
	 * (resolve), and those that end in bin b are placed again.
	 */
	while (d >= c->s) {
		for (int64_t node = 1, level = c->s_log2 - 1; level >= 0; level--) {
			/* l go left; b's side keeps its share, the other side's joins the tree (no branch). */
			int64_t l = binomial_half(&c->rng, d), right = (b >> level) & 1;
			c->tree[2 * node + 1 - right] += right ? l : d - l;
			d = right ? d - l : l;
			node = 2 * node + right;
			c->steps++;
		}
	}
	/* Few: each into a uniform other bin, from s_log2 random bits a try (the value S - 1 refused). */
	{
		uint64_t w = 0, mask = (uint64_t)c->s - 1;
		int bits = 0;
		while (d > 0) {
			int64_t x;
			if (bits < c->s_log2) {
				w = rng_next(&c->rng);
				bits = 64;
			}
			x = (int64_t)(w & mask);
			w >>= c->s_log2;
			bits -= c->s_log2;
			if (x == c->s - 1)
				continue;
			x += x >= b;
			c->anon[x]++;
			c->ticks += (uint64_t)ticks_from(c, j + 1, x);
			c->steps++;
			d--;
		}
	}
}

/* Nodes placed uniformly over subtrees holding bin x, told apart down to x; ticks from slot j on. */
static void resolve(struct bins *c, int64_t j, int64_t x)
{
	int64_t leaf = c->s + x, n;

	for (int level = 0; level < c->s_log2; level++) {
		int64_t node = leaf >> (c->s_log2 - level);
		if (c->tree[node] > 0) {
			int64_t l = binomial_half(&c->rng, c->tree[node]);
			c->tree[2 * node] += l;
			c->tree[2 * node + 1] += c->tree[node] - l;
			c->tree[node] = 0;
			c->steps++;
		}
	}
	n = c->tree[leaf];
	c->tree[leaf] = 0;
	c->anon[x] += n;
	c->ticks += (uint64_t)n * (uint64_t)ticks_from(c, j, x);
}

static int heap_push(struct bins *c, struct bev e)
{
	int64_t i;

	if (c->heap_n == c->heap_cap) {
		int64_t nc = c->heap_cap ? 2 * c->heap_cap : 64;
		struct bev *h = realloc(c->heap, (size_t)nc * sizeof *h);
		if (!h)
			return -1;
		c->heap = h;
		c->heap_cap = nc;
	}
	i = c->heap_n++;

	while (i > 0) {
		int64_t up = (i - 1) / 2;
		if (c->heap[up].t <= e.t)
			break;
		c->heap[i] = c->heap[up];
		i = up;
	}
	c->heap[i] = e;
	return 0;
}

static struct bev heap_pop(struct bins *c)
{
	struct bev top = c->heap[0], last = c->heap[--c->heap_n];
	int64_t i = 0;

	for (;;) {
		int64_t l = 2 * i + 1, s;
		if (l >= c->heap_n)
			break;
		s = l + 1 < c->heap_n && c->heap[l + 1].t < c->heap[l].t ? l + 1 : l;
		if (c->heap[s].t >= last.t)
			break;
		c->heap[i] = c->heap[s];
		i = s;
	}
	if (c->heap_n > 0)
		c->heap[i] = last;
	return top;
}

/* ev[0..n) by time, times in [0, 1): n buckets, then insertion within them (expected O(n)). */
static void sort_events(struct bins *c, int64_t n)
{
	struct bev *ev = c->ev, *out = c->sorted;
	int64_t *bk = c->bucket;

	memset(bk, 0, (size_t)(n + 1) * sizeof *bk);
	for (int64_t i = 0; i < n; i++)
		bk[imin((int64_t)(ev[i].t * (double)n), n - 1) + 1]++;
	for (int64_t i = 0; i < n; i++)
		bk[i + 1] += bk[i];
	for (int64_t i = 0; i < n; i++)
		out[bk[imin((int64_t)(ev[i].t * (double)n), n - 1)]++] = ev[i];
	for (int64_t i = 1; i < n; i++) {
		struct bev e = out[i];
		int64_t q = i;
		while (q > 0 && out[q - 1].t > e.t) {
			out[q] = out[q - 1];
			q--;
		}
		out[q] = e;
	}
	c->sorted = ev;
	c->ev = out;
}

static int grow_ev(struct bins *c, int64_t need)
{
	if (need > c->ev_cap) {
		int64_t nc = need < 64 ? 64 : 2 * need;
		struct bev *e = realloc(c->ev, (size_t)nc * sizeof *e), *h;
		if (!e)
			return -1;
		c->ev = e;
		h = realloc(c->sorted, (size_t)nc * sizeof *h);
		if (!h)
			return -1;
		c->sorted = h;
		{
			int64_t *bk = realloc(c->bucket, (size_t)(nc + 1) * sizeof *bk);
			if (!bk)
				return -1;
			c->bucket = bk;
		}
		c->ev_cap = nc;
	}
	return 0;
}

/*
 * cjoint, the joint pmf of a chain sender's (a_in, a_out): make_joint for
 * the m0 - 1 others uninformed, m_in - 1 of them in U_in; *tot its total,
 * chit its cells with a_in >= 1, crow those with a_in = 0.
 */
static void chain_joint(struct bins *c, int64_t m0, int64_t m_in, double *tot)
{
	int64_t kk = c->k + 1;
	double reach1[BINS_MAX_K + 1];

	make_reach(c, m0 - 1, reach1);
	make_joint(c, reach1, m0 - 1, m_in - 1, c->cjoint);
	*tot = 0;
	for (int64_t x = 0; x < kk * kk; x++)
		*tot += c->cjoint[x];
	cells_make(&c->chit, c->cjoint, kk, kk * kk, kk);
	cells_make(&c->crow, c->cjoint, 0, kk, kk);
}

/*
 * b balls into n cells with m empty (sample_occupancy's law).  A slot's
 * layers are small: when the balls that would land on full cells (those
 * full at the start, and about b / 2 of the b filled on the way, each
 * chance / n) come to fewer than OCCUPANCY_DIRECT, every ball is thrown
 * (sample_throws), cheaper than sample_occupancy's binomial for the balls
 * landing among the empty.
 */
#define OCCUPANCY_DIRECT 50.0

static int64_t occupancy(struct rng *r, int64_t n, int64_t m, int64_t b)
{
	if ((double)b * ((double)(n - m) + (double)b / 2) <= OCCUPANCY_DIRECT * (double)n)
		return sample_throws(r, n, m, b, n >= ((int64_t)1 << 28));
	return sample_occupancy(r, n, m, b);
}

/*
 * Geometric(p), the failures before the first success, by inversion with
 * lq = log1p(-p) given (several draws with one p): floor(log(1 - u) / lq).
 */
static uint64_t geometric_lq(struct rng *r, double p, double lq)
{
	double g;

	if (p >= 1)
		return 0;
	if (!(p > 0))
		return UINT64_MAX;
	g = floor(log(1 - rng_unit(r)) / lq);
	return g >= 1.8e19 ? UINT64_MAX : (uint64_t)g;
}

/* Room for n nodes of U_in reached, in bulk_in's arrays. */
static int reserve_reached(struct bins *c, int64_t n)
{
	if (n > c->r_cap) {
		int64_t nc = n < 64 ? 64 : 2 * n;
		double *rs = realloc(c->rs, (size_t)nc * sizeof *rs), *ru;
		unsigned char *act;
		int64_t *stk;
		if (!rs)
			return -1;
		c->rs = rs;
		ru = realloc(c->ru, (size_t)nc * sizeof *ru);
		if (!ru)
			return -1;
		c->ru = ru;
		act = realloc(c->act, (size_t)nc);
		if (!act)
			return -1;
		c->act = act;
		stk = realloc(c->stk, (size_t)nc * sizeof *stk);
		if (!stk)
			return -1;
		c->stk = stk;
		c->r_cap = nc;
	}
	return 0;
}

/* bulk_in's state: U_in's size, the nodes of it reached, the queue's end, pend's count. */
struct reach_in {
	int64_t m_in, n, top, pn;
};

/*
 * One sender's ain arrivals in U_in at time t, in bulk_in (r its generator):
 * drawn without replacement among U_in less the sender (`self`, a reached
 * node, when it is one; else -1).  The next is a node not yet reached with
 * the chance of those among the nodes it may be; else it is one of the
 * reached others, uniformly (the z-th, counting past the sender and its
 * earlier peers), and its first arrival becomes the earlier of the two.  A
 * node whose own place lies after its first arrival ticks in the slot: it
 * joins the queue stk, once (a first arrival only moves earlier).  A new
 * node's place goes to pend.
 */
static void bulk_arrive(struct bins *c, struct rng *r, struct reach_in *st, double t, int64_t ain, int64_t self)
{
	int64_t own[BINS_MAX_K + 1], no = 0;

	if (self >= 0)
		own[no++] = self;
	for (int64_t q = 0; q < ain; q++) {
		int64_t z = (int64_t)rng_below(r, (uint64_t)(st->m_in - (self >= 0) - q)), idx, i;
		int tick;
		if (z < st->m_in - st->n) {
			idx = st->n++;
			c->rs[idx] = t;
			c->ru[idx] = c->pend[st->pn++] = rng_unit(r);
			c->act[idx] = 0;
		} else {
			idx = z - (st->m_in - st->n);
			for (i = 0; i < no; i++)
				idx += own[i] <= idx;
			c->rs[idx] = t < c->rs[idx] ? t : c->rs[idx];
		}
		/* own[] kept in ascending order, for the count above. */
		for (i = no++; i > 0 && own[i - 1] > idx; i--)
			own[i] = own[i - 1];
		own[i] = idx;
		/* Without a branch: which way it goes is a coin toss. */
		tick = (c->act[idx] == 0) & (c->ru[idx] > c->rs[idx]);
		c->act[idx] = (unsigned char)(c->act[idx] | tick);
		c->stk[st->top] = idx;
		st->top += tick;
	}
}

/*
 * U_in in a bulk slot, in no particular order.  A node is first reached at
 * the earliest arrival from a sender that sends, and sends in the slot iff
 * its own place is later; each sender's peers and cell are drawn
 * independently of when it sends.  Taken in any order, a node's first
 * arrival only moves earlier, so a node once ticking stays so, and every
 * tick follows, at a later place, the arrival that set it off (no tick
 * props itself up): the outcome (each node's first arrival, which of them
 * tick in the slot, what they send) is the one time order gives.  The
 * first nh_a anonymous at uniform places, then ex[0..nh_e)) first, those
 * with one peer in U_in (nearly all) inline as bulk_arrive would take them;
 * then the nodes that tick here, in the order they joined the queue: each
 * a hitter of its own with the chance cjoint gives, independently, so the
 * senders up to the next hitter are a geometric count, passed over at once
 * (*nc: their a_out are drawn after the slot).  Each sender's a_out goes to
 * cnt; the nodes reached get their places in pend and their ticks.  The
 * hitters' loop draws from a local copy of the generator (the stores to
 * the arrays cannot then touch it, so it stays in registers).  Returns the
 * nodes of U_in informed, or -1 on no memory.
 */
static int64_t bulk_in(struct bins *c, int64_t j, int64_t b, int64_t m0, int64_t m_in, int64_t nh_a,
		       int64_t nh_e, int64_t *nc)
{
	const double *ex = c->ex[b];
	struct reach_in st = { m_in, 0, 0, 0 };
	struct rng r;
	double *rs, *ru, *pend;
	unsigned char *act;
	int64_t *stk, *cnt = c->cnt, p = 0, n = 0, top = 0, pn;
	uint64_t skip = 0;
	double p_chain = 0, lq_chain = 0;

	if (reserve_reached(c, m_in) < 0)
		return -1;
	r = c->rng;
	rs = c->rs;
	ru = c->ru;
	act = c->act;
	stk = c->stk;
	pend = c->pend;
	pn = c->pend_n;
	for (int64_t h = 0; h < nh_a + nh_e; h++) {
		int x = cells_index(&r, &c->hit);
		double t;
		if (h < nh_a) {
			t = rng_unit(&r);
			pend[pn++] = t;
		} else {
			t = ex[h - nh_a];
		}
		cnt[c->hit.aout[x]]++;
		if (c->hit.ain[x] == 1) {
			int64_t z = (int64_t)rng_below(&r, (uint64_t)m_in), idx;
			int tick;
			if (z < m_in - n) {
				double u = rng_unit(&r);
				idx = n++;
				rs[idx] = t;
				ru[idx] = pend[pn++] = u;
				tick = u > t;
				act[idx] = (unsigned char)tick;
			} else {
				idx = z - (m_in - n);
				rs[idx] = t < rs[idx] ? t : rs[idx];
				tick = (act[idx] == 0) & (ru[idx] > rs[idx]);
				act[idx] = (unsigned char)(act[idx] | tick);
			}
			stk[top] = idx;
			top += tick;
		} else {
			/* Through a copy, so that r itself never has its address taken (it stays in registers). */
			struct rng r2 = r;
			st.n = n;
			st.top = top;
			st.pn = pn;
			bulk_arrive(c, &r2, &st, t, c->hit.ain[x], -1);
			n = st.n;
			top = st.top;
			pn = st.pn;
			r = r2;
		}
	}
	c->steps += (uint64_t)(nh_a + nh_e);
	st.n = n;
	st.top = top;
	st.pn = pn;
	c->rng = r;
	if (st.top > 0) {
		double cj_tot;
		chain_joint(c, m0, m_in, &cj_tot);
		p_chain = cj_tot > 0 ? c->chit.total / cj_tot : 0;
		lq_chain = log1p(-p_chain);
		skip = geometric_lq(&c->rng, p_chain, lq_chain);
	}
	while (p < st.top) {
		uint64_t queued = (uint64_t)(st.top - p);
		int64_t i;
		int x;
		if (skip >= queued) {
			skip -= queued;
			*nc += (int64_t)queued;
			p = st.top;
			continue;
		}
		p += (int64_t)skip;
		*nc += (int64_t)skip;
		i = stk[p++];
		x = cells_index(&c->rng, &c->chit);
		cnt[c->chit.aout[x]]++;
		c->steps++;
		bulk_arrive(c, &c->rng, &st, ru[i], c->chit.ain[x], i);
		skip = geometric_lq(&c->rng, p_chain, lq_chain);
	}
	/* Every node that ticks here joined the queue once: st.top of them. */
	c->ticks += (uint64_t)st.top * (uint64_t)ticks_from(c, j, b) +
		    (uint64_t)(st.n - st.top) * (uint64_t)ticks_from(c, j + 1, b);
	c->pend_n = st.pn;
	return st.n;
}

/*
 * One slot; returns -1 on no memory, else 0.  *done is set (and *all the
 * time to all, in intervals) once every live node is informed.
 */
static int run_slot(struct bins *c, int64_t j, int64_t *m, int *done, double *all)
{
	int64_t b = j & (c->s - 1), k = c->k, kk = k + 1, A, E = c->ex_n[b];
	int64_t m0 = *m, m_in, m_out, nh_a, nh_e, nA, nE, ne = 0, left = *m, new_n = 0;
	int64_t t_here, t_next, nc = 0, in_left, out_left;
	double p_hit = 0, q_out, last = 0, cj_tot = 1, *ex = c->ex[b];
	int bulk, cj_ok = 0;

	c->slot_new[j] = 0;
	c->steps++;
	resolve(c, j, b);
	A = c->anon[b];
	if (A + E == 0)
		return 0;
	m_in = binomial_lq(&c->rng, m0, 1.0 / (double)c->s, &c->lq_bin);
	m_out = m0 - m_in;
	make_reach(c, m0, c->reach);
	make_joint(c, c->reach, m0, m_in, c->joint);
	for (int64_t o = 0; o <= k; o++)
		c->r0[o] = c->joint[o];
	cells_make(&c->hit, c->joint, kk, kk * kk, kk);
	p_hit = c->hit.total; /* the sum of the cells a_in >= 1, in order */
	if (m_in > 0) {
		double lq = NAN;
		nh_a = binomial_lq(&c->rng, A, p_hit, &lq);
		nh_e = binomial_lq(&c->rng, E, p_hit, &lq);
	} else {
		nh_a = nh_e = 0;
	}
	nA = A - nh_a;
	nE = E - nh_e;
	/* r0: a_out given a_in = 0 (unnormalised; total 1 - p_hit). */
	q_out = 1 - p_hit > 0 ? 1 - c->r0[0] / (1 - p_hit) : 0;
	{
		/*
		 * Safe when m_out (-log ph) >= 45, ph the chance a node of U_out is
		 * reached; ph <= (A + E + m_in) q, so below 1/2 it is safe from 65
		 * on without the logarithms.
		 */
		double outs = (double)(nA + nE) * q_out;
		bulk = m_out > 0 && (c->mode == SIM_BINS_BULK || (c->mode == SIM_BINS_AUTO && outs > (double)k));
		if (bulk && !(m_out >= 65 && (double)(A + E + m_in) * -c->log_miss <= 0.5)) {
			double ph = -expm1((double)(A + E + m_in) * c->log_miss);
			bulk = ph < 1 && (double)m_out * -log(ph) >= 45;
		}
	}
	/* The explicit hitters to the front of ex[b], then (individual) those reaching U_out. */
	for (int64_t r = 0; r < nh_e; r++) {
		int64_t s = r + (int64_t)rng_below(&c->rng, (uint64_t)(E - r));
		double t = ex[r];
		ex[r] = ex[s];
		ex[s] = t;
	}
	memset(c->cnt, 0, sizeof c->cnt);
	c->pend_n = 0;
	/* pend: the anonymous hitters and the nodes of U_in informed here, each at its place. */
	if (reserve_double(&c->pend, 0, &c->pend_cap, nh_a + m_in) < 0)
		return -1;
	if (bulk) {
		/* Non-hitters by a_out: a multinomial from the top, as sim_fast.c's stage_one. */
		double below[BINS_MAX_K + 1];
		int64_t in_new, above = 0, rem = m_out;
		sample_multinomial_down(&c->rng, nA + nE, c->r0, k, below, c->cnt);
		c->anon[b] -= nh_a;
		in_new = bulk_in(c, j, b, m0, m_in, nh_a, nh_e, &nc);
		if (in_new < 0)
			return -1;
		new_n += in_new;
		left -= in_new;
		/*
		 * Stage two: the union over U_out, layer by layer (sim_fast.c's
		 * stage_two).  The chain senders that reached no node of U_in, by
		 * a_out (cjoint's cells a_in = 0): one by one while few (cheaper
		 * than K binomials).
		 */
		if (nc > 4 * BINS_MAX_K) {
			sample_multinomial_down(&c->rng, nc, c->cjoint, k, below, c->cnt);
		} else if (nc > 0) {
			for (int64_t r = 0; r < nc; r++)
				c->cnt[c->crow.aout[cells_index(&c->rng, &c->crow)]]++;
		}
		for (int64_t o = 1; o <= k; o++)
			above += c->cnt[o];
		for (int64_t t = 0; t < k && above > 0 && rem > 0; t++) {
			rem = occupancy(&c->rng, m_out - t, rem, above);
			above -= c->cnt[t + 1];
			c->steps++;
		}
		new_n += m_out - rem;
		left -= m_out - rem;
		place_out(c, j, b, m_out - rem);
		if (left == 0)
			last = 1; /* probability below e^-45: see the top */
		goto record;
	}
	if (grow_ev(c, nh_a + nh_e + 1) < 0)
		return -1;
	for (int64_t r = 0; r < nh_a + nh_e; r++) {
		int64_t x = cells_draw(&c->rng, &c->hit);
		struct bev e = { r < nh_a ? rng_unit(&c->rng) : ex[r - nh_a], r < nh_a ? -1 : r - nh_a,
				 (int)(x / kk), (int)(x % kk) };
		c->ev[ne++] = e;
		c->steps++;
	}
	if (m_out > 0 && q_out > 0) {
		int64_t ca = binomial(&c->rng, nA, q_out);
		int64_t ce = binomial(&c->rng, nE, q_out);
		double tot = 0;
		for (int64_t o = 1; o <= k; o++)
			tot += c->r0[o];
		for (int64_t r = 0; r < ce; r++) {
			int64_t s = nh_e + r + (int64_t)rng_below(&c->rng, (uint64_t)(nE - r));
			double t = ex[nh_e + r];
			ex[nh_e + r] = ex[s];
			ex[s] = t;
		}
		if (grow_ev(c, ne + ca + ce + 1) < 0)
			return -1;
		for (int64_t r = 0; r < ca + ce; r++) {
			struct bev e = { r < ca ? rng_unit(&c->rng) : ex[nh_e + r - ca], -1, 0,
					 (int)sample_discrete(&c->rng, c->r0, 1, k, tot) };
			c->ev[ne++] = e;
			c->steps++;
		}
	}
	if (ne > 1)
		sort_events(c, ne);
	c->heap_n = 0;
	t_here = ticks_from(c, j, b);
	t_next = ticks_from(c, j + 1, b);
	for (int64_t r = 0; r < ne; r++)
		if (c->ev[r].ain > 0 && c->ev[r].who < 0)
			c->pend[c->pend_n++] = c->ev[r].t;
	c->anon[b] -= nh_a;
	in_left = m_in;
	out_left = m_out;
	/* Individual: every sender in time order, the hitters' and chain senders' peers one by one. */
	for (int64_t r = 0; (r < ne || c->heap_n > 0) && left > 0;) {
		struct bev e;
		int chain = 0;
		if (c->heap_n > 0 && (r >= ne || c->heap[0].t < c->ev[r].t)) {
			int64_t x;
			e = heap_pop(c);
			chain = 1;
			/* Its own K peers: U_in without itself, U_out, the rest. */
			if (!cj_ok) {
				chain_joint(c, m0, m_in, &cj_tot);
				cj_ok = 1;
			}
			x = sample_discrete(&c->rng, c->cjoint, 0, kk * kk - 1, cj_tot);
			e.ain = (int)(x / kk);
			e.aout = (int)(x % kk);
			c->pend[c->pend_n++] = e.t;
		} else {
			e = c->ev[r++];
		}
		c->steps++;
		/*
		 * Its a_in peers in U_in (less itself, for a chain sender), drawn
		 * without replacement: the next is new with the chance of the not
		 * yet reached among those left (who they are does not matter).
		 */
		for (int64_t q = 0; q < e.ain; q++) {
			double u;
			if ((int64_t)rng_below(&c->rng, (uint64_t)(m_in - chain - q)) >= in_left)
				continue;
			in_left--;
			left--;
			new_n++;
			last = e.t;
			u = rng_unit(&c->rng);
			if (u > e.t) {
				struct bev ch = { u, 0, 0, 0 };
				c->ticks += (uint64_t)t_here;
				if (heap_push(c, ch) < 0)
					return -1;
			} else {
				c->pend[c->pend_n++] = u;
				c->ticks += (uint64_t)t_next;
			}
		}
		for (int64_t q = 0; q < e.aout; q++) {
			if ((int64_t)rng_below(&c->rng, (uint64_t)(m_out - q)) >= out_left)
				continue;
			out_left--;
			left--;
			new_n++;
			last = e.t;
			place_out(c, j, b, 1);
		}
	}
record:
	if (c->pend_n > 0) {
		if (reserve_double(&c->ex[b], c->ex_n[b], &c->ex_cap[b], c->pend_n) < 0)
			return -1;
		memcpy(c->ex[b] + c->ex_n[b], c->pend, (size_t)c->pend_n * sizeof *c->pend);
		c->ex_n[b] += c->pend_n;
	}
	c->slot_new[j] = new_n;
	*m = left;
	if (left == 0) {
		*done = 1;
		*all = ((double)j + last) / (double)c->s;
	}
	return 0;
}

/* One trial: slot_new filled up to the last slot run; *informed, *all (when full). */
static int bins_trial(struct bins *c, int64_t *informed, double *all, int64_t *last_slot)
{
	int64_t m = c->live - 1, x0;
	int done = c->live == 1;

	for (int b = 0; b < c->s; b++) {
		c->anon[b] = 0;
		c->ex_n[b] = 0;
	}
	memset(c->tree, 0, sizeof c->tree);
	c->ticks = 0;
	c->steps = 0;
	*all = 0;
	/* The origin: informed at 0, its phase anywhere; in bin 0 it ticks in slot 0 after 0. */
	x0 = (int64_t)rng_below(&c->rng, (uint64_t)c->s);
	if (x0 == 0) {
		if (reserve_double(&c->ex[0], 0, &c->ex_cap[0], 1) < 0)
			return -1;
		c->ex[0][c->ex_n[0]++] = rng_unit(&c->rng);
	} else {
		c->anon[x0] = 1;
	}
	c->ticks += (uint64_t)ticks_from(c, 0, x0);
	*last_slot = -1;
	for (int64_t j = 0; j < c->slots && !done; j++) {
		if (run_slot(c, j, &m, &done, all) < 0)
			return -1;
		*last_slot = j;
	}
	/* Placed nodes still unresolved tick from the next slot of their bin on. */
	for (int64_t x = 0; x < c->s; x++)
		resolve(c, *last_slot + 1, x);
	*informed = c->live - m;
	return 0;
}

/* The trial's figures into a struct sim_timed (when unset) and the count informed by each slot's end. */
static void trial_out(const struct bins *c, struct sim_timed *out, int64_t informed)
{
	out->when = NULL;
	out->informed = informed;
	out->messages = (uint64_t)c->k * c->ticks;
	out->transmits = out->messages;
	out->probe_transmits = 0;
	out->steps = c->steps;
}

enum fo_status sim_bins_timed_as(const struct gossip_params *p, uint64_t seed, uint64_t trial,
				 enum sim_bins_mode mode, int s, double *when, struct sim_timed *out)
{
	struct gossip_params view = gossip_known_view(p);
	struct bins c;
	int64_t informed, last_slot, w = 1;
	double all;

	if (bins_init(&c, &view, s) < 0)
		return FO_NOMEM;
	c.mode = mode;
	rng_stream(&c.rng, seed, trial);
	if (bins_trial(&c, &informed, &all, &last_slot) < 0) {
		bins_release(&c);
		return FO_NOMEM;
	}
	trial_out(&c, out, informed);
	/* Nodes of slot j at just after its start; the last node (full) at its own time. */
	when[0] = 0;
	for (int64_t j = 0; j <= last_slot; j++)
		for (int64_t i = 0; i < c.slot_new[j]; i++)
			when[w++] = nextafter((double)j / (double)c.s, INFINITY);
	if (informed == c.live && informed > 1)
		when[informed - 1] = fmax(all, when[informed - 1]);
	out->when = when;
	bins_release(&c);
	return FO_OK;
}

enum fo_status sim_bins_slot_as(const struct gossip_params *p, uint64_t seed, uint64_t trial,
				enum sim_bins_mode mode, int s, int64_t anon, int64_t m, int64_t *in_new,
				int64_t *new_n, uint64_t *ticks)
{
	struct bins c;
	double all = 0;
	int done = 0;

	if (bins_init(&c, p, s) < 0)
		return FO_NOMEM;
	c.mode = mode;
	rng_stream(&c.rng, seed, trial);
	c.anon[0] = anon;
	if (run_slot(&c, 0, &m, &done, &all) < 0) {
		bins_release(&c);
		return FO_NOMEM;
	}
	/* Bin 0's explicit nodes after the slot: its anonymous hitters and the nodes of U_in informed. */
	*in_new = c.ex_n[0] - (anon - c.anon[0]);
	*new_n = c.slot_new[0];
	for (int64_t x = 0; x < c.s; x++)
		resolve(&c, 1, x);
	*ticks = c.ticks;
	bins_release(&c);
	return FO_OK;
}

enum fo_status sim_bins_place_as(const struct gossip_params *p, uint64_t seed, uint64_t trial, int s, int64_t b,
				 int64_t d, int64_t *count)
{
	struct bins c;

	if (bins_init(&c, p, s) < 0)
		return FO_NOMEM;
	rng_stream(&c.rng, seed, trial);
	place_out(&c, 0, b, d);
	for (int64_t x = 0; x < c.s; x++) {
		resolve(&c, 1, x);
		count[x] = c.anon[x];
	}
	bins_release(&c);
	return FO_OK;
}

enum fo_status sim_bins_timed(const struct gossip_params *p, uint64_t seed, uint64_t trial, double *when,
			      struct sim_timed *out)
{
	return sim_bins_timed_as(p, seed, trial, SIM_BINS_AUTO, 0, when, out);
}

enum fo_status sim_bins_run(const struct gossip_params *p, uint64_t seed, uint64_t first_trial, int64_t trials,
			    const atomic_int *cancel, struct sim_tally *t)
{
	struct bins c;
	enum fo_status st = FO_OK;
	double wasted = gossip_unreachable_chance(p);
	int64_t edges = t->rounds, *by_edge = malloc((size_t)(edges + 1) * sizeof *by_edge);

	if (!by_edge)
		return FO_NOMEM;
	if (bins_init(&c, p, 0) < 0) {
		free(by_edge);
		return FO_NOMEM;
	}
	for (int64_t i = 0; i < trials; i++) {
		struct sim_timed out;
		int64_t informed, last_slot, cum = 1, j = 0;
		double all;
		if (fo_cancelled(cancel)) {
			st = FO_CANCELLED;
			break;
		}
		rng_stream(&c.rng, seed, first_trial + (uint64_t)i);
		if (bins_trial(&c, &informed, &all, &last_slot) < 0) {
			st = FO_NOMEM;
			break;
		}
		trial_out(&c, &out, informed);
		/* Edge e at min(e / 4, H): informed by the end of slot e S / 4 - 1. */
		for (int64_t e = 0; e <= edges; e++) {
			int64_t upto = e == edges ? c.slots : imin(e * (c.s / SIM_BINS_PER_INTERVAL), c.slots);
			for (; j < upto && j <= last_slot; j++)
				cum += c.slot_new[j];
			by_edge[e] = cum;
		}
		if (wasted > 0) {
			uint64_t k = (uint64_t)p->fanout;
			uint64_t pushed = sample_binomial(&c.rng, out.messages / k, wasted);
			out.messages += pushed;
			out.transmits += pushed;
		}
		sim_tally_add_edges(t, &out, all, by_edge);
	}
	bins_release(&c);
	free(by_edge);
	return st;
}
