/* yaml.c - libyaml events to a node tree with positions; see node.h */
#include "node.h"

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <string.h>

#include <yaml.h>

const struct yaml_limits yaml_sequence_limits = {
	.max_bytes = 8u << 20,		/* ConfigMgr refuses policies over 2 MB */
	.max_depth = 64,
	.max_nodes = 1000000,
};

const struct yaml_limits yaml_journal_limits = {
	.max_bytes = 64u << 20,		/* 1,000 variables of 4,000 chars, and then some */
	.max_depth = 16,
	.max_nodes = 4000000,
};

/*
 * The tree's memory: blocks of 1 MiB mapped with MAP_POPULATE, so that a
 * big tree costs a few mmap calls instead of a page fault every 4 KiB (a
 * 2 MB sequence makes some 20 MB of nodes).  Small trees use a small first
 * block from malloc.  Everything is 8-byte aligned: nodes hold pointers
 * and sizes, nothing wider.
 */
struct arena_block {
	struct arena_block	*next;
	size_t			 used, cap;
	int			 mapped;
	uint64_t		 data[];
};

struct arena {
	struct arena_block	*head;
	size_t			 total;
};

#define ARENA_FIRST	(16 * 1024)
#define ARENA_BLOCK	(1024 * 1024)

static struct arena_block *
block_new(size_t cap, int map)
{
	struct arena_block	*b;
	size_t			 size = sizeof *b + cap;

	if (map) {
		b = mmap(NULL, size, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
		if (b == MAP_FAILED)
			fatal("out of memory (%zu bytes)", size);
	} else
		b = xmalloc(size);
	b->cap = cap;
	b->used = 0;
	b->mapped = map;
	return b;
}

static void *
arena_alloc(struct arena *a, size_t n)
{
	struct arena_block	*b = a->head;
	size_t			 cap;
	void			*p;

	n = (n + 7) & ~(size_t)7;
	if (b == NULL || b->cap - b->used < n) {
		if (a->total == 0)
			cap = n > ARENA_FIRST ? n : ARENA_FIRST;
		else
			cap = n > ARENA_BLOCK ? n : ARENA_BLOCK;
		b = block_new(cap, a->total > 0);
		b->next = a->head;
		a->head = b;
		a->total += cap;
	}
	p = (char *)b->data + b->used;
	b->used += n;
	return p;
}

static void
arena_free(struct arena *a)
{
	struct arena_block	*b, *next;

	for (b = a->head; b != NULL; b = next) {
		next = b->next;
		if (b->mapped)
			munmap(b, sizeof *b + b->cap);
		else
			free(b);
	}
	free(a);
}

/* An open collection and the kids gathered for it so far. */
struct frame {
	struct node	 *node;
	struct node	**kids;
	size_t		  n, alloc;
};

struct builder {
	const char		 *file;
	const struct yaml_limits *lim;
	struct diag		 *diag;
	struct arena		 *arena;
	struct node		 *root;
	struct frame		 *stack;
	int			  depth;
	size_t			  nodes;
	int			  docs;
};

static struct loc
mark_loc(const struct builder *b, yaml_mark_t m)
{
	struct loc l = { b->file, (int)m.line + 1, (int)m.column + 1 };

	return l;
}

void
node_free(struct node *n)
{
	if (n != NULL && n->arena != NULL)
		arena_free(n->arena);
}

static void
frame_push_kid(struct frame *f, struct node *kid)
{
	if (f->n == f->alloc) {
		f->alloc = f->alloc ? 2 * f->alloc : 16;
		f->kids = xreallocarray(f->kids, f->alloc, sizeof *f->kids);
	}
	f->kids[f->n++] = kid;
}

/* Creates a node and hands it to the open collection (or makes it the root). */
static struct node *
builder_add(struct builder *b, enum node_kind kind, yaml_mark_t mark)
{
	struct node	*n;
	struct frame	*parent;

	if (++b->nodes > b->lim->max_nodes) {
		struct loc l = mark_loc(b, mark);

		diag_error(b->diag, &l, "document has more than %zu nodes",
		    b->lim->max_nodes);
		return NULL;
	}
	n = arena_alloc(b->arena, sizeof *n);
	memset(n, 0, sizeof *n);
	n->kind = kind;
	n->loc = mark_loc(b, mark);
	if (b->depth == 0) {
		b->root = n;
		return n;
	}
	parent = &b->stack[b->depth - 1];
	if (parent->node->kind == NODE_MAP && parent->n % 2 == 0 && kind != NODE_SCALAR) {
		diag_error(b->diag, &n->loc, "mapping keys must be scalars");
		return NULL;
	}
	frame_push_kid(parent, n);
	return n;
}

/* Closes the open collection: its kids move into the arena. */
static struct node *
builder_pop(struct builder *b)
{
	struct frame	*f = &b->stack[--b->depth];
	struct node	*n = f->node;

	n->n = f->n;
	if (f->n > 0) {
		n->kids = arena_alloc(b->arena, f->n * sizeof *n->kids);
		memcpy(n->kids, f->kids, f->n * sizeof *n->kids);
	}
	f->n = 0;
	return n;
}

static int
key_cmp(const void *pa, const void *pb)
{
	const struct node *a = *(struct node *const *)pa;
	const struct node *b = *(struct node *const *)pb;
	int		   c = strcmp(a->str, b->str);

	if (c != 0)
		return c;
	if (a->loc.line != b->loc.line)
		return a->loc.line < b->loc.line ? -1 : 1;
	return a->loc.col < b->loc.col ? -1 : a->loc.col > b->loc.col;
}

/* Duplicate keys: sort a copy of the keys so large maps stay O(n log n). */
static int
check_duplicate_keys(struct builder *b, struct node *map)
{
	size_t		  npairs = map->n / 2, i;
	struct node	**keys;
	int		  r = 0;

	if (npairs < 2)
		return 0;
	keys = xcalloc(npairs, sizeof *keys);
	for (i = 0; i < npairs; i++)
		keys[i] = map->kids[2 * i];
	qsort(keys, npairs, sizeof *keys, key_cmp);
	for (i = 1; i < npairs; i++) {
		if (strcmp(keys[i - 1]->str, keys[i]->str) != 0)
			continue;
		r = diag_error(b->diag, &keys[i]->loc,
		    "duplicate key '%s' (first defined at line %d)",
		    keys[i]->str, keys[i - 1]->loc.line);
	}
	free(keys);
	return r;
}

static int
refuse_anchor_tag(struct builder *b, yaml_event_t *ev, const yaml_char_t *anchor,
    const yaml_char_t *tag, int implicit)
{
	struct loc l = mark_loc(b, ev->start_mark);

	if (anchor != NULL)
		return diag_error(b->diag, &l, "YAML anchors ('&%s') are not "
		    "supported; repeat the value or use a variable", anchor);
	if (tag != NULL && !implicit)
		return diag_error(b->diag, &l, "YAML tags ('%s') are not supported",
		    tag);
	return 0;
}

static int
builder_push(struct builder *b, struct node *n, yaml_mark_t mark)
{
	if (b->depth >= b->lim->max_depth) {
		struct loc l = mark_loc(b, mark);

		return diag_error(b->diag, &l,
		    "nesting is deeper than %d levels", b->lim->max_depth);
	}
	b->stack[b->depth++].node = n;
	return 0;
}

/* One event; returns 1 at the end of the stream, 0 to go on, -1 on error. */
static int
builder_event(struct builder *b, yaml_event_t *ev)
{
	struct node	*n;
	struct loc	 l = mark_loc(b, ev->start_mark);

	switch (ev->type) {
	case YAML_STREAM_START_EVENT:
	case YAML_DOCUMENT_END_EVENT:
	case YAML_NO_EVENT:
		return 0;
	case YAML_STREAM_END_EVENT:
		return 1;
	case YAML_DOCUMENT_START_EVENT:
		if (++b->docs > 1)
			return diag_error(b->diag, &l,
			    "file holds more than one YAML document");
		return 0;
	case YAML_ALIAS_EVENT:
		return diag_error(b->diag, &l, "YAML aliases ('*%s') are not "
		    "supported", ev->data.alias.anchor);
	case YAML_SCALAR_EVENT:
		if (refuse_anchor_tag(b, ev, ev->data.scalar.anchor,
		    ev->data.scalar.tag, 0) == -1)
			return -1;
		if (memchr(ev->data.scalar.value, '\0', ev->data.scalar.length) != NULL)
			return diag_error(b->diag, &l, "NUL characters ('\\0') are not "
			    "allowed in strings");
		if ((n = builder_add(b, NODE_SCALAR, ev->start_mark)) == NULL)
			return -1;
		n->len = ev->data.scalar.length;
		n->str = arena_alloc(b->arena, n->len + 1);
		memcpy(n->str, ev->data.scalar.value, n->len);
		n->str[n->len] = '\0';
		n->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
		return 0;
	case YAML_SEQUENCE_START_EVENT:
		if (refuse_anchor_tag(b, ev, ev->data.sequence_start.anchor,
		    ev->data.sequence_start.tag, ev->data.sequence_start.implicit) == -1)
			return -1;
		if ((n = builder_add(b, NODE_LIST, ev->start_mark)) == NULL)
			return -1;
		return builder_push(b, n, ev->start_mark);
	case YAML_MAPPING_START_EVENT:
		if (refuse_anchor_tag(b, ev, ev->data.mapping_start.anchor,
		    ev->data.mapping_start.tag, ev->data.mapping_start.implicit) == -1)
			return -1;
		if ((n = builder_add(b, NODE_MAP, ev->start_mark)) == NULL)
			return -1;
		return builder_push(b, n, ev->start_mark);
	case YAML_SEQUENCE_END_EVENT:
		builder_pop(b);
		return 0;
	case YAML_MAPPING_END_EVENT:
		return check_duplicate_keys(b, builder_pop(b));
	}
	return 0;
}

static void
parser_error(struct builder *b, yaml_parser_t *p, const char *text, size_t len)
{
	struct loc	 l = mark_loc(b, p->problem_mark);
	const char	*problem = p->problem ? p->problem : "unknown problem";
	size_t		 i;

	if (p->error == YAML_MEMORY_ERROR)
		fatal("libyaml: out of memory");
	if (p->error == YAML_READER_ERROR) {
		/* the reader reports a byte offset, not a mark */
		l.line = 1;
		l.col = 1;
		for (i = 0; i < p->problem_offset && i < len; i++) {
			if (text[i] == '\n') {
				l.line++;
				l.col = 1;
			} else if (((unsigned char)text[i] & 0xc0) != 0x80)
				l.col++;
		}
		diag_error(b->diag, &l, "invalid YAML: %s (byte 0x%02x at offset %zu)",
		    problem, p->problem_value & 0xff, p->problem_offset);
		return;
	}
	if (p->context != NULL && p->context_mark.line != p->problem_mark.line)
		diag_error(b->diag, &l, "invalid YAML: %s (%s at line %zu)",
		    problem, p->context, p->context_mark.line + 1);
	else if (p->context != NULL)
		diag_error(b->diag, &l, "invalid YAML: %s %s", p->context, problem);
	else
		diag_error(b->diag, &l, "invalid YAML: %s", problem);
}

static struct node *yaml_parse(const char *file, const char *text, size_t len,
    const struct yaml_limits *, struct diag *);

struct node *
yaml_load_string(const char *name, const char *text, size_t len,
    const struct yaml_limits *lim, struct diag *d)
{
	return yaml_parse(source_intern(name, text, len), text, len, lim, d);
}

struct node *
yaml_load_adopted(const char *name, char *text, size_t len,
    const struct yaml_limits *lim, struct diag *d)
{
	const char	*file = source_adopt(name, text, len);
	size_t		 n;

	/* the registry may have kept an earlier text under this name */
	text = (char *)source_text(file, &n);
	return yaml_parse(file, text, n, lim, d);
}

static struct node *
yaml_parse(const char *file, const char *text, size_t len,
    const struct yaml_limits *lim, struct diag *d)
{
	struct builder	 b;
	yaml_parser_t	 parser;
	yaml_event_t	 ev;
	size_t		 i;
	int		 r = 0;

	memset(&b, 0, sizeof b);
	b.file = file;
	b.lim = lim;
	b.diag = d;
	if (len > lim->max_bytes) {
		struct loc l = { b.file, 0, 0 };

		diag_error(d, &l, "file is too large (%zu bytes; the limit is %zu)",
		    len, lim->max_bytes);
		return NULL;
	}
	b.stack = xcalloc((size_t)lim->max_depth + 1, sizeof *b.stack);
	b.arena = xcalloc(1, sizeof *b.arena);
	if (!yaml_parser_initialize(&parser))
		fatal("libyaml: cannot initialize a parser");
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING);
	while (r == 0) {
		if (!yaml_parser_parse(&parser, &ev)) {
			parser_error(&b, &parser, text, len);
			r = -1;
			break;
		}
		r = builder_event(&b, &ev);
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&parser);
	for (i = 0; i <= (size_t)lim->max_depth; i++)
		free(b.stack[i].kids);
	free(b.stack);
	if (r == -1 || b.root == NULL) {
		if (r != -1) {
			struct loc l = { b.file, 1, 1 };

			diag_error(d, &l, "file is empty");
		}
		arena_free(b.arena);
		return NULL;
	}
	b.root->arena = b.arena;
	return b.root;
}

