/*
 * exact.c — the informed-count Markov chain (see exact.h for the transitions).
 *
 * A state is the tuple (i, c_1, …, c_W): i informed live nodes, c_j of them
 * informed j rounds ago, W the push window (0: no window, the tuple is (i)).
 * Pushing senders are a = c_1 + … + c_W, or i without a window.  Under a
 * transmit limit that is not a multiple of K, the c_W senders in their last
 * round send fewer than K (x->last): they are counted apart, as b, and take
 * their sender steps with a kernel of their own.  States are interned in a
 * tupmap and their probabilities kept in a parallel array; the rows "new
 * informed count given (i, a, b)" are interned in a second tupmap and stored
 * in one pool, computed the first time a round needs them.
 *
 * Truncation: probabilities below FO_EXACT_EPSILON are dropped where they
 * arise — at the ends of a row's sender-by-sender distribution, and states
 * whose whole mass is that small — and every dropped probability is added to
 * error_bound.  Dropping only removes mass, so each reported probability is
 * at most error_bound below the exact one, and never above it.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fanout/config.h"
#include "fanout/dist.h"
#include "fanout/exact.h"
#include "grow.h"
#include "tupmap.h"

struct exact {
	int64_t nodes, fanout, live, window;
	int64_t last;           /* sends in the window's last round (K unless a transmit limit cuts it) */
	enum gossip_mode mode;
	double loss;
	const atomic_int *cancel;

	/* q_m(d), the new deliveries of one sender among m fresh targets. */
	double *kernel;         /* concatenated, q_m first at kernel_off[m] */
	int64_t *kernel_off;    /* live + 1 entries */
	double *kernel_last;    /* the same for `last` sends, when last < fanout */
	int64_t *kernel_last_off;

	struct tupmap rows;     /* (i, a, b) -> row index */
	struct row *row;        /* row index -> where its values are */
	size_t row_cap;
	double dropped;         /* probability discarded so far */
	double *pool;
	size_t pool_used, pool_cap;

	double *scratch[3];     /* live + 1 doubles each */
};

/*
 * A transition row: P(c new informed) for c in [lo, hi], at pool + off;
 * `dropped` is the probability trimmed off it.
 */
struct row {
	int64_t lo, hi;
	size_t off;
	double dropped;
};

static int64_t imin(int64_t a, int64_t b)
{
	return a < b ? a : b;
}

