/*-------------------------------------------------------------------------
 *
 * compat.h
 *	  The one place where flp adapts to PostgreSQL versions.
 *
 * flp is built for PostgreSQL 15 and 17 to 19 (16 compiles, but no reachable
 * archive has it to test on).  What later releases moved is reached only
 * through the accessors of this header, so that the rest of flp reads the
 * same on every version:
 *
 * - The permission fields of a range table entry (checkAsUser,
 *   requiredPerms, selectedCols, insertedCols, updatedCols) moved to
 *   RTEPermissionInfo, listed in Query.rteperminfos, in PostgreSQL 16.
 *   Every accessor takes the query the entry belongs to for that reason.
 * - Ownership and privilege checks became object_ownercheck and
 *   object_aclcheck (16); MAINTAIN lets non-owners maintain a table (17);
 * - A role membership is one grant per grantor (16);
 *   stringToQualifiedNameList gained an error context (16);
 *   RelationGetPrimaryKeyIndex gained deferrable_ok (18); ExplainState moved
 *   to commands/explain_state.h (18); PostgreSQL's own EXPLAIN of one query
 *   is exported as standard_ExplainOneQuery from 17 (hooks.c has it for 15).
 * - New places of a query that hold expressions: MERGE's join condition
 *   (Query.mergeJoinCondition, 17) and the grouping step's expressions (an
 *   RTE_GROUP entry's groupexprs, 18).  walk.c lists them as slots, taint.c
 *   follows them.
 * - Role membership inherits privileges per grant (pg_auth_members
 *   .inherit_option, 16) instead of per member (pg_authid.rolinherit).
 * - Generated columns may be virtual (18, the default kind), computed when
 *   read: as hidden as what they are computed from, like stored ones.
 * - The planner hook gained the ExplainState of an EXPLAIN, and
 *   get_relation_info_hook gave way to build_simple_rel_hook (19: hooks.c
 *   has one small wrapper of each per version); name lookups of functions
 *   and operators gained a flags argument (19).
 * - A Var of a write's target may stand for the OLD or the NEW row in
 *   RETURNING (varreturningtype, 18); a Var flp builds for one keeps it.
 *
 *-------------------------------------------------------------------------
 */
#ifndef FLP_COMPAT_H
#define FLP_COMPAT_H

#include "access/htup_details.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_auth_members.h"
#include "nodes/parsenodes.h"
#include "nodes/primnodes.h"
#include "access/tupdesc.h"
#include "utils/relcache.h"
#include "utils/syscache.h"

#if PG_VERSION_NUM < 150000
#error "flp needs PostgreSQL 15 or later"
#endif

/* CLUSTER (and REPACK, VACUUM FULL) became one REPACK statement (19). */
#if PG_VERSION_NUM >= 190000
#define FLP_T_CLUSTER_STMT T_RepackStmt
#else
#define FLP_T_CLUSTER_STMT T_ClusterStmt
#endif

#if PG_VERSION_NUM >= 180000
#include "commands/explain_state.h"	/* ExplainState left explain.h */
#endif

#if PG_VERSION_NUM >= 160000
#include "catalog/pg_class.h"
#include "catalog/pg_database.h"
#include "catalog/pg_extension.h"
#include "parser/parse_relation.h"
#include "utils/acl.h"
#include "utils/catcache.h"
#include "utils/syscache.h"
#endif

#if PG_VERSION_NUM >= 160000

/* The entry's permission info, or NULL when it checks none. */
static inline RTEPermissionInfo *
flp_rte_perminfo(Query *q, RangeTblEntry *rte)
{
	if (rte->perminfoindex == 0)
		return NULL;
	return getRTEPermissionInfo(q->rteperminfos, rte);
}

static inline Oid
flp_rte_check_as_user(Query *q, RangeTblEntry *rte)
{
	RTEPermissionInfo *p = flp_rte_perminfo(q, rte);

	return p != NULL ? p->checkAsUser : InvalidOid;
}

static inline void
flp_rte_set_check_as_user(Query *q, RangeTblEntry *rte, Oid roleid)
{
	RTEPermissionInfo *p = flp_rte_perminfo(q, rte);

	if (p != NULL)
		p->checkAsUser = roleid;
}

static inline Bitmapset *
flp_rte_selected_cols(Query *q, RangeTblEntry *rte)
{
	RTEPermissionInfo *p = flp_rte_perminfo(q, rte);

	return p != NULL ? p->selectedCols : NULL;
}

