/*-------------------------------------------------------------------------
 *
 * roles.c
 *	  The bundles that apply to a role (steps 1 and 2 of the effective
 *	  permission, see permission.c), and the per-session role cache that
 *	  row-level security policies ask (flp.is_partner_user,
 *	  flp.current_partner, flp.has_bundle).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_auth_members.h"
#include "catalog/pg_authid.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/catcache.h"
#include "utils/syscache.h"

#include "flp.h"
#include "evaluate.h"

/* Cached role: the applicable bundles only. */
typedef struct RoleEntry
{
	Oid			roleid;			/* hash key */
	bool		super_admin;
	FlpLicense	license;
	char	   *partner;
	int			nbundles;
	char	  **bundles;
	uint8	   *flags;			/* per bundle: 1 partner bundle, 2 default partner bundle */
} RoleEntry;
/* The role cache: applicable bundles by role, and the criteria rules */
static FlpCache roles = {"flp role cache", false, true};
static HTAB *role_cache = NULL;
static List *rule_cache = NIL;
static bool rule_cache_valid = false;

/*
 * Make the role cache current, from the outermost lookup only (so that
 * pointers held by a computation in progress stay valid): false inside a
 * resolution, when nothing is done.
 */
bool
flp_role_cache_prepare(void)
{
	if (flp_resolving())
		return false;

	/* a change committed elsewhere holds from the next statement on */
	flp_read_invalidations();

	if (flp_cache_refresh(&roles))
	{
		rule_cache = NIL;
		rule_cache_valid = false;
		role_cache = flp_hash_create("flp role cache", 256, sizeof(Oid),
									 sizeof(RoleEntry), roles.context);
	}
	return true;
}

/* May roles resolved now be cached? */
static bool
role_cache_current(void)
{
	return flp_cache_valid(&roles);
}

/* ---------------------------------------------------------------------
 * Roles
 * ---------------------------------------------------------------------
 */

/*
 * Is the role a super admin: a superuser, or a role that has the privileges
 * of flp_admin (a member inheriting them; a NOINHERIT member becomes one
 * after SET ROLE flp_admin, as with any privilege)?
 */
bool
flp_is_super_admin(Oid roleid)
{
	const FlpCatalog *c;

	flp_track_role(roleid);		/* a change of it must reach cached plans */
	if (superuser_arg(roleid))
		return true;
	c = flp_catalog();
	return c != NULL && OidIsValid(c->admin_role) &&
		has_privs_of_role(roleid, c->admin_role);
}

/* Does the role inherit the privileges of the roles it is a member of? */
static bool
role_inherits(Oid roleid)
{
	HeapTuple	tuple;
	bool		result = false;

	tuple = SearchSysCache1(AUTHOID, ObjectIdGetDatum(roleid));
	if (HeapTupleIsValid(tuple))
	{
		result = ((Form_pg_authid) GETSTRUCT(tuple))->rolinherit;
		ReleaseSysCache(tuple);
	}
	return result;
}

/*
 * The role itself and every role whose privileges it has, in breadth-first
 * order: a bundle assigned to any of them applies, as a privilege granted
 * to it would.
 */
static List *
role_memberships(Oid roleid)
{
	List	   *roles = list_make1_oid(roleid);
	ListCell   *lc;

	foreach(lc, roles)
	{
		Oid			member = lfirst_oid(lc);
		CatCList   *memlist;
		int			i;

		bool		inherits = role_inherits(member);

		memlist = SearchSysCacheList1(AUTHMEMMEMROLE, ObjectIdGetDatum(member));
		for (i = 0; i < memlist->n_members; i++)
		{
			HeapTuple	tup = &memlist->members[i]->tuple;

			/* per grant from 16 (GRANT ... WITH INHERIT), per member before */
			if (flp_grant_inherits(tup, inherits))
				roles = list_append_unique_oid(roles,
											   ((Form_pg_auth_members) GETSTRUCT(tup))->roleid);
		}
		ReleaseSysCacheList(memlist);
	}
	return roles;
}

/* The criteria rules, read once per generation. */
static List *
rules(void)
{
	MemoryContext old;

	if (!role_cache_current())
		return flp_read_rules();
	if (!rule_cache_valid)
	{
		old = MemoryContextSwitchTo(roles.context);
		rule_cache = flp_read_rules();
		MemoryContextSwitchTo(old);
		rule_cache_valid = role_cache_current();
	}
	return rule_cache;
}

static Candidate *
candidate_find(List *candidates, const char *name)
{
	ListCell   *lc;

	foreach(lc, candidates)
	{
		Candidate  *c = lfirst(lc);

		if (strcmp(c->name, name) == 0)
			return c;
	}
	return NULL;
}

