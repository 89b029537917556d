/*
 * validate.h — the modes of tests/validate that live in their own files.
 */
#ifndef FANOUT_VALIDATE_H
#define FANOUT_VALIDATE_H

/* `validate intervals`: simulate_gossip's intervals over 1000 seeds (intervals.c). */
int validate_intervals(void);

/* `validate windows`: calc_fanout (auto) with push windows T = 4 … 8 against the simulator (windows.c). */
int validate_windows(void);

/* `validate sync`: anti-entropy at N = 30 … 10^4, and the fast sampler against the reference (sync.c). */
int validate_sync(void);

/* `validate split`: where large_n's 1 - P comes from under independent timers, memberlist presets (split.c). */
int validate_split(void);

#endif
