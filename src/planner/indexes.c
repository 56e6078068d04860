/*-------------------------------------------------------------------------
 *
 * indexes.c
 *	  Indexes the planner does not see when it plans for a subject.
 *
 * An index scan returns rows in the order of its keys, so an index whose
 * keys (or INCLUDE columns, expressions, predicate) contain a field hidden
 * from a subject would tell the hidden values' order.  Called from
 * get_relation_info_hook.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/sysattr.h"
#include "optimizer/optimizer.h"

#include "flp.h"
#include "planner/planner.h"

/*
 * Is one of the attributes attnos (offset by FirstLowInvalidHeapAttributeNumber,
 * as pull_varattnos gives them) a field hidden by perm[1..natts]?
 */
bool
flp_attnos_hidden(Bitmapset *attnos, const uint8 *perm, int natts)
{
	int			i = -1;

	while ((i = bms_next_member(attnos, i)) >= 0)
	{
		AttrNumber	att = i + FirstLowInvalidHeapAttributeNumber;

		if (att > 0 && att <= natts && perm[att] == FLP_HIDE)
			return true;
	}
	return false;
}

/* Does the index read a field hidden by perm[1..natts]? */
static bool
index_reads_hidden(IndexOptInfo *index, Index relid, const uint8 *perm, int natts)
{
	Bitmapset  *cols = NULL;
	int			i;

	/* key and INCLUDE columns first; expressions and predicates seldom */
	for (i = 0; i < index->ncolumns; i++)
	{
		AttrNumber	att = index->indexkeys[i];

		if (att > 0 && att <= natts && perm[att] == FLP_HIDE)
			return true;
	}
	if (index->indexprs == NIL && index->indpred == NIL)
		return false;
	pull_varattnos((Node *) index->indexprs, relid, &cols);
	pull_varattnos((Node *) index->indpred, relid, &cols);
	return flp_attnos_hidden(cols, perm, natts);
}

/*
 * Remove from rel's index list the indexes that read a field hidden from the
 * role: rw is the planning flp rewrote for it, if any, whose permissions are
 * at hand; otherwise they are looked up.
 */
void
flp_hide_indexes(Rewriter *rw, Oid roleid, Oid relid, RelOptInfo *rel)
{
	const uint8 *perm;
	int			natts;
	ListCell   *lc;

	if (rel->indexlist == NIL)
		return;
	if (rw != NULL && rw->roleid == roleid)
	{
		RelPerms   *rp = flp_rel_perms(rw, relid);

		if (rp == NULL || !rp->hides)
			return;
		natts = rp->p.natts;
		perm = rp->p.permission;
	}
	else
	{
		const FlpTablePermissions *p;
		uint8	   *copy;

		if (flp_catalog() == NULL || !flp_is_governed(relid, NULL) ||
			flp_is_super_admin(roleid))
			return;
		p = flp_table_permissions(roleid, relid);
		if (!p->hides)
			return;
		natts = p->natts;
		copy = palloc(natts + 1);
		memcpy(copy, p->permission, natts + 1);
		perm = copy;
	}

	foreach(lc, rel->indexlist)
		if (index_reads_hidden(lfirst(lc), rel->relid, perm, natts))
			rel->indexlist = foreach_delete_current(rel->indexlist, lc);
}
