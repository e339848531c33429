/* t-vars.c - variables, %VAR% expansion, redaction */
#include <stdlib.h>
#include <string.h>

#include "../../interp/vars.h"
#include "unit.h"

static char *
expand(struct vars *vs, const char *s)
{
	char	*out = NULL;

	if (vars_expand(vs, s, &out) == -1)
		return NULL;
	return out;
}

#define CHECK_EXPAND(vs, in, want) do {					\
	char *got_ = expand(vs, in);					\
	CHECK_STR(got_, want);						\
	free(got_);							\
} while (0)

static void
test_expand_rules(void)
{
	struct vars	vs;

	vars_init(&vs);
	vars_set(&vs, "Name", "alice", 0);
	vars_set(&vs, "Pct", "%Name%", 0);
	CHECK_EXPAND(&vs, "hi %NAME%!", "hi alice!");		/* case-insensitive */
	CHECK_EXPAND(&vs, "%Missing% stays", "%Missing% stays");
	CHECK_EXPAND(&vs, "100%% sure", "100% sure");
	CHECK_EXPAND(&vs, "50% off", "50% off");		/* not a reference */
	CHECK_EXPAND(&vs, "%Pct%", "%Name%");			/* one pass only */
	CHECK_EXPAND(&vs, "%Name%%Name%", "alicealice");
	CHECK_EXPAND(&vs, "%%Name%%", "%Name%");
	CHECK_EXPAND(&vs, "trailing %", "trailing %");
	CHECK_EXPAND(&vs, "%1abc%", "%1abc%");
	vars_release(&vs);
}

static void
test_expand_cap(void)
{
	struct vars	 vs;
	char		*big = malloc(4001), *tmpl, *out = NULL;
	size_t		 i;

	memset(big, 'x', 4000);
	big[4000] = '\0';
	vars_init(&vs);
	CHECK_INT(vars_set(&vs, "Big", big, 0), VARS_OK);
	tmpl = malloc(20 * 5 + 1);
	tmpl[0] = '\0';
	for (i = 0; i < 20; i++)
		strcat(tmpl, "%Big%");
	CHECK_INT(vars_expand(&vs, tmpl, &out), -1);	/* 80,000 > 65,536 */
	free(tmpl);
	free(big);
	vars_release(&vs);
}

static void
test_names_and_values(void)
{
	struct vars	vs;
	char		long_value[4002];

	vars_init(&vs);
	CHECK_INT(vars_set(&vs, "_SMSTSLogPath", "x", 0), VARS_READ_ONLY);
	CHECK_INT(vars_set(&vs, "_SMSTSLogPath", "x", VAR_ENGINE), VARS_OK);
	CHECK_INT(vars_set(&vs, "9lives", "x", 0), VARS_BAD_NAME);
	CHECK_INT(vars_set(&vs, "has space", "x", 0), VARS_BAD_NAME);
	CHECK_INT(vars_set(&vs, "", "x", 0), VARS_BAD_NAME);
	CHECK_INT(vars_set(&vs, "ok-name_2", "x", 0), VARS_OK);
	memset(long_value, 'v', 4001);
	long_value[4001] = '\0';
	CHECK_INT(vars_set(&vs, "Long", long_value, 0), VARS_TOO_LONG);
	long_value[4000] = '\0';
	CHECK_INT(vars_set(&vs, "Long", long_value, 0), VARS_OK);
	CHECK_STR(vars_get(&vs, "OK-NAME_2"), "x");
	CHECK_INT(vars_set(&vs, "ok-name_2", "", 0), VARS_OK);	/* empty deletes */
	CHECK(vars_get(&vs, "ok-name_2") == NULL);
	vars_release(&vs);
}

static void
test_redaction(void)
{
	struct vars	 vs;
	char		*r;

	vars_init(&vs);
	vars_set(&vs, "Password", "hunter2", VAR_SECRET);
	r = vars_redact(&vs, "login with hunter2 and hunter2!");
	CHECK_STR(r, "login with ******** and ********!");
	free(r);
	/* once secret, always secret; the old value stays redacted too */
	vars_set(&vs, "Password", "s3cret!", 0);
	CHECK(vars_is_secret(&vs, "PASSWORD"));
	r = vars_redact(&vs, "old hunter2 new s3cret!");
	CHECK_STR(r, "old ******** new ********");
	free(r);
	r = vars_redact(&vs, "nothing to hide");
	CHECK_STR(r, "nothing to hide");
	free(r);
	vars_release(&vs);
}

static int	refs_seen;

static void
count_ref(void *ctx, const char *name, size_t off)
{
	(void)ctx;
	(void)off;
	if (strcmp(name, "A") == 0 || strcmp(name, "b-2") == 0)
		refs_seen++;
}

static void
test_scan_refs(void)
{
	refs_seen = 0;
	vars_scan_refs("%A% and %%not%% and %b-2% 50% %", count_ref, NULL);
	CHECK_INT(refs_seen, 2);
}

static void
test_text_and_bounds(void)
{
	struct vars	 vs;
	char		 name[32], big[4001];
	int		 i;

	vars_init(&vs);
	/* bytes that are not UTF-8 become U+FFFD; valid ones are kept */
	vars_set(&vs, "T", "ok \xc3\xa9 \xff \xc0\xaf \xed\xa0\x80 \xf0\x9f\x98\x80", 0);
	CHECK_STR(vars_get(&vs, "T"), "ok \xc3\xa9 \xef\xbf\xbd \xef\xbf\xbd\xef\xbf\xbd "
	    "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd \xf0\x9f\x98\x80");
	/* the environment is bounded */
	memset(big, 'x', 4000);
	big[4000] = '\0';
	for (i = 0; i < 1048; i++) {
		snprintf(name, sizeof name, "V%d", i);
		CHECK_INT(vars_set(&vs, name, big, 0), VARS_OK);
	}
	CHECK_INT(vars_set(&vs, "OneMore", big, 0), VARS_FULL);
	CHECK_INT(vars_set(&vs, "V1", "", 0), VARS_OK);	/* deleting frees room */
	CHECK_INT(vars_set(&vs, "OneMore", big, 0), VARS_OK);
	vars_release(&vs);
}

UNIT_SUITE(vars_tests) = {
	UNIT_TEST(text_and_bounds),
	UNIT_TEST(expand_rules),
	UNIT_TEST(expand_cap),
	UNIT_TEST(names_and_values),
	UNIT_TEST(redaction),
	UNIT_TEST(scan_refs),
	{ NULL, NULL },
};
