/* t-xml.c - the XML reader: the tree, positions, entities, encodings,
 * refusals (DTD, entities, limits) and the messages a user sees */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../lib/util.h"
#include "../../lib/xml.h"
#include "unit.h"

#define DTD_REFUSED	"a document type declaration (DTD) is not accepted: " \
			"tsi import reads task sequences, which have none"

/* The one error of reading buf as name: "LINE:COL: message" (static). */
static const char *
mem_error(const char *name, const char *buf, size_t len)
{
	static char	 msg[1024];
	struct diag	 d;
	struct xml_elem	*root;

	diag_init(&d);
	root = xml_read_mem(name, buf, len, &xml_ts_limits, &d);
	if (root != NULL || d.n != 1 || d.nerrors != 1)
		snprintf(msg, sizeof msg, "root %p, %zu diagnostics", (void *)root, d.n);
	else
		snprintf(msg, sizeof msg, "%d:%d: %s", d.items[0].loc.line,
		    d.items[0].loc.col, d.items[0].msg);
	xml_free(root);
	diag_release(&d);
	return msg;
}

static const char *
str_error(const char *name, const char *text)
{
	return mem_error(name, text, strlen(text));
}

/* The whole text of the one error of reading a file (static). */
static const char *
file_error(const char *path)
{
	static char	 msg[1024];
	struct diag	 d;
	struct xml_elem	*root;
	char		*text;

	diag_init(&d);
	root = xml_read_file(path, &xml_ts_limits, &d);
	if (root != NULL || d.n != 1)
		snprintf(msg, sizeof msg, "root %p, %zu diagnostics", (void *)root, d.n);
	else {
		text = diag_text(&d);
		snprintf(msg, sizeof msg, "%s", text);
		free(text);
	}
	xml_free(root);
	diag_release(&d);
	return msg;
}

static void
test_task_sequence(void)
{
	const char	*text =
	    "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
	    "<sequence version=\"3.00\" name=\"Demo\">\n"
	    "  <globalVarList>\n"
	    "    <variable name=\"OSDComputerName\" property=\"\">PC&amp;1</variable>\n"
	    "  </globalVarList>\n"
	    "  <group name=\"Init\" disable=\"false\" description=\"\">\n"
	    "    <step type=\"SMS_TaskSequence_SetVariableAction\" name=\"Set &lt;A&gt;\">\n"
	    "      <action><![CDATA[cmd /c echo <hi> & bye]]></action>\n"
	    "      <!-- a comment --><?pi dropped?>\n"
	    "      <q:x xmlns:q=\"urn:q\" q:a=\"1\"/>\n"
	    "    </step>\n"
	    "  </group>\n"
	    "</sequence>\n";
	struct diag	 d;
	struct xml_elem	*root, *var, *group, *step, *action, *x;

	diag_init(&d);
	root = xml_read_mem("ts.xml", text, strlen(text), &xml_ts_limits, &d);
	CHECK(root != NULL);
	CHECK_INT(d.n, 0);
	if (root == NULL)
		goto out;
	CHECK_STR(root->name, "sequence");
	CHECK(root->parent == NULL);
	CHECK_INT(root->n, 2);
	CHECK_INT(root->nattrs, 2);
	CHECK_STR(xml_attr(root, "version"), "3.00");
	CHECK_STR(xml_attr(root, "name"), "Demo");
	CHECK(xml_attr(root, "Name") == NULL);
	/* positions: where libxml2 stands at the start tag, its '>' */
	CHECK_STR(root->loc.file, "ts.xml");
	CHECK_INT(root->loc.line, 2);
	CHECK_INT(root->loc.col, 37);
	/* the whitespace between kids is the parent's text, kept */
	CHECK_STR(root->text, "\n  \n  \n");

	var = xml_child(xml_child(root, "globalVarList"), "variable");
	CHECK(var != NULL);
	CHECK_STR(var ? var->text : NULL, "PC&1");
	CHECK_STR(xml_attr(var, "property"), "");
	CHECK_INT(var ? var->loc.line : 0, 4);
	CHECK_INT(var ? var->loc.col : 0, 49);
	CHECK(var != NULL && var->parent == root->kids[0]);

	group = xml_child(root, "group");
	step = xml_child(group, "step");
	CHECK(step != NULL && step->parent == group && group->parent == root);
	CHECK_STR(xml_attr(step, "name"), "Set <A>");
	CHECK_INT(step ? step->loc.line : 0, 7);
	CHECK_INT(step ? step->n : 0, 2);	/* comments and PIs dropped */
	action = xml_child(step, "action");
	CHECK_STR(action ? action->text : NULL, "cmd /c echo <hi> & bye");
	CHECK_INT(action ? action->loc.line : 0, 8);
	CHECK_INT(action ? action->loc.col : 0, 14);
	CHECK(action != NULL && action->n == 0 && action->nattrs == 0);
	/* namespace prefixes dropped, xmlns declarations are no attributes */
	x = xml_child(step, "x");
	CHECK(x != NULL && x->nattrs == 1);
	CHECK_STR(xml_attr(x, "a"), "1");
	CHECK_STR(x ? x->text : NULL, "");
	CHECK(xml_child(root, "nothing") == NULL);
	CHECK(xml_child(NULL, "x") == NULL && xml_attr(NULL, "x") == NULL);
out:
	xml_free(root);
	xml_free(NULL);
	diag_release(&d);
}

