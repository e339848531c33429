/*
 * console-html.c - the console's HTML: escaping (every value that comes
 * from the database or a request goes through html_text), the page around
 * each view (head, navigation, the CSRF token in every form), the style
 * sheet and the one script (built in: no resource from outside; the
 * Content-Security-Policy allows this origin's files only and no inline
 * script), and reading form bodies and query strings.
 */
#include "smp.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/util.h"
#include "smp-int.h"

const char smp_console_css[] =
"body{font:15px/1.45 system-ui,sans-serif;margin:0;color:#1d2330;background:#f5f6f8}\n"
"header{background:#1f3a5f;color:#fff;padding:.6em 1.2em;display:flex;gap:1.5em;"
"align-items:center}\n"
"header a{color:#fff;text-decoration:none}header .who{margin-left:auto}\n"
"header form{display:inline}main{padding:1em 1.5em;max-width:1200px}\n"
"table{border-collapse:collapse;background:#fff;width:100%;margin:.5em 0 1.5em}\n"
"th,td{border-bottom:1px solid #dde1e7;padding:.35em .6em;text-align:left;"
"vertical-align:top}\n"
"th{background:#eef1f5;font-weight:600}td.num{text-align:right}\n"
".failed,.deleted,.expired{color:#a3191c;font-weight:600}.succeeded,.released,.restored{"
"color:#1d6b2f}\n"
".running,.uploading{color:#8a5a00}.cards{display:flex;gap:1em;flex-wrap:wrap}\n"
".card{background:#fff;border:1px solid #dde1e7;padding:.8em 1.2em;min-width:10em}\n"
".card b{display:block;font-size:1.8em}.error{background:#fde8e8;border:1px solid "
"#e3a1a1;padding:.6em 1em}\n"
".note{background:#e8f3fd;border:1px solid #a1c6e3;padding:.6em 1em}\n"
"input,select,button{font:inherit;padding:.25em .5em}form.inline{display:inline}\n"
"button.danger{background:#a3191c;color:#fff;border:0;padding:.35em .8em}\n"
"label{display:block;margin:.4em 0}\n";

/* refreshes the tables that carry data-refresh, from the same URL as JSON,
 * without reloading the page; everything works without it */
const char smp_console_js[] =
"'use strict';\n"
"function refresh(table){\n"
"  const url = table.dataset.refresh;\n"
"  fetch(url, {credentials: 'same-origin', headers: {'Accept': 'application/json'}})\n"
"    .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })\n"
"    .then(function (d) {\n"
"      (d.rows || []).forEach(function (row) {\n"
"        const tr = document.getElementById(row.id);\n"
"        if (!tr) return;\n"
"        Object.keys(row.cells).forEach(function (k) {\n"
"          const td = tr.querySelector('[data-cell=\"' + k + '\"]');\n"
"          if (td && td.textContent !== row.cells[k]) {\n"
"            td.textContent = row.cells[k];\n"
"            td.className = row.classes && row.classes[k] ? row.classes[k] : td.className;\n"
"          }\n"
"        });\n"
"      });\n"
"      const s = document.getElementById('refreshed');\n"
"      if (s) s.textContent = 'refreshed ' + new Date().toLocaleTimeString();\n"
"    })\n"
"    .catch(function () {\n"
"      const s = document.getElementById('refreshed');\n"
"      if (s) s.textContent = 'not refreshed: the SMP does not answer';\n"
"    });\n"
"}\n"
"document.querySelectorAll('table[data-refresh]').forEach(function (t) {\n"
"  setInterval(function () { refresh(t); }, 3000);\n"
"});\n"
"document.querySelectorAll('form[data-confirm]').forEach(function (f) {\n"
"  f.addEventListener('submit', function (e) {\n"
"    if (!window.confirm(f.dataset.confirm)) e.preventDefault();\n"
"  });\n"
"});\n";

void
html_text(struct buf *b, const char *s)
{
	const unsigned char	*p;

	for (p = (const unsigned char *)(s ? s : ""); *p != '\0'; p++) {
		switch (*p) {
		case '&':	buf_adds(b, "&amp;"); break;
		case '<':	buf_adds(b, "&lt;"); break;
		case '>':	buf_adds(b, "&gt;"); break;
		case '"':	buf_adds(b, "&quot;"); break;
		case '\'':	buf_adds(b, "&#39;"); break;
		default:
			/* control characters a computer sent are shown as '?' */
			buf_addch(b, *p < 0x20 || *p == 0x7f ? '?' : (char)*p);
		}
	}
}

