/* SPDX-License-Identifier: MIT */
/*
 * largen.c — the large-N method (see largen.h for the three phases).
 *
 * Early-phase states are tuples (i, c_1, …, c_W): i informed live nodes, c_j
 * of them informed j rounds ago (W = 0 without a push window), interned in a
 * tupmap with their probabilities in a parallel array.  Entries into the late
 * phase are tuples (i0, c, c_1, …, c_{W-1}) of the same width, collected per
 * round and then continued one by one.
 *
 * The transition from (i, a pushing) to i + C: for one uninformed live node,
 * mu1 = P(missed this round) = (1 - p)^a * t and for two of them
 * mu2 = P(both missed) = (1 - 2p + p2)^a * t^2, where p = K(1 - loss)/(N - 1)
 * is one sender's chance to reach a given node, p2 = K(K - 1)(1 - loss)^2 /
 * ((N - 1)(N - 2)) its chance to reach two given nodes, and t the node's own
 * pull missing (1 without pull).  These give the exact mean and variance of
 * the missed count among the u = L - i uninformed; the side (new or missed)
 * with the smaller mean is taken as Binomial(n, pi) with that mean and
 * variance.  Pull alone is then exact (mu2 = mu1^2, n = u).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "costs.h"
#include "fanout/config.h"
#include "fanout/dist.h"
#include "fanout/grow.h"
#include "fanout/largen.h"
#include "tupmap.h"

/* A growable array of doubles. */
struct buf {
	double *v;
	size_t cap;
};

struct lg {
	const struct gossip_params *p;
	int64_t live, window, threshold;
	int64_t forced_level;   /* wide windows: forced entries below this count as misses in p_lo */
	double log_keep;        /* log(1 - p): one sender misses a given node */
	double log_keep2;       /* log(1 - 2p + p2): one sender misses two given nodes */
	double log_keep_last;   /* the same for a sender in its window's last round (X - (W-1)K sends) */
	double log_keep2_last;
	double *hist;           /* windows: rounds + 1 cohort sizes by the round they were informed in */
	const atomic_int *cancel;
	struct buf pmf;         /* one transition's weights */
	struct buf part[2];     /* push_pull: the push part, then one pull part */
	double *hyp;            /* min(K, FO_LARGEN_PULL_EXACT) + 1 doubles */
	double dropped;         /* probability trimmed */
	double work;            /* work units spent (the curve's points not counted) */
	double work_cap;        /* FO_TOO_LARGE past this: the estimate was far too low */
	/* Sums over every path that ends: P(full), P(not full), E[uninformed]. */
	double full, miss, uninformed;
	double miss_pair;       /* P(not full) with the pessimistic end game */
	double forced_full;     /* wide windows: P(full) of the forced entries below forced_level */
	/*
	 * The curve (NULL when not asked for), rounds + 1 entries each: per
	 * round r, P(not full by r) and P(full by r) summed from their own
	 * mass, and E[informed]; *_from[r] is mass known full from round r on
	 * (prefix-summed at the end).
	 */
	double *c_miss, *c_full, *c_inf, *c_full_from, *c_inf_from;
};

static int64_t imin(int64_t a, int64_t b)
{
	return a < b ? a : b;
}

/*
 * P(a live uninformed node's pull this round fails) with i informed:
 * E[loss^J], J ~ hypergeometric(N - 1, i, K).  Exact up to FO_LARGEN_PULL_EXACT
 * draws; beyond, the product over the K draws of (1 - (1 - loss) i / (N-1-j)),
 * which is exact without loss.
 */
static double pull_stay_at(struct lg *g, int64_t i)
{
	int64_t k = g->p->fanout, top = imin(k, i);
	double n = (double)(g->p->nodes - 1), loss = g->p->loss, e;

	if (i <= 0 || k == 0)
		return 1;
	if (k <= FO_LARGEN_PULL_EXACT) {
		double stay = 0;
		struct dist_pmf pmf;
		dist_hypergeom(g->p->nodes - 1, i, k, g->hyp, top + 1, &pmf);
		for (int64_t j = top; j >= 0; j--)
			stay = stay * loss + g->hyp[j];
		return stay;
	}
	e = (1 - loss) * (double)i;
	if (n - (double)k + 1 <= e)
		return 0;
	return exp(lgamma(n + 1 - e) - lgamma(n + 1 - e - (double)k) + lgamma(n + 1 - (double)k) -
		   lgamma(n + 1));
}

/* log of pull_stay_at, linear in between integers (x >= 0 real). */
static double log_pull_stay(struct lg *g, double x)
{
	double lo = floor(x), f = x - lo;
	double a = log(pull_stay_at(g, (int64_t)lo));

	if (f == 0)
		return a;
	return (1 - f) * a + f * log(pull_stay_at(g, (int64_t)lo + 1));
}

/*
 * `full` senders with log keep `one` each and `last` with `one_last` (in
 * their window's last round).  Each term only with its senders: a certain
 * miss is log 0 = -inf, and 0 * -inf is NaN.
 */
static double log_keep_all(double full, double last, double one, double one_last)
{
	return (full > 0 ? full * one : 0) + (last > 0 ? last * one_last : 0);
}

/*
 * log P(a given node missed by every push): `full` senders sending K, `last`
 * in their window's last round.
 */
static double log_push_stay(const struct lg *g, double full, double last)
{
	if (!gossip_pushes(g->p->mode))
		return 0;
	return log_keep_all(full, last, g->log_keep, g->log_keep_last);
}

