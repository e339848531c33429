/*
 * conditions.c - ConfigMgr's <condition> trees as tsi conditions
 * (sccm-spec.md 1.3 and 5.2).
 *
 * A <condition> holds operands that must all hold; <operator type="and|or|
 * not"> nests them (not: none of them holds); expressions test a variable,
 * a file, a folder, the registry, WMI or installed software, and
 * <osConditionGroup> the Windows version.  Variables, files, folders and
 * their dates map to tsi tests; what tsi cannot test on Linux becomes an
 * `unported` test that keeps the expression's type and fields and fails
 * its node when evaluated.
 */
#include "import-int.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../interp/cond.h"
#include "../interp/vars.h"

#define EXPR_PREFIX	"SMS_TaskSequence_"

static const struct {
	const char	*configmgr;
	const char	*tsi;
} operators[] = {
	{ "equals", "equals" }, { "notEquals", "not_equals" }, { "less", "less" },
	{ "lessEqual", "less_equal" }, { "greater", "greater" },
	{ "greaterEqual", "greater_equal" },
};

static const char *
tsi_operator(const char *op)
{
	size_t	i;

	for (i = 0; op != NULL && i < ARRAY_SIZE(operators); i++)
		if (str_ieq(op, operators[i].configmgr))
			return operators[i].tsi;
	return NULL;
}

/* {unported: {type, properties}}, with every field of the expression. */
static struct yv *
unported(const struct xml_elem *e, const char *type)
{
	struct yv	*c = yv_map(), *u = yv_set(c, "unported", yv_map()), *props;
	size_t		 i;

	yv_block(c);
	yv_set(u, "type", yv_str(type));
	props = yv_map();
	for (i = 0; i < e->n; i++) {
		const char *name = xml_attr(e->kids[i], "name");

		if (strcmp(e->kids[i]->name, "variable") == 0 && name != NULL &&
		    yv_get(props, name) == NULL)	/* a field given twice: the first */
			yv_set(props, name, yv_str(e->kids[i]->text));
		else if (strcmp(e->kids[i]->name, "osExpressionGroup") == 0)
			yv_set(props, "name", yv_str(name ? name : ""));
	}
	if (yv_len(props) > 0)
		yv_set(u, "properties", props);
	else
		yv_free(props);
	return c;
}

/* ConfigMgr's like: % any text, _ one character; tsi's like is a glob. */
static char *
like_to_glob(const char *s, int *changed)
{
	struct buf	b = BUF_INIT;

	*changed = 0;
	for (; *s != '\0'; s++) {
		switch (*s) {
		case '%':	buf_addch(&b, '*'); *changed = 1; break;
		case '_':	buf_addch(&b, '?'); *changed = 1; break;
		case '*':	buf_adds(&b, "[*]"); break;
		case '?':	buf_adds(&b, "[?]"); break;
		case '[':	buf_adds(&b, "[[]"); break;
		case '\\':	buf_adds(&b, "\\\\"); break;	/* \ is fnmatch's escape */
		default:	buf_addch(&b, *s); break;
		}
	}
	return b.data ? buf_detach(&b) : xstrdup("");
}

static struct yv *
variable_test(struct conv *c, const struct xml_elem *e, const char *node,
    enum conv_result *r, struct notes *why)
{
	const char	*var = field(e, "Variable"), *op = field(e, "Operator");
	const char	*value = field(e, "Value"), *tsi_op;
	char		*name = trimmed(var);
	struct yv	*y = yv_map(), *like;
	int		 changed;

	(void)c;
	(void)node;
	if (*name == '\0' || var_name_problem(name) != NULL) {
		notes_add(why, "'%s' is not a variable name tsi knows", name);
		*r = CONV_NONE;
		goto none;
	}
	yv_set(y, "variable", yv_str(name));
	if (op != NULL && (str_ieq(op, "exists") || str_ieq(op, "notExists"))) {
		yv_set(y, "exists", yv_bool(str_ieq(op, "exists")));
		goto done;
	}
	if (value == NULL)
		value = "";
	if ((tsi_op = tsi_operator(op)) != NULL) {
		yv_set(y, tsi_op, yv_str(value));
		goto done;
	}
	if (op != NULL && (str_ieq(op, "like") || str_ieq(op, "notLike"))) {
		char *glob = like_to_glob(value, &changed);

		yv_set(y, "like", yv_str(glob));
		free(glob);
		notes_add(why, "like '%s': ConfigMgr's wildcards (%% and _) read as "
		    "a glob (* and ?)", value);
		*r = CONV_APPROX;
		if (str_ieq(op, "notLike")) {
			like = y;
			y = yv_map();
			yv_push(yv_set(y, "none", yv_list()), like);
		}
		goto done;
	}
	notes_add(why, "operator '%s' is not one ConfigMgr has", op ? op : "");
	*r = CONV_NONE;
none:
	yv_free(y);
	free(name);
	return unported(e, EXPR_PREFIX "VariableConditionExpression");
done:
	free(name);
	return y;
}

