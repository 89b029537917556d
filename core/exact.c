/* SPDX-License-Identifier: MIT */
/*
 * exact.c — the informed-count Markov chain (see exact.h for the transitions).
 *
 * Without a push window the state is the informed count i alone, and its
 * distribution is a dense vector over the range [lo, hi] that carries mass.
 * A round is computed for all states at once:
 *   pull: from i, each of the u = L - i uninformed live nodes succeeds
 *         independently, so the new count is i + Bin(u, s_i); the binomial is
 *         computed only over its non-negligible range (dist_binom_range).
 *   push: i senders act in turn on "m live nodes not reached yet".  Walking s
 *         from the largest i down, state s joins a shared vector over m at
 *         m = L - s and every state present takes one sender step, so state i
 *         takes exactly i steps and, by linearity, the end vector is the sum
 *         of the states' separate outcomes: one sweep instead of a row each.
 *   push_pull: the pulls of a round are independent of its pushes, and a
 *         sender's hits depend only on how many nodes are still fresh, so
 *         state s joins the sweep already thinned by its pulls: at
 *         m = u - Bin(u, s_s).  Push then acts on what pull missed.
 * With a push window T the state is the tuple (i, c_1, …, c_T), c_j informed
 * j rounds ago; states are interned in a tupmap and the rows "new informed
 * count given (i, a senders)" are cached in a pool.  Under a transmit limit
 * that K does not divide, the c_T senders in their window's last round send
 * fewer than K: they take their sender steps with a kernel of their own, and
 * rows are keyed (i, a, b) with b of them.
 *
 * Honesty of the figures.  Two things separate a computed probability from
 * the model's true one, and both are bounded:
 *  - Dropped mass.  The ends of a distribution below FO_EXACT_EPSILON, the
 *    tails of each binomial beyond its kept range (bounded by a geometric
 *    series, dist.c), states too light to keep.  Dropping only removes mass:
 *    the computed vector, before rounding, is entrywise below the true one,
 *    and their totals differ by D, the sum of everything dropped.
 *  - Rounding.  Every quantity of the chain is a sum of products of
 *    non-negative numbers: there is no cancellation anywhere (1 - s is never
 *    formed by subtraction: dist_pull_fail computes both s and 1 - s as sums;
 *    1 - loss is exact for loss >= 1/2 and one rounding otherwise).  So each
 *    computed mass has a small *relative* error g, grown each round by the
 *    relative errors of the pmfs used (returned by dist.c) plus one unit
 *    roundoff u = 2^-53 per addition an entry can receive (at most the row
 *    width, or the K + 1 terms of a sender step).  These are first-order
 *    bounds; the product of the (1 + e_k) factors is at most exp(Σ e_k)
 *    <= 1 + 1.01 Σ e_k while Σ e_k <= 0.01, hence the factor 1.01 applied
 *    to g (past 0.01 the bound gives up and reports 1).
 * For a reported sum P̂ over some states (p_miss: the non-full ones; p_full:
 * the full one, or 1 - p_miss when that is smaller; node_miss: weights
 * (L - i)/(L - 1) <= 1), the true value P satisfies (1 - g)(P - D) <= P̂ <=
 * (1 + g)P, so |P̂ - P| <= D + g (P̂ + D)(1 + 2g): that is miss_bound[r] and
 * full_bound[r] for the two sums, and their larger one is round_bound[r],
 * and error_bound is the largest of them and node_miss's.  Miss
 * probabilities are never formed as 1 - P(full), so a miss of 1e-15 keeps
 * its relative precision.  Clamping to [0, 1] only moves a figure towards
 * the true one.
 */
#include <math.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <threads.h>

#include "costs.h"
#include "fanout/config.h"
#include "fanout/dist.h"
#include "fanout/exact.h"
#include "fanout/grow.h"
#include "tupmap.h"

/* Work units (about a nanosecond each) between two reads of the cancel flag. */
#define EXACT_CHECK_EVERY (1 << 20)

/* The fused sender step is unrolled for senders of up to this many sends. */
#define FUSED_MAX 4

/* Two fused steps run tile by tile, the first step's tile staying in L1. */
#define PAIR_TILE 512

/* A pair's tiles are split over two threads from this many entries of the vector on. */
#ifndef SPLIT_MIN
#define SPLIT_MIN (8 * PAIR_TILE)
#endif

/* Counts the pairs split over two threads (tests/unit/test_exact_ahead.c). */
#ifndef SPLIT_COUNT
#define SPLIT_COUNT() ((void)0)
#endif

/* Room past index live - 1 that the fused steps may read (zeroes there). */
#define SCRATCH_PAD (2 + 4 * FUSED_MAX)
#define KERNEL_PAD (4 * FUSED_MAX)

/* exact_run_decide tries its bound through thresholds at most this many rounds before the end. */
#define DECIDE_AHEAD 12

/* The kernel's loss binomials are tabulated once up to this fanout, else recomputed per m. */
#define KERNEL_TABLE_MAX 1024

struct exact {
	int64_t nodes, fanout, live, window;
	int64_t last;           /* sends in the window's last round (K unless a transmit limit cuts it) */
	enum gossip_mode mode;
	double loss;
	const atomic_int *cancel;

	/* q_m(d), the new deliveries of one sender among m fresh targets. */
	double *kernel;         /* q_m(d) at kernel[d * live + m] */
	double *kernel_last;    /* the same for `last` sends, when last < fanout */
	double kernel_rel;      /* relative error bound of every q_m(d), both kernels */
	double kernel_tail;     /* probability a q_m lost to underflow, at most */

	/* Per informed count i: P(an uninformed node's pull fails / succeeds); -1 until computed. */
	double *pull_fail, *pull_ok;
	double pull_rel;

	/* The window path's states' rows. */
	struct tupmap rows;     /* (i, a, b) -> row index */
	struct row *row;        /* row index -> where its values are */
	size_t row_cap;
	double *pool;
	size_t pool_used, pool_cap;

	int64_t since_check;    /* work units since the cancel flag was last read */
	double dropped;         /* D: probability dropped so far (before the final margin) */
	double rel;             /* g: first-order relative error bound of every mass */
	double *scratch[3];     /* live + SCRATCH_PAD doubles each */
	/* exact_run_decide: stop before the last round when P(full at R) <= upper < decide / 2. */
	double decide, upper;
	/* exact_run_mt: a second thread for a sweep's tiles, while *other_done (NULL: always). */
	int threads;
	const atomic_int *other_done;
	struct helper *helper;  /* the second thread of this round, or NULL */
};

/*
 * A transition row: P(c new informed) for c in [lo, hi], at pool + off;
 * `dropped` is the probability trimmed off it, `rel` its entries' relative error.
 */
struct row {
	int64_t lo, hi;
	size_t off;
	double dropped, rel;
};

/* A distribution over the informed count: v[i] for i in [lo, hi] (empty when lo > hi). */
struct dense {
	double *v;
	int64_t lo, hi;
};

static int64_t imin(int64_t a, int64_t b)
{
	return a < b ? a : b;
}

static int64_t imax(int64_t a, int64_t b)
{
	return a > b ? a : b;
}

/* Counts `work` units done; non-zero when the caller asked to stop (read about every millisecond). */
static int stop(struct exact *x, int64_t work)
{
	x->since_check += work;
	if (x->since_check < EXACT_CHECK_EVERY)
		return 0;
	x->since_check = 0;
	return fo_cancelled(x->cancel);
}

/* Narrows [*lo, *hi] past end entries of v below FO_EXACT_EPSILON; returns their sum. */
static double trim(const double *v, int64_t *lo, int64_t *hi)
{
	double dropped = 0;

	while (*hi > *lo && v[*hi] < FO_EXACT_EPSILON)
		dropped += v[(*hi)--];
	while (*lo < *hi && v[*lo] < FO_EXACT_EPSILON)
		dropped += v[(*lo)++];
	return dropped;
}

/* Zeroes v over [a, b] where it is outside [*lo, *hi], and widens the range to cover [a, b]. */
static void widen(double *v, int64_t *lo, int64_t *hi, int64_t a, int64_t b)
{
	if (*lo > *hi) {
		memset(v + a, 0, (size_t)(b - a + 1) * sizeof *v);
		*lo = a;
		*hi = b;
		return;
	}
	if (a < *lo) {
		memset(v + a, 0, (size_t)(*lo - a) * sizeof *v);
		*lo = a;
	}
	if (b > *hi) {
		memset(v + *hi + 1, 0, (size_t)(b - *hi) * sizeof *v);
		*hi = b;
	}
}

/*
 * Bin(d; h, 1 - loss) for d = 0..h into out (2h + 1 doubles of room), zero
 * where it underflows; returns the relative error bound.
 */
static double binom_full(struct exact *x, int64_t h, double *out)
{
	struct dist_pmf b;

	dist_binom_range(h, 1 - x->loss, x->loss, DIST_U, 0, out, &b);
	memmove(out + b.lo, out, (size_t)(b.hi - b.lo + 1) * sizeof *out);
	memset(out, 0, (size_t)b.lo * sizeof *out);
	memset(out + b.hi + 1, 0, (size_t)(h - b.hi) * sizeof *out);
	x->kernel_tail = fmax(x->kernel_tail, b.tail);
	return b.rel;
}