/* log P(a given uninformed node stays uninformed) with x informed and the pushes' log stay. */
static double log_stay(struct lg *g, double x, double push)
{
	return push + (gossip_pulls(g->p->mode) ? log_pull_stay(g, x) : 0);
}

/*
 * One entry's point on the curve at round r: its u0 uninformed at entry each
 * still uninformed with probability exp(lq).  Returns 1 when the entry's miss
 * is below FO_LARGEN_TRIM: it then counts as full from the next round on.
 */
static int curve_point(struct lg *g, int64_t r, double lq, double u0, double weight)
{
	double q = exp(lq), miss = q >= 1 ? 1 : -expm1(u0 * log1p(-q));

	g->c_miss[r] += weight * miss;
	g->c_full[r] += weight * (1 - miss);
	g->c_inf[r] += weight * ((double)g->live - u0 * q);
	if (u0 * q >= FO_LARGEN_TRIM)
		return 0;
	if (r < g->p->rounds) {
		g->c_full_from[r + 1] += weight;
		g->c_inf_from[r + 1] += weight * (double)g->live;
	}
	return 1;
}

/*
 * The curve after the late phase stopped moving at round r (each later round
 * adds `step` to lq): its points from r on, until the entry is full.
 */
static void curve_tail(struct lg *g, int64_t r, double lq, double step, double u0, double weight)
{
	for (; r <= g->p->rounds; r++) {
		lq += step;
		if (curve_point(g, r, lq, u0, weight))
			break;
	}
}

/*
 * The late phase from an entry at round r0 with x0 informed; with a push
 * window, g->hist[t] holds the cohort informed in round t for the W rounds
 * t = r0 - W + 1 … r0 (the origin is round 0's).  Adds weight * (P(full),
 * P(not full), E[uninformed] after R) to the sums; `forced` (a wide window's
 * entry before the threshold) also adds its P(full) to forced_full.  Returns
 * FO_OK or FO_CANCELLED.
 */
static enum fo_status late_phase(struct lg *g, int64_t r0, double x0, double weight, int forced)
{
	double live = (double)g->live, x = x0, lq = 0, lq_pair = 0, u0 = live - x, active = 0;
	int64_t w = g->window, rounds = g->p->rounds;
	int curve_done = !g->c_miss;
	double q, miss;

	if (u0 <= 0) {
		if (g->c_miss) {
			g->c_full_from[r0] += weight;
			g->c_inf_from[r0] += weight * live;
		}
		if (forced)
			g->forced_full += weight;
		return g->full += weight, FO_OK;
	}
	if (!curve_done)
		curve_done = curve_point(g, r0, 0, u0, weight);
	for (int64_t t = r0 - w + 1; w && t <= r0; t++)
		active += t >= 0 ? g->hist[t] : 0;
	for (int64_t r = r0 + 1; r <= rounds; r++) {
		/*
		 * The others grow with the stay at x; a node still uninformed sees
		 * the informed count given that it is uninformed itself, about
		 * x - 1 + (L - x) / u0 (i0 at entry, L - 1 at the end).  Near the
		 * end the last few uninformed keep each other uninformed (pull
		 * finds them uninformed); the pessimistic side assumes one other
		 * node always is: at most L - 2 informed.  With a window the
		 * senders are the cohorts of rounds r - W … r - 1, the oldest in
		 * its last round.
		 */
		double ls, ls_node, ls_pair, fresh, mine = x - 1 + (live - x) / u0, last = 0;
		double pair = fmin(mine, fmax(0, live - 2));
		if (w) {
			double push;
			if (active < 1e-3) {
				/* The running sum drifts by rounding: exact again near zero. */
				active = 0;
				for (int64_t t = r - w; t < r; t++)
					active += t >= 0 ? g->hist[t] : 0;
			}
			last = r - w >= 0 ? g->hist[r - w] : 0;
			push = log_push_stay(g, fmax(0, active - last), last);
			ls = log_stay(g, x, push);
			ls_node = log_stay(g, mine, push);
			ls_pair = pair < mine ? log_stay(g, pair, push) : ls_node;
		} else {
			ls = log_stay(g, x, log_push_stay(g, x, 0));
			ls_node = log_stay(g, mine, log_push_stay(g, mine, 0));
			ls_pair = pair < mine ? log_stay(g, pair, log_push_stay(g, pair, 0)) : ls_node;
		}
		fresh = (live - x) * -expm1(ls);
		if ((w ? active : live - x) < FO_LARGEN_SATURATED && fresh < FO_LARGEN_SATURATED) {
			/* The state no longer moves: the remaining rounds are alike. */
			if (!curve_done)
				curve_tail(g, r, lq, ls_node, u0, weight);
			lq += (double)(rounds - r + 1) * ls_node;
			lq_pair += (double)(rounds - r + 1) * ls_pair;
			break;
		}
		lq += ls_node;
		lq_pair += ls_pair;
		if (!curve_done)
			curve_done = curve_point(g, r, lq, u0, weight);
		if (lq_pair < -745) {
			/* Every node informed, in all but 1e-300 of the mass. */
			if (!curve_done)
				curve_tail(g, r + 1, lq, -HUGE_VAL, u0, weight);
			break;
		}
		x += fresh;
		if (w) {
			g->hist[r] = fresh;
			active = fmax(0, active + fresh - last);
		}
		g->work += LG_ROUND_COST;
		if (((r - r0) & 4095) == 0 && fo_cancelled(g->cancel))
			return FO_CANCELLED;
	}
	q = exp(lq_pair);
	g->miss_pair += weight * (q >= 1 ? 1 : -expm1(u0 * log1p(-q)));
	q = exp(lq);
	/* P(not full) = 1 - (1 - q)^u0, formed without cancellation. */
	miss = q >= 1 ? 1 : -expm1(u0 * log1p(-q));
	g->miss += weight * miss;
	g->full += weight * (1 - miss);
	if (forced)
		g->forced_full += weight * (1 - miss);
	g->uninformed += weight * u0 * q;
	return FO_OK;
}