void
html_fmt(struct buf *b, const char *fmt, ...)
{
	va_list	ap;
	char	*s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	html_text(b, s);
	free(s);
}

void
json_text(struct buf *b, const char *s)
{
	const unsigned char	*p;

	buf_addch(b, '"');
	for (p = (const unsigned char *)(s ? s : ""); *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			buf_addf(b, "\\%c", *p);
		else if (*p < 0x20 || *p == 0x7f || *p == '<' || *p == '>' || *p == '&')
			buf_addf(b, "\\u%04x", *p);
		else
			buf_addch(b, (char)*p);
	}
	buf_addch(b, '"');
}

void
console_page_start(struct buf *b, const char *title, const struct console_ctx *cx)
{
	buf_adds(b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
	    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
	    "<title>");
	html_text(b, title);
	buf_adds(b, " - tsi SMP</title><link rel=\"stylesheet\" href=\"/console/static/"
	    "console.css\"><script src=\"/console/static/console.js\" defer></script>"
	    "</head><body><header><b>tsi SMP</b>");
	if (cx->admin[0] != '\0') {
		buf_adds(b, "<a href=\"/console/\">Overview</a><a href=\"/console/computers\">"
		    "Computers</a><a href=\"/console/associations\">Associations</a>"
		    "<span class=\"who\">");
		html_text(b, cx->admin);
		buf_adds(b, " <form method=\"post\" action=\"/console/logout\">");
		console_csrf_field(b, cx);
		buf_adds(b, "<button type=\"submit\">Log out</button></form></span>");
	}
	buf_adds(b, "</header><main><h1>");
	html_text(b, title);
	buf_adds(b, "</h1>\n");
}

void
console_page_end(struct buf *b)
{
	buf_adds(b, "</main></body></html>\n");
}

void
console_see_other(struct smp_reply *r, const char *where)
{
	r->status = 303;
	snprintf(r->location, sizeof r->location, "%s", where);
	buf_reset(&r->body);
}

/* A database failure on the way to a page, under the lock: an admin gets
 * its message, someone not logged in only that it failed. */
void
console_db_failed(struct smp_server *s, struct smp_reply *r, int admin)
{
	buf_reset(&r->body);
	if (admin)
		smp_reply_db_error(s, r);
	else {
		smp_reply_error(r, 503, "the SMP's database cannot be reached: try again "
		    "later");
		r->retry_after = SMP_DB_RETRY_S;
	}
	r->html = 0;
}

void
console_db_error(struct smp_server *s, struct smp_reply *r)
{
	console_db_failed(s, r, 1);
}

void
console_csrf_field(struct buf *b, const struct console_ctx *cx)
{
	buf_adds(b, "<input type=\"hidden\" name=\"csrf\" value=\"");
	html_text(b, cx->csrf);
	buf_adds(b, "\">");
}

static int
hexval(int c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
	    c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

int
form_value(const char *form, size_t len, const char *key, char *out, size_t outlen)
{
	const char	*p = form, *end = form + len, *amp, *eq;
	size_t		 klen = strlen(key), o;
	int		 h, l;

	while (p < end) {
		amp = memchr(p, '&', (size_t)(end - p));
		if (amp == NULL)
			amp = end;
		eq = memchr(p, '=', (size_t)(amp - p));
		if (eq != NULL && (size_t)(eq - p) == klen && memcmp(p, key, klen) == 0) {
			for (o = 0, p = eq + 1; p < amp; p++) {
				if (o + 1 >= outlen)
					return -1;
				if (*p == '+')
					out[o++] = ' ';
				else if (*p == '%' && amp - p >= 3 && (h = hexval(p[1])) >= 0 &&
				    (l = hexval(p[2])) >= 0) {
					out[o++] = (char)(h << 4 | l);
					p += 2;
				} else if (*p == '%')
					return -1;
				else
					out[o++] = *p;
			}
			out[o] = '\0';
			/* a NUL or a control character is no value of a form of ours */
			for (h = 0; (size_t)h < o; h++)
				if ((unsigned char)out[h] < 0x20)
					return -1;
			return 1;
		}
		p = amp + 1;
	}
	return 0;
}

void
url_text(struct buf *b, const char *s)
{
	const unsigned char	*p;

	for (p = (const unsigned char *)s; *p != '\0'; p++)
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("-._~", *p) != NULL)
			buf_addch(b, (char)*p);
		else
			buf_addf(b, "%%%02X", *p);
}
