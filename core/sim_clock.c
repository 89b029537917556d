/*
 * sim_clock.c — the fast simulator under independent timers: an exact
 * sampler of the same law as sim_agent.c's timed trial.
 *
 * The live nodes' gossip phases are drawn at the start of a trial, already
 * sorted (exponential spacings, drawn by a ziggurat), and node i is the one with the i-th
 * smallest phase; with probes each node also gets a probe phase, the sorted
 * probe phases handed out by a uniform permutation.  Since all phases are
 * i.i.d. and nodes are chosen uniformly, this is the model's law.  Then:
 *
 * - every tick of an active pusher that would send K (its "full" ticks) is
 *   productive (at least one of its messages reaches an uninformed live
 *   node) with a probability a(m) that depends only on the m uninformed, so
 *   the number of unproductive full ticks before the next productive one is
 *   geometric.  The pushers' ticks come in the cyclic order of their phases,
 *   so the next productive one is found by counting set bits of a bitset
 *   over the sorted phases: work per productive tick, not per tick.  Who
 *   is reached is a uniform choice among the uninformed.
 * - pull is the same over the uninformed nodes' ticks, productive with the
 *   pull success probability for the i informed.
 * - whatever a pusher does apart from full ticks (a last tick with fewer
 *   than K sends, the end of its forward_rounds window, running out of
 *   transmits) is an explicit event, at most one per node, kept in a
 *   calendar: a bitset over the nodes for each of the next cycles, since
 *   an event falls at (or just after) one of its node's ticks.
 * - probe ticks are taken one by one, in the cyclic order of the probe
 *   phases, until nothing can change any more; the pings and acks still to
 *   come are then counted in one binomial draw.
 * - sync ticks (anti-entropy) likewise, from their own sorted phases handed
 *   out by a uniform permutation, while some live node is uninformed; every
 *   sync tick in [0, H] is two messages, counted at the end from the phases.
 *
 * Whenever the state changes the pending geometric draws are redrawn, which
 * memorylessness allows.  Sends of full ticks are not counted as they
 * happen: a node's sends by H follow from its tick count (min(X, sends at
 * its last update + K ticks)), and are summed at the end.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fanout/dist.h"
#include "fanout/sample.h"
#include "fanout/sim.h"
#include "sim_bins.h"
#include "sim_clock.h"

/*
 * Words of a bitset per block whose members are counted, so that a search
 * for the r-th member skips whole blocks: a step of next_member is then at
 * most 2 BLOCK_WORDS words plus the blocks, however sparse the set.
 */
#define BLOCK_WORDS 64
#define BLOCK_SHIFT 12 /* log2 of the nodes in a block */

/* Up to this many sends a tick's hit pmf comes from falling factorials. */
#define SMALL_SENDS 16

/* Doubles at most in the memo of K sends' hit pmfs (8 MiB; see arrival_pmf). */
#define MEMO_CELLS ((int64_t)1 << 20)

/* Cycles the event calendar has a bitset for; events further ahead share them. */
#define CAL_SLOTS 16

enum ev_kind {
	EV_LEAVE,   /* after its last full tick; a partial tick follows */
	EV_EXHAUST, /* after its last full tick, which used its last transmit */
	EV_PARTIAL, /* its last tick, with fewer than K transmits left */
	EV_CLOSE    /* after its T-th tick: its forward_rounds window closes */
};

/* The ziggurat's layer edges x[i] (descending) and e^-x[i] (see zig_exp). */
struct zig {
	double x[257], f[257];
};

/* An informed node (set when it learns; not read before). */
struct cnode {
	int64_t j0;         /* index of its first gossip tick after it learnt */
	int64_t ju;         /* index of its first gossip tick after its last update */
	int64_t sent_u;     /* transmits by its last update */
	int64_t probe_sent; /* transmits on pings and acks */
	int64_t ev_cycle;   /* its pending event's tick index, or -1 */
	enum ev_kind ev_kind;
};

/* Where a first tick after t changes value over the nodes (see find_cut). */
struct cut {
	double t;
	int64_t hi, lo, last;      /* values on [0, last] and (last, L); last = -2: no cut */
};

/* Bits of a node's state[], zeroed at the start of a trial. */
enum { INFORMED = 1, HOLDER = 2 };