/*
 * q_m(d) = sum_h Hyp(h; N-1, m, k) Bin(d; h, 1 - loss) for m = 0..L-1: a
 * sender's hits among m fresh live nodes when it sends k, thinned by loss.
 * Stored by column, kernel[d * L + m] (0 for d > m), so a sender step is
 * k + 1 passes over contiguous memory; x->kernel_rel grows to cover it.
 * Returns FO_OK, FO_NOMEM or FO_CANCELLED (*kernel then belongs to x all the
 * same: exact_release frees it).
 */
static enum fo_status build_kernel(struct exact *x, int64_t k, double **kernel)
{
	/* A sender hits at most the live - 1 others, so rows past that are never read. */
	int64_t live = x->live, rows = imin(k, live - 1) + 1;
	double *table = NULL, table_rel = 0, *hyp = x->scratch[0], *q = x->scratch[1];

	/* Zeroed padding past the last column: the fused steps read up to KERNEL_PAD beyond it. */
	*kernel = calloc((size_t)rows * (size_t)live + KERNEL_PAD, sizeof **kernel);
	if (!*kernel)
		return FO_NOMEM;
	/* Bin(.; h, 1 - loss) for h = 0..rows - 1, row h at table + h * h (2h + 1 of room). */
	if (x->loss > 0 && rows <= KERNEL_TABLE_MAX + 1) {
		table = malloc((size_t)(rows * rows + 1) * sizeof *table);
		if (!table)
			return FO_NOMEM;
		for (int64_t h = 0; h < rows; h++)
			table_rel = fmax(table_rel, binom_full(x, h, table + h * h));
	}
	for (int64_t m = 0; m < live; m++) {
		int64_t top = imin(k, m);
		double bin_rel = table_rel, hyp_rel;
		struct dist_pmf h_pmf;

		dist_hypergeom(x->nodes - 1, m, k, hyp, top + 1, &h_pmf);
		hyp_rel = h_pmf.rel;

		if (x->loss == 0) {
			memcpy(q, hyp, (size_t)(top + 1) * sizeof *q);
			x->kernel_rel = fmax(x->kernel_rel, hyp_rel);
		} else {
			memset(q, 0, (size_t)(top + 1) * sizeof *q);
			for (int64_t h = 0; h <= top; h++) {
				const double *bin = table ? table + h * h : x->scratch[2];
				if (hyp[h] == 0)
					continue;
				if (!table)
					bin_rel = fmax(bin_rel, binom_full(x, h, x->scratch[2]));
				for (int64_t d = 0; d <= h; d++)
					q[d] += hyp[h] * bin[d];
			}
			x->kernel_rel = fmax(x->kernel_rel, hyp_rel + bin_rel + (double)(top + 2) * DIST_U);
		}
		for (int64_t d = 0; d <= top; d++)
			(*kernel)[d * live + m] = q[d];
		if (stop(x, 10 * (top + 1) * (x->loss > 0 ? top + 2 : 1))) {
			free(table);
			return FO_CANCELLED;
		}
	}
	free(table);
	return FO_OK;
}

/* s_i and 1 - s_i for an uninformed node's pull with i informed; returns their relative error. */
static double pull_prob(struct exact *x, int64_t i, double *ok, double *fail)
{
	if (x->pull_fail[i] < 0) {
		struct dist_pull r;
		dist_pull_fail(x->nodes - 1, i, x->fanout, x->loss, x->scratch[2], &r);
		x->pull_fail[i] = r.fail;
		x->pull_ok[i] = r.success;
		x->pull_rel = fmax(x->pull_rel, r.rel);
	}
	*ok = x->pull_ok[i];
	*fail = x->pull_fail[i];
	return x->pull_rel;
}

/*
 * w[j] = sum_d v[j + d] q_{j+d}(d) for j in [a, b] (when a <= b), by passes
 * over d, each source checked against [lo, hi].
 */
static void edge_step(const double *kernel, int64_t live, int64_t top, const double *restrict v,
		      double *restrict w, int64_t lo, int64_t hi, int64_t a, int64_t b)
{
	if (a > b)
		return;
	memset(w + a, 0, (size_t)(b - a + 1) * sizeof *w);
	for (int64_t d = 0; d <= top; d++) {
		/* Targets j = m - d for m in [max(lo, d), hi], within [a, b]. */
		const double *restrict q = kernel + d * live + d;
		const double *restrict vd = v + d;
		int64_t from = imax(imax(lo, d) - d, a), to = imin(hi - d, b);
		for (int64_t j = from; j <= to; j++)
			w[j] += vd[j] * q[j];
	}
}

#define FUSED_TERM(d) (src[j + (d) - src_off] * kernel[(d) * live + j + (d)])

/*
 * On x86-64, GCC and Clang build the fused step twice, for AVX2 and for the
 * baseline, and pick one at load time: four lanes instead of two.  Without
 * FMA contraction (-std=c11), each lane rounds exactly as the scalar code.
 */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__SANITIZE_ADDRESS__)
#define WIDE_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define WIDE_CLONES
#endif

/*
 * dst[j - dst_off] = sum_{d <= top} src[j + d - src_off] q_{j+d}(d) for j in
 * [a, b], every source readable (top <= FUSED_MAX).
 */
WIDE_CLONES static void fused_into(const double *restrict kernel, int64_t live, int64_t top,
				   const double *restrict src, int64_t src_off, double *restrict dst,
				   int64_t dst_off, int64_t a, int64_t b)
{
	switch (top) {
	case 0:
		for (int64_t j = a; j <= b; j++)
			dst[j - dst_off] = 0 + FUSED_TERM(0);
		break;
	case 1:
		for (int64_t j = a; j <= b; j++)
			dst[j - dst_off] = 0 + FUSED_TERM(0) + FUSED_TERM(1);
		break;
	case 2:
		for (int64_t j = a; j <= b; j++)
			dst[j - dst_off] = 0 + FUSED_TERM(0) + FUSED_TERM(1) + FUSED_TERM(2);
		break;
	case 3:
		for (int64_t j = a; j <= b; j++)
			dst[j - dst_off] = 0 + FUSED_TERM(0) + FUSED_TERM(1) + FUSED_TERM(2) + FUSED_TERM(3);
		break;
	default:
		for (int64_t j = a; j <= b; j++)
			dst[j - dst_off] = 0 + FUSED_TERM(0) + FUSED_TERM(1) + FUSED_TERM(2) + FUSED_TERM(3) +
					   FUSED_TERM(4);
		break;
	}
}

/*
 * One sender step on v[lo..hi] into w, for a `partial` sender (it sends
 * x->last) or a full one (K): the range moves down by up to what it sends and
 * loses its negligible ends; returns the probability so trimmed.  Each entry
 * of w receives at most K + 1 products: w[j] = sum_d v[j + d] q_{j+d}(d).
 */
static double sender_step(const struct exact *x, int partial, const double *restrict v,
			  double *restrict w, int64_t *lo, int64_t *hi)
{
	int64_t k = partial ? x->last : x->fanout, next_lo = imax(0, *lo - k), top = imin(k, *hi);
	int64_t inner_lo = *lo, inner_hi = *hi - top;
	const double *kernel = partial ? x->kernel_last : x->kernel;

	/*
	 * Where every d has its source inside [lo, hi] (j in [lo, hi - top]) one
	 * fused pass sums the top + 1 products of each entry, in the same order
	 * as the passes by d below, so the figures do not depend on the path.
	 */
	if (top <= FUSED_MAX && inner_lo <= inner_hi) {
		fused_into(kernel, x->live, top, v, 0, w, 0, inner_lo, inner_hi);
		edge_step(kernel, x->live, top, v, w, *lo, *hi, next_lo, inner_lo - 1);
		edge_step(kernel, x->live, top, v, w, *lo, *hi, inner_hi + 1, *hi);
	} else {
		edge_step(kernel, x->live, top, v, w, *lo, *hi, next_lo, *hi);
	}
	*lo = next_lo;
	return trim(w, lo, hi);
}

/* sender_step from *v into *w, then the two swap, so *v holds the result. */
static double sender_advance(const struct exact *x, int partial, double **v, double **w, int64_t *lo,
			     int64_t *hi)
{
	double dropped = sender_step(x, partial, *v, *w, lo, hi), *t = *v;

	*v = *w;
	*w = t;
	return dropped;
}

/* Relative error one sender step adds. */
static double sender_step_rel(const struct exact *x)
{
	return x->kernel_rel + (double)(x->fanout + 2) * DIST_U;
}

/* ---- Without a window: dense vectors ---------------------------------- */

/* One pull round from cur into next. */
static enum fo_status step_pull(struct exact *x, const struct dense *cur, struct dense *next)
{
	double *v = next->v, *pmf = x->scratch[2], row_rel = 0;
	int64_t lo = x->live, hi = cur->lo, widest = 1;

