/* diag.c - see diag.h */
#include "diag.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

#define DIAG_DEFAULT_MAX	100

struct source {
	char		*path;
	char		*text;		/* NULL for name-only entries */
	size_t		 len;
	size_t		*lines;		/* offsets of line starts, built lazily */
	size_t		 nlines;
	struct source	*next;
};

static struct source	*sources;

static struct source *
source_find(const char *path)
{
	struct source	*s;

	for (s = sources; s != NULL; s = s->next)
		if (s->path == path || strcmp(s->path, path) == 0)
			return s;
	return NULL;
}

const char *
source_intern(const char *path, const char *text, size_t len)
{
	struct source	*s = source_find(path);

	if (s == NULL) {
		s = xcalloc(1, sizeof *s);
		s->path = xstrdup(path);
		s->next = sources;
		sources = s;
	}
	if (text != NULL && s->text == NULL) {
		s->text = xstrndup(text, len);
		s->len = len;
	}
	return s->path;
}

const char *
source_adopt(const char *path, char *text, size_t len)
{
	const char	*name = source_intern(path, NULL, 0);
	struct source	*s = source_find(name);

	if (s->text == NULL) {
		s->text = text;
		s->len = len;
	} else
		free(text);
	return name;
}

const char *
source_name(const char *path)
{
	return source_intern(path, NULL, 0);
}

const char *
source_text(const char *file, size_t *len)
{
	struct source	*s = file ? source_find(file) : NULL;

	if (s == NULL || s->text == NULL)
		return NULL;
	*len = s->len;
	return s->text;
}

const char *
source_line(const char *file, int line, size_t *len)
{
	struct source	*s;
	size_t		 i, end;

	if (file == NULL || line <= 0 || (s = source_find(file)) == NULL ||
	    s->text == NULL)
		return NULL;
	if (s->lines == NULL) {
		size_t alloc = 64;

		s->lines = xcalloc(alloc, sizeof *s->lines);
		s->lines[s->nlines++] = 0;
		for (i = 0; i < s->len; i++) {
			if (s->text[i] != '\n')
				continue;
			if (s->nlines == alloc) {
				alloc *= 2;
				s->lines = xreallocarray(s->lines, alloc, sizeof *s->lines);
			}
			s->lines[s->nlines++] = i + 1;
		}
	}
	if ((size_t)line > s->nlines)
		return NULL;
	i = s->lines[line - 1];
	for (end = i; end < s->len && s->text[end] != '\n' && s->text[end] != '\r'; end++)
		;
	*len = end - i;
	return s->text + i;
}

void
sources_free(void)
{
	struct source	*s, *next;

	for (s = sources; s != NULL; s = next) {
		next = s->next;
		free(s->path);
		free(s->text);
		free(s->lines);
		free(s);
	}
	sources = NULL;
}

void
diag_init(struct diag *d)
{
	memset(d, 0, sizeof *d);
	d->max = DIAG_DEFAULT_MAX;
}

void
diag_release(struct diag *d)
{
	size_t	i;

	for (i = 0; i < d->n; i++)
		free(d->items[i].msg);
	free(d->items);
	diag_init(d);
}

static void
diag_add(struct diag *d, enum severity sev, const struct loc *loc,
    const char *fmt, va_list ap)
{
	struct diag_item	*it;
	struct loc		 none = { NULL, 0, 0 };

	if (sev == SEV_ERROR)
		d->nerrors++;
	else if (sev == SEV_WARNING)
		d->nwarnings++;
	if (d->n >= d->max) {
		d->dropped++;
		return;
	}
	if (d->n == d->alloc) {
		d->alloc = d->alloc ? d->alloc * 2 : 16;
		d->items = xreallocarray(d->items, d->alloc, sizeof *d->items);
	}
	it = &d->items[d->n];
	it->sev = sev;
	it->loc = loc ? *loc : none;
	it->msg = xvasprintf(fmt, ap);
	it->quiet = 0;
	it->seq = d->n++;
}

int
diag_error_quiet(struct diag *d, const struct loc *loc, const char *fmt, ...)
{
	va_list	ap;
	size_t	n = d->n;

	va_start(ap, fmt);
	diag_add(d, SEV_ERROR, loc, fmt, ap);
	va_end(ap);
	if (d->n > n)
		d->items[n].quiet = 1;
	return -1;
}