struct clock {
	const struct gossip_params *p;
	int64_t live, k, x, t_win; /* x: INT64_MAX when unlimited */
	double h, period;
	int pushes, pulls, probes, syncs, limited;
	double sync;               /* S, the sync period (syncs) */
	double *gphase;            /* L, ascending in [0, 1) */
	double *pphase;            /* L, ascending in [0, P) (probes) */
	int64_t *pnode;            /* L: node of each probe phase (probes) */
	double *sphase;            /* L, ascending in [0, S) (syncs) */
	int64_t *snode;            /* L: node of each sync phase (syncs) */
	uint64_t *act, *uni;       /* bitsets over nodes: full-tick pushers, uninformed */
	int64_t *act_n, *uni_n;    /* their members in each block of BLOCK_WORDS words */
	int64_t words, blocks, nact;
	uint64_t act_version;
	int64_t *ulist, *upos, m;  /* the uninformed, in any order */
	struct cnode *node;
	unsigned char *state;      /* L: INFORMED | HOLDER */
	int track;                 /* upos is kept (pull or probes inform given nodes) */
	int keep_nodes;            /* node[] is read (limits, windows, probes or syncs): else not written */
	uint64_t *cal;             /* CAL_SLOTS bitsets of words: events whose cycle is the slot mod CAL_SLOTS */
	int64_t cal_n;             /* pending events */
	int64_t cal_cy, cal_v;     /* no pending event lies before tick cal_cy of node cal_v */
	int cal_ok;                /* (cal_cy, cal_v) is the next event, at time cal_at */
	double cal_at;
	double *when;
	int64_t informed, holders;
	/* The probe cursor: next probe tick is pcycle * P + pphase[pslot]; the sync one likewise. */
	int64_t pcycle, pslot, scycle, sslot;
	uint64_t pings;            /* probe ticks taken so far */
	uint64_t messages, probe_transmits;
	uint64_t steps;            /* work done in this trial (see sim_clock_steps) */
	/* Over informed nodes: pushes by H, ticks before they learnt (j0), ticks in [0, H]. */
	uint64_t pushes_sum, pull_ticks, informed_ticks;
	uint64_t pull_requests; /* by H, set by count_sends */
	int listed;                /* !track: ulist holds the uninformed (else: rejection from uni) */
	/* Pending draws: the next productive push and pull tick. */
	double push_at, pull_at;
	int64_t pull_slot, pull_tick, push_node, push_tick;
	int push_ok, pull_ok;
	int64_t push_m;            /* m and act_version the push draw was made for */
	uint64_t push_av;
	int64_t pull_i;
	double push_any;           /* a(m) for K sends */
	int64_t hits_for;          /* hits[] holds the pmf of K sends for m = hits_for (-1: other) */
	/*
	 * When the last step was a gossip tick, its cycle and node: ticks
	 * after it start at the next node, which t - floor(t) might not say
	 * exactly in floating point.
	 */
	int64_t at_cycle, at_node;
	struct cut tcut, hcut;     /* for the current tick's time and for H (see find_cut) */
	/* Scratch for hit pmfs. */
	double *hits, *kept;
	double *memo;              /* per m, K + 1: P(any), then hits[1..]; NaN: not yet (or NULL) */
	double inv_fact[SMALL_SENDS + 1], loss_pow[SMALL_SENDS + 1];
	double choose_k;           /* C(N - 1, K) as arrival_pmf forms it (K <= SMALL_SENDS) */
	struct zig zig;
	struct rng rng;
};

/*
 * Exponential(1) by Marsaglia and Tsang's ziggurat (J. Stat. Softw. 5(8),
 * 2000): 256 layers of equal area v under e^-x, the base one holding the
 * tail beyond r.  A draw picks a layer and a point in its rectangle;
 * inside the next layer's width it is taken at once (about 99%), else the
 * wedge is tested against e^-x; from the tail, r plus a fresh draw
 * (memorylessness).  Exact up to rounding, with no log on the fast path.
 */
#define ZIG_LAYERS 256
#define ZIG_R 7.69711747013104972
#define ZIG_V 3.949659822581572e-3

static void zig_init(struct zig *z)
{
	z->x[0] = ZIG_V / exp(-ZIG_R); /* the base: its rectangle and the tail, as one width */
	z->x[1] = ZIG_R;
	for (int i = 1; i < ZIG_LAYERS - 1; i++)
		z->x[i + 1] = -log(ZIG_V / z->x[i] + exp(-z->x[i]));
	z->x[ZIG_LAYERS] = 0;
	for (int i = 0; i <= ZIG_LAYERS; i++)
		z->f[i] = exp(-z->x[i]);
}

static double zig_exp(const struct zig *z, struct rng *r)
{
	double base = 0;

	for (;;) {
		uint64_t b = rng_next(r);
		int i = (int)(b & (ZIG_LAYERS - 1));
		double x = (double)(b >> 11) * 0x1.0p-53 * z->x[i];
		if (x < z->x[i + 1])
			return base + x;
		if (i == 0)
			base += ZIG_R;
		else if (z->f[i] + rng_unit(r) * (z->f[i + 1] - z->f[i]) < exp(-x))
			return base + x;
	}
}

static int64_t imin(int64_t a, int64_t b)
{
	return a < b ? a : b;
}

static void clock_release(struct clock *c)
{
	free(c->gphase);
	free(c->pphase);
	free(c->pnode);
	free(c->sphase);
	free(c->snode);
	free(c->act);
	free(c->uni);
	free(c->act_n);
	free(c->uni_n);
	free(c->ulist);
	free(c->upos);
	free(c->node);
	free(c->state);
	free(c->cal);
	free(c->when);
	free(c->hits);
	free(c->kept);
	free(c->memo);
}

