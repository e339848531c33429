/*
 * json.h - a small streaming JSON writer into a struct buf.
 *
 * Used for events.jsonl, report.json, the journal, `tsi steps --json`,
 * `tsi schema` and machine-readable diagnostics.  Keys are passed with each
 * value; pass NULL as the key inside arrays.  An optional filter rewrites
 * every string value (tsi passes the secret redactor here); an optional
 * tap sees every scalar as it is written (the run log's observer).
 */
#ifndef TSI_JSON_H
#define TSI_JSON_H

#include "util.h"

#define JSON_MAX_DEPTH	32

typedef char *(*json_filter_fn)(void *ctx, const char *s);	/* returns malloc'd */
/* Told of each scalar written: its depth (1: a member of the outermost
 * object), key (NULL in an array), and the string as written (after the
 * filter; len bytes) or, for a number or boolean, s NULL and n. */
typedef void (*json_tap_fn)(void *ctx, int depth, const char *key, const char *s,
    size_t len, long long n);

struct json {
	struct buf	*out;
	int		 depth;
	int		 count[JSON_MAX_DEPTH];
	int		 pretty;
	json_filter_fn	 filter;
	void		*filter_ctx;
	json_tap_fn	 tap;		/* NULL: none */
	void		*tap_ctx;
};

void	json_init(struct json *, struct buf *out, int pretty);
void	json_obj_begin(struct json *, const char *key);
void	json_obj_end(struct json *);
void	json_arr_begin(struct json *, const char *key);
void	json_arr_end(struct json *);
void	json_str(struct json *, const char *key, const char *val);	/* NULL val: null */
void	json_strn(struct json *, const char *key, const char *val, size_t len);
void	json_int(struct json *, const char *key, long long);
void	json_bool(struct json *, const char *key, int);
void	json_null(struct json *, const char *key);
/* Appends s as a JSON string literal (quotes included) to b. */
void	json_quote(struct buf *b, const char *s, size_t len);

#endif