static inline Bitmapset *
flp_rte_inserted_cols(Query *q, RangeTblEntry *rte)
{
	RTEPermissionInfo *p = flp_rte_perminfo(q, rte);

	return p != NULL ? p->insertedCols : NULL;
}

static inline Bitmapset *
flp_rte_updated_cols(Query *q, RangeTblEntry *rte)
{
	RTEPermissionInfo *p = flp_rte_perminfo(q, rte);

	return p != NULL ? p->updatedCols : NULL;
}

/*
 * The relation entry rte of query outer becomes a subquery whose one entry,
 * inner (a copy of rte), is in query sub: its permission info moves into
 * sub, at index 1.  The outer query's list keeps the old info, which no
 * entry refers to any more: the planner passes on only the infos its
 * entries refer to (setrefs.c), so nothing is checked twice or renumbered.
 */
static inline void
flp_rte_move_permissions(Query *outer, RangeTblEntry *rte, Query *sub,
						 RangeTblEntry *inner)
{
	RTEPermissionInfo *p = flp_rte_perminfo(outer, rte);

	inner->perminfoindex = 0;
	if (p != NULL)
	{
		sub->rteperminfos = list_make1(copyObject(p));
		inner->perminfoindex = 1;
	}
	rte->perminfoindex = 0;
}

static inline bool
flp_relation_owned_by(Oid relid, Oid roleid)
{
	return object_ownercheck(RelationRelationId, relid, roleid);
}

static inline bool
flp_extension_owned_by(Oid extoid, Oid roleid)
{
	return object_ownercheck(ExtensionRelationId, extoid, roleid);
}

/*
 * Does member hold role directly WITH ADMIN OPTION?  From 16 a member holds
 * one grant per grantor (the membership cache's third key): any of them.
 */
static inline bool
flp_direct_admin_option(Oid role, Oid member)
{
	CatCList   *grants = SearchSysCacheList2(AUTHMEMROLEMEM, ObjectIdGetDatum(role),
											 ObjectIdGetDatum(member));
	bool		result = false;

	for (int i = 0; i < grants->n_members && !result; i++)
		result = ((Form_pg_auth_members) GETSTRUCT(&grants->members[i]->tuple))->admin_option;
	ReleaseSysCacheList(grants);
	return result;
}

#if PG_VERSION_NUM >= 170000
/* May the role VACUUM, ANALYZE, CLUSTER or REINDEX the table?  (17: MAINTAIN) */
static inline bool
flp_may_maintain(Oid relid, Oid roleid)
{
	return pg_class_aclcheck(relid, roleid, ACL_MAINTAIN) == ACLCHECK_OK;
}
#else
static inline bool
flp_may_maintain(Oid relid, Oid roleid)
{
	return object_ownercheck(RelationRelationId, relid, roleid) ||
		object_ownercheck(DatabaseRelationId, MyDatabaseId, roleid);
}
#endif

#define flp_qualified_name_list(string) stringToQualifiedNameList((string), NULL)

#else							/* PostgreSQL 15 */

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

/* See above: in 15 the copy inner carries the checks, rte drops them. */
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

#define flp_relation_owned_by(relid, roleid) pg_class_ownercheck((relid), (roleid))
#define flp_extension_owned_by(extoid, roleid) pg_extension_ownercheck((extoid), (roleid))
static inline bool
flp_direct_admin_option(Oid role, Oid member)
{
	HeapTuple	tuple = SearchSysCache2(AUTHMEMROLEMEM, ObjectIdGetDatum(role),
										ObjectIdGetDatum(member));
	bool		result = false;

	if (HeapTupleIsValid(tuple))
	{
		result = ((Form_pg_auth_members) GETSTRUCT(tuple))->admin_option;
		ReleaseSysCache(tuple);
	}
	return result;
}

#define flp_may_maintain(relid, roleid) \
	(pg_class_ownercheck((relid), (roleid)) || pg_database_ownercheck(MyDatabaseId, (roleid)))
#define flp_qualified_name_list(string) stringToQualifiedNameList(string)

#endif							/* PG_VERSION_NUM >= 160000 */

/* MERGE's join condition, where the query keeps it apart (17), else NULL. */
static inline Node **
flp_merge_join_condition(Query *q)
{
#if PG_VERSION_NUM >= 170000
	return &q->mergeJoinCondition;
#else
	return NULL;
#endif
}

