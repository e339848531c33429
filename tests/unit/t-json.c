/* t-json.c - the JSON writer: escapes that keep output valid JSON and YAML */
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

UNIT_SUITE(json_tests) = {
	UNIT_TEST(quote),
	UNIT_TEST(round_trip_through_yaml),
	{ NULL, NULL },
};