int
diag_error(struct diag *d, const struct loc *loc, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	diag_add(d, SEV_ERROR, loc, fmt, ap);
	va_end(ap);
	return -1;
}

int
diag_warning(struct diag *d, const struct loc *loc, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	diag_add(d, SEV_WARNING, loc, fmt, ap);
	va_end(ap);
	return -1;
}

void
diag_note(struct diag *d, const struct loc *loc, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	diag_add(d, SEV_NOTE, loc, fmt, ap);
	va_end(ap);
}

static int
diag_cmp(const void *pa, const void *pb)
{
	const struct diag_item	*a = pa, *b = pb;
	int			 c;

	if (a->loc.file != NULL && b->loc.file != NULL &&
	    (c = strcmp(a->loc.file, b->loc.file)) != 0)
		return c;
	if ((a->loc.file == NULL) != (b->loc.file == NULL))
		return a->loc.file == NULL ? -1 : 1;
	if (a->loc.line != b->loc.line)
		return a->loc.line < b->loc.line ? -1 : 1;
	if (a->loc.col != b->loc.col)
		return a->loc.col < b->loc.col ? -1 : 1;
	return a->seq < b->seq ? -1 : (a->seq > b->seq);
}

static const char *
sev_name(enum severity s)
{
	return s == SEV_ERROR ? "error" : s == SEV_WARNING ? "warning" : "note";
}

/* Longer lines (minified or one-line files) are quoted around the column. */
#define QUOTE_MAX	200
#define QUOTE_AROUND	60		/* bytes shown on each side of the column */

#define UTF8_CONT(c)	(((unsigned char)(c) & 0xc0) == 0x80)

static void
print_caret(FILE *fp, const struct loc *loc)
{
	const char	*line;
	size_t		 len, i, at = 0, start = 0, end;
	int		 width, c;

	if ((line = source_line(loc->file, loc->line, &len)) == NULL)
		return;
	/* columns count characters; at is the byte where loc->col's starts */
	for (c = 1; c < loc->col && at < len; c++)
		for (at++; at < len && UTF8_CONT(line[at]); at++)
			;
	end = len;
	if (len > QUOTE_MAX) {
		start = at > QUOTE_AROUND ? at - QUOTE_AROUND : 0;
		end = len - at > QUOTE_AROUND ? at + QUOTE_AROUND : len;
		/* never cut a character in two */
		while (start > 0 && UTF8_CONT(line[start]))
			start--;
		while (end < len && UTF8_CONT(line[end]))
			end++;
	}
	width = fprintf(fp, "%5d", loc->line);
	fputs(" | ", fp);
	if (start > 0)
		fputs("...", fp);
	for (i = start; i < end; i++)	/* never send the file's control bytes to a terminal */
		fputc((unsigned char)line[i] < 0x20 && line[i] != '\t' ? '?' :
		    line[i] == 0x7f ? '?' : line[i], fp);
	if (end < len)
		fputs("...", fp);
	fputc('\n', fp);
	fprintf(fp, "%*s | %s", width, "", start > 0 ? "   " : "");
	for (i = start; i < at; i++)	/* one space a character */
		if (!UTF8_CONT(line[i]))
			fputc(line[i] == '\t' ? '\t' : ' ', fp);
	fputs("^\n", fp);
}

static void
print_text(struct diag *d, FILE *fp)
{
	size_t	i;

	for (i = 0; i < d->n; i++) {
		struct diag_item *it = &d->items[i];

		if (it->loc.file != NULL && it->loc.line > 0)
			fprintf(fp, "%s:%d:%d: ", it->loc.file, it->loc.line,
			    it->loc.col > 0 ? it->loc.col : 1);
		else if (it->loc.file != NULL)
			fprintf(fp, "%s: ", it->loc.file);
		else
			fputs("tsi: ", fp);
		fprintf(fp, "%s: %s\n", sev_name(it->sev), it->msg);
		if (!it->quiet)
			print_caret(fp, &it->loc);
	}
	if (d->dropped > 0)
		fprintf(fp, "tsi: note: %zu more problems not shown\n", d->dropped);
}

