/*
 * leftout.c - what the rules left out of a capture or an estimate, said
 * in its summary so that nobody needs `explain` to find it: files and
 * bytes per deciding rule ("no rule includes it" among them), and the
 * largest folders left out.
 */
#include "migrate.h"
#include "../lib/strmap.h"
#include "../store/catalog.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FOLDER_LEVELS	2	/* folders are told apart this deep below the home */
#define FOLDERS_SHOWN	5
#define RULES_SHOWN	10

struct leftout_rule {
	const struct rule	*rule;		/* NULL: no rule includes it */
	uintmax_t		 files, bytes;
};

struct leftout {
	struct leftout_rule	*rules;
	size_t			 nrules;
	struct strmap		 folders;	/* rel: n1 files, n2 bytes */
	uintmax_t		 files, bytes;
};

const char *
human_bytes(uintmax_t bytes, char buf[32])
{
	const char	*units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	double		 v = (double)bytes;
	int		 u = 0;

	while (v >= 1024 && u < 4) {
		v /= 1024;
		u++;
	}
	snprintf(buf, 32, u ? "%.1f %s" : "%.0f %s", v, units[u]);
	return buf;
}

struct leftout *
leftout_new(void)
{
	return xcalloc(1, sizeof(struct leftout));
}

void
leftout_free(struct leftout *lo)
{
	if (lo == NULL)
		return;
	strmap_release(&lo->folders);
	free(lo->rules);
	free(lo);
}

/* The folder an entry left out is counted in: the folder an exclude took
 * whole, else its own folder cut FOLDER_LEVELS below the home. */
static size_t
folder_len(const struct scan_entry *e)
{
	const char	*p;
	size_t		 n = 0;
	int		 levels = 0;

	if (e->pruned_at > 0)
		return e->pruned_at;
	for (p = e->rel; (p = strchr(p, '/')) != NULL; p++) {
		n = (size_t)(p - e->rel);
		if (++levels == FOLDER_LEVELS)
			break;
	}
	return n;
}

void
leftout_add(struct leftout *lo, const struct scan_entry *e)
{
	uintmax_t		 bytes = e->st != NULL && S_ISREG(e->st->st_mode) ?
				    (uintmax_t)e->st->st_size : 0;
	struct strmap_slot	*f;
	size_t			 i;

	for (i = 0; i < lo->nrules && lo->rules[i].rule != e->dec.by; i++)
		;
	if (i == lo->nrules) {
		lo->rules = xreallocarray(lo->rules, lo->nrules + 1, sizeof *lo->rules);
		lo->rules[lo->nrules++] = (struct leftout_rule){ e->dec.by, 0, 0 };
	}
	lo->rules[i].files++;
	lo->rules[i].bytes += bytes;
	f = strmap_slot(&lo->folders, e->rel, folder_len(e));
	f->n1++;
	f->n2 += bytes;
	lo->files++;
	lo->bytes += bytes;
}

static int
by_bytes_rule(const void *a, const void *b)
{
	const struct leftout_rule *x = a, *y = b;

	return x->bytes != y->bytes ? (x->bytes < y->bytes ? 1 : -1) :
	    x->files != y->files ? (x->files < y->files ? 1 : -1) : 0;
}

static int
by_bytes_folder(const void *a, const void *b)
{
	const struct strmap_slot *x = a, *y = b;

	if (x->key == NULL || y->key == NULL)
		return (x->key == NULL) - (y->key == NULL);
	return x->n2 != y->n2 ? (x->n2 < y->n2 ? 1 : -1) : strcmp(x->key, y->key);
}

void
leftout_report(struct leftout *lo, leftout_line_fn line, void *ctx)
{
	char		 h[32];
	struct buf	 b = BUF_INIT;
	size_t		 i;

	if (lo->files == 0) {
		line(ctx, "left out by the rules: nothing");
		return;
	}
	buf_addf(&b, "left out by the rules: %ju files, %s", lo->files,
	    human_bytes(lo->bytes, h));
	line(ctx, b.data);
	qsort(lo->rules, lo->nrules, sizeof *lo->rules, by_bytes_rule);
	for (i = 0; i < lo->nrules && i < RULES_SHOWN; i++) {
		const struct rule *r = lo->rules[i].rule;

		b.len = 0;
		buf_addf(&b, "  %ju files, %s: ", lo->rules[i].files,
		    human_bytes(lo->rules[i].bytes, h));
		if (r == NULL)
			buf_adds(&b, "no rule includes them");
		else if (r->component == NULL)
			buf_addf(&b, "unconditional exclude '%s' (pack '%s')", r->pattern,
			    r->pack->name);
		else
			buf_addf(&b, "exclude '%s' (pack '%s', component '%s')", r->pattern,
			    r->pack->name, r->component->name);
		line(ctx, b.data);
	}
	if (lo->nrules > RULES_SHOWN) {
		b.len = 0;
		buf_addf(&b, "  ... and %zu more rules", lo->nrules - RULES_SHOWN);
		line(ctx, b.data);
	}
	/* sorting the table ends its use as a table: reports come last */
	qsort(lo->folders.v, lo->folders.cap, sizeof *lo->folders.v, by_bytes_folder);
	for (i = 0; i < lo->folders.n && i < FOLDERS_SHOWN; i++) {
		const struct strmap_slot *f = &lo->folders.v[i];
		char *esc = cat_escape(f->key);

		b.len = 0;
		buf_addf(&b, "%s~/%s: %ju files, %s", i == 0 ? "largest folders left out: " :
		    "  ", esc, (uintmax_t)f->n1, human_bytes(f->n2, h));
		free(esc);
		line(ctx, b.data);
	}
	buf_release(&b);
}
