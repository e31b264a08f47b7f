/* Page builders: the host end of bh_pb_* (flush and arena growth). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sdk/src/runtime.h"

struct pb_private {
	rt_deliver_fn deliver;
	void *user;
};

static int pb_flush(bh_page_builder *pb)
{
	struct pb_private *priv = pb->host_private;
	int r = 0;
	if (pb->page.nrows > 0)
		r = priv->deliver(priv->user, &pb->page);
	pb->page.nrows = 0;
	pb->page.arena_len = 0;
	pb->record_arena_start = 0;
	return r;
}

static int pb_reserve(bh_page_builder *pb, size_t n)
{
	bh_page *p = &pb->page;
	size_t need, cap;
	char *a;
	if (n > RT_PAGE_ARENA_MAX - p->arena_len)
		return -E2BIG;
	need = p->arena_len + n;
	if (need <= p->arena_cap)
		return 0;
	cap = p->arena_cap ? p->arena_cap : 4096;
	while (cap < need)
		cap = cap > RT_PAGE_ARENA_MAX / 2 ? RT_PAGE_ARENA_MAX : cap * 2;
	a = realloc(p->arena, cap);
	if (!a)
		return -ENOMEM;
	p->arena = a;
	p->arena_cap = cap;
	return 0;
}

int rt_pb_init(bh_page_builder *pb, const bh_schema *schema, uint32_t capacity, size_t arena_flush_at,
	       rt_deliver_fn deliver, void *user)
{
	struct pb_private *priv;
	size_t ncols = schema->count ? schema->count : 1;
	memset(pb, 0, sizeof(*pb));
	if (capacity == 0)
		capacity = RT_PAGE_RECORDS_DEFAULT;
	if (arena_flush_at == 0)
		arena_flush_at = RT_PAGE_ARENA_FLUSH_DEFAULT;
	priv = calloc(1, sizeof(*priv));
	pb->page.values = calloc((size_t)capacity * ncols, sizeof(bh_value));
	pb->page.arena_cap = arena_flush_at + arena_flush_at / 4;
	pb->page.arena = malloc(pb->page.arena_cap);
	if (!priv || !pb->page.values || !pb->page.arena) {
		free(priv);
		free(pb->page.values);
		free(pb->page.arena);
		memset(pb, 0, sizeof(*pb));
		return -ENOMEM;
	}
	priv->deliver = deliver;
	priv->user = user;
	pb->page.ncols = schema->count;
	pb->page.capacity = capacity;
	pb->page.schema = schema;
	pb->arena_flush_at = arena_flush_at;
	pb->flush = pb_flush;
	pb->reserve = pb_reserve;
	pb->host_private = priv;
	return 0;
}

int rt_pb_finish(bh_page_builder *pb)
{
	return pb_flush(pb);
}

void rt_pb_destroy(bh_page_builder *pb)
{
	if (!pb)
		return;
	free(pb->host_private);
	free(pb->page.values);
	free(pb->page.arena);
	memset(pb, 0, sizeof(*pb));
}