	memset(v + cur->lo, 0, (size_t)(x->live - cur->lo + 1) * sizeof *v);
	for (int64_t i = cur->lo; i <= cur->hi; i++) {
		double m = cur->v[i], ok, fail, pq_rel;
		struct dist_pmf r;
		double *dst;

		if (m == 0)
			continue;
		if (stop(x, 64 + widest))
			return FO_CANCELLED;
		if (i == x->live) {
			v[i] += m;
			lo = imin(lo, i);
			hi = imax(hi, i);
			continue;
		}
		pq_rel = pull_prob(x, i, &ok, &fail);
		dist_binom_range(x->live - i, ok, fail, pq_rel, FO_EXACT_EPSILON, pmf, &r);
		x->dropped += m * r.tail;
		row_rel = fmax(row_rel, r.rel);
		widest = imax(widest, r.hi - r.lo + 1);
		dst = v + i + r.lo;
		for (int64_t k = 0, n = r.hi - r.lo; k <= n; k++)
			dst[k] += m * pmf[k];
		lo = imin(lo, i + r.lo);
		hi = imax(hi, i + r.hi);
	}
	next->lo = lo;
	next->hi = hi;
	x->dropped += trim(v, &next->lo, &next->hi);
	/* An entry receives one product from each of at most min(states, widest row) states. */
	x->rel += row_rel + (double)(imin(widest, cur->hi - cur->lo + 1) + 1) * DIST_U;
	return FO_OK;
}

/*
 * A pull row joining a sweep: mass * pmf[k - lo] at position u - k of the
 * vector over fresh nodes, k in [lo, hi] (empty when mass is 0).
 */
struct join {
	const double *pmf;
	int64_t u, lo, hi;
	double mass;
};

/* Adds the join's entries at positions [a, b] into dst[i - off]. */
static void join_add(const struct join *j, double *dst, int64_t off, int64_t a, int64_t b)
{
	for (int64_t i = imax(a, j->u - j->hi), e = imin(b, j->u - j->lo); i <= e; i++)
		dst[i - off] += j->mass * j->pmf[j->u - i - j->lo];
}

/* sender_pair's tiles starting at a in [begin, end), none past hi: dst[a..b] from src. */
static void pair_tiles(const struct exact *x, int64_t top, const double *src, double *dst,
		       const struct join *j2, int64_t begin, int64_t end, int64_t hi)
{
	double tile[PAIR_TILE + FUSED_MAX];

	for (int64_t a = begin; a < end && a <= hi; a += PAIR_TILE) {
		int64_t b = imin(a + PAIR_TILE - 1, hi);
		/* The first step over [a, b + top], plus the join where it falls there. */
		fused_into(x->kernel, x->live, top, src, 0, tile, a, a, b + top);
		if (j2->mass > 0)
			join_add(j2, tile, a, a, b + top); /* tile[k] is state a + k */
		fused_into(x->kernel, x->live, top, tile, a, dst, 0, a, b);
	}
}

/*
 * A state's pull row asked of either thread (the split sweep, step_sweep):
 * state s (none when s < 1) with mass m into buf; j, tail and rel are its
 * join, the tail it drops and its relative error, for the caller to charge
 * in the one-thread order.
 */
struct rowreq {
	int64_t s;
	double m, *buf;
	struct join j;
	double tail, rel;
};

/*
 * The second thread of a round (exact_run_mt): it waits for a job (seq
 * moves on), claims it, computes its share of a pair's tiles and its row,
 * and says so (done = seq).  Each tile and row is computed as one thread
 * computes it, so the figures do not depend on the split.  Whichever thread
 * claims the job first does it (claim goes from 2 seq to 2 seq + 1): on a
 * busy machine, where the helper may not be running, the main thread does
 * the job itself instead of waiting for it.  Waiting spins a little, then
 * yields the core.
 */
struct helper {
	thrd_t th;
	atomic_uint seq, done, claim;
	atomic_int quit;
	const struct exact *x;
	int64_t top, begin, end, hi;
	const double *src;
	double *dst;
	struct join j2;
	struct rowreq row;      /* the helper's row of the job, if any */
	double *pq_at;          /* per state: pull_prob's relative error as one thread sees it there */
	double *bufs[3];        /* the rows' buffers: the main thread's, the helper's two in turn */
};

/*
 * The pull row of r->s as pull_join computes it, from the pull
 * probabilities already cached and pq_at (so it reads and writes nothing
 * shared): the same values on either thread.
 */
static void row_compute(const struct exact *x, const double *pq_at, struct rowreq *r)
{
	struct dist_pmf b = { 0, 0, 0, 0 };

	r->j = (struct join){ r->buf, x->live - r->s, 0, 0, r->m };
	r->tail = r->rel = 0;
	if (r->s < 1)
		return;
	if (r->m > 0 && gossip_pulls(x->mode)) {
		dist_binom_range(r->j.u, x->pull_ok[r->s], x->pull_fail[r->s], pq_at[r->s], FO_EXACT_EPSILON,
				 r->buf, &b);
		r->tail = b.tail;
		r->rel = b.rel;
		r->j.lo = b.lo;
		r->j.hi = b.hi;
	} else {
		r->buf[0] = 1;
	}
}

/* One more turn of a wait: a pause while it is short, then the core yielded. */
static void relax(unsigned *n)
{
	if (++*n < 256) {
#if defined(__x86_64__) && defined(__GNUC__)
		__builtin_ia32_pause();
#endif
	} else {
		sched_yield();
	}
}

/* Takes job seq for the calling thread; 0 when the other one has it. */
static int job_claim(struct helper *h, unsigned seq)
{
	unsigned open = 2 * seq;

	return atomic_compare_exchange_strong_explicit(&h->claim, &open, 2 * seq + 1, memory_order_acq_rel,
						       memory_order_acquire);
}

/* The helper's share of a job: its tiles, then its row. */
static void job_run(struct helper *h)
{
	pair_tiles(h->x, h->top, h->src, h->dst, &h->j2, h->begin, h->end, h->hi);
	row_compute(h->x, h->pq_at, &h->row);
}

static int helper_main(void *arg)
{
	struct helper *h = arg;
	unsigned seen = 0;

	for (;;) {
		unsigned seq, n = 0;
		while ((seq = atomic_load_explicit(&h->seq, memory_order_acquire)) == seen) {
			if (atomic_load_explicit(&h->quit, memory_order_acquire))
				return 0;
			relax(&n);
		}
		seen = seq;
		if (!job_claim(h, seq))
			continue; /* the main thread did it */
		job_run(h);
		atomic_store_explicit(&h->done, seq, memory_order_release);
	}
}

static void helper_free(struct helper *h)
{
	free(h->pq_at);
	for (int k = 0; k < 3; k++)
		free(h->bufs[k]);
	free(h);
}

/* Starts this round's second thread when exact_run_mt allows one and the round is wide; else none. */
static void helper_start(struct exact *x, int64_t width)
{
	struct helper *h;

	x->helper = NULL;
	if (x->threads < 2 || width < SPLIT_MIN || (x->other_done && !atomic_load(x->other_done)))
		return;
	h = calloc(1, sizeof *h);
	if (!h)
		return; /* one thread does it all */
	h->pq_at = malloc((size_t)(x->live + 1) * sizeof *h->pq_at);
	for (int k = 0; k < 3; k++)
		h->bufs[k] = malloc((size_t)(x->live + SCRATCH_PAD) * sizeof *h->bufs[k]);
	if (!h->pq_at || !h->bufs[0] || !h->bufs[1] || !h->bufs[2]) {
		helper_free(h);
		return;
	}
	atomic_init(&h->seq, 0);
	atomic_init(&h->done, 0);
	atomic_init(&h->claim, 1);
	atomic_init(&h->quit, 0);
	if (thrd_create(&h->th, helper_main, h) != thrd_success) {
		helper_free(h);
		return;
	}
	x->helper = h;
}

static void helper_stop(struct exact *x)
{
	if (!x->helper)
		return;
	atomic_store_explicit(&x->helper->quit, 1, memory_order_release);
	thrd_join(x->helper->th, NULL);
	helper_free(x->helper);
	x->helper = NULL;
}

/*
 * pair_tiles over [from, hi], the upper half of the tiles on the helper
 * when there is one and the vector is wide; with a helper, the two rows
 * asked for the next pair are computed meanwhile, `mine` here and `theirs`
 * on the helper (NULL: none).
 */
static void pair_split(const struct exact *x, int64_t top, const double *src, double *dst,
		       const struct join *j2, int64_t from, int64_t hi, struct rowreq *mine,
		       struct rowreq *theirs)
{
	struct helper *h = x->helper;
	int64_t mid = hi + 1;
	unsigned seq, n = 0;

