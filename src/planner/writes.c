/*-------------------------------------------------------------------------
 *
 * writes.c
 *	  Refusing writes: values and fields of INSERT, UPDATE and MERGE.
 *
 * A value written must not be derived from a hidden field; a field that is not
 * Edit must not be set, neither named nor through a view's default; a new row
 * must not need a value for such a field; and neither a unique index over a
 * hidden field nor ON CONFLICT on a scoped table may answer questions about rows
 * the role cannot see.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/relation.h"
#include "executor/executor.h"
#include "miscadmin.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/optimizer.h"
#include "parser/parsetree.h"
#include "rewrite/rewriteHandler.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"

#include "flp.h"
#include "planner/planner.h"

/* What the written-value check of one level needs. */
typedef struct LevelWrite
{
	Rewriter   *rw;
	Level	   *lv;
} LevelWrite;

/*
 * The mandatory fields of relid -- NOT NULL without a default, not an
 * identity or generated column -- must all be Edit for the role: a new row
 * needs a value for each, and where a super admin turned it on
 * (flp.set_mandatory_on_update) so does a changed one.
 */
static void
check_mandatory_fields(Oid relid, RelPerms *rp, bool update)
{
	Relation	rel = relation_open(relid, NoLock);
	TupleDesc	desc = RelationGetDescr(rel);

	for (int i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute a = TupleDescAttr(desc, i);

		if (a->attisdropped || !a->attnotnull || a->atthasdef || a->attidentity ||
			a->attgenerated)
			continue;
		if (flp_perm_of(rp, a->attnum) != FLP_EDIT)
		{
			relation_close(rel, NoLock);
			flp_deny_required(relid, a->attnum, flp_perm_of(rp, a->attnum), update);
		}
	}
	relation_close(rel, NoLock);
}

/* Used by the COPY FROM check of utility/copy.c too. */
void
flp_check_insert_columns(Oid relid, Bitmapset *attnums, const char *command)
{
	Rewriter	rw;
	RelPerms   *rp;
	int			i;

	memset(&rw, 0, sizeof(rw));
	rw.roleid = GetUserId();
	if (flp_is_super_admin(rw.roleid) || (rp = flp_rel_perms(&rw, relid)) == NULL)
		return;

	i = -1;
	while ((i = bms_next_member(attnums, i)) >= 0)
	{
		AttrNumber	att = i + FirstLowInvalidHeapAttributeNumber;

		if (att > 0 && flp_perm_of(rp, att) != FLP_EDIT)
			flp_deny_write(relid, att, flp_perm_of(rp, att), command);
	}

	check_mandatory_fields(relid, rp, false);
}

/*
 * Values written by INSERT, UPDATE, ON CONFLICT DO UPDATE and MERGE: none may
 * be derived from a hidden field.  Junk entries too: UPDATE ... SET (a, b) =
 * (SELECT ...) keeps its sublink there.
 */
static void
check_written_slot(FlpSlot *slot, void *arg)
{
	LevelWrite *lw = (LevelWrite *) arg;
	const Origin *o;

	if (slot->use == FLP_SLOT_WRITTEN &&
		(o = flp_expr_taint(lw->rw, lw->lv, *slot->expr)) != NULL)
		flp_deny_use(o, NULL, true);
}

/*
 * What an INSERT writes into the fields it does not name: the rewriter fills
 * them with defaults, and a view's own defaults (ALTER VIEW ... ALTER COLUMN
 * ... SET DEFAULT, by whoever owns the view) would write a value of the
 * subject's choosing into a Read or Hide field.  Such a field may receive
 * only the default of its table, which an administrator chose.
 */
