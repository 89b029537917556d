/* SPDX-License-Identifier: MIT */
/*
 * test_anscache.c — the answer cache (server/common/anscache.c): an answer
 * comes back byte for byte for its operation and key only, is counted as a
 * hit or a miss, stays readable while referenced after being replaced, and
 * the cache never holds more than its slots, nor keys or bodies over the
 * bounds; an entry's attachment is handed back once, when the cache lets
 * the entry go.
 */
#include <stdio.h>
#include <string.h>

#include "anscache.h"
#include "suites.h"

START_TEST(test_same_key_same_bytes)
{
	struct anscache *c = anscache_new(64, 1024);
	struct anscache_entry *e;
	struct anscache_figures f;
	static const char body[] = "{\"min_fanout\":15}\n";

	ck_assert_ptr_nonnull(c);
	ck_assert_ptr_null(anscache_get(c, 0, "nodes=25&rounds=5"));
	ck_assert_int_eq(anscache_put(c, 0, "nodes=25&rounds=5", body, sizeof body - 1), 0);
	e = anscache_get(c, 0, "nodes=25&rounds=5");
	ck_assert_ptr_nonnull(e);
	ck_assert_uint_eq(e->len, sizeof body - 1);
	ck_assert_mem_eq(e->body, body, sizeof body - 1);
	anscache_release(e);
	/* Another parameter, another spelling, another operation: none of them is this answer. */
	ck_assert_ptr_null(anscache_get(c, 0, "nodes=26&rounds=5"));
	ck_assert_ptr_null(anscache_get(c, 0, "rounds=5&nodes=25"));
	ck_assert_ptr_null(anscache_get(c, 1, "nodes=25&rounds=5"));
	ck_assert_ptr_null(anscache_get(c, 0, "nodes=25&rounds=5&"));
	anscache_figures(c, &f);
	ck_assert_uint_eq(f.entries, 1);
	ck_assert_uint_eq(f.hits, 1);
	ck_assert_uint_eq(f.misses, 5);
	anscache_free(c);
}
END_TEST

START_TEST(test_replaced_entry_lives_while_referenced)
{
	/* One slot: every new key replaces the one before. */
	struct anscache *c = anscache_new(1, 1024);
	struct anscache_entry *held, *e;

	ck_assert_int_eq(anscache_put(c, 0, "a", "first", 5), 0);
	held = anscache_get(c, 0, "a");
	ck_assert_ptr_nonnull(held);
	ck_assert_int_eq(anscache_put(c, 0, "b", "second", 6), 0);
	ck_assert_ptr_null(anscache_get(c, 0, "a"));
	e = anscache_get(c, 0, "b");
	ck_assert_ptr_nonnull(e);
	ck_assert_mem_eq(e->body, "second", 6);
	/* The replaced entry is still whole for whoever sends it. */
	ck_assert_mem_eq(held->body, "first", 5);
	ck_assert_str_eq(held->key, "a");
	anscache_release(held);
	/* Freed with the cache while referenced: the reference keeps it. */
	anscache_free(c);
	ck_assert_mem_eq(e->body, "second", 6);
	anscache_release(e);
}
END_TEST

START_TEST(test_bounded)
{
	struct anscache *c = anscache_new(16, 100);
	struct anscache_figures f;
	char key[FO_ANSCACHE_KEY_MAX + 2], big[101] = { 0 };

	for (int i = 0; i < 1000; i++) {
		snprintf(key, sizeof key, "nodes=%d", i);
		ck_assert_int_eq(anscache_put(c, 0, key, "x", 1), 0);
		anscache_figures(c, &f);
		ck_assert_uint_le(f.entries, 16);
	}
	ck_assert_uint_eq(f.entries, 16);
	/* A body or a key over the bounds is not kept, and nothing else is lost. */
	ck_assert_int_eq(anscache_put(c, 0, "big", big, sizeof big), -1);
	ck_assert_ptr_null(anscache_get(c, 0, "big"));
	memset(key, 'k', FO_ANSCACHE_KEY_MAX + 1);
	key[FO_ANSCACHE_KEY_MAX + 1] = '\0';
	ck_assert_int_eq(anscache_put(c, 0, key, "x", 1), -1);
	ck_assert_ptr_null(anscache_get(c, 0, key));
	anscache_figures(c, &f);
	ck_assert_uint_eq(f.entries, 16);
	anscache_free(c);
}
END_TEST

/* The detach function's record: how often it ran, and with what. */
static int detached;
static void *last_detached;

static void note_detach(void *attached)
{
	detached++;
	last_detached = attached;
}

START_TEST(test_attachment_detached_when_let_go)
{
	/* One slot: every new key replaces the one before. */
	struct anscache *c = anscache_new(1, 1024);
	struct anscache_entry *e, *old;
	int first, second;

	detached = 0;
	last_detached = NULL;
	anscache_on_detach(c, note_detach);
	ck_assert_int_eq(anscache_put(c, 0, "a", "first", 5), 0);
	e = anscache_get(c, 0, "a");
	ck_assert_ptr_null(e->attached);
	ck_assert_int_eq(anscache_attach(c, e, &first), 0);
	ck_assert_int_eq(anscache_attach(c, e, &second), -1);
	anscache_release(e);
	/* Kept with the entry, and released references do not detach it. */
	e = anscache_get(c, 0, "a");
	ck_assert_ptr_eq(e->attached, &first);
	anscache_release(e);
	ck_assert_int_eq(detached, 0);
	/* Replaced: detached once, with what was attached; the entry lives while referenced. */
	old = anscache_get(c, 0, "a");
	ck_assert_int_eq(anscache_put(c, 0, "b", "second", 6), 0);
	ck_assert_int_eq(detached, 1);
	ck_assert_ptr_eq(last_detached, &first);
	ck_assert_ptr_null(old->attached);
	ck_assert_mem_eq(old->body, "first", 5);
	/* An entry no longer in the cache takes no attachment. */
	ck_assert_int_eq(anscache_attach(c, old, &second), -1);
	anscache_release(old);
	/* Replacing an entry with nothing attached detaches nothing. */
	ck_assert_int_eq(anscache_put(c, 0, "c", "third", 5), 0);
	ck_assert_int_eq(detached, 1);
	/* Freeing the cache detaches what it holds. */
	e = anscache_get(c, 0, "c");
	ck_assert_int_eq(anscache_attach(c, e, &second), 0);
	anscache_release(e);
	anscache_free(c);
	ck_assert_int_eq(detached, 2);
	ck_assert_ptr_eq(last_detached, &second);
}
END_TEST

/* The cases, one a row: CK_RUN_CASE picks one by its name without "test_". */
static const struct unit_case suite_cases[] = {
	UNIT_TEST(test_same_key_same_bytes),
	UNIT_TEST(test_replaced_entry_lives_while_referenced),
	UNIT_TEST(test_bounded),
	UNIT_TEST(test_attachment_detached_when_let_go),
};

Suite *anscache_suite(void)
{
	return unit_suite("anscache", suite_cases, UNIT_COUNT(suite_cases), 0);
}