	if (!h) {
		pair_tiles(x, top, src, dst, j2, from, hi + 1, hi);
		return;
	}
	if (hi - from + 1 >= SPLIT_MIN) {
		mid = from + (hi - from + 1) / PAIR_TILE / 2 * PAIR_TILE;
		SPLIT_COUNT();
	}
	h->row = theirs ? *theirs : (struct rowreq){ 0, 0, NULL, { NULL, 0, 0, 0, 0 }, 0, 0 };
	h->x = x;
	h->top = top;
	h->src = src;
	h->dst = dst;
	h->j2 = *j2;
	h->begin = mid;
	h->end = hi + 1;
	h->hi = hi;
	seq = atomic_load_explicit(&h->seq, memory_order_relaxed) + 1;
	atomic_store_explicit(&h->claim, 2 * seq, memory_order_relaxed);
	atomic_store_explicit(&h->seq, seq, memory_order_release);
	pair_tiles(x, top, src, dst, j2, from, mid, hi);
	if (mine)
		row_compute(x, h->pq_at, mine);
	if (job_claim(h, seq))
		job_run(h); /* the helper has not started it: no need to wait */
	else
		while (atomic_load_explicit(&h->done, memory_order_acquire) != seq)
			relax(&n);
	if (theirs)
		*theirs = h->row;
}

/*
 * Two sender steps with a join between them, step(step(v) + J), tile by
 * tile so the first step's tile stays in L1: the same products and sums in
 * the same order as sender_advance, the join and sender_advance again, but
 * without the trim between the steps.  v's range grows to cover J; v must
 * have SCRATCH_PAD of room.  Returns the probability trimmed.  With a helper
 * (exact_run_mt) the next pair's rows are computed meanwhile (pair_split).
 */
static double sender_pair(const struct exact *x, int64_t top, double **v, double **w, int64_t *lo,
			  int64_t *hi, const struct join *j2, struct rowreq *mine, struct rowreq *theirs)
{
	double *src = *v, *dst = *w;
	int64_t from;

	if (j2->mass > 0)
		widen(src, lo, hi, j2->u - j2->hi, j2->u - j2->lo);
	/* Zeroes where the steps read past the range. */
	from = imax(0, *lo - 2 * top);
	memset(src + from, 0, (size_t)(*lo - from) * sizeof *src);
	memset(src + *hi + 1, 0, (size_t)(2 * top) * sizeof *src);
	pair_split(x, top, src, dst, j2, from, *hi, mine, theirs);
	*lo = from;
	*v = dst;
	*w = src;
	return trim(dst, lo, hi);
}

/* The pull row of state s into pmf as a join (mass m); adds to the dropped and relative errors. */
static struct join pull_join(struct exact *x, int64_t s, double m, double *pmf, double *join_rel)
{
	struct join j = { pmf, x->live - s, 0, 0, m };
	struct dist_pmf r = { 0, 0, 0, 0 };

	if (m > 0 && gossip_pulls(x->mode)) {
		double ok, fail, pq_rel = pull_prob(x, s, &ok, &fail);
		dist_binom_range(j.u, ok, fail, pq_rel, FO_EXACT_EPSILON, pmf, &r);
		x->dropped += m * r.tail;
		*join_rel = fmax(*join_rel, r.rel);
		j.lo = r.lo;
		j.hi = r.hi;
	} else {
		pmf[0] = 1;
	}
	return j;
}

/* Charges a row computed by row_compute as pull_join charges its own. */
static void row_take(struct exact *x, const struct rowreq *r, double *join_rel)
{
	if (r->s >= 1 && r->m > 0 && gossip_pulls(x->mode)) {
		x->dropped += r->m * r->tail;
		*join_rel = fmax(*join_rel, r->rel);
	}
}

/*
 * step_sweep's loop with a helper (exact_run_mt): the same pairs, joins,
 * charges and trims in the same order, but each pair's tiles are shared
 * and the next pair's two pull rows are computed meanwhile, one on each
 * thread.  pull_prob is called first for every state with mass, in the
 * one-thread order, so its running relative error at each state (pq_at) is
 * what one thread passes there.
 */
static enum fo_status sweep_split(struct exact *x, const struct dense *cur, double **v, double **w,
				  int64_t *vlo, int64_t *vhi, int64_t *steps, double *join_rel)
{
	struct helper *h = x->helper;
	int64_t live = x->live, top = imin(x->fanout, live - 1), first = imin(cur->hi, live - 1);
	struct rowreq mine, theirs[2];
	int b = 0;
	double ok, fail;

#define SWEEP_MASS(s) ((s) >= cur->lo && (s) >= 1 ? cur->v[s] : 0)
	for (int64_t s = first; s >= 1; s--)
		if (SWEEP_MASS(s) > 0 && gossip_pulls(x->mode))
			h->pq_at[s] = pull_prob(x, s, &ok, &fail);
	mine = (struct rowreq){ first, SWEEP_MASS(first), h->bufs[0], { NULL, 0, 0, 0, 0 }, 0, 0 };
	theirs[0] = (struct rowreq){ first - 1, SWEEP_MASS(first - 1), h->bufs[1], { NULL, 0, 0, 0, 0 }, 0, 0 };
	row_compute(x, h->pq_at, &mine);
	row_compute(x, h->pq_at, &theirs[0]);
	for (int64_t s = first; s >= 1; s -= 2) {
		row_take(x, &mine, join_rel);
		if (mine.j.mass > 0) {
			widen(*v, vlo, vhi, mine.j.u - mine.j.hi, mine.j.u - mine.j.lo);
			join_add(&mine.j, *v, 0, *vlo, *vhi);
		}
		if (s > 1) {
			struct rowreq *j2 = &theirs[b], *later = &theirs[1 - b];
			row_take(x, j2, join_rel);
			/* The next pair's rows: s - 2 here (its buffer is free once joined), s - 3 there. */
			mine = (struct rowreq){ s - 2, SWEEP_MASS(s - 2), h->bufs[0], { NULL, 0, 0, 0, 0 }, 0, 0 };
			*later = (struct rowreq){ s - 3, SWEEP_MASS(s - 3), h->bufs[2 - b], { NULL, 0, 0, 0, 0 }, 0, 0 };
			if (*vhi > 0 || j2->j.mass > 0) {
				x->dropped += sender_pair(x, top, v, w, vlo, vhi, &j2->j, &mine, later);
				*steps += 2;
			} else {
				row_compute(x, h->pq_at, &mine);
				row_compute(x, h->pq_at, later);
			}
			b = 1 - b;
		} else if (*vhi > 0) {
			x->dropped += sender_advance(x, 0, v, w, vlo, vhi);
			(*steps)++;
		}
		if (stop(x, 16 + (*vhi - *vlo + 1) * (x->fanout + 1)))
			return FO_CANCELLED;
	}
#undef SWEEP_MASS
	return FO_OK;
}

/* One push or push_pull round from cur into next: the merged sweep over senders. */
static enum fo_status step_sweep(struct exact *x, const struct dense *cur, struct dense *next)
{
	double *v = x->scratch[0], *w = x->scratch[1], *pmf = x->scratch[2], join_rel = 0;
	int64_t live = x->live, vlo = live, vhi = -1, steps = 0, top = imin(x->fanout, live - 1);
	int split = 0;

	memset(next->v + cur->lo, 0, (size_t)(live - cur->lo + 1) * sizeof *next->v);
	if (cur->hi == live)
		next->v[live] = cur->v[live]; /* everyone informed stays so */
	if (top <= FUSED_MAX)
		helper_start(x, cur->hi - cur->lo + 1);
	if (x->helper) {
		enum fo_status st = sweep_split(x, cur, &v, &w, &vlo, &vhi, &steps, &join_rel);
		helper_stop(x);
		if (st != FO_OK)
			return st;
		split = 1;
	}
	for (int64_t s = split ? 0 : imin(cur->hi, live - 1); s >= 1; s--) {
		struct join j = pull_join(x, s, s >= cur->lo ? cur->v[s] : 0, pmf, &join_rel), j2;

		if (j.mass > 0) {
			/* k pulled leaves u - k fresh for the pushes. */
			widen(v, &vlo, &vhi, j.u - j.hi, j.u - j.lo);
			join_add(&j, v, 0, vlo, vhi);
		}
		if (s > 1 && top <= FUSED_MAX) {
			/* This state's step and the next's in one pass: its row is already in v. */
			j2 = pull_join(x, s - 1, s - 1 >= cur->lo ? cur->v[s - 1] : 0, pmf, &join_rel);
			if (vhi > 0 || j2.mass > 0) {
				x->dropped += sender_pair(x, top, &v, &w, &vlo, &vhi, &j2, NULL, NULL);
				steps += 2;
			}
			s--;
		} else if (vhi > 0) {
			x->dropped += sender_advance(x, 0, &v, &w, &vlo, &vhi);
			steps++;
		}
		if (stop(x, 16 + (vhi - vlo + 1) * (x->fanout + 1))) {
			helper_stop(x);
			return FO_CANCELLED;
		}
	}
	helper_stop(x);
	next->lo = cur->hi == live ? live : live + 1;
	next->hi = cur->hi == live ? live : -1;
	for (int64_t m = vlo; m <= vhi; m++)
		next->v[live - m] += v[m];
	if (vlo <= vhi) {
		next->lo = imin(next->lo, live - vhi);
		next->hi = imax(next->hi, live - vlo);
	}
	x->dropped += trim(next->v, &next->lo, &next->hi);
	/* A join adds a product and a sum; each step adds sender_step_rel; the copy adds one sum. */
	x->rel += join_rel + 3 * DIST_U + (double)steps * sender_step_rel(x);
	x->dropped += (double)steps * x->kernel_tail;
	return FO_OK;
}