static void
test_entities(void)
{
	const char	*text =
	    "<a b=\"x&amp;y&#65;\" c=\"&#38;&#x26;&amp;#38;&lt;&gt;&quot;&apos;\""
	    " d='a&#9;b&#10;c'>&lt;&gt;&amp;&apos;&quot;&#10;&#x41;&#233;&#x1F600;"
	    "<![CDATA[&amp;]]></a>";
	struct diag	 d;
	struct xml_elem	*root;

	diag_init(&d);
	root = xml_read_mem("ent.xml", text, strlen(text), &xml_ts_limits, &d);
	CHECK(root != NULL);
	CHECK_STR(xml_attr(root, "b"), "x&yA");
	/* libxml2 hands '&' over as "&#38;" (no entity substitution): decoded */
	CHECK_STR(xml_attr(root, "c"), "&&&#38;<>\"'");
	CHECK_STR(xml_attr(root, "d"), "a\tb\nc");
	CHECK_STR(root ? root->text : NULL, "<>&'\"\nA\xc3\xa9\xf0\x9f\x98\x80&amp;");
	xml_free(root);
	diag_release(&d);
}

static void
test_encodings(void)
{
	/* UTF-16LE and BE with a BOM, an é in an attribute */
	const char	 le[] = "\xff\xfe<\0a\0 \0x\0=\0\"\0\xe9\0\"\0>\0t\0<\0/\0a\0>\0\n\0";
	const char	 be[] = "\xfe\xff\0<\0a\0>\0\n\0<\0b\0/\0>\0<\0/\0a\0>";
	const char	*bom8 = "\xef\xbb\xbf<a>bom</a>";
	const char	*crlf = "<?xml version=\"1.0\"?>\r\n<a>\r\n  <b x=\"1\"/>\r\n"
	    "  <c>t\r\nu</c>\r\n</a>\r\n";
	const char	*decl = "<?xml version='1.0' encoding='UTF-8' standalone='yes'?><a/>";
	const char	 be16[] = "\0<\0?\0x\0m\0l\0 \0v\0e\0r\0s\0i\0o\0n\0=\0'\0001\0.\0000\0'"
	    "\0 \0e\0n\0c\0o\0d\0i\0n\0g\0=\0'\0U\0T\0F\0-\0001\0006\0L\0E\0'\0?\0>"
	    "\0<\0a\0/\0>";
	const char	*win = "<?xml version=\"1.0\" encoding=\"windows-1252\"?><a>\x80</a>";
	const char	*latin1 = "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a>caf\xe9</a>";
	struct diag	 d;
	struct xml_elem	*root;

	diag_init(&d);
	root = xml_read_mem("le.xml", le, sizeof le - 1, &xml_ts_limits, &d);
	CHECK(root != NULL);
	CHECK_STR(xml_attr(root, "x"), "\xc3\xa9");
	CHECK_STR(root ? root->text : NULL, "t");
	xml_free(root);
	root = xml_read_mem("be.xml", be, sizeof be - 1, &xml_ts_limits, &d);
	CHECK(root != NULL && root->n == 1);
	CHECK_INT(root && root->n ? root->kids[0]->loc.line : 0, 2);
	xml_free(root);
	root = xml_read_mem("bom8.xml", bom8, strlen(bom8), &xml_ts_limits, &d);
	CHECK_STR(root ? root->text : NULL, "bom");
	xml_free(root);
	/* CRLF: lines counted once, text gets "\n" */
	root = xml_read_mem("crlf.xml", crlf, strlen(crlf), &xml_ts_limits, &d);
	CHECK(root != NULL && root->n == 2);
	if (root != NULL && root->n == 2) {
		CHECK_INT(root->kids[0]->loc.line, 3);
		CHECK_INT(root->kids[0]->loc.col, 11);
		CHECK_INT(root->kids[1]->loc.line, 4);
		CHECK_STR(root->kids[1]->text, "t\nu");
	}
	xml_free(root);
	root = xml_read_mem("decl.xml", decl, strlen(decl), &xml_ts_limits, &d);
	CHECK(root != NULL);
	xml_free(root);
	root = xml_read_mem("latin1.xml", latin1, strlen(latin1), &xml_ts_limits, &d);
	CHECK_STR(root ? root->text : NULL, "caf\xc3\xa9");
	xml_free(root);
	root = xml_read_mem("win.xml", win, strlen(win), &xml_ts_limits, &d);
	CHECK_STR(root ? root->text : NULL, "\xe2\x82\xac");
	xml_free(root);
	CHECK_INT(d.n, 0);
	diag_release(&d);

	CHECK_STR(str_error("u8.xml", "<a>\xc3\x28</a>"), "1:4: XML: Input is not "
	    "proper UTF-8, indicate encoding ! Bytes: 0xC3 0x28 0x3C 0x2F");
	CHECK_STR(str_error("lie.xml", "<?xml version=\"1.0\" encoding=\"UTF-16\"?><a/>"),
	    "1:38: XML: Document labelled UTF-16 but has UTF-8 content");
	/* encodings the count of start tags cannot follow (xml-int.h) */
	CHECK_STR(str_error("bogus.xml", "<?xml version=\"1.0\" encoding=\"x-bogus\"?><a/>"),
	    "1:31: XML: the encoding 'x-bogus' is not accepted: tsi import reads "
	    "UTF-8, UTF-16 and 8-bit encodings (ISO-8859-*, windows-125*)");
	CHECK_STR(str_error("jp.xml", "<?xml version=\"1.0\"\n  encoding = 'ISO-2022-JP' ?>"
	    "<a x=\"\x1b$B4A\x1b(B\"/>"),
	    "2:15: XML: the encoding 'ISO-2022-JP' is not accepted: tsi import "
	    "reads UTF-8, UTF-16 and 8-bit encodings (ISO-8859-*, windows-125*)");
	/* a UTF-16LE label turns libxml2 to little-endian mid-file */
	CHECK_STR(mem_error("swap.xml", be16, sizeof be16 - 1),
	    "1:31: XML: the encoding 'UTF-16LE' is not the document's: its first "
	    "bytes say UTF-16BE");
	CHECK_STR(mem_error("u8le.xml", "<?xml version='1.0' encoding='utf-16le'?><a/>", 45),
	    "1:31: XML: the encoding 'utf-16le' is not the document's: its first "
	    "bytes say UTF-8 or 8-bit");
	CHECK_STR(mem_error("lelatin.xml", "\xff\xfe<\0?\0x\0m\0l\0 \0e\0n\0c\0o\0d\0i\0n"
	    "\0g\0=\0'\0l\0a\0t\0i\0n\0001\0'\0?\0>\0<\0a\0/\0>\0", 60),
	    "1:17: XML: the encoding 'latin1' is not the document's: its first "
	    "bytes say UTF-16LE");
	CHECK_STR(mem_error("ucs4.xml", "<\0\0\0?\0\0\0", 8),
	    "1:1: XML: UCS-4 documents are not accepted: tsi import reads UTF-8, "
	    "UTF-16 and 8-bit encodings (ISO-8859-*, windows-125*)");
	CHECK_STR(mem_error("ebcdic.xml", "\x4c\x6f\xa7\x94\x93\x40", 6),
	    "1:1: XML: EBCDIC documents are not accepted: tsi import reads UTF-8, "
	    "UTF-16 and 8-bit encodings (ISO-8859-*, windows-125*)");
	/* a lone surrogate in UTF-16: the converter's error, not stderr's */
	CHECK_STR(mem_error("sur.xml", "\xff\xfe<\0a\0>\0\0\xd8<\0", 12),
	    "1:1: XML: input conversion failed due to input error, bytes 0x00 "
	    "0xD8 0x3C 0x00");
}

