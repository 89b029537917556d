/* SPDX-License-Identifier: MIT */
/*
 * workpool.h — a fixed set of threads running queued jobs in FIFO order.
 *
 * Front ends hand heavy requests to a pool so that their input loop keeps
 * answering cheap ones.  A job is a function and its argument; the job owns
 * the argument and frees it.
 */
#ifndef FANOUT_WORKPOOL_H
#define FANOUT_WORKPOOL_H

#include <stddef.h>

struct workpool;

/*
 * Starts `threads` workers; max_queue bounds the jobs waiting (0: unbounded).
 * Returns NULL if threads or memory cannot be had.
 */
struct workpool *workpool_new(int threads, size_t max_queue);

/*
 * Queues fn(arg).  Returns 0, or -1 when the queue is full or allocation
 * fails; the caller then still owns arg.
 */
int workpool_submit(struct workpool *wp, void (*fn)(void *), void *arg);

/* Jobs queued or running. */
size_t workpool_load(struct workpool *wp);

/* Runs every job already queued, stops the workers and frees the pool. */
void workpool_free(struct workpool *wp);

#endif