/* "20210301000000.000000+000" (WMI's time: local, and its offset from UTC
 * in minutes) or an ISO date, as UTC "YYYY-MM-DDTHH:MM:SSZ" (caller frees);
 * NULL when it is neither. */
static char *
utc_time(const char *s)
{
	char		*t = trimmed(s), iso[64];
	long long	 when;
	int		 y, mo, d, h, mi, sec, off = 0;
	time_t		 tt;
	struct tm	 tm;

	if (strlen(t) >= 14 && strspn(t, "0123456789") >= 14 &&
	    sscanf(t, "%4d%2d%2d%2d%2d%2d", &y, &mo, &d, &h, &mi, &sec) == 6) {
		const char *p = t + 14;

		if (*p == '.')
			p += 1 + strspn(p + 1, "0123456789");
		if ((*p == '+' || *p == '-') && strspn(p + 1, "0123456789") == 3 &&
		    p[4] == '\0')
			off = (*p == '-' ? -1 : 1) * atoi(p + 1);
		else if (*p != '\0') {
			free(t);
			return NULL;
		}
		if (off < -1440 || off > 1440) {
			free(t);
			return NULL;
		}
		snprintf(iso, sizeof iso, "%04d-%02d-%02dT%02d:%02d:%02dZ", y, mo, d, h,
		    mi, sec);
		if (parse_utc_time(iso, &when) == -1) {
			free(t);
			return NULL;
		}
		when -= (long long)off * 60;
	} else if (parse_utc_time(t, &when) == -1) {
		free(t);
		return NULL;
	}
	free(t);
	tt = (time_t)when;
	if (gmtime_r(&tt, &tm) == NULL)
		return NULL;
	strftime(iso, sizeof iso, "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (parse_utc_time(iso, &when) == -1 || tm.tm_year + 1900 < 1 ||
	    tm.tm_year + 1900 > 9999)	/* the offset left years 1-9999 */
		return NULL;
	return xstrdup(iso);
}

/* File (Path, Version, DateTime) and Folder (Path, DateTime). */
static struct yv *
path_test(const struct xml_elem *e, int folder, enum conv_result *r,
    struct notes *why)
{
	const char	*path = field(e, "Path"), *version = field(e, "Version");
	const char	*when = field(e, "DateTime"), *when_op = field(e, "DateTimeOperator");
	const char	*type = folder ? EXPR_PREFIX "FolderConditionExpression" :
			    EXPR_PREFIX "FileConditionExpression";
	char		*p = trimmed(path), *utc = NULL;
	struct yv	*y;

	if (*p == '\0') {
		notes_add(why, "no Path");
		*r = CONV_NONE;
		free(p);
		return unported(e, type);
	}
	if (!folder && version != NULL && *version != '\0') {
		notes_add(why, "a file version test (Version %s %s): tsi cannot read "
		    "a Windows file's version", field(e, "VersionOperator") ?
		    field(e, "VersionOperator") : "", version);
		*r = CONV_NONE;
		free(p);
		return unported(e, type);
	}
	y = yv_map();
	if (when != NULL && *when != '\0') {
		const char *op = tsi_operator(when_op);

		if (op == NULL || (utc = utc_time(when)) == NULL) {
			notes_add(why, "DateTime %s %s is not a time tsi reads",
			    when_op ? when_op : "", when);
			*r = CONV_NONE;
			free(p);
			yv_free(y);
			return unported(e, type);
		}
		yv_set(y, folder ? "folder_modified" : "file_modified", yv_str(p));
		yv_set(y, op, yv_str(utc));
		free(utc);
	} else
		yv_set(y, folder ? "folder_exists" : "file_exists", yv_str(p));
	if (windows_path(p)) {
		notes_add(why, "'%s' is a Windows path: port it to a path under "
		    "--root", p);
		*r = CONV_APPROX;
	}
	free(p);
	return y;
}

/* "All x64 Windows 10 and higher": {os: {id: windows, version_at_least: "10"}}. */
static struct yv *
os_group(const struct xml_elem *e, enum conv_result *r, struct notes *why)
{
	struct yv	*list = yv_list(), *y;
	const char	*type = xml_attr(e, "type");
	size_t		 i;

	for (i = 0; i < e->n; i++) {
		const char	*name = xml_attr(e->kids[i], "name");
		const char	*w;
		struct yv	*os, *test;

		if (strcmp(e->kids[i]->name, "osExpressionGroup") != 0)
			continue;
		if (name == NULL)
			name = xml_attr(e->kids[i], "Name");
		test = yv_push(list, yv_map());
		os = yv_set(test, "os", yv_map());
		yv_set(os, "id", yv_str("windows"));
		if (name != NULL && (w = strcasestr(name, "Windows ")) != NULL &&
		    isdigit((unsigned char)w[8])) {
			char *v = xstrndup(w + 8, strspn(w + 8, "0123456789."));

			yv_set(os, "version_at_least", yv_str(v));
			free(v);
		}
	}
	notes_add(why, "a Windows platform test (%s): tsi reads os-release, which "
	    "never says windows; port it to your distribution, e.g. {os: {id: "
	    "debian, version_at_least: \"12\"}}", yv_len(list) ? "kept as os: "
	    "{id: windows}" : "no platform named");
	*r = CONV_APPROX;
	y = yv_map();
	yv_set(y, type != NULL && str_ieq(type, "and") ? "all" : "any", list);
	return y;
}