/* A 40 KB document on one line, as ConfigMgr exports them. */
static void
test_one_line(void)
{
	struct buf	 b;
	struct diag	 d;
	struct xml_elem	*root;
	char		*text, *quote, *caret, *nl;
	size_t		 i, col = 0;

	buf_init(&b, 0);
	buf_adds(&b, "<sequence version=\"3.10\">");
	for (i = 0; i < 700; i++) {
		buf_addf(&b, "<step type=\"SMS_A\" name=\"Step %zu\"", i);
		col = b.len + 1;	/* the '>' */
		buf_adds(&b, "><action>x</action></step>");
	}
	buf_adds(&b, "</sequence>");
	CHECK(b.len > 40000);
	diag_init(&d);
	root = xml_read_mem("line.xml", b.data, b.len, &xml_ts_limits, &d);
	CHECK(root != NULL && root->n == 700);
	CHECK_INT(root ? root->kids[699]->loc.col : 0, col);
	CHECK_INT(root ? root->kids[699]->loc.line : 0, 1);
	xml_free(root);
	diag_release(&d);

	/* an error in the middle: the quote is the part around the column */
	buf_reset(&b);
	buf_adds(&b, "<sequence version=\"3.10\">");
	for (i = 0; i < 1000; i++)
		buf_addf(&b, "<step name=\"Step %zu\">%s</step>", i, i == 500 ? "&bogus;" : "");
	buf_adds(&b, "</sequence>");
	diag_init(&d);
	CHECK(xml_read_mem("line2.xml", b.data, b.len, &xml_ts_limits, &d) == NULL);
	CHECK(d.n == 1 && d.items[0].loc.col > 5000);
	text = diag_text(&d);
	quote = strchr(text, '\n');
	caret = quote ? strchr(quote + 1, '\n') : NULL;
	CHECK(caret != NULL && strchr(caret + 1, '\n') == NULL);
	if (caret != NULL) {
		quote++;
		nl = caret++;
		CHECK(nl - quote < 200);
		CHECK(strncmp(quote, "    1 | ...", 11) == 0);
		CHECK(strncmp(nl - 3, "...", 3) == 0);
		CHECK(strlen(caret) < 200 && caret[strlen(caret) - 1] == '^');
		/* the caret stands under the '&' */
		CHECK(strlen(caret) - 1 < (size_t)(nl - quote) &&
		    quote[strlen(caret) - 1] == '&');
	}
	free(text);
	diag_release(&d);

	/* columns count characters: 1000 "é" before the error */
	buf_reset(&b);
	buf_adds(&b, "<sequence>");
	for (i = 0; i < 1000; i++)
		buf_addf(&b, "<step name=\"\xc3\xa9%zu\"/>", i);
	buf_adds(&b, "</sequenc>");
	diag_init(&d);
	CHECK(xml_read_mem("line3.xml", b.data, b.len, &xml_ts_limits, &d) == NULL);
	/* after the last character, in characters */
	CHECK_INT(d.n ? d.items[0].loc.col : 0, (int)b.len - 1000 + 1);
	text = diag_text(&d);
	CHECK(strstr(text, "error: XML: Opening and ending tag mismatch: "
	    "sequence line 1 and sequenc\n    1 | ...") != NULL);
	quote = strchr(text, '\n');
	caret = quote ? strchr(quote + 1, '\n') : NULL;
	if (caret != NULL) {
		size_t	chars = 0;
		char	*p;

		/* the caret stands after the '>', counted in characters */
		for (p = ++quote; *p != '\n' && chars < strlen(caret + 1) - 1; p++)
			if (((unsigned char)*p & 0xc0) != 0x80)
				chars++;
		while (((unsigned char)*p & 0xc0) == 0x80)
			p++;
		CHECK(*p == '\n' && strncmp(p - 10, "</sequenc>", 10) == 0);
	}
	free(text);
	diag_release(&d);
	buf_release(&b);
}