/* Add a bundle to the candidates (once: the first reason is kept). */
static List *
candidate_add(List *candidates, const char *name, char *source)
{
	Candidate  *c;

	if (candidate_find(candidates, name) != NULL)
		return candidates;
	c = palloc0(sizeof(Candidate));
	c->name = pstrdup(name);
	c->source = source;
	return lappend(candidates, c);
}

/*
 * Decide, for each candidate, whether it applies: it must exist, and be an
 * internal bundle of the user's license (internal user) or a partner bundle
 * (partner user).
 */
static void
candidates_filter(List *candidates, const FlpUser *user)
{
	ListCell   *lc;

	foreach(lc, candidates)
	{
		Candidate  *c = lfirst(lc);
		FlpBundle	b;

		if (!flp_read_bundle(c->name, &b))
		{
			c->ignored = pstrdup("the bundle does not exist");
			continue;
		}
		c->partner_bundle = (b.kind == FLP_PARTNER);
		c->default_partner = c->partner_bundle && b.system;
		if (false)
			;
		else if (user->partner != NULL && b.kind != FLP_PARTNER)
			c->ignored = pstrdup("an internal bundle, and the role is a partner user");
		else if (user->partner == NULL && b.kind != FLP_INTERNAL)
			c->ignored = pstrdup("a partner bundle, and the role is an internal user");
		else if (user->partner == NULL && b.license != user->license)
			c->ignored = psprintf("a bundle for license %s, and the role has license %s",
								  flp_license_name(b.license),
								  flp_license_name(user->license));
	}
}

/* A partner user's candidate: its partner's bundle, or the default one. */
static void
partner_candidates(RoleInfo *ri, const FlpUser *user, Trace *t)
{
	char	   *own = flp_read_partner_bundle(user->partner);

	flp_trace_step(t, FLP_NO_PERMISSION, "role",
				   "%s is a partner user of partner \"%s\" with license full",
				   flp_role_name(ri->roleid), user->partner);
	if (own != NULL)
		ri->candidates = candidate_add(ri->candidates, own,
									   psprintf("assigned to partner \"%s\"", user->partner));
	else
		ri->candidates = candidate_add(ri->candidates, FLP_DEFAULT_PARTNER_BUNDLE,
									   psprintf("partner \"%s\" has no bundle of its own",
												user->partner));
}

/*
 * An internal user's candidates: the bundles assigned to it or to a role
 * whose privileges it has, then those of the criteria rules its attributes
 * match.
 */
static void
internal_candidates(RoleInfo *ri, const FlpUser *user, Trace *t)
{
	Oid			roleid = ri->roleid;
	Jsonb	   *attributes = user->attributes;
	ListCell   *lc;

	if (user->registered)
		flp_trace_step(t, FLP_NO_PERMISSION, "role",
					   "%s is a registered internal user with license %s",
					   flp_role_name(roleid), flp_license_name(user->license));
	else
		flp_trace_step(t, FLP_NO_PERMISSION, "role",
					   "%s is not registered: an internal user with license full and no attributes",
					   flp_role_name(roleid));

	foreach(lc, role_memberships(roleid))
	{
		Oid			r = lfirst_oid(lc);
		ListCell   *lc2;

		foreach(lc2, flp_read_assignments(r))
		{
			char	   *source = (r == roleid) ?
			psprintf("assigned to role %s", flp_role_name(r)) :
			psprintf("assigned to role %s, whose privileges %s has",
					 flp_role_name(r), flp_role_name(roleid));

			ri->candidates = candidate_add(ri->candidates, lfirst(lc2), source);
		}
	}

	if (attributes == NULL)
		attributes = DatumGetJsonbP(DirectFunctionCall1(jsonb_in, CStringGetDatum("{}")));
	foreach(lc, rules())
	{
		FlpRule    *rule = lfirst(lc);

		if (DatumGetBool(DirectFunctionCall2(jsonb_contains,
											 JsonbPGetDatum(attributes),
											 JsonbPGetDatum(rule->criteria))))
			ri->candidates =
				candidate_add(ri->candidates, rule->bundle,
							  psprintf("criteria rule %lld matches: %s",
									   (long long) rule->id,
									   JsonbToCString(NULL, &rule->criteria->root,
													  VARSIZE(rule->criteria))));
	}
}

/*
 * Everything about a role that does not depend on a table: super admin,
 * license, and the bundles considered, each applied or ignored.
 */