static int clock_init(struct clock *c, const struct gossip_params *p)
{
	size_t n, top;

	memset(c, 0, sizeof *c);
	c->p = p;
	c->live = gossip_live(p);
	n = (size_t)c->live;
	c->k = p->fanout;
	c->x = p->transmit_limit > 0 ? p->transmit_limit : INT64_MAX;
	c->t_win = p->forward_rounds;
	c->limited = p->transmit_limit > 0 || p->forward_rounds > 0;
	c->h = gossip_horizon(p);
	c->period = p->probe_interval;
	c->pushes = gossip_pushes(p->mode);
	c->pulls = gossip_pulls(p->mode) && p->fanout > 0;
	c->probes = p->probe_interval > 0 && gossip_peers(p) > 0; /* alone, a node has no one to ping */
	c->sync = p->sync_interval;
	c->syncs = p->sync_interval > 0 && c->live > 1;
	c->track = c->pulls || c->probes || c->syncs;
	c->keep_nodes = c->limited || c->probes || c->syncs;
	c->words = (c->live + 63) / 64;
	top = (size_t)imin(p->fanout, c->live) + 1;
	c->gphase = malloc(n * sizeof *c->gphase);
	c->act = malloc((size_t)c->words * sizeof *c->act);
	c->uni = malloc((size_t)c->words * sizeof *c->uni);
	c->blocks = (c->words + BLOCK_WORDS - 1) / BLOCK_WORDS;
	c->act_n = malloc((size_t)c->blocks * sizeof *c->act_n);
	c->uni_n = malloc((size_t)c->blocks * sizeof *c->uni_n);
	c->ulist = malloc(n * sizeof *c->ulist);
	c->upos = malloc(n * sizeof *c->upos);
	c->node = malloc(n * sizeof *c->node);
	c->state = malloc(n);
	c->cal = malloc((size_t)c->words * CAL_SLOTS * sizeof *c->cal);
	c->when = malloc(n * sizeof *c->when);
	c->hits = malloc(top * sizeof *c->hits);
	c->kept = malloc(top * sizeof *c->kept);
	if (c->probes) {
		c->pphase = malloc(n * sizeof *c->pphase);
		c->pnode = malloc(n * sizeof *c->pnode);
	}
	if (c->syncs) {
		c->sphase = malloc(n * sizeof *c->sphase);
		c->snode = malloc(n * sizeof *c->snode);
	}
	if (!c->gphase || !c->act || !c->uni || !c->act_n || !c->uni_n || !c->ulist || !c->upos || !c->node ||
	    !c->state || !c->cal || !c->when || !c->hits || !c->kept || (c->probes && (!c->pphase || !c->pnode)) ||
	    (c->syncs && (!c->sphase || !c->snode))) {
		clock_release(c);
		return -1;
	}
	c->inv_fact[0] = c->loss_pow[0] = 1;
	for (int j = 1; j <= SMALL_SENDS; j++) {
		c->inv_fact[j] = c->inv_fact[j - 1] / j;
		c->loss_pow[j] = c->loss_pow[j - 1] * p->loss;
	}
	zig_init(&c->zig);
	if (c->k > 0 && (c->live + 1) * (c->k + 1) <= MEMO_CELLS) {
		size_t cells = (size_t)((c->live + 1) * (c->k + 1));
		c->memo = malloc(cells * sizeof *c->memo);
		if (!c->memo) {
			clock_release(c);
			return -1;
		}
		for (size_t i = 0; i < cells; i += (size_t)c->k + 1)
			c->memo[i] = NAN;
	}
	c->choose_k = 1;
	for (int64_t j = 1; j <= c->k && j <= SMALL_SENDS; j++)
		c->choose_k = c->choose_k * (double)(p->nodes - j) / (double)j;
	return 0;
}

void sim_clock_exponentials(uint64_t seed, int64_t n, double *out)
{
	struct zig z;
	struct rng r;

	zig_init(&z);
	rng_stream(&r, seed, 0);
	for (int64_t i = 0; i < n; i++)
		out[i] = zig_exp(&z, &r);
}

/* n i.i.d. uniforms on [0, scale), ascending: normalised sums of n + 1 exponentials. */
static void sorted_uniforms(const struct zig *z, struct rng *r, double *out, int64_t n, double scale)
{
	double sum = 0, unit;

	for (int64_t i = 0; i < n; i++) {
		sum += zig_exp(z, r);
		out[i] = sum;
	}
	sum += zig_exp(z, r);
	unit = scale / sum;
	for (int64_t i = 0; i < n; i++) {
		out[i] *= unit;
		if (out[i] >= scale)
			out[i] = nextafter(scale, 0);
	}
}

/* ---- sets of nodes and their ticks -------------------------------------- */

static void bit_set(uint64_t *b, int64_t v)
{
	b[v >> 6] |= (uint64_t)1 << (v & 63);
}

static void bit_clear(uint64_t *b, int64_t v)
{
	b[v >> 6] &= ~((uint64_t)1 << (v & 63));
}

static int bit_get(const uint64_t *b, int64_t v)
{
	return (int)(b[v >> 6] >> (v & 63) & 1);
}

static void act_set(struct clock *c, int64_t v, int on)
{
	if (bit_get(c->act, v) == on)
		return;
	if (on)
		bit_set(c->act, v);
	else
		bit_clear(c->act, v);
	c->nact += on ? 1 : -1;
	c->act_n[v >> BLOCK_SHIFT] += on ? 1 : -1;
	c->act_version++;
}

/* Index of the r-th (0-based) set bit of w, which has more than r. */
static int select_bit(uint64_t w, int64_t r)
{
	while (r-- > 0)
		w &= w - 1;
	return __builtin_ctzll(w);
}

/* floor(x) for |x| < 2^62, without the call into libm. */
static int64_t ifloor(double x)
{
	int64_t i = (int64_t)x;

	return (double)i > x ? i - 1 : i;
}

/*
 * The (g+1)-th tick strictly after time t of the n members of set `bits`
 * (each ticking at gphase + j): its time, or INFINITY if it lies beyond the
 * horizon; *who the member and *tick its tick index j.
 */
static double next_member(struct clock *c, const uint64_t *bits, const int64_t *block_n, int64_t n,
			  double t, uint64_t g, int64_t *who, int64_t *tick)
{
	double cyc = (double)ifloor(t), x = t - cyc;
	uint64_t q = g / (uint64_t)n;
	int64_t r = (int64_t)(g % (uint64_t)n), lo = 0, hi = c->live;

	if (g == UINT64_MAX || (double)q > c->h + 2)
		return INFINITY;
	if (c->at_node >= 0) {
		cyc = (double)c->at_cycle;
		lo = c->at_node + 1;
	} else {
		while (lo < hi) { /* first phase above x */
			int64_t mid = lo + (hi - lo) / 2;
			c->steps++;
			if (c->gphase[mid] > x)
				hi = mid;
			else
				lo = mid + 1;
		}
	}
	for (int pass = 0; pass < 2; pass++) {
		int64_t wi = pass ? 0 : lo >> 6;
		for (; wi < c->words; wi++) {
			uint64_t w = bits[wi];
			int64_t have;
			c->steps++;
			if (!pass && wi == lo >> 6) {
				w &= ~(uint64_t)0 << (lo & 63);
			} else if (wi % BLOCK_WORDS == 0 && r >= block_n[wi / BLOCK_WORDS]) {
				/* The whole block lies after lo (or in the next cycle): skip it. */
				r -= block_n[wi / BLOCK_WORDS];
				wi += BLOCK_WORDS - 1;
				continue;
			}
			have = __builtin_popcountll(w);
			if (r < have) {
				int64_t v = wi * 64 + select_bit(w, r);
				double at = cyc + (double)pass + (double)q + c->gphase[v];
				*who = v;
				*tick = (int64_t)cyc + pass + (int64_t)q;
				return at > c->h ? INFINITY : at;
			}
			r -= have;
		}
	}
	return INFINITY; /* unreachable: n > r members */
}