static void
test_dtd_refused(void)
{
	/* nothing of the internal subset is read: not the bomb, not the
	 * external entity, not a parameter entity */
	CHECK_STR(str_error("lol.xml",
	    "<?xml version=\"1.0\"?>\n"
	    "<!DOCTYPE lolz [\n"
	    " <!ENTITY lol \"lol\">\n"
	    " <!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n"
	    " <!ENTITY lol2 \"&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;\">\n"
	    " <!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">\n"
	    " <!ENTITY lol9 \"&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;\">\n"
	    "]>\n"
	    "<lolz>&lol9;</lolz>\n"), "2:16: " DTD_REFUSED);
	CHECK_STR(str_error("xxe.xml",
	    "<?xml version=\"1.0\"?>\n"
	    "<!DOCTYPE foo [ <!ENTITY xxe SYSTEM \"file:///etc/passwd\"> ]>\n"
	    "<foo>&xxe;</foo>\n"), "2:15: " DTD_REFUSED);
	CHECK_STR(str_error("http.xml",
	    "<!DOCTYPE foo [ <!ENTITY % pe SYSTEM \"http://127.0.0.1:9/x.dtd\"> %pe; ]>"
	    "<foo/>"), "1:15: " DTD_REFUSED);
	CHECK_STR(str_error("sys.xml",
	    "<!DOCTYPE foo SYSTEM \"/nonexistent/tsi.dtd\">\n<foo/>\n"),
	    "1:44: " DTD_REFUSED);
	CHECK_STR(str_error("pub.xml",
	    "<!DOCTYPE foo PUBLIC \"-//X//Y//EN\" \"http://example.org/y.dtd\"><foo/>"),
	    "1:62: " DTD_REFUSED);
	CHECK_STR(str_error("bare.xml", "<!DOCTYPE sequence><sequence/>"),
	    "1:19: " DTD_REFUSED);
	/* an entity without a DTD: named, at its '&' */
	CHECK_STR(str_error("undef.xml", "<a>\n  x &foo; y</a>"),
	    "2:5: XML entity '&foo;' is not defined: only &lt; &gt; &amp; &apos; "
	    "&quot; and character references (&#10;) are accepted");
	CHECK_STR(str_error("undefattr.xml", "<a b=\"&x;\"/>"),
	    "1:7: XML entity '&x;' is not defined: only &lt; &gt; &amp; &apos; "
	    "&quot; and character references (&#10;) are accepted");
}