/* The late phase from a tuple entry (i0, c_1, …, c_W), newest cohort first. */
static enum fo_status late_from_key(struct lg *g, int64_t r0, const int32_t *key, double weight)
{
	for (int64_t j = 0; j < g->window && j <= r0; j++)
		g->hist[r0 - j] = key[1 + j];
	return late_phase(g, r0, key[0], weight, 0);
}

/* Room for n doubles in b; -1 if allocation fails. */
static int buf_room(struct buf *b, size_t n)
{
	return FO_GROW(b->v, n, b->cap);
}

/*
 * Binomial(n, pi) weights for k in [*lo, *hi] into out->v[k - *lo], walked
 * out from the mode until they fall below FO_LARGEN_TRIM of it, normalised.
 * The walk runs twice: once to measure the window, once to fill it.
 * Returns 0, or -1 if allocation fails.
 */
static int binomial_window(struct lg *g, struct buf *out, int64_t n, double pi, int64_t *lo,
			   int64_t *hi)
{
	int64_t mode, a, b;
	double odds, v, sum = 0, *w;

	if (pi <= 0 || n == 0 || pi >= 1) {
		if (buf_room(out, 1) < 0)
			return -1;
		*lo = *hi = pi >= 1 ? n : 0;
		out->v[0] = 1;
		return 0;
	}
	mode = imin((int64_t)(((double)n + 1) * pi), n);
	odds = pi / (1 - pi);
	for (b = mode, v = 1; b < n; b++) {
		v *= (double)(n - b) / (double)(b + 1) * odds;
		if (v < FO_LARGEN_TRIM)
			break;
	}
	for (a = mode, v = 1; a > 0; a--) {
		v *= (double)a / ((double)(n - a + 1) * odds);
		if (v < FO_LARGEN_TRIM)
			break;
	}
	if (buf_room(out, (size_t)(b - a + 1)) < 0)
		return -1;
	w = out->v - a;
	w[mode] = 1;
	for (int64_t k = mode; k < b; k++)
		w[k + 1] = w[k] * (double)(n - k) / (double)(k + 1) * odds;
	for (int64_t k = mode; k > a; k--)
		w[k - 1] = w[k] * (double)k / ((double)(n - k + 1) * odds);
	for (int64_t k = a; k <= b; k++)
		sum += w[k];
	for (int64_t k = a; k <= b; k++)
		w[k] /= sum;
	/* Each trimmed tail starts below FO_LARGEN_TRIM of the mode and falls geometrically. */
	g->dropped += 2 * FO_LARGEN_TRIM * 64;
	*lo = a;
	*hi = b;
	return 0;
}

/*
 * The new informed count among u when each uninformed node is missed with
 * probability mu1 and each pair with mu2, as a binomial with that mean and
 * variance, into out: weight k is P(C = *c0 + *sign * k), k < *count.
 * Returns 0, or -1 if allocation fails.
 */
static int fitted(struct lg *g, struct buf *out, int64_t u, double mu1, double mu2, int64_t *c0,
		  int *sign, int64_t *count)
{
	double missed = (double)u * mu1, hits = (double)u * (1 - mu1);
	double var = missed * (1 - mu1) + (double)u * ((double)u - 1) * (mu2 - mu1 * mu1);
	int missed_side = missed < hits;
	double side = missed_side ? missed : hits, pi;
	int64_t n, lo, hi;

	if (var < 0)
		var = 0;
	pi = side > 0 ? 1 - var / side : 0;
	if (side <= 0) {
		n = 0;
		pi = 0;
	} else if (pi < 1e-9) {
		n = u;
		pi = side / (double)u;
	} else {
		double nn = nearbyint(side / pi);
		n = nn < 1 ? 1 : nn > (double)u ? u : (int64_t)nn;
		pi = fmin(1, side / (double)n);
	}
	if (binomial_window(g, out, n, pi, &lo, &hi) < 0)
		return -1;
	*count = hi - lo + 1;
	*c0 = missed_side ? u - lo : lo;
	*sign = missed_side ? -1 : 1;
	return 0;
}

/*
 * push_pull from few informed: the push hits H (fitted), then each node push
 * missed pulls on its own, Binomial(u - H, 1 - t), convolved exactly into
 * g->pmf over C in [*c0, *c0 + *count).  A single fitted binomial would put
 * weight below the push's floor (from the origin without loss, H = K surely).
 */
