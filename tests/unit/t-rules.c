/* t-rules.c - path globs and the precedence of migration rules */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../migrate/migrate.h"
#include "unit.h"

static void
test_glob(void)
{
	CHECK(glob_match("Documents/**", "Documents/a.txt"));
	/* empty components between slashes count (fuzz-rules found the
	 * overflow): more components than half the length */
	CHECK(glob_match("**/x", "a//////////x"));
	CHECK(!glob_match("**/y", "//////////////x"));
	CHECK(glob_match("Documents/**", "Documents/x/y/z"));
	CHECK(!glob_match("Documents/**", "Documents"));
	CHECK(!glob_match("Documents/**", "Documentsx/a"));
	CHECK(glob_match("**/*.tmp", "a.tmp"));
	CHECK(glob_match("**/*.tmp", "x/y/a.tmp"));
	CHECK(!glob_match("**/*.tmp", "x/y/a.tmpx"));
	CHECK(glob_match("a/**/b", "a/b"));
	CHECK(glob_match("a/**/b", "a/x/y/b"));
	CHECK(!glob_match("a/**/b", "a/xb"));
	CHECK(glob_match(".config/k*rc", ".config/kwinrc"));
	CHECK(!glob_match(".config/k*rc", ".config/x/kwinrc"));	/* * stays in one folder */
	CHECK(glob_match("?.txt", "a.txt"));
	CHECK(!glob_match("?.txt", "/.txt"));
	CHECK(glob_match("[a-c]x", "bx"));
	CHECK(!glob_match("[!a-c]x", "bx"));
	CHECK(glob_match("a\\*b", "a*b"));
	CHECK(!glob_match("a\\*b", "axb"));
	CHECK(glob_match("**", "anything/at/all"));
	CHECK(glob_match("a*", "a") && glob_match("*b", "b") && glob_match("*", "x"));
	CHECK(glob_match("a*b*c", "aXbYbZc") && !glob_match("a*b*c", "aXbYbZ"));
	CHECK(glob_match("**/x/**/y", "x/y") && glob_match("**/x/**/y", "p/x/q/r/y"));
	CHECK(!glob_match("**/x/**/y", "p/x/q/r/y/z"));
}

/* Patterns that made a backtracking matcher take exponential time finish
 * at once (fuzz-rules found the first): no timing, the harness hangs if not. */
static void
test_glob_no_backtracking_blowup(void)
{
	char	s[200];

	memset(s, 'a', sizeof s - 1);
	s[sizeof s - 1] = '\0';
	CHECK(!glob_match("*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*[b]", s));
	CHECK(glob_match("*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a", s));
	CHECK(!glob_match("**/**/**/**/**/**/**/**/**/**/**/**/b",
	    "a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/c"));
}

static void
test_glob_problems(void)
{
	CHECK(glob_problem("Documents/**") == NULL);
	CHECK(glob_problem("") != NULL);
	CHECK(glob_problem("/etc/**") != NULL);
	CHECK(glob_problem("../x") != NULL);
	CHECK(glob_problem("a/**b") != NULL);
	CHECK(glob_problem("a/[bc") != NULL);
	CHECK(glob_problem("a/***/b") != NULL);
	CHECK(glob_problem("*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*") != NULL);
}

static const char *
decide(const struct ruleset *rs, const char *rel)
{
	struct rule_decision	d;

	rules_decide(rs, rel, &d);
	if (d.by == NULL)
		return "none";
	return d.included ? d.by->pattern : "excluded";
}

