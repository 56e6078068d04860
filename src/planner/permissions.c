/*-------------------------------------------------------------------------
 *
 * permissions.c
 *	  The permissions of the relations of one query, and of one role.
 *
 * A planning copies the effective permissions (src/evaluate/) of each governed
 * relation it meets into a RelPerms, so that a cache reset while planning cannot
 * pull them away.  flp_role_checks remembers what every query of a role must be
 * checked for, whether or not it reads a governed table.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/relation.h"
#include "executor/executor.h"
#include "miscadmin.h"
#include "optimizer/optimizer.h"
#include "partitioning/partdesc.h"
#include "utils/acl.h"
#include "utils/hsearch.h"
#include "utils/lsyscache.h"
#include "utils/partcache.h"

#include "flp.h"
#include "planner/planner.h"

/*
 * The permissions of the current role on a relation, or NULL when it is not
 * governed.  Copied, so that a cache reset during planning cannot pull them
 * away.
 */
/*
 * A hidden column (an attribute number of root) of the partition key of rel,
 * a partitioned table of root's tree, or of any partitioned table below it:
 * which partition a row is in then tells that column's range, at whatever
 * level.  0 when there is none.
 */
static AttrNumber
hidden_partition_key(Relation rel, Oid root, const FlpTablePermissions *p)
{
	PartitionKey key = RelationGetPartitionKey(rel);
	PartitionDesc pd;
	Bitmapset  *cols = NULL;
	int			i;

	check_stack_depth();
	for (i = 0; i < key->partnatts; i++)
		if (key->partattrs[i] > 0)
			cols = bms_add_member(cols, key->partattrs[i] - FirstLowInvalidHeapAttributeNumber);
	pull_varattnos((Node *) key->partexprs, 1, &cols);
	i = -1;
	while ((i = bms_next_member(cols, i)) >= 0)
	{
		AttrNumber	att = i + FirstLowInvalidHeapAttributeNumber;

		if (att <= 0)
			continue;
		if (RelationGetRelid(rel) != root)
			att = get_attnum(root, get_attname(RelationGetRelid(rel), att, false));
		if (att > 0 && att <= p->natts && p->permission[att] == FLP_HIDE)
			return att;
	}
	pd = RelationGetPartitionDesc(rel, true);
	for (i = 0; i < pd->nparts; i++)
	{
		Relation	child;
		AttrNumber	att;

		if (pd->is_leaf[i])
			continue;
		child = relation_open(pd->oids[i], AccessShareLock);	/* the planner takes it anyway */
		att = hidden_partition_key(child, root, p);
		relation_close(child, NoLock);
		if (att != 0)
			return att;
	}
	return 0;
}

/*
 * The relations a query reads are looked up by a list search while they are
 * few (most queries), by a hash table once they are many (partitions).
 */
#define FLP_RELS_LISTED 8

typedef struct RelPermsEntry
{
	Oid			relid;			/* the key */
	RelPerms   *rp;
} RelPermsEntry;

static RelPerms *
known_rel_perms(Rewriter *rw, Oid relid)
{
	ListCell   *lc;
	RelPermsEntry *e;

	if (rw->rels_by_id != NULL)
	{
		e = hash_search(rw->rels_by_id, &relid, HASH_FIND, NULL);
		return e ? e->rp : NULL;
	}
	foreach(lc, rw->rels)
	{
		RelPerms   *rp = lfirst(lc);

		if (rp->relid == relid)
			return rp;
	}
	return NULL;
}