static int mixed(struct lg *g, int64_t u, double m1, double m2, double t, int64_t *c0,
		 int64_t *count)
{
	int64_t h0, hn, lo, hi, cmin = INT64_MAX, cmax = -1;
	int hs;

	if (fitted(g, &g->part[0], u, m1, m2, &h0, &hs, &hn) < 0)
		return -1;
	for (int64_t k = 0; k < hn; k++) {
		int64_t h = h0 + hs * k;
		if (binomial_window(g, &g->part[1], u - h, 1 - t, &lo, &hi) < 0)
			return -1;
		cmin = h + lo < cmin ? h + lo : cmin;
		cmax = h + hi > cmax ? h + hi : cmax;
	}
	if (buf_room(&g->pmf, (size_t)(cmax - cmin + 1)) < 0)
		return -1;
	memset(g->pmf.v, 0, (size_t)(cmax - cmin + 1) * sizeof *g->pmf.v);
	for (int64_t k = 0; k < hn; k++) {
		int64_t h = h0 + hs * k;
		double wh = g->part[0].v[k];
		if (binomial_window(g, &g->part[1], u - h, 1 - t, &lo, &hi) < 0)
			return -1;
		for (int64_t j = lo; j <= hi; j++)
			g->pmf.v[h + j - cmin] += wh * g->part[1].v[j - lo];
	}
	*c0 = cmin;
	*count = cmax - cmin + 1;
	return 0;
}

/*
 * The distribution of the new informed count C from i informed, `senders`
 * pushing K and `last` pushing what their limit leaves, into g->pmf: weight k is P(C = *c0 + *sign * k), k < *count.
 * Returns 0, or -1 if allocation fails.
 */
static int transition(struct lg *g, int64_t i, int64_t senders, int64_t last, int64_t *c0, int *sign,
		      int64_t *count)
{
	int64_t u = g->live - i;
	double m1 = 1, m2 = 1, t = 1;

	if (gossip_pushes(g->p->mode) && senders + last > 0) {
		m1 = exp(log_keep_all((double)senders, (double)last, g->log_keep, g->log_keep_last));
		m2 = exp(log_keep_all((double)senders, (double)last, g->log_keep2, g->log_keep2_last));
	}
	if (gossip_pulls(g->p->mode))
		t = pull_stay_at(g, i);
	if (t < 1 && m1 < 1 && (1 - m1) * (double)u <= FO_LARGEN_MIXED) {
		*sign = 1;
		return mixed(g, u, m1, m2, t, c0, count);
	}
	return fitted(g, &g->pmf, u, m1 * t, m2 * t * t, c0, sign, count);
}

/* Adds mass to the tuple key in (m, mass, cap); -1 if allocation fails. */
static int add_mass(struct tupmap *m, double **mass, size_t *cap, const int32_t *key, double v)
{
	int64_t idx = tupmap_intern(m, key);

	if (idx < 0)
		return -1;
	if (FO_GROW_ZEROED(*mass, m->count, *cap) < 0)
		return -1;
	(*mass)[idx] += v;
	return 0;
}

struct maps {
	struct tupmap state[2], entry;
	double *mass[2], *emass;
	size_t cap[2], ecap;
};

/* One early round: states in cur (with masses) into nxt and the round's entries. */
static enum fo_status early_round(struct lg *g, struct maps *m, int cur)
{
	int nxt = 1 - cur, width = 1 + (int)g->window;
	int32_t key[2 + FO_LARGEN_TUPLE_WINDOW];

	for (size_t s = 0; s < m->state[cur].count; s++) {
		const int32_t *k = tupmap_key(&m->state[cur], s);
		double w = m->mass[cur][s];
		int64_t i = k[0], senders = g->window ? 0 : i, last = 0, c0, count;
		int32_t prev[1 + FO_LARGEN_TUPLE_WINDOW];
		int sign;

		if (w < FO_LARGEN_TRIM) {
			g->dropped += w;
			continue;
		}
		if (fo_cancelled(g->cancel))
			return FO_CANCELLED;
		memcpy(prev, k, (size_t)width * sizeof *prev);
		for (int j = 1; j < width; j++)
			senders += prev[j];
		if (width > 1) {
			/* c_W, informed W rounds ago, is in its window's last round. */
			last = prev[width - 1];
			senders -= last;
		}
		if (transition(g, i, senders, last, &c0, &sign, &count) < 0)
			return FO_NOMEM;
		g->work += LG_ENTRY_COST * (double)count;
		if (g->work > g->work_cap)
			return FO_TOO_LARGE;
		for (int64_t x = 0; x < count; x++) {
			int64_t c = c0 + sign * x;
			double v = w * g->pmf.v[x];
			int entry = i + c >= g->threshold;
			key[0] = (int32_t)(i + c);
			if (width > 1) {
				key[1] = (int32_t)c;
				for (int j = 2; j < width; j++)
					key[j] = prev[j - 1];
			}
			if (entry ? add_mass(&m->entry, &m->emass, &m->ecap, key, v)
				  : add_mass(&m->state[nxt], &m->mass[nxt], &m->cap[nxt], key, v))
				return FO_NOMEM;
		}
	}
	return FO_OK;
}

static void maps_release(struct maps *m)
{
	for (int k = 0; k < 2; k++) {
		tupmap_release(&m->state[k]);
		free(m->mass[k]);
	}
	tupmap_release(&m->entry);
	free(m->emass);
}

/*
 * A wide window (W > FO_LARGEN_TUPLE_WINDOW): the early chain is the informed
 * count i alone, which is exact for rounds 1 … W (no cohort has expired; in
 * round W only the origin is in its last round).  Each state carries, besides
 * its mass, the mass-weighted sum of its cohort sizes by round (so their mean
 * given i), and an entry continues with those means.  The early phase stops
 * at round E = min(W, R, FO_LARGEN_WIDE_ROUNDS): mass still below the
 * threshold enters the late phase then ("forced"), and the part of it below
 * forced_level counts as never full at the interval's lower end.
 */