/* ---- what a tick delivers ------------------------------------------------ */

/*
 * hits[d] for d = 1..top: P(d of `sends` distinct uniform peers among N - 1
 * are among the m uninformed live nodes and arrive); returns their sum,
 * P(at least one arrives).  For K sends they depend on m alone: kept in
 * the memo (when it fits) for the trials after, the same values.
 */
static double arrival_pmf(struct clock *c, int64_t m, int64_t sends, int64_t *top)
{
	const struct gossip_params *p = c->p;
	int64_t others = p->nodes - 1 - m;
	double any = 0, *row = c->memo && sends == c->k ? c->memo + m * (c->k + 1) : NULL;

	*top = imin(sends, m);
	if (row && !isnan(row[0])) {
		memcpy(c->hits + 1, row + 1, (size_t)*top * sizeof *row);
		return row[0];
	}
	if (sends <= SMALL_SENDS && p->nodes <= 1000000000) {
		double fall_m = 1, fall_o[SMALL_SENDS + 1], choose = sends == c->k ? c->choose_k : 1;
		fall_o[0] = 1;
		for (int64_t j = 1; j <= sends; j++) {
			fall_o[j] = fall_o[j - 1] * (double)(others - j + 1);
			if (sends != c->k)
				choose = choose * (double)(p->nodes - j) / (double)j;
		}
		for (int64_t d = 1; d <= *top; d++) {
			fall_m *= (double)(m - d + 1);
			c->hits[d] = sends - d > others ? 0
				: fall_m * c->inv_fact[d] * fall_o[sends - d] * c->inv_fact[sends - d] / choose;
		}
	} else {
		struct dist_pmf pmf;
		dist_hypergeom(p->nodes - 1, m, sends, c->hits, *top + 1, &pmf);
	}
	for (int64_t d = 1; d <= *top; d++) {
		if (p->loss > 0)
			c->hits[d] *= 1 - (d <= SMALL_SENDS ? c->loss_pow[d] : pow(p->loss, (double)d));
		any += c->hits[d];
	}
	if (row) {
		memcpy(row + 1, c->hits + 1, (size_t)*top * sizeof *row);
		row[0] = any;
	}
	return any;
}

/* How many arrive, given that at least one does (after arrival_pmf for m, sends). */
static int64_t draw_arrivals(struct clock *c, int64_t top, double any)
{
	const struct gossip_params *p = c->p;
	int64_t h = sample_discrete(&c->rng, c->hits, 1, top, any);
	double some = 0;

	if (p->loss <= 0)
		return h;
	dist_binom(h, 1 - p->loss, c->kept);
	for (int64_t j = 1; j <= h; j++)
		some += c->kept[j];
	return sample_discrete(&c->rng, c->kept, 1, h, some);
}

/* ---- a node's schedule --------------------------------------------------- */

static double tick_time(const struct clock *c, int64_t v, int64_t j)
{
	return c->gphase[v] + (double)j;
}

/* ---- the events: at most one pending per node ----------------------------- */

/*
 * An event of node v at cycle j falls at v's tick j (EV_PARTIAL, which
 * sends on it) or just after it (the others), so events are ordered by
 * (j, v): bit v of the calendar's slot j mod CAL_SLOTS.  A slot may also
 * hold events CAL_SLOTS or more cycles further on; the node's ev_cycle
 * tells them apart.
 */
static uint64_t *cal_slot(const struct clock *c, int64_t j)
{
	return c->cal + (j % CAL_SLOTS) * c->words;
}

static int key_before(int64_t j, int64_t v, int64_t j2, int64_t v2)
{
	return j < j2 || (j == j2 && v < v2);
}

static void cal_remove(struct clock *c, int64_t v)
{
	struct cnode *nd = &c->node[v];

	if (nd->ev_cycle < 0)
		return;
	bit_clear(cal_slot(c, nd->ev_cycle), v);
	if (c->cal_ok && c->cal_v == v)
		c->cal_ok = 0; /* the next one is looked for from here */
	nd->ev_cycle = -1;
	c->cal_n--;
}

/* Sets v's one pending event (replacing any) at its tick j. */
static void cal_set(struct clock *c, int64_t v, int64_t j, enum ev_kind kind)
{
	struct cnode *nd = &c->node[v];

	c->steps++;
	if (nd->ev_cycle != j) {
		cal_remove(c, v);
		nd->ev_cycle = j;
		bit_set(cal_slot(c, j), v);
		c->cal_n++;
		if (key_before(j, v, c->cal_cy, c->cal_v)) {
			c->cal_cy = j; /* the new first: found at once */
			c->cal_v = v;
			c->cal_ok = 0;
		}
	}
	if (c->cal_ok && c->cal_v == v)
		c->cal_ok = 0; /* its time may change with its kind */
	nd->ev_kind = kind;
}

/*
 * The next event's time, INFINITY if none falls in [0, H]; *who its node.
 * Looked for from (cal_cy, cal_v) on, which only moves back for an event
 * set before it, so a trial's searches cross each slot's words about once
 * per cycle.
 */