static void
remember_rel_perms(Rewriter *rw, RelPerms *rp)
{
	RelPermsEntry *e;
	ListCell   *lc;

	rw->rels = lappend(rw->rels, rp);
	if (rw->rels_by_id == NULL && list_length(rw->rels) > FLP_RELS_LISTED)
	{
		HASHCTL		ctl;

		ctl.keysize = sizeof(Oid);
		ctl.entrysize = sizeof(RelPermsEntry);
		ctl.hcxt = CurrentMemoryContext;
		rw->rels_by_id = hash_create("flp relations of a query", 64, &ctl,
									 HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
		foreach(lc, rw->rels)
		{
			RelPerms   *known = lfirst(lc);

			e = hash_search(rw->rels_by_id, &known->relid, HASH_ENTER, NULL);
			e->rp = known;
		}
	}
	else if (rw->rels_by_id != NULL)
	{
		e = hash_search(rw->rels_by_id, &rp->relid, HASH_ENTER, NULL);
		e->rp = rp;
	}
}

RelPerms *
flp_rel_perms(Rewriter *rw, Oid relid)
{
	RelPerms   *rp;
	const FlpTablePermissions *p;

	rp = known_rel_perms(rw, relid);
	if (rp != NULL)
		return rp->governed ? rp : NULL;

	if (!flp_is_governed(relid, NULL))
	{
		rp = palloc0(sizeof(RelPerms));
		rp->relid = relid;
	}
	else
	{
		/* one allocation: the struct, then the masks, then the permissions */
		Size		masks;

		p = flp_table_permissions(rw->roleid, relid);
		masks = sizeof(Oid) * (p->natts + 1);
		rp = palloc0(MAXALIGN(sizeof(RelPerms)) + masks + p->natts + 1);
		rp->relid = relid;
		rp->governed = true;
		rp->p = *p;
		rp->p.mask = (Oid *) ((char *) rp + MAXALIGN(sizeof(RelPerms)));
		memcpy(rp->p.mask, p->mask, masks);
		rp->p.permission = (uint8 *) ((char *) rp->p.mask + masks);
		memcpy(rp->p.permission, p->permission, p->natts + 1);
		rp->restricted = p->restricted;
		rp->hides = p->hides;
		if (rp->hides && flp_governed_relkind(relid) == RELKIND_PARTITIONED_TABLE)
		{
			Relation	rel = relation_open(relid, NoLock);

			rp->hidden_partkey = hidden_partition_key(rel, relid, p);
			relation_close(rel, NoLock);
		}
	}
	remember_rel_perms(rw, rp);
	return rp->governed ? rp : NULL;
}

FlpPermission
flp_perm_of(RelPerms *rp, AttrNumber att)
{
	if (rp->p.all_edit)
		return FLP_EDIT;
	if (att < 1 || att > rp->p.natts)
		return FLP_HIDE;
	return (FlpPermission) rp->p.permission[att];
}

const Origin *
flp_make_origin(Oid relid, AttrNumber attnum)
{
	Origin	   *o = palloc(sizeof(Origin));

	o->relid = relid;
	o->attnum = attnum;
	return o;
}

/*
 * The checks every query of a role needs, whether or not it reads a governed
 * table (activity counters, sequences that fill governed fields), remembered
 * for the last role while flp's catalog and roles do not change: most
 * queries pay a comparison.
 */

int
flp_role_checks(Oid roleid)
{
	static Oid	memo_role = InvalidOid;
	static FlpCacheStamp memo_stamp;	/* zeroed: never valid */
	static int	memo_checks = 0;
	static int	memo_explain = -1;

	if (roleid != memo_role || !flp_cache_stamp_valid(&memo_stamp) ||
		flp_subject_explain() != memo_explain)
	{
		FlpCacheStamp stamp = flp_cache_stamp(false);
		bool		hidden_sequence = flp_role_has_hidden_sequence(roleid);

		memo_explain = flp_subject_explain();
		/* counters of a sequence that fills a hidden field count its values too */
		memo_checks = (flp_counters_refused(roleid) || hidden_sequence ? CHECK_COUNTERS : 0) |
			(flp_sequences_fill_fields() ? CHECK_SEQUENCES : 0) |
			(hidden_sequence ? CHECK_HIDDEN_SEQUENCE : 0) |
			(has_bypassrls_privilege(roleid) ? CHECK_BYPASSRLS : 0);
		memo_role = roleid;
		memo_stamp = stamp;
	}
	return memo_checks;
}