struct wide {
	int64_t stride;         /* E + 1 cohort sums per state */
	double *mass[2], *sum[2];
	struct tupmap entry;
	double *emass, *esum;
	size_t ecap, escap;
};

static void wide_release(struct wide *d)
{
	for (int k = 0; k < 2; k++) {
		free(d->mass[k]);
		free(d->sum[k]);
	}
	tupmap_release(&d->entry);
	free(d->emass);
	free(d->esum);
}

/* Adds v (and its cohort sums: from[t] * share, plus fresh * v at round r) to entry i0. */
static int wide_entry(struct wide *d, int64_t i0, double v, const double *from, double share, int64_t r,
		      double fresh)
{
	int32_t key = (int32_t)i0;
	int64_t e = tupmap_intern(&d->entry, &key);
	double *to;

	if (e < 0 || FO_GROW_ZEROED(d->emass, d->entry.count, d->ecap) < 0 ||
	    FO_GROW_ZEROED(d->esum, d->entry.count * (size_t)d->stride, d->escap) < 0)
		return -1;
	d->emass[e] += v;
	to = d->esum + e * d->stride;
	for (int64_t t = 0; t < r; t++)
		to[t] += from[t] * share;
	to[r] += fresh * v;
	return 0;
}

static enum fo_status run_wide(struct lg *g)
{
	int64_t m = g->threshold, stop = imin(imin(g->window, g->p->rounds), FO_LARGEN_WIDE_ROUNDS);
	struct wide d;
	enum fo_status st = FO_OK;
	int cur = 0;

	memset(&d, 0, sizeof d);
	d.stride = stop + 1;
	tupmap_init(&d.entry, 1);
	for (int k = 0; k < 2; k++) {
		d.mass[k] = calloc((size_t)m, sizeof *d.mass[k]);
		d.sum[k] = calloc((size_t)m * (size_t)d.stride, sizeof *d.sum[k]);
		if (!d.mass[k] || !d.sum[k]) {
			wide_release(&d);
			return FO_NOMEM;
		}
	}
	d.mass[0][1] = 1;
	d.sum[0][d.stride] = 1; /* state i = 1: the origin, informed in round 0 */
	for (int64_t r = 1; r <= stop && st == FO_OK; r++) {
		int nxt = 1 - cur, forcing = r == stop;
		memset(d.mass[nxt], 0, (size_t)m * sizeof *d.mass[nxt]);
		memset(d.sum[nxt], 0, (size_t)m * (size_t)d.stride * sizeof *d.sum[nxt]);
		tupmap_clear(&d.entry);
		if (d.emass)
			memset(d.emass, 0, d.ecap * sizeof *d.emass);
		if (d.esum)
			memset(d.esum, 0, d.escap * sizeof *d.esum);
		for (int64_t i = 1; i < m; i++) {
			double w = d.mass[cur][i], *from = d.sum[cur] + i * d.stride;
			int64_t c0, count, last = r == g->window ? 1 : 0;
			int sign;
			if (w == 0)
				continue;
			if (w < FO_LARGEN_TRIM) {
				g->dropped += w;
				continue;
			}
			if (fo_cancelled(g->cancel)) {
				st = FO_CANCELLED;
				break;
			}
			if (transition(g, i, i - last, last, &c0, &sign, &count) < 0) {
				st = FO_NOMEM;
				break;
			}
			g->work += LG_ENTRY_COST * (double)count * (1 + (double)r / 4);
			if (g->work > g->work_cap) {
				st = FO_TOO_LARGE;
				break;
			}
			for (int64_t x = 0; x < count; x++) {
				int64_t c = c0 + sign * x, to = i + c;
				double share = g->pmf.v[x], v = w * share;
				if (to >= m || forcing) {
					if (wide_entry(&d, to, v, from, share, r, (double)c) < 0) {
						st = FO_NOMEM;
						break;
					}
					continue;
				}
				d.mass[nxt][to] += v;
				for (int64_t t = 0; t < r; t++)
					d.sum[nxt][to * d.stride + t] += from[t] * share;
				d.sum[nxt][to * d.stride + r] += (double)c * v;
			}
			if (st != FO_OK)
				break;
		}
		if (st != FO_OK)
			break;
		for (int64_t i = 1; g->c_miss && i < m; i++) {
			g->c_miss[r] += d.mass[nxt][i];
			g->c_inf[r] += d.mass[nxt][i] * (double)i;
		}
		for (size_t e = 0; e < d.entry.count && st == FO_OK; e++) {
			int64_t i0 = tupmap_key(&d.entry, e)[0];
			double v = d.emass[e];
			if (v <= 0)
				continue;
			for (int64_t t = 0; t <= r; t++)
				g->hist[t] = d.esum[e * (size_t)d.stride + (size_t)t] / v;
			if ((e & 63) == 63 && fo_cancelled(g->cancel))
				st = FO_CANCELLED;
			else if (g->work > g->work_cap)
				st = FO_TOO_LARGE;
			else
				st = late_phase(g, r, (double)i0, v, forcing && r < g->p->rounds && i0 < g->forced_level);
		}
		cur = nxt;
	}
	wide_release(&d);
	return st;
}

