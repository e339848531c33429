/*
 * yout.h - a YAML document built in memory and written out for people:
 * block style, small maps and lists of scalars in flow style, comments
 * above entries, each scalar in the plainest style that reads back as the
 * same text (plain, single-quoted, a literal block, or double-quoted).
 *
 * tsi import builds its sequence with it; a tree is owned by its root and
 * freed with yv_free().
 */
#ifndef TSI_YOUT_H
#define TSI_YOUT_H

#include "../lib/util.h"

struct yv;

struct yv	*yv_str(const char *);
struct yv	*yv_strf(const char *, ...) PRINTF_LIKE(1, 2);
struct yv	*yv_int(long long);		/* written plain: 3600 */
struct yv	*yv_bool(int);			/* true / false */
struct yv	*yv_map(void);
struct yv	*yv_list(void);
/* Adds to a map (key copied) or a list; takes v.  Returns v. */
struct yv	*yv_set(struct yv *map, const char *key, struct yv *v);
struct yv	*yv_push(struct yv *list, struct yv *v);
/* A comment line above the entry that holds v (several add lines). */
void		 yv_comment(struct yv *v, const char *, ...) PRINTF_LIKE(2, 3);
/* Never in flow style (a step's map, the top level). */
void		 yv_block(struct yv *);
size_t		 yv_len(const struct yv *);	/* entries of a map or items of a list */
/* A scalar's text ("" for anything else or NULL). */
const char	*yv_text(const struct yv *);
/* Takes key's value out of a map and returns it (NULL when absent). */
struct yv	*yv_take(struct yv *map, const char *key);
/* Takes item i out of a list and returns it. */
struct yv	*yv_list_take(struct yv *list, size_t i);
/* A map's value for key, or NULL. */
struct yv	*yv_get(const struct yv *map, const char *key);
void		 yv_free(struct yv *);
/* The document: top-level comments, then the map.  It notes where each
 * value went, for yv_lines. */
void		 yv_write(struct buf *, struct yv *);
/* The lines (1-based) a value took in the last yv_write. */
void		 yv_lines(const struct yv *, int *first, int *last);

#endif