/* The expressions of a grouping step entry (18), else NULL. */
static inline List **
flp_group_exprs(RangeTblEntry *rte)
{
#if PG_VERSION_NUM >= 180000
	if (rte->rtekind == RTE_GROUP)
		return &rte->groupexprs;
#endif
	return NULL;
}

/*
 * The view a subquery entry was expanded from by the rewriter, or InvalidOid.
 * From 16 the entry keeps the view's OID and relkind; in 15 the view's query
 * begins with the view's own unreferenced OLD entry (inFromCl false), which no
 * subquery written in FROM has.
 */
static inline Oid
flp_subquery_view(RangeTblEntry *rte)
{
#if PG_VERSION_NUM >= 160000
	if (rte->rtekind == RTE_SUBQUERY && rte->relkind == RELKIND_VIEW)
		return rte->relid;
#else
	if (rte->rtekind == RTE_SUBQUERY && rte->subquery != NULL && rte->subquery->rtable != NIL)
	{
		RangeTblEntry *old = linitial(rte->subquery->rtable);

		if (old->rtekind == RTE_RELATION && old->relkind == RELKIND_VIEW && !old->inFromCl)
			return old->relid;
	}
#endif
	return InvalidOid;
}

/* Is the node one of the SQL/JSON expressions that make values of a type (16, 17)? */
static inline bool
flp_is_json_value_expr(Node *node)
{
#if PG_VERSION_NUM >= 170000
	if (IsA(node, JsonExpr) || IsA(node, JsonBehavior))
		return true;
#endif
#if PG_VERSION_NUM >= 160000
	if (IsA(node, JsonConstructorExpr) || IsA(node, JsonValueExpr))
		return true;
#endif
	return false;
}

/* The parameters and arguments of an ExecutorRun hook (execute_once left in 18). */
#if PG_VERSION_NUM >= 180000
#define FLP_RUN_PARAMS QueryDesc *queryDesc, ScanDirection direction, uint64 count
#define FLP_RUN_ARGS queryDesc, direction, count
#else
#define FLP_RUN_PARAMS QueryDesc *queryDesc, ScanDirection direction, uint64 count, bool execute_once
#define FLP_RUN_ARGS queryDesc, direction, count, execute_once
#endif

/* Does a member inherit the privileges of the role of this pg_auth_members tuple? */
static inline bool
flp_grant_inherits(HeapTuple authmem, bool member_rolinherit)
{
#if PG_VERSION_NUM >= 160000
	return ((Form_pg_auth_members) GETSTRUCT(authmem))->inherit_option;
#else
	return member_rolinherit;
#endif
}

/* A Var like var (which OLD or NEW row it reads in RETURNING included). */
static inline void
flp_var_like(Var *made, const Var *var)
{
#if PG_VERSION_NUM >= 180000
	made->varreturningtype = var->varreturningtype;
#endif
}

/* Has the relation generated columns: stored ones, or virtual ones (18)? */
static inline bool
flp_has_generated_columns(TupleConstr *constr)
{
	if (constr == NULL)
		return false;
#if PG_VERSION_NUM >= 180000
	if (constr->has_generated_virtual)
		return true;
#endif
	return constr->has_generated_stored;
}

/* Every function and every operator of a (possibly qualified) name. */
static inline FuncCandidateList
flp_function_candidates(List *names)
{
#if PG_VERSION_NUM >= 190000
	int			flags;

	return FuncnameGetCandidates(names, -1, NIL, false, false, false, true, &flags);
#else
	return FuncnameGetCandidates(names, -1, NIL, false, false, false, true);
#endif
}

static inline FuncCandidateList
flp_operator_candidates(List *names)
{
#if PG_VERSION_NUM >= 190000
	int			flags;

	return OpernameGetCandidates(names, '\0', true, &flags);
#else
	return OpernameGetCandidates(names, '\0', true);
#endif
}

/* The primary key index of a relation, a deferrable one excluded (as before 18). */
#if PG_VERSION_NUM >= 180000
#define flp_primary_key_index(rel) RelationGetPrimaryKeyIndex((rel), false)
#else
#define flp_primary_key_index(rel) RelationGetPrimaryKeyIndex(rel)
#endif

#endif							/* FLP_COMPAT_H */