static void
test_limits(void)
{
	struct buf	 b;
	struct diag	 d;
	struct xml_elem	*root;
	struct xml_limits lim = xml_ts_limits;
	int64_t		 t0;
	size_t		 i;

	/* 100,000 levels: refused at the 65th, at once */
	buf_init(&b, 0);
	for (i = 0; i < 100000; i++)
		buf_adds(&b, "<group>");
	t0 = now_ms();
	CHECK_STR(mem_error("deep.xml", b.data, b.len),
	    "1:455: XML nesting deeper than 64 elements");
	CHECK(now_ms() - t0 < 1000);
	/* 64 levels are fine */
	buf_reset(&b);
	for (i = 0; i < 64; i++)
		buf_adds(&b, "<g>");
	for (i = 0; i < 64; i++)
		buf_adds(&b, "</g>");
	diag_init(&d);
	root = xml_read_mem("deep64.xml", b.data, b.len, &xml_ts_limits, &d);
	CHECK(root != NULL && d.n == 0);
	xml_free(root);
	diag_release(&d);

	/* 200,000 elements are fine, one more is not */
	buf_reset(&b);
	buf_adds(&b, "<r>\n");
	for (i = 0; i < 199999; i++)
		buf_adds(&b, "<a/>");
	buf_adds(&b, "\n</r>");
	diag_init(&d);
	root = xml_read_mem("many.xml", b.data, b.len, &xml_ts_limits, &d);
	CHECK(root != NULL && root->n == 199999);
	xml_free(root);
	diag_release(&d);
	buf_reset(&b);
	buf_adds(&b, "<r>\n");
	for (i = 0; i < 200000; i++)
		buf_adds(&b, "<a/>");
	buf_adds(&b, "</r>");
	CHECK_STR(mem_error("toomany.xml", b.data, b.len),
	    "2:799999: XML document has more than 200000 elements");

	/* attributes: 64, then 65 (an xmlns declaration counts) */
	buf_reset(&b);
	buf_adds(&b, "<step");
	for (i = 0; i < 64; i++)
		buf_addf(&b, " a%zu=\"%zu\"", i, i);
	buf_adds(&b, "/>");
	diag_init(&d);
	root = xml_read_mem("attrs.xml", b.data, b.len, &xml_ts_limits, &d);
	CHECK(root != NULL && root->nattrs == 64);
	CHECK_STR(xml_attr(root, "a63"), "63");
	xml_free(root);
	diag_release(&d);
	b.data[b.len - 2] = '\0';
	b.len -= 2;
	buf_adds(&b, " xmlns=\"urn:x\"/>");
	CHECK_STR(mem_error("attrs65.xml", b.data, b.len),
	    "1:1: XML element <step> has more than 64 attributes");

	/* 100,000 attributes in a tag: libxml2 2.9 would compare each with
	 * every other one for minutes; they are counted before it reads */
	buf_reset(&b);
	buf_adds(&b, "<?xml version=\"1.0\"?>\n<!-- <a b=1 c=2> -->\n<r><![CDATA[<x a=1>]]>"
	    "<?pi a=1 b=2?><s a='=' b=\"==\"/>\n  <q:step");
	for (i = 0; i < 100000; i++)
		buf_addf(&b, " a%zu=\"\"", i);
	buf_adds(&b, "/></r>");
	t0 = now_ms();
	CHECK_STR(mem_error("crowded.xml", b.data, b.len),
	    "4:3: XML element <step> has more than 64 attributes");
	CHECK(now_ms() - t0 < 1000);
	/* an error before it is the one told */
	buf_reset(&b);
	buf_adds(&b, "<r>\n<a>&#0;</a>\n<step");
	for (i = 0; i < 100000; i++)
		buf_addf(&b, " a%zu=\"\"", i);
	buf_adds(&b, "/></r>");
	CHECK_STR(mem_error("crowded2.xml", b.data, b.len),
	    "2:8: XML: xmlParseCharRef: invalid xmlChar value 0");
	/* in UTF-16 too */
	buf_reset(&b);
	buf_add(&b, "\xff\xfe<\0r\0>\0\n\0<\0s\0", 14);
	for (i = 0; i < 65; i++)
		buf_add(&b, " \0a\0=\0\"\0\"\0", 10);
	CHECK_STR(mem_error("crowded16.xml", b.data, b.len),
	    "2:1: XML element <s> has more than 64 attributes");

	/* a text of 4 MiB, then one byte more (in pieces around a CDATA) */
	buf_reset(&b);
	buf_adds(&b, "<a>");
	for (i = 0; i < (4u << 20) - 1; i++)
		buf_addch(&b, 'x');
	buf_adds(&b, "<![CDATA[y]]></a>");
	diag_init(&d);
	root = xml_read_mem("text4m.xml", b.data, b.len, &xml_ts_limits, &d);
	CHECK(root != NULL && strlen(root->text) == 4u << 20);
	xml_free(root);
	diag_release(&d);
	b.data[b.len - 4] = '\0';
	b.len -= 4;
	buf_adds(&b, "z</a>");
	CHECK_STR(mem_error("text.xml", b.data, b.len),
	    "1:4194321: XML text of <a> is longer than 4194304 bytes");
	/* and an attribute value: counted decoded (libxml2 stops values
	 * at 10,000,000 bytes itself, each '&' counting 5) */
	buf_reset(&b);
	buf_adds(&b, "<a\nv=\"");
	for (i = 0; i < 1000; i++)
		buf_adds(&b, "&amp;");
	for (i = 0; i < (4u << 20) - 1000; i++)
		buf_addch(&b, 'x');
	buf_adds(&b, "\"/>");
	diag_init(&d);
	root = xml_read_mem("attr4m.xml", b.data, b.len, &xml_ts_limits, &d);
	CHECK(root != NULL && strlen(xml_attr(root, "v")) == 4u << 20);
	xml_free(root);
	diag_release(&d);
	b.data[b.len - 3] = '\0';
	b.len -= 3;
	buf_adds(&b, "y\"/>");
	CHECK_STR(mem_error("attr.xml", b.data, b.len),
	    "2:4198310: XML attribute 'v' of <a> is longer than 4194304 bytes");

	/* the size limit of a buffer, with smaller limits */
	lim.max_bytes = 10;
	diag_init(&d);
	CHECK(xml_read_mem("small.xml", "<a>0123456</a>", 14, &lim, &d) == NULL);
	CHECK(d.n == 1 && strcmp(d.items[0].msg,
	    "file is too large (14 bytes; the limit is 10)") == 0);
	diag_release(&d);
	buf_release(&b);
}