static int64_t imax(int64_t a, int64_t b)
{
	return a > b ? a : b;
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

/*
 * q_m(d) = sum_h Hyp(h; N-1, m, k) Bin(d; h, 1 - loss) for m = 0..L-1:
 * a sender's hits among m fresh live nodes when it sends k, thinned by loss.
 */
static int build_kernel(struct exact *x, int64_t k, double **kernel, int64_t **kernel_off)
{
	int64_t total = 0;

	*kernel_off = malloc((size_t)(x->live + 1) * sizeof **kernel_off);
	if (!*kernel_off)
		return -1;
	for (int64_t m = 0; m < x->live; m++) {
		(*kernel_off)[m] = total;
		total += imin(k, m) + 1;
	}
	(*kernel_off)[x->live] = total;
	*kernel = malloc((size_t)total * sizeof **kernel);
	if (!*kernel)
		return -1;
	for (int64_t m = 0; m < x->live; m++) {
		int64_t top = imin(k, m);
		double *q = *kernel + (*kernel_off)[m];
		double *hyp = x->scratch[0], *bin = x->scratch[1];

		dist_hypergeom(x->nodes - 1, m, k, hyp, top + 1);
		if (x->loss == 0) {
			memcpy(q, hyp, (size_t)(top + 1) * sizeof *q);
			continue;
		}
		memset(q, 0, (size_t)(top + 1) * sizeof *q);
		for (int64_t h = 0; h <= top; h++) {
			if (hyp[h] == 0)
				continue;
			dist_binom(h, 1 - x->loss, bin);
			for (int64_t d = 0; d <= h; d++)
				q[d] += hyp[h] * bin[d];
		}
	}
	return 0;
}

/* Room for n more doubles in the row pool; NULL if allocation fails. */
static double *pool_take(struct exact *x, size_t n)
{
	if (FO_GROW(x->pool, x->pool_used + n, x->pool_cap) < 0)
		return NULL;
	x->pool_used += n;
	return x->pool + x->pool_used - n;
}

/*
 * One sender step on v[lo..hi] into w, for a sender of `partial` ones (it
 * sends x->last) or a full one (K): the range moves down by up to what it
 * sends and loses its negligible ends; returns the probability so trimmed.
 */
static double sender_step(const struct exact *x, int partial, const double *v, double *w,
			  int64_t *lo, int64_t *hi)
{
	int64_t k = partial ? x->last : x->fanout, next_lo = imax(0, *lo - k);
	const double *kernel = partial ? x->kernel_last : x->kernel;
	const int64_t *off = partial ? x->kernel_last_off : x->kernel_off;

	memset(w + next_lo, 0, (size_t)(*hi - next_lo + 1) * sizeof *w);
	for (int64_t m = *lo; m <= *hi; m++) {
		const double *q = kernel + off[m];
		double vm = v[m];
		for (int64_t d = 0, top = imin(k, m); d <= top; d++)
			w[m - d] += vm * q[d];
	}
	*lo = next_lo;
	return trim(w, lo, hi);
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
 * The row for i informed of which a push K and b push x->last: P(c new
 * informed this round), c = 0..L-i, less what truncation drops.  Returns 0,
 * or -1 if allocation fails.
 */
static int compute_row(struct exact *x, int64_t i, int64_t a, int64_t b, struct row *r)
{
	int64_t u = x->live - i, lo = u, hi = u;
	double *v = x->scratch[0], *w = x->scratch[1], *bin = x->scratch[2];
	double pull_ok = 0;

	r->dropped = 0;
	if (gossip_pulls(x->mode))
		pull_ok = dist_pull_success(x->nodes - 1, i, x->fanout, x->loss, bin);
	if (!gossip_pushes(x->mode)) {
		dist_binom(u, pull_ok, v);
		lo = 0;
		r->dropped = trim(v, &lo, &hi);
		return store_row(x, r, v, lo, hi);
	}
	/* v[m], m in [lo, hi]: P(m live uninformed nodes not reached yet) after each sender. */
	v[u] = 1;
	for (int64_t s = 0; s < a + b && hi > 0; s++) {
		double *t;
		r->dropped += sender_step(x, s >= a, v, w, &lo, &hi);
		t = v;
		v = w;
		w = t;
	}
	/* c = u - m new informed by push; push_pull adds Bin(m, pull_ok) of the rest. */
	if (!gossip_pulls(x->mode)) {
		for (int64_t m = lo; m <= hi; m++)
			w[u - m] = v[m];
		return store_row(x, r, w, u - hi, u - lo);
	}
	memset(w + (u - hi), 0, (size_t)(hi + 1) * sizeof *w);
	for (int64_t m = lo; m <= hi; m++) {
		dist_binom(m, pull_ok, bin);
		for (int64_t j = 0; j <= m; j++)
			w[u - m + j] += v[m] * bin[j];
	}
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

static void exact_release(struct exact *x)
{
	free(x->kernel);
	free(x->kernel_off);
	free(x->kernel_last);
	free(x->kernel_last_off);
	tupmap_release(&x->rows);
	free(x->row);
	free(x->pool);
	for (int k = 0; k < 3; k++)
		free(x->scratch[k]);
}

/*
 * One round of push without a window, all states at once.  From i informed,
 * i senders act and the next state is L - (live nodes still unreached): it
 * depends on where the senders' process ends, not on i.  So the states share
 * one vector over "unreached" m: walking s from the largest i down, state s
 * joins at m = L - s, then every state present takes one sender step.  State
 * i thus takes exactly i steps, and by linearity the end vector is the sum of
 * the states' separate outcomes — one sweep instead of a row per state.
 */
static enum fo_status step_push_merged(struct exact *x, const struct tupmap *cur,
				       const double *mass, struct tupmap *next, double **next_mass,
				       size_t *next_cap)
{
	double *by_i = x->scratch[2], *v = x->scratch[0], *w = x->scratch[1];
	int64_t top = 0, lo = x->live, hi = -1;

	memset(by_i, 0, (size_t)(x->live + 1) * sizeof *by_i);
	for (size_t s = 0; s < cur->count; s++) {
		int64_t i = tupmap_key(cur, s)[0];
		if (mass[s] < FO_EXACT_EPSILON) {
			x->dropped += mass[s];
			continue;
		}
		by_i[i] = mass[s];
		top = imax(top, i);
	}
	for (int64_t s = top; s >= 1; s--) {
		int64_t m = x->live - s;
		if (by_i[s] > 0) {
			/* Widen the live range to take state s in. */
			for (int64_t j = hi + 1; j <= m; j++)
				v[j] = 0;
			for (int64_t j = m; j < lo; j++)
				v[j] = 0;
			v[m] += by_i[s];
			lo = imin(lo, m);
			hi = imax(hi, m);
		}
		if (hi > 0) {
			double *t;
			x->dropped += sender_step(x, 0, v, w, &lo, &hi);
			t = v;
			v = w;
			w = t;
		}
		if ((s & 1023) == 0 && fo_cancelled(x->cancel))
			return FO_CANCELLED;
	}
	for (int64_t m = lo; m <= hi; m++) {
		int32_t key = (int32_t)(x->live - m);
		int64_t idx = tupmap_intern(next, &key);
		if (idx < 0 || FO_GROW_ZEROED(*next_mass, next->count, *next_cap) < 0)
			return FO_NOMEM;
		(*next_mass)[idx] += v[m];
	}
	return FO_OK;
}

/* One round: from (cur, mass) into (next, next_mass). */
static enum fo_status step(struct exact *x, const struct tupmap *cur, const double *mass,
			   struct tupmap *next, double **next_mass, size_t *next_cap)
{
	int width = 1 + (int)x->window;
	int32_t key[1 + FO_EXACT_MAX_WINDOW];

	if (fo_cancelled(x->cancel))
		return FO_CANCELLED;
	if (x->mode == GOSSIP_PUSH && width == 1)
		return step_push_merged(x, cur, mass, next, next_mass, next_cap);
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
		if (x->last < x->fanout) {
			/* The oldest cohort is in its last round. */
			b = k[width - 1];
			a -= b;
		}
		row = get_row(x, i, a, b);
		if (!row)
			return FO_NOMEM;
		x->dropped += mass[s] * row->dropped;
		p = x->pool + row->off - row->lo;
		for (int64_t c = row->lo; c <= row->hi; c++) {
			int64_t idx;
			key[0] = (int32_t)(i + c);
			if (width > 1) {
				/* Everyone informed: the cohorts no longer matter. */
				int full = i + c == x->live;
				key[1] = full ? 0 : (int32_t)c;
				for (int j = 2; j < width; j++)
					key[j] = full ? 0 : k[j - 1];
			}
			idx = tupmap_intern(next, key);
			if (idx < 0 || FO_GROW_ZEROED(*next_mass, next->count, *next_cap) < 0)
				return FO_NOMEM;
			if (next->count > FO_EXACT_MAX_STATES)
				return FO_TOO_LARGE;
			(*next_mass)[idx] += mass[s] * p[c];
		}
	}
	return FO_OK;
}

static void record(const struct exact *x, const struct tupmap *m, const double *mass,
		   struct chain_result *out, int64_t r)
{
	double full = 0, mean = 0;

	for (size_t s = 0; s < m->count; s++) {
		int64_t i = tupmap_key(m, s)[0];
		mean += mass[s] * (double)i;
		if (i == x->live)
			full += mass[s];
	}
	out->p_full[r] = full;
	out->mean_informed[r] = mean;
}

static enum fo_status run_chain(struct exact *x, const struct gossip_params *p,
				struct chain_result *out)
{
	struct tupmap maps[2];
	double *mass[2] = { NULL, NULL };
	size_t cap[2] = { 0, 0 };
	int32_t start[1 + FO_EXACT_MAX_WINDOW] = { 1, 1 };
	enum fo_status st = FO_OK;
	int cur = 0;

	tupmap_init(&maps[0], 1 + (int)x->window);
	tupmap_init(&maps[1], 1 + (int)x->window);
	if (tupmap_intern(&maps[0], start) < 0 || FO_GROW_ZEROED(mass[0], 1, cap[0]) < 0) {
		st = FO_NOMEM;
		goto done;
	}
	mass[0][0] = 1;
	record(x, &maps[0], mass[0], out, 0);
	for (int64_t r = 1; r <= p->rounds; r++) {
		int nxt = 1 - cur;
		tupmap_clear(&maps[nxt]);
		if (mass[nxt])
			memset(mass[nxt], 0, cap[nxt] * sizeof *mass[nxt]);
		st = step(x, &maps[cur], mass[cur], &maps[nxt], &mass[nxt], &cap[nxt]);
		if (st != FO_OK)
			goto done;
		cur = nxt;
		record(x, &maps[cur], mass[cur], out, r);
	}
	out->error_bound = x->dropped;
	for (size_t s = 0; s < maps[cur].count; s++)
		out->final_informed[tupmap_key(&maps[cur], s)[0]] += mass[cur][s];
	out->node_miss = x->live > 1
		? ((double)x->live - out->mean_informed[p->rounds]) / (double)(x->live - 1) : 0;
done:
	for (int k = 0; k < 2; k++) {
		tupmap_release(&maps[k]);
		free(mass[k]);
	}
	return st;
}

enum fo_status exact_run(const struct gossip_params *p, const atomic_int *cancel,
			 struct chain_result *out)
{
	struct exact x;
	enum fo_status st = FO_NOMEM;
	size_t n = (size_t)p->rounds + 1;

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
	tupmap_init(&x.rows, 3);
	if (x.live > INT32_MAX - 1 || x.window > FO_EXACT_MAX_WINDOW)
		return FO_TOO_LARGE;
	out->rounds = p->rounds;
	out->p_full = malloc(n * sizeof *out->p_full);
	out->mean_informed = malloc(n * sizeof *out->mean_informed);
	out->final_informed = calloc((size_t)x.live + 1, sizeof *out->final_informed);
	if (!out->p_full || !out->mean_informed || !out->final_informed)
		goto fail;
	for (int k = 0; k < 3; k++)
		if (!(x.scratch[k] = malloc((size_t)(x.live + 1) * sizeof(double))))
			goto fail;
	if (gossip_pushes(x.mode) && build_kernel(&x, x.fanout, &x.kernel, &x.kernel_off) < 0)
		goto fail;
	if (gossip_pushes(x.mode) && x.last < x.fanout &&
	    build_kernel(&x, x.last, &x.kernel_last, &x.kernel_last_off) < 0)
		goto fail;
	st = run_chain(&x, p, out);
	if (st != FO_OK)
		goto fail;
	exact_release(&x);
	return FO_OK;
fail:
	exact_release(&x);
	chain_result_release(out);
	return st;
}

/*
 * Work units (about 1 ns each) of exact_run.  Without a window the costs are
 * fits to times measured on the development machine (R = 15 and 20, N = 400
 * to 20000, loss 0 to 0.3), rounded up: push's merged sweep
 * grows like L^1.8 a round and slows with loss, which widens the spread of
 * states; push_pull's per-state rows like L^2.5; pull's binomial rows like
 * L^1.4.  With a window, the bound counts every (i, a) row at full width.
 */
double exact_cost(const struct gossip_params *p)
{
	double live = (double)gossip_live(p), k = (double)p->fanout, r = (double)p->rounds;
	double rows = 0, states;
	int64_t window = gossip_window(p);

	if (live > 1e6)
		return HUGE_VAL;
	if (!window) {
		switch (p->mode) {
		case GOSSIP_PUSH:
			return r * (0.4 * pow(live, 1.8) * (1 + 20 * sqrt(p->loss)) + 20 * live) +
			       live * (fmin(k, live) + 1) * (p->loss > 0 ? fmin(k, live) + 1 : 1);
		case GOSSIP_PULL:
			return 130 * r * pow(live, 1.4);
		case GOSSIP_PUSH_PULL:
			return 0.7 * r * pow(live, 2.5);
		}
	}
	for (double u = 0; u < live; u++) {
		double i = live - u;
		rows += i * (i / 2 * (u + 1) * fmin(k, u) + (gossip_pulls(p->mode) ? u * u / 2 : 0) + u + 1);
	}
	states = live;
	for (int64_t j = 1; j <= window && states < FO_EXACT_MAX_STATES; j++)
		states *= (live + (double)j) / (double)(j + 1);
	states = fmin(states, FO_EXACT_MAX_STATES);
	return rows + r * states * live / 2;
}