static double cal_next(struct clock *c, int64_t *who)
{
	double at;

	if (c->cal_n == 0)
		return INFINITY;
	while (!c->cal_ok) {
		const uint64_t *b = cal_slot(c, c->cal_cy);
		int64_t j = c->cal_cy;
		if ((double)j > c->h)
			return INFINITY; /* at or after tick j > H: never */
		for (int64_t wi = c->cal_v >> 6; wi < c->words && !c->cal_ok; wi++) {
			uint64_t w = b[wi];
			c->steps++;
			if (wi == c->cal_v >> 6)
				w &= ~(uint64_t)0 << (c->cal_v & 63);
			for (; w; w &= w - 1) {
				int64_t v = wi * 64 + __builtin_ctzll(w);
				if (c->node[v].ev_cycle == j) {
					c->cal_v = v;
					c->cal_ok = 1;
					at = tick_time(c, v, j);
					c->cal_at = c->node[v].ev_kind == EV_PARTIAL ? at : nextafter(at, INFINITY);
					break;
				}
			}
		}
		if (!c->cal_ok) {
			c->cal_cy++;
			c->cal_v = 0;
		}
	}
	*who = c->cal_v;
	return c->cal_at;
}

/* Index of v's first gossip tick strictly after t. */
static int64_t tick_after(const struct clock *c, int64_t v, double t)
{
	return ifloor(t - c->gphase[v]) + 1;
}

/*
 * A node's first tick after a time t is ifloor(t - gphase[v]) + 1, which
 * does not increase with v (the phases ascend and floating-point subtraction
 * is monotone).  Where it takes only two values over all nodes it is told
 * from v's place against a cut (the last node with the higher value), found
 * among nodes whose phases are in cache, so informing a node need not read
 * its own phase.  The cut for t = the current gossip tick is looked for near
 * the ticking node; the one for H once a trial.
 */

static int64_t tick_floor(const struct clock *c, int64_t v, double t)
{
	return ifloor(t - c->gphase[v]);
}

static void find_cut(struct clock *c, struct cut *k, double t, int64_t near)
{
	int64_t lo = 0, hi = c->live - 1;

	k->t = t;
	k->hi = tick_floor(c, 0, t);
	k->lo = tick_floor(c, c->live - 1, t);
	k->last = -2;
	if (k->hi - k->lo > 1)
		return;
	if (k->hi == k->lo) {
		k->last = c->live - 1;
		return;
	}
	/* The last node at hi lies in [lo, hi); first a few steps from near. */
	if (near >= 0 && near < c->live) {
		int64_t w = near;
		for (int step = 0; step < 4; step++) {
			if (tick_floor(c, w, t) == k->hi) {
				if (tick_floor(c, w + 1, t) != k->hi) {
					k->last = w;
					return;
				}
				w++;
			} else if (--w < 0) {
				break;
			}
		}
	}
	while (lo < hi) { /* f(lo) = k->hi; f(hi + 1) = k->lo */
		int64_t mid = lo + (hi - lo + 1) / 2;
		c->steps++;
		if (tick_floor(c, mid, t) == k->hi)
			lo = mid;
		else
			hi = mid - 1;
	}
	k->last = lo;
}

/* tick_after(c, v, t) through the cut *k for t, made if it is for another time. */
static int64_t tick_after_cut(struct clock *c, struct cut *k, int64_t v, double t, int64_t near)
{
	if (k->t != t)
		find_cut(c, k, t, near);
	if (k->last == -2)
		return tick_after(c, v, t);
	return (v <= k->last ? k->hi : k->lo) + 1;
}

static void stop_holding(struct clock *c, int64_t v)
{
	if (c->state[v] & HOLDER) {
		c->state[v] &= (unsigned char)~HOLDER;
		c->holders--;
	}
	act_set(c, v, 0);
}

/*
 * Under a transmit limit, in a mode that pushes: v has x - sent_u transmits
 * left from its tick ju on; full ticks while K fit, then one partial tick.
 */
static void plan_limited(struct clock *c, int64_t v)
{
	struct cnode *nd = &c->node[v];
	int64_t left = c->x - nd->sent_u, full, part;

	if (left <= 0) {
		cal_remove(c, v);
		stop_holding(c, v);
		return;
	}
	if (c->k == 0) {
		cal_remove(c, v);
		return;
	}
	full = left / c->k;
	part = left % c->k;
	act_set(c, v, full > 0);
	if (full > 0)
		cal_set(c, v, nd->ju + full - 1, part ? EV_LEAVE : EV_EXHAUST);
	else
		cal_set(c, v, nd->ju, EV_PARTIAL);
}

/* v's transmits by time t (as a holder: fewer than x). */
static int64_t sent_by(const struct clock *c, int64_t v, double t)
{
	const struct cnode *nd = &c->node[v];
	int64_t ticks = tick_after(c, v, t) - nd->ju;

	if (!c->pushes || ticks <= 0)
		return nd->sent_u;
	return imin(c->x, nd->sent_u + c->k * ticks);
}

/* v (a holder) sends one copy on a ping or an ack at time t. */
static void probe_send(struct clock *c, int64_t v, double t)
{
	struct cnode *nd = &c->node[v];

	nd->probe_sent++;
	c->probe_transmits++;
	if (c->p->transmit_limit <= 0)
		return;
	nd->sent_u = sent_by(c, v, t) + 1;
	nd->ju = tick_after(c, v, t);
	if (c->pushes)
		plan_limited(c, v);
	else if (nd->sent_u >= c->x)
		stop_holding(c, v);
}

/* Pushes by H of an informed node with these fields of struct cnode, by_h its ticks in [0, H]. */
static int64_t pushes_by_h(const struct clock *c, const struct cnode *nd, int64_t by_h)
{
	int64_t ticks;

	if (!c->pushes)
		return 0;
	if (c->p->transmit_limit > 0)
		return imin(c->x, nd->sent_u + c->k * (by_h > nd->ju ? by_h - nd->ju : 0)) - nd->probe_sent;
	ticks = by_h > nd->j0 ? by_h - nd->j0 : 0;
	if (c->t_win > 0)
		ticks = imin(ticks, c->t_win);
	return c->k * ticks;
}