static struct yv *operand(struct conv *, const struct xml_elem *, const char *node);

/* The operands of e (a <condition> or an <operator>) as a list. */
static struct yv *
operands(struct conv *c, const struct xml_elem *e, const char *node)
{
	struct yv	*list = yv_list(), *y;
	size_t		 i;

	for (i = 0; i < e->n; i++)
		if ((y = operand(c, e->kids[i], node)) != NULL)
			yv_push(list, y);
	return list;
}

static struct yv *
operand(struct conv *c, const struct xml_elem *e, const char *node)
{
	struct notes		 why = { 0 };
	enum conv_result	 r = CONV_EXACT;
	const char		*type = xml_attr(e, "type");
	struct yv		*y;
	char			*text, *label;

	if (type == NULL)
		type = "";
	size_t			 before = c->unported_tests;

	if (strcmp(e->name, "operator") == 0) {
		const char *key = str_ieq(type, "and") ? "all" : str_ieq(type, "or") ?
		    "any" : str_ieq(type, "not") ? "none" : NULL;

		if (key == NULL) {
			notes_add(&why, "operator type '%s' is not and, or or not", type);
			r = CONV_NONE;
			y = unported(e, EXPR_PREFIX "ConditionOperator");
		} else {
			y = yv_map();
			yv_set(y, key, operands(c, e, node));
		}
		label = xasprintf("%s, on '%s'", type, node);
	} else if (strcmp(e->name, "osConditionGroup") == 0) {
		y = os_group(e, &r, &why);
		label = xasprintf("operating system, on '%s'", node);
	} else if (strcmp(e->name, "expression") == 0) {
		const char *t = strncmp(type, EXPR_PREFIX, strlen(EXPR_PREFIX)) == 0 ?
		    type + strlen(EXPR_PREFIX) : type;

		if (strcmp(t, "VariableConditionExpression") == 0)
			y = variable_test(c, e, node, &r, &why);
		else if (strcmp(t, "FileConditionExpression") == 0)
			y = path_test(e, 0, &r, &why);
		else if (strcmp(t, "FolderConditionExpression") == 0)
			y = path_test(e, 1, &r, &why);
		else {
			notes_add(&why, "%s: tsi cannot test %s on Linux; port it to "
			    "a variable, file, os or lua condition", type,
			    strstr(t, "WMI") ? "a WMI query" : strstr(t, "Registry") ?
			    "the registry" : strstr(t, "Software") ?
			    "installed Windows software" : "this");
			r = CONV_NONE;
			y = unported(e, type);
		}
		if (strcmp(t, "VariableConditionExpression") == 0) {
			const char	*op = field(e, "Operator") ? field(e, "Operator") : "";
			char		*value = trimmed(field(e, "Value"));

			label = xasprintf("%s %s%s%s, on '%s'", field(e, "Variable") ?
			    field(e, "Variable") : "", op, strcasestr(op, "exists") ?
			    "" : " ", strcasestr(op, "exists") ? "" : value, node);
			free(value);
		}
		else if (strcmp(t, "FileConditionExpression") == 0 ||
		    strcmp(t, "FolderConditionExpression") == 0)
			label = xasprintf("%s %s, on '%s'", t[1] == 'i' ? "file" : "folder",
			    field(e, "Path") ? field(e, "Path") : "", node);
		else
			label = xasprintf("%s, on '%s'", t, node);
	} else {
		notes_add(&why, "<%s> is not an operand ConfigMgr has", e->name);
		r = CONV_NONE;
		y = unported(e, e->name);
		label = xasprintf("<%s>, on '%s'", e->name, node);
	}
	if (r == CONV_NONE)
		c->unported_tests = before + 1;
	notes_comment(&why, y);
	text = notes_join(&why);
	conv_item(c, r, CK_CONDITION, label, e, text);
	free(text);
	free(label);
	notes_release(&why);
	return y;
}

struct yv *
convert_condition(struct conv *c, const struct xml_elem *cond, const char *node)
{
	struct yv	*list = operands(c, cond, node), *one;

	if (yv_len(list) == 0) {	/* <condition></condition>: always true */
		yv_free(list);
		return NULL;
	}
	if (yv_len(list) == 1) {
		one = yv_list_take(list, 0);
		yv_free(list);
		return one;
	}
	one = yv_map();
	yv_set(one, "all", list);
	return one;
}