static void
test_precedence(void)
{
	char		 path[] = "/tmp/tsi-unit-rules.XXXXXX";
	char		 file[64];
	const char	*names[1];
	struct ruleset	 rs;
	struct diag	 d;
	FILE		*fp;

	if (getenv("TSI_RULES_DIR") == NULL && getenv("TSI_TOP") != NULL) {
		char *dir = xasprintf("%s/rules", getenv("TSI_TOP"));

		setenv("TSI_RULES_DIR", dir, 1);
		free(dir);
	}
	CHECK(mkdtemp(path) != NULL);
	snprintf(file, sizeof file, "%s/p.yaml", path);
	fp = fopen(file, "w");
	fputs("name: p\n"
	    "components:\n"
	    "  - name: Data\n"
	    "    include: [\"~/Data/**\"]\n"
	    "    exclude: [\"~/**/*.mp3\", \"~/Data/**/*.iso\"]\n"
	    "  - name: Music\n"
	    "    include: [\"~/Data/Music/**\"]\n"
	    "  - name: Excludes only\n"
	    "    exclude: [\"~/Data/keep.txt\"]\n"
	    "unconditional_exclude: [\"~/Data/secret/**\"]\n", fp);
	fclose(fp);
	names[0] = file;
	diag_init(&d);
	CHECK(rules_load(&rs, names, 1, &d) == 0);
	/* folder specificity beats file-name specificity (USMT's C:\\Data\\* vs *.mp3) */
	CHECK_STR(decide(&rs, "Data/song.mp3"), "~/Data/**");
	/* same folder specificity: the file name decides */
	CHECK_STR(decide(&rs, "Data/disk.iso"), "excluded");
	/* another component includes what this one excludes */
	CHECK_STR(decide(&rs, "Data/Music/x.iso"), "~/Data/Music/**");
	/* unconditional beats every include */
	CHECK_STR(decide(&rs, "Data/secret/a.txt"), "excluded");
	/* a component without includes excludes nothing */
	CHECK_STR(decide(&rs, "Data/keep.txt"), "~/Data/**");
	CHECK_STR(decide(&rs, "Other/file"), "none");
	/* the shipped exclusions always apply */
	CHECK_STR(decide(&rs, ".cache/Data/x"), "excluded");
	CHECK(rules_folder_excluded(&rs, "Data/secret"));
	CHECK(!rules_folder_excluded(&rs, "Data"));
	rules_release(&rs);
	diag_release(&d);
	unlink(file);
	rmdir(path);
}

UNIT_SUITE(rules_tests) = {
	UNIT_TEST(glob),
	UNIT_TEST(glob_no_backtracking_blowup),
	UNIT_TEST(glob_problems),
	UNIT_TEST(precedence),
	{ NULL, NULL },
};

static void
test_usmt_switches(void)
{
	struct usmt_opts	o;
	char			*err = NULL;

	CHECK(usmt_parse(USMT_CAPTURE, "/ue:*\\* /ui:\"PC1\\john smith\" /c /v:5 /o", &o, &err) == 0);
	CHECK_INT(o.nue, 1);
	CHECK_STR(o.ui[0], "PC1\\john smith");
	CHECK_INT(o.verbose, 5);
	CHECK(o.c && o.o);
	/* /ui beats /ue */
	CHECK(usmt_user_selected(&o, "pc1", "John Smith", -1, NULL));
	CHECK(!usmt_user_selected(&o, "pc1", "alice", -1, NULL));
	usmt_release(&o);
	CHECK(usmt_parse(USMT_CAPTURE, "/uel:30 /ue:bob", &o, &err) == 0);
	/* /uel beats /ue */
	CHECK(usmt_user_selected(&o, "pc1", "bob", 3, NULL));
	CHECK(!usmt_user_selected(&o, "pc1", "alice", 90, NULL));
	usmt_release(&o);
	CHECK(usmt_parse(USMT_RESTORE, "/mu:old:new /lac:Pa55 /lae", &o, &err) == 0);
	CHECK_STR(o.mu[0].from, "old");
	CHECK_STR(o.mu[0].to, "new");
	CHECK_STR(o.lac_password, "Pa55");
	usmt_release(&o);

#define REFUSED(tool, text, want) do {					\
	err = NULL;							\
	CHECK(usmt_parse(tool, text, &o, &err) == -1);			\
	CHECK(err != NULL && strstr(err, want) != NULL);		\
	if (err && !strstr(err, want))					\
		fprintf(stderr, "    # got '%s'\n", err);		\
	free(err);							\
} while (0)
	REFUSED(USMT_CAPTURE, "/all /ue:x", "cannot be combined");
	REFUSED(USMT_CAPTURE, "/hardlink", "needs '/nocompress'");
	REFUSED(USMT_RESTORE, "/lae", "needs '/lac'");
	REFUSED(USMT_CAPTURE, "/listfiles:x /p", "cannot be combined with '/p'");
	REFUSED(USMT_CAPTURE, "/c /c", "given twice");
	REFUSED(USMT_CAPTURE, "/mu:a:b", "is a restore switch");
	REFUSED(USMT_RESTORE, "/vsc", "unknown USMT switch '/vsc'");
	REFUSED(USMT_CAPTURE, "/v:99", "from 0 to 13");
	REFUSED(USMT_CAPTURE, "/uel:soon", "days or YYYY/MM/DD");
	REFUSED(USMT_RESTORE, "/mu:*:x", "without wildcards");
	REFUSED(USMT_CAPTURE, "ui:x", "not a USMT switch");
}

UNIT_SUITE(usmt_tests) = {
	UNIT_TEST(usmt_switches),
	{ NULL, NULL },
};