/* The whole method at threshold g->threshold; fills g->full, miss, uninformed, dropped. */
static enum fo_status run_at(struct lg *g)
{
	struct maps m;
	int width = 1 + (int)g->window, cur = 0;
	int32_t start[1 + FO_LARGEN_TUPLE_WINDOW] = { 1, 1 };
	enum fo_status st = FO_OK;

	g->full = g->miss = g->miss_pair = g->uninformed = g->dropped = g->forced_full = 0;
	if (g->window > FO_LARGEN_TUPLE_WINDOW) {
		if (g->c_miss) {
			g->c_miss[0] = 1;
			g->c_inf[0] = 1;
		}
		if (1 >= g->threshold) {
			g->hist[0] = 1;
			return late_phase(g, 0, 1, 1, 0);
		}
		return run_wide(g);
	}
	memset(&m, 0, sizeof m);
	for (int k = 0; k < 2; k++)
		tupmap_init(&m.state[k], width);
	tupmap_init(&m.entry, width);
	if (1 >= g->threshold) {
		st = late_from_key(g, 0, start, 1);
		maps_release(&m);
		return st;
	}
	if (add_mass(&m.state[0], &m.mass[0], &m.cap[0], start, 1) < 0) {
		maps_release(&m);
		return FO_NOMEM;
	}
	if (g->c_miss) {
		g->c_miss[0] = 1;
		g->c_inf[0] = 1;
	}
	for (int64_t r = 1; r <= g->p->rounds && m.state[cur].count > 0; r++) {
		int nxt = 1 - cur;
		tupmap_clear(&m.state[nxt]);
		if (m.mass[nxt])
			memset(m.mass[nxt], 0, m.cap[nxt] * sizeof *m.mass[nxt]);
		tupmap_clear(&m.entry);
		if (m.emass)
			memset(m.emass, 0, m.ecap * sizeof *m.emass);
		if ((st = early_round(g, &m, cur)) != FO_OK)
			break;
		for (size_t e = 0; e < m.entry.count && st == FO_OK; e++) {
			if ((e & 63) == 63 && fo_cancelled(g->cancel))
				st = FO_CANCELLED;
			else if (g->work > g->work_cap)
				st = FO_TOO_LARGE;
			else
				st = late_from_key(g, r, tupmap_key(&m.entry, e), m.emass[e]);
		}
		if (st != FO_OK)
			break;
		/* The curve: mass still early at round r is not full, with its own count. */
		for (size_t e = 0; g->c_miss && e < m.state[nxt].count; e++) {
			g->c_miss[r] += m.mass[nxt][e];
			g->c_inf[r] += m.mass[nxt][e] * (double)tupmap_key(&m.state[nxt], e)[0];
		}
		cur = nxt;
	}
	/* Mass still in the early phase after R rounds: fewer than M informed, not full. */
	for (size_t s = 0; st == FO_OK && s < m.state[cur].count; s++) {
		double w = m.mass[cur][s];
		g->miss += w;
		g->miss_pair += w;
		g->uninformed += w * (double)(g->live - tupmap_key(&m.state[cur], s)[0]);
	}
	maps_release(&m);
	return st;
}

/* log P(one sender of b messages misses a given node), and two given nodes, into *one, *two. */
static void keep_logs(const struct gossip_params *p, double b, double *one, double *two)
{
	double n1 = (double)(p->nodes - 1), keep = 1 - p->loss;
	double pr = n1 > 0 ? b * keep / n1 : 0;
	double p2 = p->nodes > 2 ? b * (b - 1) * keep * keep / (n1 * (n1 - 1)) : 0;

	*one = log1p(-fmin(pr, 1));
	*two = log(fmax(0, 1 - 2 * pr + p2));
}

static int lg_init(struct lg *g, const struct gossip_params *p, const atomic_int *cancel)
{
	memset(g, 0, sizeof *g);
	g->p = p;
	g->cancel = cancel;
	g->live = gossip_live(p);
	g->window = gossip_window(p);
	keep_logs(p, (double)p->fanout, &g->log_keep, &g->log_keep2);
	keep_logs(p, (double)gossip_last_sends(p), &g->log_keep_last, &g->log_keep2_last);
	g->hyp = malloc((size_t)(imin(p->fanout, FO_LARGEN_PULL_EXACT) + 1) * sizeof *g->hyp);
	if (g->hyp && g->window)
		g->hist = calloc((size_t)p->rounds + 1, sizeof *g->hist);
	if (g->hyp && (g->hist || !g->window))
		return 0;
	free(g->hyp);
	return -1;
}

/*
 * A transmit limit's partial last round or a window wider than
 * FO_LARGEN_TUPLE_WINDOW with fewer than FO_LARGEN_LIMIT_MIN_LIVE live nodes:
 * the early phase rarely ends before the window does, and the deterministic
 * late phase from near L is off in the tails (measured), so large_n does not
 * answer (auto simulates).
 */
static int too_few_live(const struct gossip_params *p)
{
	int64_t w = gossip_window(p);

	return w && (w > FO_LARGEN_TUPLE_WINDOW || gossip_last_sends(p) < p->fanout) &&
	       gossip_live(p) < FO_LARGEN_LIMIT_MIN_LIVE;
}

/* Frees the curve arrays of g (g itself stays, the arrays NULL). */
static void curve_release(struct lg *g)
{
	free(g->c_miss);
	free(g->c_full);
	free(g->c_inf);
	free(g->c_full_from);
	free(g->c_inf_from);
	g->c_miss = g->c_full = g->c_inf = g->c_full_from = g->c_inf_from = NULL;
}

