/*-------------------------------------------------------------------------
 *
 * roles.c
 *	  Role tracking: the roles flp has resolved, and whether what it read of
 *	  them changed.
 *
 * An invalidation of pg_authid only notes which role's entry changed
 * (flp_note_role_change); invalidation.c asks flp_roles_changed() before
 * handing out a generation, which compares the digests of the tracked roles
 * it may concern, so that a change nothing of flp depends on -- a password,
 * which any role may change for itself -- moves nothing.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_authid.h"
#include "common/hashfn.h"
#include "commands/trigger.h"
#include "utils/memutils.h"
#include "utils/syscache.h"

#include "flp.h"
#include "flp_catalog.h"


/*
 * Roles flp has resolved, with a digest of what it reads of each (superuser,
 * inheritance, BYPASSRLS, name, existence).  An invalidation of pg_authid
 * only notes which role's entry changed; the next look at the generations
 * compares the digests of the tracked roles it may concern, so that a change
 * nothing of flp depends on -- a password, which any role may change for
 * itself -- moves nothing.
 */
typedef struct TrackedRole
{
	Oid			roleid;			/* hash key */
	uint32		hashvalue;		/* of its pg_authid syscache entry */
	uint32		digest;
} TrackedRole;

#define MAX_PENDING_ROLES 32

static HTAB *tracked_roles = NULL;
static uint32 pending_roles[MAX_PENDING_ROLES];
static int	npending_roles = 0;
static bool pending_all_roles = false;

/* A digest of what flp reads of a role; 0 when it does not exist. */
static uint32
role_digest(Oid roleid)
{
	HeapTuple	tuple = SearchSysCache1(AUTHOID, ObjectIdGetDatum(roleid));
	Form_pg_authid role;
	uint32		h;

	if (!HeapTupleIsValid(tuple))
		return 0;
	role = (Form_pg_authid) GETSTRUCT(tuple);
	h = hash_bytes((const unsigned char *) NameStr(role->rolname), strlen(NameStr(role->rolname)));
	h = hash_combine(h, 8 | (role->rolsuper ? 1 : 0) | (role->rolinherit ? 2 : 0) |
					 (role->rolbypassrls ? 4 : 0));
	ReleaseSysCache(tuple);
	return h;
}

/*
 * Remember what flp read of a role it resolves (src/evaluate/), so that a later
 * change of it is told from one that does not matter.
 */
void
flp_track_role(Oid roleid)
{
	static Oid	last_tracked = InvalidOid;
	TrackedRole *tr;
	bool		found;

	if (roleid == last_tracked)
		return;					/* the planner asks for the same role again and again */
	last_tracked = roleid;
	if (tracked_roles == NULL)
		tracked_roles = flp_hash_create("flp tracked roles", 64, sizeof(Oid),
										sizeof(TrackedRole), CacheMemoryContext);
	tr = hash_search(tracked_roles, &roleid, HASH_ENTER, &found);
	if (!found)
	{
		tr->hashvalue = GetSysCacheHashValue1(AUTHOID, ObjectIdGetDatum(roleid));
		tr->digest = role_digest(roleid);
	}
}

/*
 * An invalidation of pg_authid: note which role's entry changed (hashvalue 0:
 * any), for flp_roles_changed() to look at.
 */
void
flp_note_role_change(uint32 hashvalue)
{
	if (hashvalue == 0 || npending_roles >= MAX_PENDING_ROLES)
		pending_all_roles = true;
	else
		pending_roles[npending_roles++] = hashvalue;
}

/*
 * After invalidations of pg_authid: did something flp read of a tracked role
 * change (or is the role gone)?  Only inside a transaction, which reading
 * pg_authid needs; until then the changes stay pending.
 */
bool
flp_roles_changed(void)
{
	HASH_SEQ_STATUS status;
	TrackedRole *tr;
	bool		changed = false;

	if ((npending_roles == 0 && !pending_all_roles) || !IsTransactionState())
		return false;
	if (tracked_roles != NULL)
	{
		hash_seq_init(&status, tracked_roles);
		while ((tr = hash_seq_search(&status)) != NULL)
		{
			bool		concerned = pending_all_roles;
			uint32		digest;

			for (int i = 0; i < npending_roles && !concerned; i++)
				concerned = pending_roles[i] == tr->hashvalue;
			if (!concerned)
				continue;
			digest = role_digest(tr->roleid);
			if (digest != tr->digest)
			{
				changed = true;
				tr->digest = digest;
			}
		}
	}
	npending_roles = 0;
	pending_all_roles = false;
	return changed;
}