RoleInfo *
flp_role_resolve(Oid roleid, Trace *t)
{
	RoleInfo   *ri = palloc0(sizeof(RoleInfo));
	FlpUser		user;

	ri->roleid = roleid;
	if (!SearchSysCacheExists1(AUTHOID, ObjectIdGetDatum(roleid)))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("the role this query runs as no longer exists"),
				 errdetail("Role with OID %u was dropped while a session of it was still connected; flp gives a role that no longer exists no permissions at all.",
						   roleid),
				 errhint("Connect again as a role that exists.")));
	flp_track_role(roleid);
	if (superuser_arg(roleid))
	{
		ri->super_admin = true;
		flp_trace_step(t, FLP_EDIT, "super admin",
				   "role %s is a superuser: nothing is restricted", flp_role_name(roleid));
		return ri;
	}
	if (flp_is_super_admin(roleid))
	{
		ri->super_admin = true;
		flp_trace_step(t, FLP_EDIT, "super admin",
				   "role %s has the privileges of role \"%s\": nothing is restricted",
				   flp_role_name(roleid), GetUserNameFromId(flp_catalog()->admin_role, false));
		return ri;
	}

	user = flp_read_user(roleid);
	ri->license = user.license;
	ri->partner = user.partner;
	if (user.partner != NULL)
		partner_candidates(ri, &user, t);
	else
		internal_candidates(ri, &user, t);
	candidates_filter(ri->candidates, &user);
	return ri;
}

/*
 * The role's cached entry, computing it when needed.  The entry stays valid
 * until the next outermost lookup.
 */
RoleInfo *
flp_role_lookup(Oid roleid)
{
	RoleEntry  *entry;
	RoleInfo   *ri;
	bool		found;
	ListCell   *lc;
	int			n = 0;

	if (role_cache_current())
	{
		entry = hash_search(role_cache, &roleid, HASH_FIND, &found);
		if (found)
		{
			int			i;

			ri = palloc0(sizeof(RoleInfo));
			ri->roleid = roleid;
			ri->super_admin = entry->super_admin;
			ri->license = entry->license;
			ri->partner = entry->partner;
			for (i = 0; i < entry->nbundles; i++)
			{
				Candidate  *c = palloc0(sizeof(Candidate));

				c->name = entry->bundles[i];
				c->partner_bundle = (entry->flags[i] & 1) != 0;
				c->default_partner = (entry->flags[i] & 2) != 0;
				ri->candidates = lappend(ri->candidates, c);
			}
			return ri;
		}
	}

	ri = flp_role_resolve(roleid, NULL);
	if (!role_cache_current())
		return ri;

	entry = hash_search(role_cache, &roleid, HASH_ENTER, &found);
	entry->super_admin = ri->super_admin;
	entry->license = ri->license;
	entry->partner = ri->partner ? MemoryContextStrdup(roles.context, ri->partner) : NULL;
	entry->bundles = MemoryContextAllocZero(roles.context,
											sizeof(char *) * (list_length(ri->candidates) + 1));
	entry->flags = MemoryContextAllocZero(roles.context, list_length(ri->candidates) + 1);
	foreach(lc, ri->candidates)
	{
		Candidate  *c = lfirst(lc);

		if (c->ignored == NULL)
		{
			entry->flags[n] = (c->partner_bundle ? 1 : 0) | (c->default_partner ? 2 : 0);
			entry->bundles[n++] = MemoryContextStrdup(roles.context, c->name);
		}
	}
	entry->nbundles = n;
	return ri;
}

/*
 * For row-level security policies (flp.is_partner_user, flp.current_partner,
 * flp.has_bundle): the partner of the role, NULL for internal users and super
 * admins; whether a bundle applies to it.  From the role cache: policies call
 * these once per row where the planner has not folded them.
 */
const char *
flp_role_partner(Oid roleid)
{
	RoleInfo   *ri;

	(void) flp_role_cache_prepare();
	ri = flp_role_lookup(roleid);
	return ri->super_admin ? NULL : ri->partner;
}

bool
flp_role_has_bundle(Oid roleid, const char *bundle)
{
	RoleInfo   *ri;
	ListCell   *lc;

	(void) flp_role_cache_prepare();
	ri = flp_role_lookup(roleid);
	foreach(lc, ri->candidates)
	{
		Candidate  *c = lfirst(lc);

		if (c->ignored == NULL && strcmp(c->name, bundle) == 0)
			return true;
	}
	return false;
}

/* The bundles that apply to a role now (FlpAppliedBundle *). */
List *
flp_applicable_bundles(Oid roleid)
{
	RoleInfo   *ri = flp_role_resolve(roleid, NULL);
	List	   *result = NIL;
	ListCell   *lc;

	foreach(lc, ri->candidates)
	{
		Candidate  *c = lfirst(lc);
		FlpAppliedBundle *b;

		if (c->ignored != NULL)
			continue;
		b = palloc(sizeof(FlpAppliedBundle));
		b->name = c->name;
		b->source = c->source;
		result = lappend(result, b);
	}
	return result;
}