static void
print_json(struct diag *d, FILE *fp)
{
	struct buf	b = BUF_INIT;
	struct json	j;
	size_t		i;

	json_init(&j, &b, 1);
	json_obj_begin(&j, NULL);
	json_int(&j, "errors", (long long)d->nerrors);
	json_int(&j, "warnings", (long long)d->nwarnings);
	json_arr_begin(&j, "diagnostics");
	for (i = 0; i < d->n; i++) {
		struct diag_item *it = &d->items[i];

		json_obj_begin(&j, NULL);
		json_str(&j, "severity", sev_name(it->sev));
		json_str(&j, "file", it->loc.file);
		json_int(&j, "line", it->loc.line);
		json_int(&j, "column", it->loc.col);
		json_str(&j, "message", it->msg);
		json_obj_end(&j);
	}
	json_arr_end(&j);
	json_obj_end(&j);
	fprintf(fp, "%s\n", b.data);
	buf_release(&b);
}

static void
print_sarif(struct diag *d, FILE *fp)
{
	struct buf	b = BUF_INIT;
	struct json	j;
	size_t		i;

	json_init(&j, &b, 1);
	json_obj_begin(&j, NULL);
	json_str(&j, "$schema", "https://json.schemastore.org/sarif-2.1.0.json");
	json_str(&j, "version", "2.1.0");
	json_arr_begin(&j, "runs");
	json_obj_begin(&j, NULL);
	json_obj_begin(&j, "tool");
	json_obj_begin(&j, "driver");
	json_str(&j, "name", "tsi");
	json_obj_end(&j);
	json_obj_end(&j);
	json_arr_begin(&j, "results");
	for (i = 0; i < d->n; i++) {
		struct diag_item *it = &d->items[i];

		json_obj_begin(&j, NULL);
		json_str(&j, "ruleId", "tsi-validate");
		json_str(&j, "level", sev_name(it->sev));
		json_obj_begin(&j, "message");
		json_str(&j, "text", it->msg);
		json_obj_end(&j);
		if (it->loc.file != NULL) {
			json_arr_begin(&j, "locations");
			json_obj_begin(&j, NULL);
			json_obj_begin(&j, "physicalLocation");
			json_obj_begin(&j, "artifactLocation");
			json_str(&j, "uri", it->loc.file);
			json_obj_end(&j);
			if (it->loc.line > 0) {
				json_obj_begin(&j, "region");
				json_int(&j, "startLine", it->loc.line);
				json_int(&j, "startColumn", it->loc.col > 0 ? it->loc.col : 1);
				json_obj_end(&j);
			}
			json_obj_end(&j);
			json_obj_end(&j);
			json_arr_end(&j);
		}
		json_obj_end(&j);
	}
	json_arr_end(&j);
	json_obj_end(&j);
	json_arr_end(&j);
	json_obj_end(&j);
	fprintf(fp, "%s\n", b.data);
	buf_release(&b);
}

void
diag_print(struct diag *d, FILE *fp, enum diag_format fmt)
{
	if (d->n > 1)
		qsort(d->items, d->n, sizeof *d->items, diag_cmp);
	switch (fmt) {
	case DIAG_TEXT:	 print_text(d, fp); break;
	case DIAG_JSON:	 print_json(d, fp); break;
	case DIAG_SARIF: print_sarif(d, fp); break;
	}
}

const char *
diag_summary(const struct diag *d)
{
	static char	s[96];

	snprintf(s, sizeof s, "%zu error%s, %zu warning%s", d->nerrors,
	    d->nerrors == 1 ? "" : "s", d->nwarnings, d->nwarnings == 1 ? "" : "s");
	return s;
}

char *
diag_text(struct diag *d)
{
	char	*text = NULL;
	size_t	 len = 0;
	FILE	*fp = open_memstream(&text, &len);

	if (fp == NULL)
		return xstrdup("(out of memory)");
	print_text(d, fp);
	fclose(fp);
	while (len > 0 && text[len - 1] == '\n')
		text[--len] = '\0';
	return text;
}