/*
 * P_a(.|m-1) from P_a(.|m), in place on v[lo..hi] (v needs room at hi + 1,
 * which it zeroes): the unreached among m - 1
 * fresh nodes are those among m less one node taken at random (the senders'
 * choices do not depend on which nodes are fresh, only on how many).
 */
static void thin(double *v, int64_t *lo, int64_t *hi, int64_t m)
{
	int64_t top = imin(*hi, m - 1), bottom = imax(*lo - 1, 0);
	double inv = 1 / (double)m;

	/* v'(j) = v(j) (m - j)/m + v(j + 1) (j + 1)/m, ascending j reads v(j + 1) before it changes. */
	if (*lo > 0)
		v[*lo - 1] = 0;
	v[*hi + 1] = 0;
	for (int64_t j = bottom; j <= top; j++)
		v[j] = v[j] * ((double)(m - j) * inv) + v[j + 1] * ((double)(j + 1) * inv);
	*lo = bottom;
	*hi = top;
}

/* Relative error a thinning adds: inv, two quotients, two products and a sum. */
#define THIN_REL (6 * DIST_U)

/*
 * One push round from cur into next, walking the states up: P_i(.|L - i),
 * the unreached count after i senders from L - i fresh, is one DP for the
 * lowest state, then for each next state one thinning (one fresh node
 * fewer) and one sender step (one sender more).  Cheaper than the merged
 * sweep when the states spread wider than one state's outcome.
 */
static enum fo_status step_walk(struct exact *x, const struct dense *cur, struct dense *next)
{
	double *v = x->scratch[0], *w = x->scratch[1], row_drop = 0, out_drop = 0;
	int64_t live = x->live, top = imin(cur->hi, live - 1), a0 = cur->lo, vlo, vhi, steps = 0;

	memset(next->v + cur->lo, 0, (size_t)(live - cur->lo + 1) * sizeof *next->v);
	next->lo = live + 1;
	next->hi = -1;
	if (cur->hi == live) {
		next->v[live] = cur->v[live];
		next->lo = next->hi = live;
	}
	if (a0 > top)
		return FO_OK;
	vlo = vhi = live - a0;
	v[vhi] = 1;
	for (int64_t s = 0; s < a0 && vhi > 0; s++) {
		row_drop += sender_advance(x, 0, &v, &w, &vlo, &vhi);
		steps++;
		if (stop(x, 16 + (vhi - vlo + 1) * (x->fanout + 1)))
			return FO_CANCELLED;
	}
	for (int64_t i = a0; i <= top; i++) {
		double m = cur->v[i];
		if (i > a0) {
			thin(v, &vlo, &vhi, live - i + 1);
			row_drop += trim(v, &vlo, &vhi);
			if (vhi > 0) {
				row_drop += sender_advance(x, 0, &v, &w, &vlo, &vhi);
				steps++;
			}
			if (stop(x, 16 + (vhi - vlo + 1) * (x->fanout + 4)))
				return FO_CANCELLED;
		}
		if (m == 0)
			continue;
		/* The row has lost row_drop so far: this state loses m times that. */
		out_drop += m * row_drop;
		for (int64_t j = vlo; j <= vhi; j++)
			next->v[live - j] += m * v[j];
		next->lo = imin(next->lo, live - vhi);
		next->hi = imax(next->hi, live - vlo);
	}
	x->dropped += out_drop + trim(next->v, &next->lo, &next->hi);
	x->dropped += (double)steps * x->kernel_tail;
	/*
	 * The row's error grows by each step and thinning; an entry of next sums
	 * one product from each state.
	 */
	x->rel += (double)steps * sender_step_rel(x) + (double)(top - a0) * THIN_REL +
		  (double)(top - a0 + 2) * DIST_U;
	return FO_OK;
}

/*
 * Stores round r's figures from the distribution d, whose masses have
 * relative error x->rel + extra_rel; see the header for the bounds.
 */
static void record(const struct exact *x, const struct dense *d, double extra_rel,
		   struct chain_result *out, int64_t r)
{
	double miss = 0, full = 0, mean = 0, node = 0, g, dd, miss_err, full_err;
	int64_t live = x->live;

	for (int64_t i = d->lo; i <= d->hi; i++) {
		double m = d->v[i];
		mean += m * (double)i;
		if (i == live) {
			full += m;
		} else {
			miss += m;
			node += m * (double)(live - i);
		}
	}
	g = 1.01 * (x->rel + extra_rel + (double)(d->hi - d->lo + 4) * DIST_U);
	dd = x->dropped * (1 + 2 * g) * (1 + 1e-9);
	if (g > 0.01) {
		miss_err = full_err = 1;
	} else {
		miss_err = dd + g * (miss + dd) * (1 + 2 * g);
		full_err = dd + g * (full + dd) * (1 + 2 * g);
	}
	out->p_miss[r] = fmin(miss, 1);
	if (miss_err + DIST_U < full_err) {
		out->p_full[r] = 1 - out->p_miss[r];
		full_err = miss_err + DIST_U;
	} else {
		out->p_full[r] = fmin(full, 1);
	}
	out->round_bound[r] = fmax(miss_err, full_err);
	out->miss_bound[r] = miss_err;
	out->full_bound[r] = full_err;
	out->mean_informed[r] = mean;
	out->error_bound = fmax(out->error_bound, out->round_bound[r]);
	if (r == out->rounds) {
		out->node_miss = live > 1 ? fmin(node / (double)(live - 1), 1) : 0;
		out->round_bound[r] = fmax(out->round_bound[r],
					   g > 0.01 ? 1 : dd + g * (out->node_miss + dd) * (1 + 2 * g));
		out->error_bound = fmax(out->error_bound, out->round_bound[r]);
		for (int64_t i = d->lo; i <= d->hi; i++)
			out->final_informed[i] = d->v[i];
	}
}

/* Rounds r + 1 .. R repeat round r's figures (the distribution no longer changes). */
static void repeat_last(struct chain_result *out, const struct exact *x, const struct dense *d,
			double extra_rel, int64_t r)
{
	for (int64_t k = r + 1; k <= out->rounds; k++) {
		out->p_full[k] = out->p_full[r];
		out->p_miss[k] = out->p_miss[r];
		out->round_bound[k] = out->round_bound[r];
		out->miss_bound[k] = out->miss_bound[r];
		out->full_bound[k] = out->full_bound[r];
		out->mean_informed[k] = out->mean_informed[r];
	}
	if (r < out->rounds)
		record(x, d, extra_rel, out, out->rounds);
}

/*
 * Bounds for exact_run_decide.  Every informed node pushes (no window), so
 * in a round from i informed an uninformed live node stays uninformed with
 * probability f_i h_i, f_i its pull's failure (1 without pull), h_i =
 * (1 - K (1 - loss) / (N - 1))^i that no push reaches it.  The events "node
 * x informed" are negatively associated (each sender's targets are a
 * uniform K-subset, a permutation distribution; loss and the pulls are
 * independent of it and of each other; x's event is an increasing function
 * of its own indicators), so the count X of the u = L - i newly informed
 * obeys the Chernoff bound of independent trials: P(X >= a) <= exp(-u
 * D(a/u || 1 - f_i h_i)) for a/u above 1 - f_i h_i, D the relative entropy;
 * at a = u that is P(all informed) <= (1 - f_i h_i)^u.  Each term is rounded
 * up: f_i h_i shrunk by a relative 1e-9 and D by a relative 1e-9 of its
 * terms' magnitude, far more than the rounding of f_i (pull_rel), of the
 * power and of log / exp.
 */
static double stay_low(struct exact *x, int64_t i)
{
	double f = 1, base = 1 - (double)x->fanout * (1 - x->loss) / (double)(x->nodes - 1);

	if (gossip_pulls(x->mode) && x->pull_fail[i] >= 0) {
		f = x->pull_fail[i];
	} else if (gossip_pulls(x->mode)) {
		/* Not cached: the chain's pull_rel (and so its figures) must not depend on the bound. */
		struct dist_pull r;
		dist_pull_fail(x->nodes - 1, i, x->fanout, x->loss, x->scratch[2], &r);
		f = r.fail;
	}
	return f * (gossip_pushes(x->mode) ? pow(fmax(base, 0), (double)i) : 1) * (1 - 1e-9);
}