/* Takes v out of the list of the uninformed, by its place upos[v]. */
static void unlist(struct clock *c, int64_t v)
{
	int64_t last = c->ulist[--c->m];

	c->ulist[c->upos[v]] = last;
	c->upos[last] = c->upos[v];
}

/* Live node v, out of the list already, learns at time t; j0 its first tick after that. */
static void inform(struct clock *c, int64_t v, double t, int64_t j0)
{
	struct cnode fresh = { j0, j0, 0, 0, -1, EV_LEAVE };

	c->steps++;
	bit_clear(c->uni, v);
	c->uni_n[v >> BLOCK_SHIFT]--;
	c->when[c->informed++] = t;
	c->state[v] = INFORMED | HOLDER;
	if (c->keep_nodes)
		c->node[v] = fresh;
	c->holders++;
	if (!c->probes) {
		int64_t by_h = tick_after_cut(c, &c->hcut, v, c->h, -1);
		c->pushes_sum += (uint64_t)pushes_by_h(c, &fresh, by_h);
		c->pull_ticks += (uint64_t)j0;
		c->informed_ticks += (uint64_t)by_h;
	}
	if (c->t_win > 0)
		cal_set(c, v, j0 + c->t_win - 1, EV_CLOSE);
	if (!c->pushes)
		return;
	if (c->p->transmit_limit > 0)
		plan_limited(c, v);
	else
		act_set(c, v, 1);
}

/*
 * A uniform uninformed live node learns at t.  Unless given nodes learn too
 * (track), the list of the uninformed is made only once they are a minority:
 * before, a uniform node is drawn until an uninformed one comes (fewer than
 * two draws on average), which touches no list.
 */
static void inform_any(struct clock *c, double t)
{
	int64_t v;

	if (!c->track && !c->listed && 2 * c->m <= c->live) {
		c->steps += (uint64_t)(c->words + c->m);
		c->m = 0;
		for (int64_t w = 0; w < c->words; w++)
			for (uint64_t b = c->uni[w]; b; b &= b - 1)
				c->ulist[c->m++] = w * 64 + __builtin_ctzll(b);
		c->listed = 1;
	}
	if (!c->track && !c->listed) {
		do
			v = (int64_t)rng_below(&c->rng, (uint64_t)c->live), c->steps++;
		while (!bit_get(c->uni, v));
		c->m--;
	} else {
		int64_t i = (int64_t)rng_below(&c->rng, (uint64_t)c->m);
		v = c->ulist[i];
		if (c->track)
			unlist(c, v);
		else /* nobody asks where a node is in the list */
			c->ulist[i] = c->ulist[--c->m];
	}
	inform(c, v, t, c->at_node >= 0 ? tick_after_cut(c, &c->tcut, v, t, c->at_node) : tick_after(c, v, t));
}

/* `sends` messages to uniform distinct peers at time t. */
static void push_some(struct clock *c, int64_t sends, double t)
{
	int64_t top, d;
	double any;

	if (c->m == 0 || sends == 0)
		return;
	c->hits_for = -1;
	any = arrival_pmf(c, c->m, sends, &top);
	if (!(rng_unit(&c->rng) < any))
		return;
	d = draw_arrivals(c, top, any);
	while (d-- > 0)
		inform_any(c, t);
}

/* v's pending event, which falls at time at. */
static void run_event(struct clock *c, int64_t v, double at)
{
	struct cnode *nd = &c->node[v];
	enum ev_kind kind = nd->ev_kind;

	cal_remove(c, v);
	switch (kind) {
	case EV_LEAVE: {
		/* Its full ticks are done: the partial one comes next. */
		int64_t full = (c->x - nd->sent_u) / c->k;
		act_set(c, v, 0);
		nd->ju += full;
		nd->sent_u += c->k * full;
		cal_set(c, v, nd->ju, EV_PARTIAL);
		break;
	}
	case EV_EXHAUST:
	case EV_CLOSE:
		stop_holding(c, v);
		break;
	case EV_PARTIAL:
		stop_holding(c, v);
		push_some(c, c->x - nd->sent_u, at);
		break;
	}
}

/* ---- probes -------------------------------------------------------------- */

static double probe_time(const struct clock *c)
{
	return (double)c->pcycle * c->period + c->pphase[c->pslot];
}

/* The probe tick under the cursor: MODEL.md's ping and ack (see sim_agent.c). */
static void run_probe(struct clock *c, double t)
{
	const struct gossip_params *p = c->p;
	int64_t v = c->pnode[c->pslot], j, w;
	int carry = (c->state[v] & HOLDER) != 0, back;

	c->pings++;
	c->messages++;
	if (carry)
		probe_send(c, v, t);
	if (rng_bernoulli(&c->rng, p->loss))
		return;
	j = (int64_t)rng_below(&c->rng, (uint64_t)(p->nodes - 1));
	if (j >= c->live - 1)
		return; /* a failed peer */
	w = j < v ? j : j + 1;
	back = (c->state[w] & HOLDER) != 0;
	if (carry && !(c->state[w] & INFORMED)) {
		unlist(c, w);
		inform(c, w, t, tick_after(c, w, t));
	}
	c->messages++;
	if (!back)
		return;
	probe_send(c, w, t);
	if (!rng_bernoulli(&c->rng, p->loss) && !(c->state[v] & INFORMED)) {
		unlist(c, v);
		inform(c, v, t, tick_after(c, v, t));
	}
}

/* Pings (and their acks) after the cursor up to H, when they can no longer change anything. */
static void probes_left(struct clock *c)
{
	const struct gossip_params *p = c->p;
	uint64_t total = 0, rest, acks;

	c->steps += (uint64_t)c->live;
	for (int64_t s = 0; s < c->live; s++)
		if (c->pphase[s] <= c->h)
			total += (uint64_t)floor((c->h - c->pphase[s]) / c->period) + 1;
	rest = total - c->pings;
	acks = sample_binomial(&c->rng, rest,
			       (1 - p->loss) * (double)(c->live - 1) / (double)(p->nodes - 1));
	c->messages += rest + acks;
	if (c->holders > 0) /* every live node holds it for good: every ping and ack carries */
		c->probe_transmits += rest + acks;
}