static int curve_alloc(struct lg *g)
{
	size_t n = (size_t)g->p->rounds + 1;

	g->c_miss = calloc(n, sizeof *g->c_miss);
	g->c_full = calloc(n, sizeof *g->c_full);
	g->c_inf = calloc(n, sizeof *g->c_inf);
	g->c_full_from = calloc(n, sizeof *g->c_full_from);
	g->c_inf_from = calloc(n, sizeof *g->c_inf_from);
	if (g->c_miss && g->c_full && g->c_inf && g->c_full_from && g->c_inf_from)
		return 0;
	curve_release(g);
	return -1;
}

/*
 * The curve's arrays into *c (taking them over): P(full by r) from the miss
 * while it is below 1/2 (as the answer's P), the point estimates at R set to
 * the answer's own.
 */
static void curve_out(struct lg *g, const struct largen_result *out, struct chain_result *c)
{
	int64_t rounds = g->p->rounds;
	double full_from = 0, inf_from = 0;

	memset(c, 0, sizeof *c);
	c->rounds = rounds;
	for (int64_t r = 0; r <= rounds; r++) {
		double miss = fmin(1, fmax(0, g->c_miss[r]));
		full_from += g->c_full_from[r];
		inf_from += g->c_inf_from[r];
		g->c_miss[r] = miss;
		g->c_full[r] = miss < 0.5 ? 1 - miss : fmin(1, fmax(0, g->c_full[r] + full_from));
		g->c_inf[r] = fmin((double)g->live, g->c_inf[r] + inf_from);
	}
	g->c_miss[rounds] = out->miss;
	g->c_full[rounds] = out->p_full;
	c->p_full = g->c_full;
	c->p_miss = g->c_miss;
	c->mean_informed = g->c_inf;
	c->node_miss = out->node_miss;
	c->error_bound = fmax(out->p_full - out->p_lo, out->p_hi - out->p_full);
	free(g->c_full_from);
	free(g->c_inf_from);
	g->c_miss = g->c_full = g->c_inf = g->c_full_from = g->c_inf_from = NULL;
}

enum fo_status largen_run(const struct gossip_params *p, const atomic_int *cancel,
			  struct largen_result *out)
{
	struct gossip_params view = gossip_known_view(p);

	p = &view;
	return largen_curve(p, cancel, out, NULL);
}

enum fo_status largen_curve(const struct gossip_params *p, const atomic_int *cancel,
			    struct largen_result *out, struct chain_result *curve)
{
	struct gossip_params view = gossip_known_view(p);

	p = &view;
	struct lg g;
	enum fo_status st;
	double full, miss, pessimistic, uninformed, dropped, forced, gap = 0, err;
	int64_t big;

	memset(out, 0, sizeof *out);
	if (curve)
		memset(curve, 0, sizeof *curve);
	if (p->timers != GOSSIP_TIMERS_ALIGNED)
		return FO_TOO_LARGE; /* a method over rounds: not (yet) for independent timers */
	if (gossip_live(p) <= 1) {
		out->p_full = out->p_lo = out->p_hi = 1;
		if (curve) {
			size_t n = (size_t)p->rounds + 1;
			curve->rounds = p->rounds;
			curve->p_full = malloc(n * sizeof *curve->p_full);
			curve->p_miss = calloc(n, sizeof *curve->p_miss);
			curve->mean_informed = malloc(n * sizeof *curve->mean_informed);
			if (!curve->p_full || !curve->p_miss || !curve->mean_informed) {
				chain_result_release(curve);
				return FO_NOMEM;
			}
			for (size_t r = 0; r < n; r++) {
				curve->p_full[r] = 1;
				curve->mean_informed[r] = (double)gossip_live(p);
			}
		}
		return FO_OK;
	}
	if (gossip_live(p) > INT32_MAX || too_few_live(p))
		return FO_TOO_LARGE;
	if (lg_init(&g, p, cancel) < 0)
		return FO_NOMEM;
	if (curve && curve_alloc(&g) < 0) {
		free(g.hyp);
		free(g.hist);
		return FO_NOMEM;
	}
	/*
	 * With a push window, both runs together may spend FO_LARGEN_OVERRUN_WIDE
	 * times the estimate, or FO_LARGEN_OVERRUN with a partial last round in
	 * cohort tuples: slow growth (a short window, heavy loss, many failed
	 * nodes) makes the cohort states many more than it assumes, and each
	 * costs more than a unit (N = 401643, 121329 failed, K = 2, T = 2, R = 20
	 * ran 10.8 s on an estimate of 0.046 s).  Past that auto simulates that
	 * K instead.
	 */
	g.work_cap = FO_LARGEN_MAX_WORK;
	if (g.window)
		g.work_cap = fmin(g.work_cap, largen_cost(p) * (g.window <= FO_LARGEN_TUPLE_WINDOW &&
								 gossip_last_sends(p) < p->fanout
								 ? FO_LARGEN_OVERRUN : FO_LARGEN_OVERRUN_WIDE));
	big = g.window > FO_LARGEN_TUPLE_WINDOW ? FO_LARGEN_THRESHOLD_WIDE
	      : g.window ? FO_LARGEN_THRESHOLD_WINDOW : FO_LARGEN_THRESHOLD;
	g.threshold = imin(big, g.live);
	g.forced_level = big / FO_LARGEN_CHECK_RATIO;
	st = run_at(&g);
	full = g.full;
	miss = g.miss;
	forced = g.forced_full;
	pessimistic = g.miss_pair;
	uninformed = g.uninformed;
	dropped = g.dropped;
	if (st == FO_OK && big / FO_LARGEN_CHECK_RATIO < g.live) {
		/* The same at a lower threshold: how much the entry point moves the answer. */
		struct lg keep = g;
		g.c_miss = g.c_full = g.c_inf = g.c_full_from = g.c_inf_from = NULL;
		g.threshold = big / FO_LARGEN_CHECK_RATIO;
		st = run_at(&g);
		gap = fabs(g.miss - miss);
		dropped = fmax(dropped, g.dropped);
		g.c_miss = keep.c_miss;
		g.c_full = keep.c_full;
		g.c_inf = keep.c_inf;
		g.c_full_from = keep.c_full_from;
		g.c_inf_from = keep.c_inf_from;
	}
	free(g.pmf.v);
	free(g.part[0].v);
	free(g.part[1].v);
	free(g.hyp);
	free(g.hist);
	if (st != FO_OK) {
		curve_release(&g);
		return st;
	}
	err = FO_LARGEN_SAFETY * gap + FO_LARGEN_REL_FLOOR * fmin(miss, full) + dropped +
	      FO_LARGEN_ABS_FLOOR;
	/*
	 * With a push window the senders are the last few cohorts, which stay
	 * random (and small near the end) after the entry point, which the late
	 * phase's deterministic cohorts do not see: rare paths (every cohort
	 * dying out) are missed entirely, hence the absolute term.
	 */
	if (g.window)
		err += FO_LARGEN_WINDOW_REL * fmin(miss, full) + FO_LARGEN_WINDOW_ABS;
	/* Near 1, P from the miss: the miss keeps its relative accuracy, the summed P does not. */
	out->miss = fmin(1, fmax(0, miss));
	out->p_full = miss < 0.5 ? 1 - out->miss : fmin(1, fmax(0, full));
	/* A wide window's forced entries from few informed: never full, at the lower end. */
	out->p_lo = fmax(0, fmin(out->p_full, 1 - pessimistic) - err - forced);
	out->p_hi = fmin(1, out->p_full + err);
	out->miss_lo = fmax(0, out->miss - err);
	out->miss_hi = fmin(1, fmax(out->miss, pessimistic) + err + forced);
	out->node_miss = fmin(1, uninformed / (double)(g.live - 1));
	out->work = g.work;
	if (curve)
		curve_out(&g, out, curve);
	return FO_OK;
}