struct node *
yaml_load_file(const char *path, const struct yaml_limits *lim, struct diag *d)
{
	struct node	*root;
	char		*text;
	size_t		 len;

	if (read_file(path, lim->max_bytes, &text, &len) == -1) {
		struct loc l = { source_name(path), 0, 0 };

		if (errno == EFBIG)
			diag_error(d, &l, "file is too large (the limit is %zu bytes)",
			    lim->max_bytes);
		else
			diag_error(d, &l, "cannot read: %s", strerror(errno));
		return NULL;
	}
	root = yaml_load_string(path, text, len, lim, d);
	free(text);
	return root;
}

struct node *
node_get(const struct node *map, const char *key)
{
	size_t	i;

	if (map == NULL || map->kind != NODE_MAP)
		return NULL;
	for (i = 0; i + 1 < map->n; i += 2)
		if (strcmp(map->kids[i]->str, key) == 0)
			return map->kids[i + 1];
	return NULL;
}

int
node_is_null(const struct node *n)
{
	return n->kind == NODE_SCALAR && n->plain &&
	    (n->len == 0 || strcmp(n->str, "~") == 0 || strcmp(n->str, "null") == 0);
}

const char *
node_kind_name(const struct node *n)
{
	switch (n->kind) {
	case NODE_SCALAR: return "a scalar";
	case NODE_MAP:	  return "a mapping";
	case NODE_LIST:	  return "a list";
	}
	return "?";
}

int
node_check_keys(struct diag *d, const struct node *map, const char *what,
    const char *const *keys, size_t nkeys)
{
	size_t	i, j;
	int	r = 0;

	for (i = 0; i + 1 < map->n; i += 2) {
		const struct node *k = map->kids[i];
		const char *s;

		for (j = 0; j < nkeys && strcmp(k->str, keys[j]) != 0; j++)
			;
		if (j < nkeys)
			continue;
		if ((s = str_suggest(k->str, keys, nkeys)) != NULL)
			r = diag_error(d, &k->loc, "unknown key '%s' in %s (did you mean "
			    "'%s'?)", k->str, what, s);
		else
			r = diag_error(d, &k->loc, "unknown key '%s' in %s", k->str, what);
	}
	return r;
}