static void
check_default_values(Query *q, RangeTblEntry *rte, RelPerms *rp, List *targetList)
{
	Relation	rel = NULL;
	ListCell   *lc;

	foreach(lc, targetList)
	{
		TargetEntry *tle = lfirst(lc);
		AttrNumber	att = tle->resno;
		Node	   *table_default;

		if (tle->resjunk || att <= 0 || flp_perm_of(rp, att) == FLP_EDIT ||
			bms_is_member(att - FirstLowInvalidHeapAttributeNumber,
						  flp_rte_inserted_cols(q, rte)))
			continue;			/* named ones are checked as written */
		if (rel == NULL)
			rel = relation_open(rte->relid, NoLock);
		if (att > RelationGetNumberOfAttributes(rel) ||
			TupleDescAttr(RelationGetDescr(rel), att - 1)->attisdropped)
			continue;
		table_default = build_column_default(rel, att);
		if (table_default == NULL || !equal(table_default, tle->expr))
		{
			relation_close(rel, NoLock);
			flp_deny_write(rte->relid, att, flp_perm_of(rp, att), "INSERT through a view's default");
		}
	}
	if (rel != NULL)
		relation_close(rel, NoLock);
}

/*
 * A unique or exclusion index over a field hidden from the subject answers,
 * through whether an INSERT fails, whether another row holds the value the
 * new row gets there.  That value is the subject's own choice nowhere (the
 * field is not writable), but when it is the same for every row -- a
 * constant default, or NULL where the index treats NULLs as equal (UNIQUE
 * NULLS NOT DISTINCT) -- the answer is about the other rows: refused.
 */
static void
check_unique_constants(RangeTblEntry *rte, RelPerms *rp, List *targetList)
{
	Relation	rel = relation_open(rte->relid, NoLock);
	List	   *indexes = RelationGetIndexList(rel);
	ListCell   *lc;

	foreach(lc, indexes)
	{
		HeapTuple	tuple = SearchSysCache1(INDEXRELID, ObjectIdGetDatum(lfirst_oid(lc)));
		Form_pg_index index;

		if (!HeapTupleIsValid(tuple))
			continue;
		index = (Form_pg_index) GETSTRUCT(tuple);
		for (int k = 0; (index->indisunique || index->indisexclusion) &&
			 k < index->indnkeyatts; k++)
		{
			AttrNumber	att = index->indkey.values[k];
			TargetEntry *tle;
			Node	   *value;
			bool		constant;

			if (att <= 0 || att > rp->p.natts || flp_perm_of(rp, att) != FLP_HIDE)
				continue;
			tle = get_tle_by_resno(targetList, att);
			value = tle ? strip_implicit_coercions((Node *) tle->expr) : NULL;
			/* the same for every row: no Var, nothing volatile (lower('x'), current_user) */
			if (value == NULL)
				constant = index->indnullsnotdistinct;	/* NULL */
			else if (IsA(value, Const) && ((Const *) value)->constisnull)
				constant = index->indnullsnotdistinct;
			else
				constant = !contain_volatile_functions(value) && !contain_var_clause(value);
			if (constant)
			{
				char	   *field = get_attname(rte->relid, att, false);
				char	   *indexname = get_rel_name(index->indexrelid);

				ReleaseSysCache(tuple);
				relation_close(rel, NoLock);
				flp_log_denial(GetUserNameFromId(GetUserId(), false), get_rel_name(rte->relid),
						   field, "clause \"INSERT\" (unique index)");
				ereport(ERROR,
						(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
						 errmsg("permission denied to insert into table \"%s\"",
								flp_table_name(rte->relid)),
						 errdetail("Field \"%s\" is hidden for role \"%s\" and in unique index \"%s\"; every new row gets the same value there, so whether the INSERT fails would tell whether another row holds it.",
								   field, GetUserNameFromId(GetUserId(), false), indexname),
						 errhint("Give the field a default that differs for each row, or ask a super admin for Edit access to it."),
						 flp_errtablecol(rte->relid, 0)));
			}
		}
		ReleaseSysCache(tuple);
	}
	relation_close(rel, NoLock);
}


/*
 * ON CONFLICT on a table whose rows flp's row rules scope for the role: which
 * branch it takes (nothing inserted, or an UPDATE that the scope refuses)
 * would tell whether a row the role cannot see holds the key.  Refused;
 * a plain INSERT's unique violation remains (docs/security.md).
 */