double largen_cost(const struct gossip_params *p)
{
	if (p->timers != GOSSIP_TIMERS_ALIGNED || p->seed_gossip)
		return HUGE_VAL;
	struct gossip_params view = gossip_known_view(p);

	p = &view;
	double live = (double)gossip_live(p), k = (double)p->fanout, keep = 1 - p->loss;
	double w = (double)gossip_window(p);
	int wide = w > FO_LARGEN_TUPLE_WINDOW;
	double m = fmin(live, wide ? FO_LARGEN_THRESHOLD_WIDE : w ? FO_LARGEN_THRESHOLD_WINDOW : FO_LARGEN_THRESHOLD);
	double growth = fmax(k * keep * live / (double)p->nodes, 1e-9), width, early, states, vf, stuck;
	/* A push informs nobody when lost or sent to a failed node (failures not known: F of the N - 1 peers). */
	double miss = 1 - keep * (live - 1) / fmax((double)p->nodes - 1, 1);

	if (live <= 1)
		return 0;
	if (live > INT32_MAX || too_few_live(p))
		return HUGE_VAL;
	/*
	 * A transition spans about 20 standard deviations of the new count: its
	 * variance is about its mean with pull, and the mean times the chance a
	 * push is wasted (lost, or to a failed node) plus collisions with push
	 * alone.
	 */
	vf = gossip_pulls(p->mode) ? 1 : miss + fmin(1, m * k / (double)p->nodes) + 1e-3;
	width = 20 * sqrt(m * fmax(growth, 1) * vf) + 20;
	/*
	 * Early rounds: growth to M, plus until the mass still stuck at the
	 * origin falls below FO_LARGEN_TRIM: about e^-growth a round with pull,
	 * miss^K with push alone.
	 */
	stuck = gossip_pulls(p->mode) ? growth : -k * log(fmax(miss, 1e-300));
	early = fmin((double)p->rounds, log1p(m) / log1p(growth) + 52 / fmax(stuck, 1e-9) + 2);
	if (wide) {
		/*
		 * The count alone, at most M states, each transition entry adding
		 * to its cohort sums (one per round so far); forced entries at E.
		 */
		early = fmin(early, fmin(w, FO_LARGEN_WIDE_ROUNDS));
		return LG_ENTRY_COST * early * m / 2 * width * (1 + early / 4) * 9 / 8 +
		       LG_ROUND_COST * fmin((double)p->rounds, 64) * width * early;
	}
	/* Occupied states: about half of the M below the threshold, on average over the rounds. */
	states = m / 2 * (1 + 2 * w * sqrt(m));
	/* Transition entries (times 9/8 for the check run at M/4), then late rounds from the entries. */
	return LG_ENTRY_COST * early * states * width * 9 / 8 +
	       LG_ROUND_COST * fmin((double)p->rounds, 64) * width * early;
}