/* P(at least t informed after one round from i), bounded above as the header says. */
static double tail_up(struct exact *x, int64_t i, int64_t t)
{
	double u = (double)(x->live - i), a = (double)(t - i), q, xa, d, mag, l1, l2;

	if (i >= t)
		return 1;
	q = stay_low(x, i);
	xa = a / u;
	if (q <= 0 || xa <= 1 - q)
		return 1;
	l1 = log1p(-q); /* log p, p = 1 - q */
	if (t == x->live) {
		d = -l1;
		mag = -l1;
	} else {
		double lx = log(xa), ly = log((1 - xa) / q);
		d = xa * (lx - l1) + (1 - xa) * ly;
		mag = xa * (fabs(lx) - l1) + (1 - xa) * fabs(ly);
	}
	l2 = u * fmax(0, d - 1e-9 * mag);
	return fmin(1, exp(-l2) * (1 + 1e-9));
}

/*
 * An upper bound on P(full `ahead` rounds after the distribution d, 1 or 2):
 * with one round, the sum over states of P(all informed); with two, for a
 * threshold t, P(t or more informed after the first) plus P(full after the
 * second from t - 1), which bounds it from every state below t (more
 * informed, more likely full: f and h fall with i); the least over t = L -
 * 2^k.  The true mass is at most d's over (1 - g) plus the dropped D
 * (exact.c's header).  Returns 1 when it gives up (g past 0.01).
 */
static double full_ahead_upper(struct exact *x, const struct dense *d, int ahead)
{
	double g = 1.01 * (x->rel + (double)(d->hi - d->lo + 8) * DIST_U), best = 1;
	int64_t live = x->live;

	if (g > 0.01)
		return 1;
	for (int64_t c = ahead == 1 ? 0 : 1; c < live; c *= 2) {
		int64_t t = live - c;
		double sum = 0, up;
		for (int64_t i = d->lo; i <= d->hi; i++)
			if (d->v[i] > 0)
				sum += d->v[i] * tail_up(x, i, t);
		up = sum / (1 - g) * (1 + 1e-9) + x->dropped * (1 + 2 * g) * (1 + 1e-9);
		if (ahead == 2)
			up += tail_up(x, t - 1, live);
		best = fmin(best, up);
		if (c == 0)
			break;
	}
	return best;
}

/* The least t in (i, L] whose tail_up(i, t) is at most delta; L when none is. */
static int64_t least_above(struct exact *x, int64_t i, double delta)
{
	int64_t lo = i, hi = x->live;

	if (tail_up(x, i, hi) > delta)
		return hi;
	while (hi - lo > 1) {
		int64_t mid = lo + (hi - lo) / 2;
		if (tail_up(x, i, mid) <= delta)
			hi = mid;
		else
			lo = mid;
	}
	return hi;
}

/*
 * An upper bound on P(full `ahead` rounds after the distribution d, any
 * ahead >= 1), through thresholds t_0 < t_1 < ... < t_ahead = L: full at
 * the end means X_0 >= t_0 (X_k the informed count k rounds after d), or
 * for some k, X_k < t_k and X_(k+1) >= t_(k+1).  The first is d's mass from
 * t_0 up (over 1 - g, plus the dropped D, as in full_ahead_upper); each
 * other is at most tail_up(t_k - 1, t_(k+1)), which bounds it from every
 * state below t_k (the chain is monotone: with one more informed node every
 * node informed otherwise is informed too, as its pushes only add hits and
 * pulls that reach it succeed; and the bound itself rises with i).  For each
 * delta of a short list, t_0 is the least state whose mass above is at most
 * delta and each next t the least one whose term is at most delta; the least
 * total is returned.  It costs one pass over d and a few hundred tail_up:
 * cheap enough for every round of a decided search (issue 22).
 */
static double full_chain_upper(struct exact *x, const struct dense *d, int64_t ahead)
{
	static const double deltas[] = { 0.2, 0.05, 1e-2, 1e-3, 1e-4, 1e-6, 1e-9, 1e-12 };
	double g = 1.01 * (x->rel + (double)(d->hi - d->lo + 8) * DIST_U), best = 1;
	int64_t live = x->live;

	if (g > 0.01)
		return 1;
	for (size_t n = 0; n < sizeof deltas / sizeof deltas[0]; n++) {
		double delta = deltas[n] / (double)(ahead + 1), above = 0, up;
		int64_t t = d->hi + 1;
		while (t > d->lo && above + d->v[t - 1] <= delta)
			above += d->v[--t];
		if (t > live)
			continue;
		up = above / (1 - g) * (1 + 1e-9) + x->dropped * (1 + 2 * g) * (1 + 1e-9);
		for (int64_t k = 1; k <= ahead && up < best; k++) {
			int64_t next = k == ahead ? live : least_above(x, t - 1, delta);
			up += tail_up(x, t - 1, next);
			t = next;
		}
		best = fmin(best, up);
	}
	return best;
}

static enum fo_status run_dense(struct exact *x, struct chain_result *out)
{
	struct dense a = { NULL, 1, 1 }, b = { NULL, 1, 0 };
	struct dense *cur = &a, *next = &b;
	enum fo_status st = FO_OK;

	a.v = calloc((size_t)x->live + 1, sizeof *a.v);
	b.v = calloc((size_t)x->live + 1, sizeof *b.v);
	if (!a.v || !b.v) {
		st = FO_NOMEM;
		goto done;
	}
	a.v[1] = 1;
	record(x, cur, 0, out, 0);
	for (int64_t r = 1; r <= out->rounds; r++) {
		struct dense *t;
		/*
		 * Everyone informed, or no mass left (trim keeps one end entry
		 * even when it is 0, so with a coarse FO_EXACT_EPSILON a round can
		 * drop everything and the next one is empty): nothing changes any
		 * more.  An empty cur must not reach the steps or the memcmp below.
		 */
		if (cur->lo == x->live || cur->lo > cur->hi) {
			repeat_last(out, x, cur, 0, r - 1);
			break;
		}
		if (fo_cancelled(x->cancel)) {
			st = FO_CANCELLED;
			goto done;
		}
		if (r >= out->rounds - 1 && x->decide > 0) {
			/* Two rounds ahead, then one. */
			x->upper = full_ahead_upper(x, cur, (int)(out->rounds - r + 1));
			if (x->upper < x->decide / 2)
				goto done; /* decided: exact_run_decide reports the bound alone */
		} else if (x->decide > 0 && out->rounds - r + 1 <= DECIDE_AHEAD) {
			/* Further ahead, through thresholds: reported only when it decides. */
			double up = full_chain_upper(x, cur, out->rounds - r + 1);
			if (up < x->decide / 2) {
				x->upper = up;
				goto done;
			}
		}
		if (!gossip_pushes(x->mode))
			st = step_pull(x, cur, next);
		else if (!gossip_pulls(x->mode))
			st = step_walk(x, cur, next);
		else
			st = step_sweep(x, cur, next);
		if (st != FO_OK)
			goto done;
		t = cur;
		cur = next;
		next = t;
		record(x, cur, 0, out, r);
		if (cur->lo <= cur->hi && cur->lo == next->lo && cur->hi == next->hi &&
		    memcmp(cur->v + cur->lo, next->v + cur->lo, (size_t)(cur->hi - cur->lo + 1) * sizeof *cur->v) == 0) {
			/* The same distribution again: so it stays. */
			repeat_last(out, x, cur, 0, r);
			break;
		}
	}
done:
	free(a.v);
	free(b.v);
	return st;
}

/* ---- With a window: interned tuples and cached rows ------------------- */

/* Room for n more doubles in the row pool; NULL if allocation fails. */
static double *pool_take(struct exact *x, size_t n)
{
	if (FO_GROW(x->pool, x->pool_used + n, x->pool_cap) < 0)
		return NULL;
	x->pool_used += n;
	return x->pool + x->pool_used - n;
}

/* Copies values[lo..hi] into the pool as row r; -1 if allocation fails. */
static int store_row(struct exact *x, struct row *r, const double *values, int64_t lo, int64_t hi)
{
	double *dst = pool_take(x, (size_t)(hi - lo + 1));

	if (!dst)
		return -1;
	memcpy(dst, values + lo, (size_t)(hi - lo + 1) * sizeof *dst);
	r->lo = lo;
	r->hi = hi;
	r->off = (size_t)(dst - x->pool);
	return 0;
}

/*
 * The row for i informed of which a push K and `closing` push x->last: P(c
 * new informed this round), c = 0..L-i, less what truncation drops.  Returns
 * 0, or -1 if allocation fails.
 */