/* ---- anti-entropy ---------------------------------------------------------- */

static double sync_time(const struct clock *c)
{
	return (double)c->scycle * c->sync + c->sphase[c->sslot];
}

/*
 * The sync tick under the cursor (see sim_agent.c's sync_tick): a uniform
 * other live node; unless the exchange is lost, the one of the two that
 * did not hold the message learns it.  Its messages are counted at the end.
 */
static void run_sync(struct clock *c, double t)
{
	int64_t v = c->snode[c->sslot], j, w, u;

	j = (int64_t)rng_below(&c->rng, (uint64_t)(c->live - 1));
	w = j < v ? j : j + 1;
	if (!(c->state[v] & INFORMED) == !(c->state[w] & INFORMED) || rng_bernoulli(&c->rng, c->p->loss))
		return;
	u = c->state[v] & INFORMED ? w : v;
	unlist(c, u);
	inform(c, u, t, tick_after(c, u, t));
}

/* Sync ticks in [0, H], two messages each. */
static uint64_t sync_messages(const struct clock *c)
{
	uint64_t total = 0;

	if (!c->syncs)
		return 0;
	for (int64_t s = 0; s < c->live; s++)
		if (c->sphase[s] <= c->h)
			total += (uint64_t)floor((c->h - c->sphase[s]) / c->sync) + 1;
	return 2 * total;
}

/* ---- one trial ----------------------------------------------------------- */

/* Nothing that happens from now on can inform anyone or change a count but the pings'. */
static int quiet(const struct clock *c)
{
	if (c->m == 0)
		return c->holders == 0 || !c->limited || !c->probes;
	return c->holders == 0 && !c->pulls && !c->syncs;
}

/* Pushes and pull requests by H, summed over nodes; transmits into *transmits. */
/*
 * Pushes and pull requests by H into the messages; transmits into
 * *transmits.  Without probes a node's pushes are known when it learns
 * (inform() sums them); with probes they are summed here.
 */
static void count_sends(struct clock *c, uint64_t *transmits)
{
	c->steps += (uint64_t)c->live * (uint64_t)(c->probes + c->pulls);
	if (c->probes) {
		c->pushes_sum = c->pull_ticks = c->informed_ticks = 0;
		for (int64_t v = 0; v < c->live; v++) {
			if (c->state[v] & INFORMED) {
				int64_t by_h = tick_after(c, v, c->h);
				c->pushes_sum += (uint64_t)pushes_by_h(c, &c->node[v], by_h);
				c->pull_ticks += (uint64_t)c->node[v].j0;
				c->informed_ticks += (uint64_t)by_h;
			}
		}
	}
	c->pull_requests = 0;
	if (c->pulls) {
		/* The uninformed pull at every tick in [0, H]; the informed before they learnt. */
		uint64_t all_ticks = 0;
		for (int64_t v = 0; v < c->live; v++)
			all_ticks += (uint64_t)tick_after(c, v, c->h);
		c->pull_requests = (uint64_t)c->k * (c->pull_ticks + all_ticks - c->informed_ticks);
		c->messages += c->pull_requests;
	}
	c->messages += c->pushes_sum;
	*transmits = c->pushes_sum + c->probe_transmits;
}

