/* SPDX-License-Identifier: MIT */
/*
 * workpool.c — a mutex, a condition variable and a singly linked FIFO.
 */
#include <pthread.h>
#include <stdlib.h>

#include "workpool.h"

struct job {
	void (*fn)(void *);
	void *arg;
	struct job *next;
};

struct workpool {
	pthread_mutex_t lock;
	pthread_cond_t ready;
	struct job *head, *tail;
	size_t queued, running, max_queue;
	int stopping;
	int threads;
	pthread_t *tids;
};

static void *worker(void *arg)
{
	struct workpool *wp = arg;

	pthread_mutex_lock(&wp->lock);
	for (;;) {
		struct job *j;
		while (!wp->head && !wp->stopping)
			pthread_cond_wait(&wp->ready, &wp->lock);
		if (!wp->head)
			break;
		j = wp->head;
		wp->head = j->next;
		if (!wp->head)
			wp->tail = NULL;
		wp->queued--;
		wp->running++;
		pthread_mutex_unlock(&wp->lock);
		j->fn(j->arg);
		free(j);
		pthread_mutex_lock(&wp->lock);
		wp->running--;
	}
	pthread_mutex_unlock(&wp->lock);
	return NULL;
}

struct workpool *workpool_new(int threads, size_t max_queue)
{
	struct workpool *wp = calloc(1, sizeof *wp);

	if (!wp)
		return NULL;
	wp->tids = calloc((size_t)threads, sizeof *wp->tids);
	if (!wp->tids) {
		free(wp);
		return NULL;
	}
	pthread_mutex_init(&wp->lock, NULL);
	pthread_cond_init(&wp->ready, NULL);
	wp->max_queue = max_queue;
	for (; wp->threads < threads; wp->threads++) {
		if (pthread_create(&wp->tids[wp->threads], NULL, worker, wp) != 0) {
			workpool_free(wp);
			return NULL;
		}
	}
	return wp;
}

int workpool_submit(struct workpool *wp, void (*fn)(void *), void *arg)
{
	struct job *j = malloc(sizeof *j);

	if (!j)
		return -1;
	j->fn = fn;
	j->arg = arg;
	j->next = NULL;
	pthread_mutex_lock(&wp->lock);
	if (wp->stopping || (wp->max_queue && wp->queued >= wp->max_queue)) {
		pthread_mutex_unlock(&wp->lock);
		free(j);
		return -1;
	}
	if (wp->tail)
		wp->tail->next = j;
	else
		wp->head = j;
	wp->tail = j;
	wp->queued++;
	pthread_cond_signal(&wp->ready);
	pthread_mutex_unlock(&wp->lock);
	return 0;
}

size_t workpool_load(struct workpool *wp)
{
	size_t n;

	pthread_mutex_lock(&wp->lock);
	n = wp->queued + wp->running;
	pthread_mutex_unlock(&wp->lock);
	return n;
}

void workpool_free(struct workpool *wp)
{
	pthread_mutex_lock(&wp->lock);
	wp->stopping = 1;
	pthread_cond_broadcast(&wp->ready);
	pthread_mutex_unlock(&wp->lock);
	for (int i = 0; i < wp->threads; i++)
		pthread_join(wp->tids[i], NULL);
	pthread_mutex_destroy(&wp->lock);
	pthread_cond_destroy(&wp->ready);
	free(wp->tids);
	free(wp);
}