static void
test_bad_input(void)
{
	CHECK_STR(mem_error("empty.xml", "", 0), "1:1: file is empty");
	CHECK_STR(str_error("blank.xml", " \n"),
	    "2:1: XML: Start tag expected, '<' not found");
	CHECK_STR(str_error("text.xml", "just some text\n"),
	    "1:1: XML: Start tag expected, '<' not found");
	CHECK_STR(mem_error("garbage.xml", "\xff\xfe\x00\x01\x02garbage\x7f\x80", 12),
	    "1:1: XML: Start tag expected, '<' not found");
	CHECK_STR(mem_error("nul.xml", "\0\0\0\0<a/>", 8),
	    "1:1: XML: Document is empty");
	CHECK_STR(str_error("trunc.xml", "<sequence>\n  <step name=\"a\">\n"),
	    "3:1: XML: Premature end of data in tag step line 2");
	CHECK_STR(str_error("trunc2.xml", "<sequence><step name=\"a"),
	    "1:24: XML: AttValue: ' expected");
	CHECK_STR(str_error("mismatch.xml", "<a>\n</b>"),
	    "2:5: XML: Opening and ending tag mismatch: a line 1 and b");
	CHECK_STR(str_error("two.xml", "<a/><b/>"),
	    "1:5: XML: Extra content at the end of the document");
	CHECK_STR(str_error("dup.xml", "<a x=\"1\" x=\"2\"/>"),
	    "1:15: XML: Attribute x redefined");
	CHECK_STR(str_error("ns.xml", "<a><r:d/></a>"),
	    "1:8: XML: Namespace prefix r on d is not defined");
	CHECK_STR(str_error("charref.xml", "<a>&#0;</a>"),
	    "1:8: XML: xmlParseCharRef: invalid xmlChar value 0");
}