static int compute_row(struct exact *x, int64_t i, int64_t a, int64_t closing, struct row *r)
{
	int64_t u = x->live - i, lo = u, hi = u, steps = 0;
	double *v = x->scratch[0], *w = x->scratch[1], *pmf = x->scratch[2];
	double ok, fail, pq_rel, bin_rel = 0;

	r->dropped = 0;
	/* v[m], m in [lo, hi]: P(m live uninformed nodes not reached yet) after each sender. */
	v[u] = 1;
	for (int64_t s = 0; s < a + closing && hi > 0 && gossip_pushes(x->mode); s++) {
		r->dropped += sender_advance(x, s >= a, &v, &w, &lo, &hi);
		steps++;
	}
	r->rel = (double)steps * sender_step_rel(x);
	r->dropped += (double)steps * x->kernel_tail;
	/* c = u - m new informed by push; push_pull adds Bin(m, s_i) of the rest. */
	if (!gossip_pulls(x->mode)) {
		for (int64_t m = lo; m <= hi; m++)
			w[u - m] = v[m];
		return store_row(x, r, w, u - hi, u - lo);
	}
	pq_rel = pull_prob(x, i, &ok, &fail);
	memset(w + (u - hi), 0, (size_t)(hi + 1) * sizeof *w);
	for (int64_t m = lo; m <= hi; m++) {
		struct dist_pmf b;
		dist_binom_range(m, ok, fail, pq_rel, FO_EXACT_EPSILON, pmf, &b);
		r->dropped += v[m] * b.tail;
		bin_rel = fmax(bin_rel, b.rel);
		for (int64_t k = b.lo; k <= b.hi; k++)
			w[u - m + k] += v[m] * pmf[k - b.lo];
	}
	r->rel += bin_rel + (double)(hi - lo + 2) * DIST_U;
	lo = u - hi;
	hi = u;
	r->dropped += trim(w, &lo, &hi);
	return store_row(x, r, w, lo, hi);
}

/* The cached row for (i, a, b); NULL if allocation fails. */
static const struct row *get_row(struct exact *x, int64_t i, int64_t a, int64_t b)
{
	int32_t key[3] = { (int32_t)i, (int32_t)a, (int32_t)b };
	size_t before = x->rows.count;
	int64_t idx = tupmap_intern(&x->rows, key);

	if (idx < 0)
		return NULL;
	if ((size_t)idx < before)
		return &x->row[idx];
	if (FO_GROW(x->row, x->rows.count, x->row_cap) < 0)
		return NULL;
	if (compute_row(x, i, a, b, &x->row[idx]) < 0)
		return NULL;
	return &x->row[idx];
}

/* One windowed round: from (cur, mass) into (next, next_mass). */
static enum fo_status step_window(struct exact *x, const struct tupmap *cur, const double *mass,
				  struct tupmap *next, double **next_mass, size_t *next_cap)
{
	int width = 1 + (int)x->window;
	int32_t key[1 + FO_EXACT_MAX_WINDOW];
	double row_rel = 0;

	for (size_t s = 0; s < cur->count; s++) {
		const int32_t *k = tupmap_key(cur, s);
		int64_t i = k[0], a = x->window ? 0 : i, b = 0;
		const struct row *row;
		const double *p;

		if (mass[s] < FO_EXACT_EPSILON) {
			x->dropped += mass[s];
			continue;
		}
		if (fo_cancelled(x->cancel))
			return FO_CANCELLED;
		for (int j = 1; j < width; j++)
			a += k[j];
		if (x->window && x->last < x->fanout) {
			/* The oldest cohort is in its window's last round. */
			b = k[width - 1];
			a -= b;
		}
		row = get_row(x, i, a, b);
		if (!row)
			return FO_NOMEM;
		x->dropped += mass[s] * row->dropped;
		row_rel = fmax(row_rel, row->rel);
		p = x->pool + row->off - row->lo;
		for (int64_t c = row->lo; c <= row->hi; c++) {
			/* Everyone informed: the cohorts no longer matter. */
			int full = i + c == x->live;
			int64_t idx;
			key[0] = (int32_t)(i + c);
			if (width > 1)
				key[1] = full ? 0 : (int32_t)c;
			for (int j = 2; j < width; j++)
				key[j] = full ? 0 : k[j - 1];
			idx = tupmap_intern(next, key);
			if (idx < 0 || FO_GROW_ZEROED(*next_mass, next->count, *next_cap) < 0)
				return FO_NOMEM;
			if (next->count > FO_EXACT_MAX_STATES)
				return FO_TOO_LARGE;
			(*next_mass)[idx] += mass[s] * p[c];
		}
	}
	/* A state receives at most one product from each state of cur. */
	x->rel += row_rel + (double)(cur->count + 1) * DIST_U;
	return FO_OK;
}

/* The distribution of the informed count alone, summed over cohorts, in d. */
static void by_count(const struct exact *x, const struct tupmap *m, const double *mass, struct dense *d)
{
	memset(d->v, 0, (size_t)(x->live + 1) * sizeof *d->v);
	d->lo = x->live;
	d->hi = 1;
	for (size_t s = 0; s < m->count; s++) {
		int64_t i = tupmap_key(m, s)[0];
		d->v[i] += mass[s];
		d->lo = imin(d->lo, i);
		d->hi = imax(d->hi, i);
	}
}

/* Whether two rounds hold the same states, in the same order, with the same masses. */
static int same_states(const struct tupmap *a, const double *ma, const struct tupmap *b, const double *mb)
{
	return a->count == b->count && a->count > 0 &&
	       memcmp(a->keys, b->keys, a->count * (size_t)a->width * sizeof *a->keys) == 0 &&
	       memcmp(ma, mb, a->count * sizeof *ma) == 0;
}

static enum fo_status run_window(struct exact *x, struct chain_result *out)
{
	struct tupmap maps[2];
	double *mass[2] = { NULL, NULL };
	size_t cap[2] = { 0, 0 };
	int32_t start[1 + FO_EXACT_MAX_WINDOW] = { 1, 1 };
	struct dense d = { NULL, 1, 1 };
	enum fo_status st = FO_OK;
	int cur = 0;

	tupmap_init(&maps[0], 1 + (int)x->window);
	tupmap_init(&maps[1], 1 + (int)x->window);
	d.v = malloc((size_t)(x->live + 1) * sizeof *d.v);
	if (!d.v || tupmap_intern(&maps[0], start) < 0 || FO_GROW_ZEROED(mass[0], 1, cap[0]) < 0) {
		st = FO_NOMEM;
		goto done;
	}
	mass[0][0] = 1;
	by_count(x, &maps[0], mass[0], &d);
	record(x, &d, 0, out, 0);
	for (int64_t r = 1; r <= out->rounds; r++) {
		int nxt = 1 - cur;
		if (fo_cancelled(x->cancel)) {
			st = FO_CANCELLED;
			goto done;
		}
		tupmap_clear(&maps[nxt]);
		if (mass[nxt])
			memset(mass[nxt], 0, cap[nxt] * sizeof *mass[nxt]);
		st = step_window(x, &maps[cur], mass[cur], &maps[nxt], &mass[nxt], &cap[nxt]);
		if (st != FO_OK)
			goto done;
		cur = nxt;
		by_count(x, &maps[cur], mass[cur], &d);
		/* Summing cohorts adds at most one addition per state. */
		record(x, &d, (double)maps[cur].count * DIST_U, out, r);
		if (same_states(&maps[0], mass[0], &maps[1], mass[1])) {
			repeat_last(out, x, &d, (double)maps[cur].count * DIST_U, r);
			break;
		}
	}
done:
	for (int k = 0; k < 2; k++) {
		tupmap_release(&maps[k]);
		free(mass[k]);
	}
	free(d.v);
	return st;
}

static void exact_release(struct exact *x)
{
	free(x->kernel);
	free(x->kernel_last);
	free(x->pull_fail);
	free(x->pull_ok);
	tupmap_release(&x->rows);
	free(x->row);
	free(x->pool);
	for (int k = 0; k < 3; k++)
		free(x->scratch[k]);
}

static enum fo_status run(const struct gossip_params *p, const atomic_int *cancel, int reference,
			  double decide, double *upper, int threads, const atomic_int *other_done,
			  struct chain_result *out)
{
	struct exact x;
	enum fo_status st = FO_NOMEM;
	size_t n = (size_t)p->rounds + 1, live;