static void clock_trial(struct clock *c, struct sim_timed *out)
{
	const struct gossip_params *p = c->p;
	int64_t origin;
	double t = 0;

	sorted_uniforms(&c->zig, &c->rng, c->gphase, c->live, 1);
	if (c->probes) {
		sorted_uniforms(&c->zig, &c->rng, c->pphase, c->live, c->period);
		for (int64_t s = 0; s < c->live; s++) {
			int64_t j = (int64_t)rng_below(&c->rng, (uint64_t)s + 1);
			c->pnode[s] = c->pnode[j];
			c->pnode[j] = s;
		}
	}
	if (c->syncs) {
		sorted_uniforms(&c->zig, &c->rng, c->sphase, c->live, c->sync);
		for (int64_t s = 0; s < c->live; s++) {
			int64_t j = (int64_t)rng_below(&c->rng, (uint64_t)s + 1);
			c->snode[s] = c->snode[j];
			c->snode[j] = s;
		}
	}
	memset(c->act, 0, (size_t)c->words * sizeof *c->act);
	memset(c->act_n, 0, (size_t)c->blocks * sizeof *c->act_n);
	for (int64_t b = 0; b < c->blocks; b++)
		c->uni_n[b] = imin(c->live - (b << BLOCK_SHIFT), (int64_t)1 << BLOCK_SHIFT);
	memset(c->uni, 0, (size_t)c->words * sizeof *c->uni);
	memset(c->state, 0, (size_t)c->live);
	if (c->track)
		for (int64_t v = 0; v < c->live; v++)
			c->ulist[v] = c->upos[v] = v;
	memset(c->uni, 0xff, (size_t)(c->live / 64) * sizeof *c->uni);
	if (c->live % 64)
		c->uni[c->live / 64] = ((uint64_t)1 << (c->live % 64)) - 1;
	c->m = c->live;
	c->nact = 0;
	c->informed = c->holders = 0;
	if (c->limited)
		memset(c->cal, 0, (size_t)c->words * CAL_SLOTS * sizeof *c->cal);
	c->cal_n = c->cal_cy = c->cal_v = 0;
	c->cal_ok = 0;
	c->pcycle = c->pslot = c->scycle = c->sslot = 0;
	c->pings = c->messages = c->probe_transmits = 0;
	c->steps = (uint64_t)c->live * (uint64_t)(1 + c->track + 2 * c->probes);
	c->push_ok = c->pull_ok = 0;
	c->hits_for = -1;
	c->at_node = -1;
	c->tcut.t = c->hcut.t = NAN; /* made anew for this trial's phases */
	origin = (int64_t)rng_below(&c->rng, (uint64_t)c->live);
	c->listed = 0;
	c->pushes_sum = c->pull_ticks = c->informed_ticks = 0;
	if (c->track)
		unlist(c, origin);
	else
		c->m--;
	inform(c, origin, 0, tick_after(c, origin, 0));
	for (;;) {
		double next = INFINITY, pt = c->probes ? probe_time(c) : INFINITY;
		double syt = c->syncs ? sync_time(c) : INFINITY, et;
		int64_t ev_node = -1;
		int what = -1;

		c->steps++;
		if (quiet(c)) {
			if (c->probes)
				probes_left(c);
			break;
		}
		if (c->pushes && c->m > 0 && c->nact > 0 &&
		    (!c->push_ok || c->push_m != c->m || c->push_av != c->act_version)) {
			int64_t top;
			if (c->hits_for != c->m)
				c->push_any = arrival_pmf(c, c->m, c->k, &top);
			c->hits_for = c->m;
			c->push_at = next_member(c, c->act, c->act_n, c->nact, t,
						 sample_geometric(&c->rng, c->push_any), &c->push_node,
						 &c->push_tick);
			c->push_ok = 1;
			c->push_m = c->m;
			c->push_av = c->act_version;
		}
		if (c->pulls && c->m > 0 && (!c->pull_ok || c->pull_i != c->informed)) {
			double a = dist_pull_success(p->nodes - 1, c->informed, p->fanout, p->loss, c->kept);
			c->pull_at = next_member(c, c->uni, c->uni_n, c->m, t, sample_geometric(&c->rng, a),
						 &c->pull_slot, &c->pull_tick);
			c->pull_ok = 1;
			c->pull_i = c->informed;
		}
		if (c->pushes && c->m > 0 && c->nact > 0 && c->push_at < next) {
			next = c->push_at;
			what = 0;
		}
		if (c->pulls && c->m > 0 && c->pull_at < next) {
			next = c->pull_at;
			what = 1;
		}
		if (pt < next) {
			next = pt;
			what = 2;
		}
		if (syt < next) {
			next = syt;
			what = 4;
		}
		et = cal_next(c, &ev_node);
		if (et < next) {
			next = et;
			what = 3;
		}
		if (what < 0 || next > c->h)
			break;
		t = next;
		c->at_node = -1;
		switch (what) {
		case 0: {
			int64_t top = imin(c->k, c->m), d;
			double any = c->push_any;
			if (c->hits_for != c->m)
				any = arrival_pmf(c, c->m, c->k, &top);
			c->push_ok = 0;
			c->at_cycle = c->push_tick;
			c->at_node = c->push_node;
			d = draw_arrivals(c, top, any);
			while (d-- > 0)
				inform_any(c, t);
			break;
		}
		case 1:
			c->pull_ok = 0;
			c->at_cycle = c->pull_tick;
			c->at_node = c->pull_slot;
			unlist(c, c->pull_slot);
			inform(c, c->pull_slot, t, c->pull_tick + 1);
			break;
		case 2:
			run_probe(c, t);
			if (++c->pslot == c->live) {
				c->pslot = 0;
				c->pcycle++;
			}
			break;
		case 4:
			run_sync(c, t);
			if (++c->sslot == c->live) {
				c->sslot = 0;
				c->scycle++;
			}
			break;
		default: {
			run_event(c, ev_node, t);
			break;
		}
		}
	}
	out->when = c->when;
	out->informed = c->informed;
	count_sends(c, &out->transmits);
	out->messages = c->messages + sync_messages(c);
	out->probe_transmits = c->probe_transmits;
	out->steps = c->steps;
}

enum fo_status sim_fast_timed(const struct gossip_params *p, uint64_t seed, uint64_t trial,
			       double *when, struct sim_timed *out)
{
	struct gossip_params view = gossip_known_view(p); /* as sim_fast_run takes it */
	struct clock c;

	if (clock_init(&c, &view) < 0)
		return FO_NOMEM;
	rng_stream(&c.rng, seed, trial);
	clock_trial(&c, out);
	memcpy(when, c.when, (size_t)out->informed * sizeof *when);
	out->when = when;
	clock_release(&c);
	return FO_OK;
}

enum fo_status sim_clock_run(const struct gossip_params *p, uint64_t seed, uint64_t first_trial,
			     int64_t trials, const atomic_int *cancel, struct sim_tally *t)
{
	double wasted = p->fanout > 0 ? gossip_unreachable_chance(p) : 0;
	struct clock c;
	enum fo_status st = FO_OK;

	if (sim_bins_covers(p))
		return sim_bins_run(p, seed, first_trial, trials, cancel, t);
	if (clock_init(&c, p) < 0)
		return FO_NOMEM;
	for (int64_t i = 0; i < trials; i++) {
		struct sim_timed out;
		if (fo_cancelled(cancel)) {
			st = FO_CANCELLED;
			break;
		}
		rng_stream(&c.rng, seed, first_trial + (uint64_t)i);
		clock_trial(&c, &out);
		if (wasted > 0) {
			/*
			 * Seeds 0: each exchange (K pushes or K pull requests at a
			 * tick) is followed by a wasted one with chance q: one
			 * message, a transmit if it pushes.
			 */
			uint64_t k = (uint64_t)p->fanout;
			uint64_t pushed = sample_binomial(&c.rng, c.pushes_sum / k, wasted);
			out.messages += pushed + sample_binomial(&c.rng, c.pull_requests / k, wasted);
			out.transmits += pushed;
		}
		sim_tally_add_timed(t, &out);
	}
	clock_release(&c);
	return st;
}
