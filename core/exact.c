/*
 * exact.c — the informed-count Markov chain (see exact.h for the transitions).
 *
 * A state is the tuple (i, c_1, …, c_W): i informed live nodes, c_j of them
 * informed j rounds ago, W the push window (0: no window, the tuple is (i)).
 * Pushing senders are a = c_1 + … + c_W, or i without a window.  States are
 * interned in a tupmap and their probabilities kept in a parallel array; the
 * rows "new informed count given (i, a)" are interned in a second tupmap and
 * stored in one pool, computed the first time a round needs them.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fanout/config.h"
#include "fanout/dist.h"
#include "fanout/exact.h"
#include "tupmap.h"

struct exact {
	int64_t nodes, fanout, live, window;
	enum gossip_mode mode;
	double loss;
	const atomic_int *cancel;

	/* q_m(d), the new deliveries of one sender among m fresh targets. */
	double *kernel;         /* concatenated, q_m first at kernel_off[m] */
	int64_t *kernel_off;    /* live + 1 entries */

	struct tupmap rows;     /* (i, a) -> row index */
	int64_t *row_off;       /* row index -> offset in pool */
	size_t row_off_cap;
	double *pool;
	size_t pool_used, pool_cap;

	double *scratch[3];     /* live + 1 doubles each */
};

static int64_t imin(int64_t a, int64_t b)
{
	return a < b ? a : b;
}

static int pushes(enum gossip_mode m)
{
	return m != GOSSIP_PULL;
}

static int pulls(enum gossip_mode m)
{
	return m != GOSSIP_PUSH;
}

/*
 * q_m(d) = sum_h Hyp(h; N-1, m, K) Bin(d; h, 1 - loss) for m = 0..L-1:
 * a sender's hits among m fresh live nodes, thinned by loss.
 */
