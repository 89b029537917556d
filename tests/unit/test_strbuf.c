/*
 * test_strbuf.c — the byte buffer's invariants (buf always '\0'-terminated,
 * alloc > len once allocated), growth across its doubling boundaries,
 * printf-style appends longer than the room left, and detach's hand-over.
 */
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"
#include "suites.h"

/* Lengths around the first capacity (FO_GROW_MIN) and its doublings. */
static const size_t lengths[] = { 0, 1, 62, 63, 64, 65, 127, 128, 1000, 100000 };

static void check_invariants(const struct strbuf *sb)
{
	ck_assert_ptr_nonnull(sb->buf);
	ck_assert_msg(sb->buf[sb->len] == '\0', "buf[len] is %d, len %zu", sb->buf[sb->len], sb->len);
	ck_assert_msg(sb->alloc == 0 ? sb->len == 0 : sb->len < sb->alloc, "len %zu, alloc %zu", sb->len,
		      sb->alloc);
	ck_assert_int_eq(sb->failed, 0);
}

START_TEST(test_empty)
{
	struct strbuf sb = STRBUF_INIT;
	size_t len = 1;
	char *s;

	check_invariants(&sb);
	ck_assert_str_eq(sb.buf, "");
	strbuf_release(&sb);
	check_invariants(&sb);
	s = strbuf_detach(&sb, &len);
	ck_assert_ptr_nonnull(s);
	ck_assert_str_eq(s, "");
	ck_assert_uint_eq(len, 0);
	free(s);
}
END_TEST

/* Byte by byte, then in one piece: the same bytes, an embedded '\0' kept. */
START_TEST(test_add_grows)
{
	size_t n = lengths[_i];
	struct strbuf one = STRBUF_INIT, whole = STRBUF_INIT;
	char *want = malloc(n + 1);

	ck_assert_ptr_nonnull(want);
	for (size_t i = 0; i < n; i++)
		want[i] = (char)(i % 7 == 3 ? '\0' : 'a' + i % 26);
	want[n] = '\0';
	for (size_t i = 0; i < n; i++) {
		ck_assert_int_eq(strbuf_add(&one, want + i, 1), 0);
		check_invariants(&one);
	}
	ck_assert_int_eq(strbuf_add(&whole, want, n), 0);
	check_invariants(&whole);
	ck_assert_uint_eq(one.len, n);
	ck_assert_uint_eq(whole.len, n);
	ck_assert_msg(memcmp(one.buf, want, n) == 0 && memcmp(whole.buf, want, n) == 0, "n = %zu", n);
	strbuf_release(&one);
	strbuf_release(&whole);
	check_invariants(&one);
	free(want);
}
END_TEST

/* After `n` bytes, a formatted piece longer than the room left is appended whole. */
START_TEST(test_addf_past_the_room)
{
	size_t n = lengths[_i];
	struct strbuf sb = STRBUF_INIT;
	char *pad = malloc(n + 1), *got;
	size_t len;

	ck_assert_ptr_nonnull(pad);
	memset(pad, 'x', n);
	pad[n] = '\0';
	ck_assert_int_eq(strbuf_addstr(&sb, pad), 0);
	ck_assert_int_eq(strbuf_addf(&sb, "[%0*d|%s]", 150, 42, "end"), 0);
	check_invariants(&sb);
	ck_assert_uint_eq(sb.len, n + 156);
	ck_assert_msg(sb.buf[n] == '[' && sb.buf[n + 149] == '4' && strcmp(sb.buf + n + 151, "|end]") == 0,
		      "got %s", sb.buf + n);
	got = strbuf_detach(&sb, &len);
	ck_assert_uint_eq(len, n + 156);
	ck_assert_int_eq(memcmp(got, pad, n), 0);
	check_invariants(&sb);
	ck_assert_uint_eq(sb.alloc, 0);
	free(got);
	free(pad);
}
END_TEST

START_TEST(test_grow_reserves)
{
	struct strbuf sb = STRBUF_INIT;
	char *before;

	ck_assert_int_eq(strbuf_grow(&sb, 1000), 0);
	check_invariants(&sb);
	ck_assert_uint_ge(sb.alloc, 1001);
	before = sb.buf;
	for (int i = 0; i < 100; i++)
		ck_assert_int_eq(strbuf_addstr(&sb, "0123456789"), 0);
	ck_assert_ptr_eq(sb.buf, before);
	ck_assert_int_eq(strbuf_grow(&sb, (size_t)-1), -1);
	ck_assert_int_eq(sb.failed, 1);
	ck_assert_uint_eq(sb.len, 1000);
	ck_assert_int_eq(sb.buf[1000], '\0');
	strbuf_release(&sb);
	check_invariants(&sb);
}
END_TEST

/* The cases, one a row: CK_RUN_CASE picks one by its name without "test_". */
static const struct unit_case suite_cases[] = {
	UNIT_TEST(test_empty),
	UNIT_LOOP(test_add_grows, UNIT_COUNT(lengths)),
	UNIT_LOOP(test_addf_past_the_room, UNIT_COUNT(lengths)),
	UNIT_TEST(test_grow_reserves),
};

Suite *strbuf_suite(void)
{
	return unit_suite("strbuf", suite_cases, UNIT_COUNT(suite_cases), 300);
}
