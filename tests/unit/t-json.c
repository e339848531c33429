/* t-json.c - the JSON writer: escapes that keep output valid JSON and YAML */
#include <stdio.h>
#include <string.h>

#include "../../lib/json.h"
#include "../../lib/node.h"
#include "unit.h"

static void
test_quote(void)
{
	struct buf	b = BUF_INIT;

	json_quote(&b, "a\"b\\c\n\t\x01", 8);
	CHECK_STR(b.data, "\"a\\\"b\\\\c\\n\\t\\u0001\"");
	buf_reset(&b);
	json_quote(&b, "caf\xc3\xa9 \xff x", 9);	/* é kept, 0xff replaced */
	CHECK_STR(b.data, "\"caf\xc3\xa9 \\ufffd x\"");
	buf_reset(&b);
	json_quote(&b, "\x7f\xc2\x85\xc2\x80", 5);	/* DEL, NEL, C1 */
	CHECK_STR(b.data, "\"\\u007f\\u0085\\u0080\"");
	buf_release(&b);
}

/* Whatever bytes go in, libyaml reads back the same text (or U+FFFD). */
static void
test_round_trip_through_yaml(void)
{
	struct buf	 b = BUF_INIT;
	struct json	 j;
	struct diag	 d;
	struct node	*n;
	char		 all[256];
	int		 i;

	for (i = 1; i < 128; i++)
		all[i - 1] = (char)i;
	all[127] = '\0';
	json_init(&j, &b, 1);
	json_obj_begin(&j, NULL);
	json_str(&j, "v", all);
	json_obj_end(&j);
	diag_init(&d);
	n = yaml_load_string("j.json", b.data, b.len, &yaml_journal_limits, &d);
	CHECK(n != NULL);
	if (n != NULL)
		CHECK_STR(node_get(n, "v")->str, all);
	node_free(n);
	diag_release(&d);
	buf_release(&b);
}

/* The tap sees each scalar as written: after the filter, with its depth. */
static struct tapped {
	int	depth;
	char	text[64];
}		tapped[8];
static int	ntapped;

static void
tap(void *ctx, int depth, const char *key, const char *s, size_t len, long long n)
{
	(void)ctx;
	if (ntapped == 8)
		return;
	tapped[ntapped].depth = depth;
	if (s != NULL)
		snprintf(tapped[ntapped].text, sizeof tapped[0].text, "%s=%.*s", key ? key : "-",
		    (int)len, s);
	else
		snprintf(tapped[ntapped].text, sizeof tapped[0].text, "%s=%lld", key ? key : "-",
		    n);
	ntapped++;
}

static char *
upper(void *ctx, const char *s)
{
	char	*t = xstrdup(s), *p;

	(void)ctx;
	for (p = t; *p; p++)
		if (*p >= 'a' && *p <= 'z')
			*p = (char)(*p - 32);
	return t;
}

static void
test_tap(void)
{
	struct buf	b = BUF_INIT;
	struct json	j;

	ntapped = 0;
	json_init(&j, &b, 0);
	j.filter = upper;
	j.tap = tap;
	json_obj_begin(&j, NULL);
	json_str(&j, "name", "secret");
	json_int(&j, "n", 42);
	json_bool(&j, "ok", 1);
	json_arr_begin(&j, "list");
	json_str(&j, NULL, "x");
	json_arr_end(&j);
	json_obj_end(&j);
	CHECK_STR(b.data, "{\"name\":\"SECRET\",\"n\":42,\"ok\":true,\"list\":[\"X\"]}");
	CHECK_INT(ntapped, 4);
	CHECK_STR(tapped[0].text, "name=SECRET");
	CHECK_INT(tapped[0].depth, 1);
	CHECK_STR(tapped[1].text, "n=42");
	CHECK_STR(tapped[2].text, "ok=1");
	CHECK_STR(tapped[3].text, "-=X");
	CHECK_INT(tapped[3].depth, 2);
	buf_release(&b);
}

UNIT_SUITE(json_tests) = {
	UNIT_TEST(quote),
	UNIT_TEST(round_trip_through_yaml),
	UNIT_TEST(tap),
	{ NULL, NULL },
};
