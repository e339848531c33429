/*
 * node.h - a YAML document as a tree of nodes that keep their positions.
 *
 * The loader reads libyaml events (never the document API, which drops
 * positions and expands aliases) and enforces tsi's own limits, since
 * libyaml 0.2.5 has none: file size, nesting depth, node count.  Anchors,
 * aliases and explicit tags are refused; duplicate mapping keys are errors.
 *
 * A tree is owned by whoever loaded it and freed with node_free() on its
 * root: all its nodes and strings live in one arena, freed at once.
 */
#ifndef TSI_NODE_H
#define TSI_NODE_H

#include <stddef.h>
#include <stdint.h>

#include "diag.h"

enum node_kind {
	NODE_SCALAR,
	NODE_MAP,
	NODE_LIST,
};

struct node {
	struct loc	 loc;
	char		*str;		/* scalar text (NUL-terminated) */
	struct node	**kids;		/* list items; maps: key, value, key, value */
	struct arena	*arena;		/* the root's: where the tree lives */
	uint32_t	 len;
	uint32_t	 n;		/* number of kids (twice the pairs for maps) */
	uint8_t		 kind;		/* enum node_kind */
	uint8_t		 plain;		/* scalar was unquoted */
};

struct yaml_limits {
	size_t	max_bytes;
	int	max_depth;
	size_t	max_nodes;
};

extern const struct yaml_limits yaml_sequence_limits;	/* sequence and vars files */
extern const struct yaml_limits yaml_journal_limits;	/* tsi's own state files */

/* Returns the root node, or NULL after adding errors to d. */
struct node	*yaml_load_file(const char *path, const struct yaml_limits *,
		    struct diag *);
struct node	*yaml_load_string(const char *name, const char *text, size_t len,
		    const struct yaml_limits *, struct diag *);
/* Frees a whole tree; n must be a root that yaml_load_* returned. */
void		 node_free(struct node *);
/* As yaml_load_string, but the source registry keeps text (no copy):
 * text is malloc'd and NUL-terminated at len; the caller must not free it. */
struct node	*yaml_load_adopted(const char *name, char *text, size_t len,
		    const struct yaml_limits *, struct diag *);

/* Value of key in a map, or NULL (also when n is not a map). */
struct node	*node_get(const struct node *map, const char *key);
/* A plain scalar "", "~" or "null". */
int		 node_is_null(const struct node *);
const char	*node_kind_name(const struct node *);
/* An error, with "did you mean", for each key of map not in keys; -1 if any. */
int		 node_check_keys(struct diag *, const struct node *map, const char *what,
		    const char *const *keys, size_t nkeys);

#endif
