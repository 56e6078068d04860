/*-------------------------------------------------------------------------
 *
 * compat.h
 *	  The one place where flp adapts to PostgreSQL versions.
 *
 * flp is built and tested against PostgreSQL 15.  What later releases moved
 * is reached only through the accessors of this header, so that a port
 * changes them here and nowhere else:
 *
 * - The permission fields of a range table entry (checkAsUser,
 *   requiredPerms, selectedCols, insertedCols, updatedCols,
 *   extraUpdatedCols) moved to RTEPermissionInfo, listed in
 *   Query.rteperminfos, in PostgreSQL 16.  Every accessor takes the query the
 *   entry belongs to for that reason, unused before 16.
 *
 *-------------------------------------------------------------------------
 */
#ifndef FLP_COMPAT_H
#define FLP_COMPAT_H

#include "nodes/parsenodes.h"

#if PG_VERSION_NUM < 150000 || PG_VERSION_NUM >= 160000
#error "flp supports PostgreSQL 15"
#endif

/* The role whose privileges are checked for the entry (InvalidOid: the current one). */
static inline Oid
flp_rte_check_as_user(Query *q, RangeTblEntry *rte)
{
	return rte->checkAsUser;
}

static inline void
flp_rte_set_check_as_user(Query *q, RangeTblEntry *rte, Oid roleid)
{
	rte->checkAsUser = roleid;
}

/* The columns the query reads, inserts and updates (offset by FirstLowInvalidHeapAttributeNumber). */
static inline Bitmapset *
flp_rte_selected_cols(Query *q, RangeTblEntry *rte)
{
	return rte->selectedCols;
}

static inline Bitmapset *
flp_rte_inserted_cols(Query *q, RangeTblEntry *rte)
{
	return rte->insertedCols;
}

static inline Bitmapset *
flp_rte_updated_cols(Query *q, RangeTblEntry *rte)
{
	return rte->updatedCols;
}

/*
 * The relation entry rte of query outer becomes a subquery whose one entry,
 * inner (a copy of rte), is in query sub: its permission checks move with
 * it, and rte checks nothing any more.
 */
static inline void
flp_rte_move_permissions(Query *outer, RangeTblEntry *rte, Query *sub,
						 RangeTblEntry *inner)
{
	rte->requiredPerms = 0;
	rte->checkAsUser = InvalidOid;
	rte->selectedCols = NULL;
	rte->insertedCols = NULL;
	rte->updatedCols = NULL;
	rte->extraUpdatedCols = NULL;
}

#endif							/* FLP_COMPAT_H */