static void
check_on_conflict_scope(Rewriter *rw, Oid relid)
{
	int			rules;

	if (!flp_is_governed(relid, NULL))
		return;
	rules = flp_row_rules(relid);
	if ((rules & FLP_RULES_DATA) ||
		((rules & FLP_RULES_SCOPE) && flp_role_partner(rw->roleid) != NULL))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied to use ON CONFLICT on table \"%s\"", flp_table_name(relid)),
				 errdetail("Its rows are scoped for role \"%s\" by flp's row rules: the branch ON CONFLICT takes would tell whether a row outside that scope exists.",
						   GetUserNameFromId(rw->roleid, false)),
				 errhint("Use INSERT, or UPDATE the rows the role can see."),
				 flp_errtablecol(relid, 0)));
}

/* A new row's fields the INSERT does not name: defaults, unique constants. */
static void
check_new_row(Query *q, RangeTblEntry *rte, RelPerms *rp, List *targetList)
{
	check_default_values(q, rte, rp, targetList);
	if (rp->hides)
		check_unique_constants(rte, rp, targetList);
}

/*
 * The fields a write sets on a governed target: each must be Edit, and a new
 * row may get a Read or Hide field's value only from its table's default.
 */
static void
check_target_fields(Rewriter *rw, Query *q, RangeTblEntry *rte, RelPerms *rp)
{
	Bitmapset  *inserted = flp_rte_inserted_cols(q, rte);
	Bitmapset  *updated = flp_rte_updated_cols(q, rte);
	Bitmapset  *cols = bms_union(inserted, updated);
	const char *command = q->commandType == CMD_INSERT ? "INSERT" :
		q->commandType == CMD_UPDATE ? "UPDATE" : "MERGE";
	bool		inserts = q->commandType == CMD_INSERT;
	bool		updates = q->commandType == CMD_UPDATE ||
		(q->onConflict != NULL && q->onConflict->action == ONCONFLICT_UPDATE);
	ListCell   *lc;
	int			i = -1;

	while ((i = bms_next_member(cols, i)) >= 0)
	{
		AttrNumber	att = i + FirstLowInvalidHeapAttributeNumber;

		if (att > 0 && flp_perm_of(rp, att) != FLP_EDIT)
			flp_deny_write(rte->relid, att, flp_perm_of(rp, att),
						   (q->onConflict && bms_is_member(i, updated) &&
							!bms_is_member(i, inserted)) ?
						   "ON CONFLICT DO UPDATE" : command);
	}
	if (q->commandType == CMD_INSERT)
		check_new_row(q, rte, rp, q->targetList);
	foreach(lc, q->mergeActionList)
	{
		MergeAction *ma = lfirst(lc);

		if (ma->commandType == CMD_INSERT)
		{
			check_new_row(q, rte, rp, ma->targetList);
			inserts = true;
		}
		else if (ma->commandType == CMD_UPDATE)
			updates = true;
	}
	if (inserts)
		flp_check_insert_columns(rte->relid, inserted, command);
	if (updates && flp_mandatory_on_update(rte->relid))
		check_mandatory_fields(rte->relid, rp, true);
}

/* Writes: the values written, and the fields of a governed target. */
void
flp_check_writes(Rewriter *rw, Level *lv)
{
	Query	   *q = lv->query;
	RangeTblEntry *rte;
	RelPerms   *rp;
	LevelWrite	lw;

	if (q->commandType != CMD_INSERT && q->commandType != CMD_UPDATE &&
		q->commandType != CMD_MERGE)
		return;
	lw.rw = rw;
	lw.lv = lv;
	flp_query_slots(rw, q, check_written_slot, &lw);

	if (q->resultRelation == 0)
		return;
	rte = rt_fetch(q->resultRelation, q->rtable);
	if (rte->rtekind != RTE_RELATION)
		return;
	if (q->onConflict)
		check_on_conflict_scope(rw, rte->relid);
	if ((rp = flp_rel_perms(rw, rte->relid)) != NULL && rp->restricted)
		check_target_fields(rw, q, rte, rp);
}