static int build_kernel(struct exact *x)
{
	int64_t total = 0;

	x->kernel_off = malloc((size_t)(x->live + 1) * sizeof *x->kernel_off);
	if (!x->kernel_off)
		return -1;
	for (int64_t m = 0; m < x->live; m++) {
		x->kernel_off[m] = total;
		total += imin(x->fanout, m) + 1;
	}
	x->kernel_off[x->live] = total;
	x->kernel = malloc((size_t)total * sizeof *x->kernel);
	if (!x->kernel)
		return -1;
	for (int64_t m = 0; m < x->live; m++) {
		int64_t top = imin(x->fanout, m);
		double *q = x->kernel + x->kernel_off[m];
		double *hyp = x->scratch[0], *bin = x->scratch[1];

		dist_hypergeom(x->nodes - 1, m, x->fanout, hyp, top + 1);
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
	if (x->pool_used + n > x->pool_cap) {
		size_t cap = x->pool_cap ? x->pool_cap : 1024;
		while (cap < x->pool_used + n)
			cap *= 2;
		double *pool = realloc(x->pool, cap * sizeof *pool);
		if (!pool)
			return NULL;
		x->pool = pool;
		x->pool_cap = cap;
	}
	x->pool_used += n;
	return x->pool + x->pool_used - n;
}

/* row[c] = P(c new informed this round | i informed, a pushing), c = 0..L-i. */
static void compute_row(struct exact *x, int64_t i, int64_t a, double *row)
{
	int64_t u = x->live - i;
	double *v = x->scratch[0], *w = x->scratch[1], *bin = x->scratch[2];
	double pull_ok = 0;

	if (pulls(x->mode))
		pull_ok = dist_pull_success(x->nodes - 1, i, x->fanout, x->loss, bin);
	if (!pushes(x->mode)) {
		dist_binom(u, pull_ok, row);
		return;
	}
	/* v[m]: P(m live uninformed nodes not reached yet) after each sender. */
	memset(v, 0, (size_t)(u + 1) * sizeof *v);
	v[u] = 1;
	for (int64_t s = 0; s < a && v[0] < 1; s++) {
		memset(w, 0, (size_t)(u + 1) * sizeof *w);
		for (int64_t m = 0; m <= u; m++) {
			const double *q = x->kernel + x->kernel_off[m];
			if (v[m] == 0)
				continue;
			for (int64_t d = 0; d <= imin(x->fanout, m); d++)
				w[m - d] += v[m] * q[d];
		}
		double *t = v;
		v = w;
		w = t;
	}
	memset(row, 0, (size_t)(u + 1) * sizeof *row);
	for (int64_t m = 0; m <= u; m++) {
		if (v[m] == 0)
			continue;
		if (!pulls(x->mode)) {
			row[u - m] += v[m];
			continue;
		}
		dist_binom(m, pull_ok, bin);
		for (int64_t j = 0; j <= m; j++)
			row[u - m + j] += v[m] * bin[j];
	}
}

/* The cached row for (i, a); NULL if allocation fails. */
static const double *get_row(struct exact *x, int64_t i, int64_t a)
{
	int32_t key[2] = { (int32_t)i, (int32_t)a };
	size_t before = x->rows.count;
	int64_t idx = tupmap_intern(&x->rows, key);
	double *row;

	if (idx < 0)
		return NULL;
	if ((size_t)idx < before)
		return x->pool + x->row_off[idx];
	if (x->rows.count > x->row_off_cap) {
		size_t cap = x->row_off_cap ? 2 * x->row_off_cap : 256;
		int64_t *off = realloc(x->row_off, cap * sizeof *off);
		if (!off)
			return NULL;
		x->row_off = off;
		x->row_off_cap = cap;
	}
	row = pool_take(x, (size_t)(x->live - i + 1));
	if (!row)
		return NULL;
	x->row_off[idx] = row - x->pool;
	compute_row(x, i, a, row);
	return row;
}

static void exact_release(struct exact *x)
{
	free(x->kernel);
	free(x->kernel_off);
	tupmap_release(&x->rows);
	free(x->row_off);
	free(x->pool);
	for (int k = 0; k < 3; k++)
		free(x->scratch[k]);
}

/* Grows *arr to hold n doubles, zeroing the new tail; -1 on failure. */
static int grow_mass(double **arr, size_t *cap, size_t n)
{
	if (n <= *cap)
		return 0;
	size_t c = *cap ? *cap : 256;
	while (c < n)
		c *= 2;
	double *a = realloc(*arr, c * sizeof *a);
	if (!a)
		return -1;
	memset(a + *cap, 0, (c - *cap) * sizeof *a);
	*arr = a;
	*cap = c;
	return 0;
}

/* One round: from (cur, mass) into (next, next_mass). */
static enum fo_status step(struct exact *x, const struct tupmap *cur, const double *mass,
			   struct tupmap *next, double **next_mass, size_t *next_cap)
{
	int width = 1 + (int)x->window;
	int32_t key[1 + 64];

	for (size_t s = 0; s < cur->count; s++) {
		const int32_t *k = tupmap_key(cur, s);
		int64_t i = k[0], a = x->window ? 0 : i;
		const double *row;

		if (mass[s] == 0)
			continue;
		if (fo_cancelled(x->cancel))
			return FO_CANCELLED;
		for (int j = 1; j < width; j++)
			a += k[j];
		row = get_row(x, i, a);
		if (!row)
			return FO_NOMEM;
		for (int64_t c = 0; c <= x->live - i; c++) {
			int64_t idx;
			if (row[c] == 0)
				continue;
			key[0] = (int32_t)(i + c);
			if (width > 1) {
				/* Everyone informed: the cohorts no longer matter. */
				int full = i + c == x->live;
				key[1] = full ? 0 : (int32_t)c;
				for (int j = 2; j < width; j++)
					key[j] = full ? 0 : k[j - 1];
			}
			idx = tupmap_intern(next, key);
			if (idx < 0 || grow_mass(next_mass, next_cap, next->count) < 0)
				return FO_NOMEM;
			if (next->count > FO_EXACT_MAX_STATES)
				return FO_TOO_LARGE;
			(*next_mass)[idx] += mass[s] * row[c];
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
	int32_t start[1 + 64] = { 1, 1 };
	enum fo_status st = FO_OK;
	int cur = 0;

	tupmap_init(&maps[0], 1 + (int)x->window);
	tupmap_init(&maps[1], 1 + (int)x->window);
	if (tupmap_intern(&maps[0], start) < 0 || grow_mass(&mass[0], &cap[0], 1) < 0) {
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
	x.mode = p->mode;
	x.loss = p->loss;
	x.cancel = cancel;
	tupmap_init(&x.rows, 2);
	if (x.live > INT32_MAX - 1 || x.window > 64)
		return FO_TOO_LARGE;
	out->rounds = p->rounds;
	out->p_full = malloc(n * sizeof *out->p_full);
	out->mean_informed = malloc(n * sizeof *out->mean_informed);
	if (!out->p_full || !out->mean_informed)
		goto fail;
	for (int k = 0; k < 3; k++)
		if (!(x.scratch[k] = malloc((size_t)(x.live + 1) * sizeof(double))))
			goto fail;
	if (pushes(x.mode) && build_kernel(&x) < 0)
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
 * Work of the row computations: sum over u = L - i of (rows needing u) times
 * (senders) * u * min(K, u), plus the state updates of every round.  Summed
 * directly up to a million live nodes; past that exact is out of reach anyway.
 */
double exact_cost(const struct gossip_params *p)
{
	double live = (double)gossip_live(p), k = (double)p->fanout, rows = 0, states;
	int64_t window = gossip_window(p);

	if (live > 1e6)
		return HUGE_VAL;
	for (double u = 0; u < live; u++) {
		double i = live - u, per_row = u + 1;
		double row_count = window ? i : 1, senders = window ? i / 2 : i;
		if (pushes(p->mode))
			per_row += senders * (u + 1) * fmin(k, u) + (pulls(p->mode) ? u * u / 2 : 0);
		rows += row_count * per_row;
	}
	if (pushes(p->mode))
		rows += live * (fmin(k, live) + 1) * (p->loss > 0 ? fmin(k, live) + 1 : 1);
	states = live;
	for (int64_t j = 1; j <= window && states < FO_EXACT_MAX_STATES; j++)
		states *= (live + (double)j) / (double)(j + 1);
	states = fmin(states, FO_EXACT_MAX_STATES);
	return rows + (double)p->rounds * states * live / 2;
}