/* Files: the size refused before reading, a missing file, the quote. */
static void
test_files(void)
{
	char		 dir[] = "/tmp/tsi-unit-xml.XXXXXX";
	char		*path, *want;
	int64_t		 t0;
	int		 fd;
	FILE		*fp;

	CHECK(mkdtemp(dir) != NULL);
	/* a sparse 100 MB file: refused at once, without a read */
	path = xasprintf("%s/big.xml", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	CHECK(fd != -1 && ftruncate(fd, 100 << 20) == 0);
	close(fd);
	t0 = now_ms();
	want = xasprintf("%s: error: file is too large (104857600 bytes; the "
	    "limit is 16777216)", path);
	CHECK_STR(file_error(path), want);
	CHECK(now_ms() - t0 < 500);
	unlink(path);
	free(want);
	free(path);

	path = xasprintf("%s/missing.xml", dir);
	want = xasprintf("%s: error: cannot read: No such file or directory", path);
	CHECK_STR(file_error(path), want);
	free(want);
	free(path);

	path = xasprintf("%s/bad.xml", dir);
	fp = fopen(path, "w");
	fputs("<?xml version=\"1.0\"?>\r\n<sequence>\r\n\t<step x=1/>\r\n</sequence>\r\n", fp);
	fclose(fp);
	want = xasprintf("%s:3:10: error: XML: AttValue: \" or ' expected\n"
	    "    3 | \t<step x=1/>\n"
	    "      | \t        ^", path);
	CHECK_STR(file_error(path), want);
	unlink(path);
	free(want);
	free(path);

	path = xasprintf("%s/utf16.xml", dir);
	fp = fopen(path, "w");
	fwrite("\xff\xfe<\0a\0>\0\n\0<\0/\0b\0>\0", 1, 18, fp);
	fclose(fp);
	/* no quote of a UTF-16 line: it would be noise */
	want = xasprintf("%s:2:5: error: XML: Opening and ending tag mismatch: "
	    "a line 1 and b", path);
	CHECK_STR(file_error(path), want);
	unlink(path);
	free(want);
	free(path);

	path = xasprintf("%s/empty.xml", dir);
	fp = fopen(path, "w");
	fclose(fp);
	want = xasprintf("%s:1:1: error: file is empty\n    1 | \n      | ^", path);
	CHECK_STR(file_error(path), want);
	unlink(path);
	free(want);
	free(path);

	want = xasprintf("%s: error: cannot read: Is a directory", dir);
	CHECK_STR(file_error(dir), want);
	free(want);
	rmdir(dir);
}

/* libxml2 prints nothing itself, whatever the input. */
static void
test_quiet(void)
{
	static const char *const bad[] = {
		"<?xml version=\"1.0\" encoding=\"Shift_JIS\"?><a>\x81\x20\xff\xff</a>",
		"<?xml version=\"1.0\" encoding=\"UTF-32\"?><a/>",
		"<!DOCTYPE a SYSTEM \"/nonexistent/x.dtd\"><a/>",
		"<a xmlns=\"not a uri\"/>",
		"<a xmlns=\"relative\"/>",
		"<a>&bogus;</a>",
		"\xff\xfe<\0a\0>\0\0\xd8<\0",
		"<a>",
	};
	char		 path[] = "/tmp/tsi-unit-xml-err.XXXXXX";
	int		 fd = mkstemp(path), saved = dup(2);
	struct diag	 d;
	struct stat	 st;
	size_t		 i, nerrors = 0;

	CHECK(fd != -1 && saved != -1);
	fflush(stderr);
	dup2(fd, 2);
	diag_init(&d);
	for (i = 0; i < ARRAY_SIZE(bad); i++)
		xml_free(xml_read_mem("quiet.xml", bad[i], i == 6 ? 12 : strlen(bad[i]),
		    &xml_ts_limits, &d));
	nerrors = d.nerrors;
	diag_release(&d);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	CHECK(fstat(fd, &st) == 0 && st.st_size == 0);
	/* a relative namespace URI is a warning: that document is read */
	CHECK_INT(nerrors, ARRAY_SIZE(bad) - 1);
	close(fd);
	unlink(path);
}

UNIT_SUITE(xml_tests) = {
	UNIT_TEST(task_sequence),
	UNIT_TEST(entities),
	UNIT_TEST(encodings),
	UNIT_TEST(one_line),
	UNIT_TEST(dtd_refused),
	UNIT_TEST(limits),
	UNIT_TEST(bad_input),
	UNIT_TEST(files),
	UNIT_TEST(quiet),
	{ NULL, NULL },
};
