/*
 * grow.h — one way to grow an array, in the style of git's ALLOC_GROW.
 *
 *   if (FO_GROW(arr, need, cap) < 0)
 *           return FO_NOMEM;
 *
 * makes `arr` (room for `cap` elements) hold at least `need` elements,
 * doubling its capacity as often as needed (FO_GROW_MIN at first).  It
 * evaluates to 0, or to -1 when allocation fails, in which case `arr` and
 * `cap` are unchanged.  FO_GROW_ZEROED also zeroes the elements it adds.
 * The arguments are evaluated more than once.  Used by core/ and server/
 * (not part of the library's API).
 */
#ifndef FANOUT_GROW_H
#define FANOUT_GROW_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* First capacity of an array grown from nothing. */
#define FO_GROW_MIN 64

/* realloc'ed `ptr` with *cap updated, or `ptr` itself with *cap unchanged on failure. */
static inline void *fo_grow_(void *ptr, size_t *cap, size_t need, size_t size, int zero)
{
	size_t c = *cap ? *cap : FO_GROW_MIN;
	char *p;

	while (c < need) {
		if (c > SIZE_MAX / 2 / size)
			return ptr;
		c *= 2;
	}
	p = realloc(ptr, c * size);
	if (!p)
		return ptr;
	if (zero)
		memset(p + *cap * size, 0, (c - *cap) * size);
	*cap = c;
	return p;
}

#define FO_GROW_(arr, need, cap, zero)                                                  \
	((size_t)(need) <= (cap) ? 0                                                    \
	 : ((arr) = fo_grow_((arr), &(cap), (size_t)(need), sizeof *(arr), (zero)),    \
	    (size_t)(need) <= (cap) ? 0 : -1))
#define FO_GROW(arr, need, cap) FO_GROW_(arr, need, cap, 0)
#define FO_GROW_ZEROED(arr, need, cap) FO_GROW_(arr, need, cap, 1)

#endif
