/*
 * validate.h — the modes of tests/validate that live in their own files.
 */
#ifndef FANOUT_VALIDATE_H
#define FANOUT_VALIDATE_H

/* `validate intervals`: simulate_gossip's intervals over 1000 seeds (intervals.c). */
int validate_intervals(void);

#endif
