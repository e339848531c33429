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
	UNIT_TEST(glob_problems),
	UNIT_TEST(precedence),
	{ NULL, NULL },
};