	memset(out, 0, sizeof *out);
	memset(&x, 0, sizeof x);
	x.nodes = p->nodes;
	x.fanout = p->fanout;
	x.live = gossip_live(p);
	x.window = gossip_window(p);
	x.last = gossip_last_sends(p);
	x.mode = p->mode;
	x.loss = p->loss;
	x.cancel = cancel;
	x.decide = decide;
	x.upper = 1;
	x.threads = threads;
	x.other_done = other_done;
	tupmap_init(&x.rows, 3);
	if (x.live > INT32_MAX - 1 || x.window > FO_EXACT_MAX_WINDOW)
		return FO_TOO_LARGE;
	live = (size_t)x.live;
	out->rounds = p->rounds;
	out->p_full = malloc(n * sizeof *out->p_full);
	out->p_miss = malloc(n * sizeof *out->p_miss);
	out->round_bound = malloc(n * sizeof *out->round_bound);
	out->miss_bound = malloc(n * sizeof *out->miss_bound);
	out->full_bound = malloc(n * sizeof *out->full_bound);
	out->mean_informed = malloc(n * sizeof *out->mean_informed);
	out->final_informed = calloc(live + 1, sizeof *out->final_informed);
	x.scratch[0] = malloc((live + SCRATCH_PAD) * sizeof(double));
	x.scratch[1] = malloc((live + SCRATCH_PAD) * sizeof(double));
	x.scratch[2] = malloc((live + SCRATCH_PAD) * sizeof(double));
	if (!out->p_full || !out->p_miss || !out->round_bound || !out->miss_bound || !out->full_bound ||
	    !out->mean_informed ||
	    !out->final_informed || !x.scratch[0] || !x.scratch[1] || !x.scratch[2])
		goto fail;
	if (gossip_pulls(x.mode)) {
		x.pull_fail = malloc((live + 1) * sizeof *x.pull_fail);
		x.pull_ok = malloc((live + 1) * sizeof *x.pull_ok);
		if (!x.pull_fail || !x.pull_ok)
			goto fail;
		for (size_t i = 0; i <= live; i++)
			x.pull_fail[i] = -1;
	}
	if (gossip_pushes(x.mode) && (st = build_kernel(&x, x.fanout, &x.kernel)) != FO_OK)
		goto fail;
	if (gossip_pushes(x.mode) && x.last < x.fanout &&
	    (st = build_kernel(&x, x.last, &x.kernel_last)) != FO_OK)
		goto fail;
	st = x.window || reference ? run_window(&x, out) : run_dense(&x, out);
	if (upper)
		*upper = x.upper;
	if (st != FO_OK || x.upper < decide / 2)
		goto fail;
	exact_release(&x);
	return FO_OK;
fail:
	exact_release(&x);
	chain_result_release(out);
	return st;
}

enum fo_status exact_run_decide(const struct gossip_params *p, const atomic_int *cancel, double target,
				struct chain_result *out, double *upper)
{
	*upper = 1;
	if (p->timers != GOSSIP_TIMERS_ALIGNED)
		return FO_TOO_LARGE;
	struct gossip_params view = gossip_known_view(p);

	p = &view;
	return run(p, cancel, 0, target, upper, 1, NULL, out);
}

/* The chain is over rounds: independent timers have no round to step by (FO_TOO_LARGE). */
enum fo_status exact_run(const struct gossip_params *p, const atomic_int *cancel,
			 struct chain_result *out)
{
	if (p->timers != GOSSIP_TIMERS_ALIGNED)
		return FO_TOO_LARGE;
	struct gossip_params view = gossip_known_view(p);

	p = &view;
	return run(p, cancel, 0, 0, NULL, 1, NULL, out);
}

enum fo_status exact_run_mt(const struct gossip_params *p, const atomic_int *cancel, int threads,
			    const atomic_int *other_done, struct chain_result *out)
{
	if (p->timers != GOSSIP_TIMERS_ALIGNED)
		return FO_TOO_LARGE;
	struct gossip_params view = gossip_known_view(p);

	p = &view;
	return run(p, cancel, 0, 0, NULL, threads, other_done, out);
}

enum fo_status exact_run_reference(const struct gossip_params *p, struct chain_result *out)
{
	if (p->timers != GOSSIP_TIMERS_ALIGNED)
		return FO_TOO_LARGE;
	struct gossip_params view = gossip_known_view(p);

	p = &view;
	return run(p, NULL, 1, 0, NULL, 1, NULL, out);
}

/* Building the push kernel: a hypergeometric per m, with loss a convolution and the binomial table. */
static double kernel_cost(const struct gossip_params *p)
{
	double live = (double)gossip_live(p), k = (double)p->fanout, top = fmin(k, live);

	if (!gossip_pushes(p->mode))
		return 0;
	if (p->loss == 0)
		return 5 * live * (top + 1);
	return 5 * live * (top + 1) * (top + 2) / 2 + (k <= KERNEL_TABLE_MAX ? 10 * (k + 1) * (k + 1) : 0);
}

/*
 * Work units (about 1 ns each) of exact_run.  Without a window the estimate
 * follows the mean-field trajectory x_r of the informed count and charges
 * each round what the algorithm does there: S_r states (the spread of the
 * informed count: about 10 standard deviations of the early branching
 * process, whose relative spread is sqrt(v / (lambda (lambda - 1))) for
 * offspring mean lambda and variance v, plus the binomial spread), each
 * with a row of W_r = 10 sd of the round's binomial; push walks x_r
 * sender steps over rows of width W_r; push_pull sweeps x_r senders over
 * S_r + W_r (see there for the width of the sweep's vector).  The
 * constants make the largest ratio of measured CPU time to the estimate
 * about 0.8 over a grid (N = 1000..10^5, K = 1, 2, 3, 4, 6, 10, loss 0 and
 * 0.3, no, 1% and half failed, R = 6, 10, 20, 40; estimates 0.02 s to 2 s)
 * on the development machine, so the estimate errs high: median ratios 0.32
 * (push, pull) and 0.20 (push_pull).  With a window, the bound counts every
 * (i, a) row at full width.
 */
/* Without a window: the mean-field trajectory, round by round (see exact_cost). */
static double cost_dense(const struct gossip_params *p)
{
	double live = (double)gossip_live(p), k = (double)p->fanout, n1 = fmax((double)p->nodes - 1, 1);
	double x = 1, work = 10 * live + kernel_cost(p), hit = (1 - p->loss) * (live - 1) / n1;
	double v = 0, lambda = 1, rho, last = 0;
	int pushes = gossip_pushes(p->mode), pulls = gossip_pulls(p->mode);

	if (pushes) {
		v += k * hit * (1 - hit);
		lambda += k * hit;
	}
	if (pulls) {
		v += k * hit;
		lambda += k * hit;
	}
	rho = lambda > 1 ? sqrt(v / (lambda * (lambda - 1))) : 0;
	for (int64_t r = 1; r <= p->rounds; r++) {
		double u = fmax(live - x, 0), stay = 1, small = fmin(x, u), spread, width;
		/* A pull's miss: each of its K draws misses the x informed (loss included). */
		double pull_base = fmax(0, 1 - (1 - p->loss) * x / n1), pull_miss = pow(pull_base, k);
		if (u < 1e-20 || r > 10000) {
			/* Settled (the run stops), or the rest at the last round's price. */
			work += u < 1e-20 ? 0 : last * (double)(p->rounds - r + 1);
			break;
		}
		if (pushes)
			stay *= pow(fmax(0, 1 - k * (1 - p->loss) / n1), x);
		if (pulls)
			stay *= pull_miss;
		spread = fmin(live, 1 + 10 * rho * small + 10 * sqrt(small));
		width = 10 * sqrt(u * stay * (1 - stay)) + 2;
		switch (p->mode) {
		case GOSSIP_PULL:
			last = EXACT_COST_PULL * spread * (width + 8);
			break;
		case GOSSIP_PUSH:
			last = EXACT_COST_PUSH * (x * (width + 1) * (k + 1) + spread * (width + 1) * (k + 3));
			break;
		case GOSSIP_PUSH_PULL:
		{
			/*
			 * The sweep starts at the highest state with mass, up to x +
			 * spread, and its vector spans the states' fresh counts after
			 * their pulls, m = u f(i): the spread times |dm/di| = f + u K c
			 * (1 - x c)^(K - 1), f the pull's miss, c = (1 - loss) / (N - 1).
			 */
			double slope = pull_miss + u * k * (1 - p->loss) / n1 * pow(pull_base, k - 1);
			last = EXACT_COST_PUSH_PULL * (fmin(live, x + spread) * (spread * fmin(slope, 2) / 4 + width + 1) *
						       (k + 1) + spread * width);
			break;
		}
		}
		last += 0.1 * live + 50;
		work += last;
		x += u * (1 - stay);
	}
	return work;
}

/* With a window: every (i, a) row at full width, and every state every round. */
static double cost_window(const struct gossip_params *p, int64_t window)
{
	double live = (double)gossip_live(p), k = (double)p->fanout, rows = 0, states = live, cost;

	for (double u = 0; u < live; u++) {
		double i = live - u;
		rows += i * (i / 2 * (u + 1) * fmin(k, u) + (gossip_pulls(p->mode) ? u * u / 2 : 0) + u + 1);
	}
	for (int64_t j = 1; j <= window && states < FO_EXACT_MAX_STATES; j++)
		states *= (live + (double)j) / (double)(j + 1);
	states = fmin(states, FO_EXACT_MAX_STATES);
	cost = kernel_cost(p) + rows + (double)p->rounds * states * live / 2;
	/*
	 * A partial last round (transmit limit) splits the rows by the closing
	 * cohort and spreads the states; measured at N = 30 to 100, R = 8 to 20,
	 * loss 0 to 0.2, it ran up to 6 times the plain estimate.
	 */
	if (gossip_last_sends(p) < p->fanout)
		cost *= 3 * (1 + 4 * p->loss);
	return cost;
}

double exact_cost(const struct gossip_params *p)
{
	struct gossip_params view = gossip_known_view(p);

	p = &view;
	int64_t window = gossip_window(p);

	if (gossip_live(p) > 1000000 || p->timers != GOSSIP_TIMERS_ALIGNED || p->seed_gossip)
		return HUGE_VAL;
	return window ? cost_window(p, window) : cost_dense(p);
}
