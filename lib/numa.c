// SPDX-License-Identifier: GPL-2.0-only
/*
 * numa.c - --node: run and allocate on one NUMA node, so that the source
 * and the destination of every copy are the same node's memory.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <string.h>

#ifdef HAVE_NUMA
#include <numa.h>
#endif

#include "cow.h"

#ifdef HAVE_NUMA

int cow_numa_nodes(void)
{
	return numa_available() >= 0 ? numa_num_configured_nodes() : 0;
}

int cow_numa_bind(int node, char *err, size_t elen)
{
	struct bitmask *mask, *now;
	bool ok;

	if (numa_available() < 0) {
		snprintf(err, elen, "NUMA is not available on this kernel");
		return -1;
	}
	if (node < 0 || node > numa_max_node() ||
	    !numa_bitmask_isbitset(numa_nodes_ptr, (unsigned)node)) {
		snprintf(err, elen, "node %d: no such node (nodes 0-%d)",
			 node, numa_max_node());
		return -1;
	}
	/*
	 * Checked here because numa_set_membind() reports its failure only
	 * through numa_error(), as a message on stderr.
	 */
	if (!numa_bitmask_isbitset(numa_all_nodes_ptr, (unsigned)node)) {
		snprintf(err, elen,
			 "node %d: no memory, or not in this task's cpuset", node);
		return -1;
	}
	if (numa_run_on_node(node) < 0) {
		snprintf(err, elen, "node %d: cannot run there: %s", node,
			 strerror(errno));
		return -1;
	}

	mask = numa_allocate_nodemask();
	if (!mask) {
		snprintf(err, elen, "node %d: out of memory", node);
		numa_run_on_node(-1);
		return -1;
	}
	numa_bitmask_setbit(mask, (unsigned)node);
	numa_set_membind(mask);
	now = numa_get_membind();
	ok = now && numa_bitmask_equal(now, mask);
	if (now)
		numa_bitmask_free(now);
	numa_bitmask_free(mask);
	if (!ok) {
		snprintf(err, elen, "node %d: cannot bind memory there", node);
		numa_run_on_node(-1);
		return -1;
	}
	return 0;
}

#else /* !HAVE_NUMA */

int cow_numa_nodes(void)
{
	return 0;
}

int cow_numa_bind(int node, char *err, size_t elen)
{
	snprintf(err, elen, "built without libnuma");
	return -1;
}

#endif
