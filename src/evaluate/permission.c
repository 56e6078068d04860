/*-------------------------------------------------------------------------
 *
 * evaluate.c
 *	  The effective permission of (role, table, field), and its cache.
 *
 * The rules are those of DESIGN.md section 2.2:
 *	 1. super admin, or excluded field: edit;
 *	 2. the applicable bundles of the role: assigned to it or to a role whose
 *		privileges it inherits, or given by a criteria rule over its
 *		registered attributes; internal users get internal bundles of their
 *		own license, partner users their partner's bundle (or
 *		Default_Partner_Bundle);
 *	 3. per bundle that grants the table: the field setting, capped by the
 *		table-level permission; the union over bundles is the maximum;
 *	 4. no bundle grants the table: the table's default;
 *	 5. viewer licenses are capped at read;
 *	 6. an inherited field gets the minimum of its own result and its
 *		source's.
 *
 * One function computes all of it, for a whole table at once, optionally
 * recording the steps for one field (flp.explain).  Results are cached per
 * backend by (role, table) as an array indexed by attribute number, and
 * per role as the list of applicable bundles.  The caches are thrown away
 * when catalog.c's generation moves; a warm lookup is one hash probe.
 *
 * Invalidations can arrive in the middle of a computation (any lock taken on
 * a catalog table accepts them).  A result computed across an invalidation
 * is used once but never cached, and the outermost lookup starts over, so a
 * change is never missed.
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
#include "utils/fmgrprotos.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/catcache.h"
#include "utils/syscache.h"
#include "utils/rel.h"
#include "access/relation.h"
#include "access/sysattr.h"
#include "optimizer/optimizer.h"
#include "nodes/readfuncs.h"

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

typedef struct TableKey
{
	Oid			roleid;
	Oid			relid;
} TableKey;

typedef struct TableEntry
{
	TableKey	key;			/* hash key */
	FlpTablePermissions perms;
} TableEntry;

/* The entry found last (a query asks for the same table several times) */
static TableEntry *last_table = NULL;

static FlpCache eval_cache = {"flp permission cache"};
static HTAB *table_cache = NULL;

/* The role cache: applicable bundles by role, and the criteria rules */
static FlpCache roles = {"flp role cache"};
static HTAB *role_cache = NULL;
static List *rule_cache = NIL;
static bool rule_cache_valid = false;

static void permission_flags(Oid relid, int natts, const uint8 *perm, bool all_edit,
							 bool *hides, bool *restricted);

/* ---------------------------------------------------------------------
 * Cache management
 * ---------------------------------------------------------------------
 */

/*
 * Make the caches current: if the generation moved since they were built,
 * start afresh.  Only the outermost lookup does this, so that pointers held
 * by a computation in progress stay valid.
 */
static void
cache_prepare(void)
{
	if (!flp_role_cache_prepare())
		return;
	if (!flp_cache_refresh(&eval_cache))
		return;

	last_table = NULL;
	table_cache = flp_hash_create("flp table permission cache", 1024,
								  sizeof(TableKey), sizeof(TableEntry), eval_cache.context);
}

/* May results computed now be cached? */
static bool
cache_current(void)
{
	return flp_cache_valid(&eval_cache);
}

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
 * Tracing
 * ---------------------------------------------------------------------
 */

void
flp_trace_step(Trace *t, int permission, const char *source, const char *fmt,...)
{
	FlpTraceStep *step;
	StringInfoData buf;
	va_list		args;

	if (t == NULL)
		return;
	initStringInfo(&buf);
	for (;;)
	{
		int			needed;

		va_start(args, fmt);
		needed = appendStringInfoVA(&buf, fmt, args);
		va_end(args);
		if (needed == 0)
			break;
		enlargeStringInfo(&buf, needed);
	}
	step = palloc(sizeof(FlpTraceStep));
	step->source = pstrdup(source);
	step->detail = buf.data;
	step->permission = permission;
	t->steps = lappend(t->steps, step);
}

const char *
flp_role_name(Oid roleid)
{
	char	   *name = GetUserNameFromId(roleid, true);

	return name ? psprintf("\"%s\"", name) : psprintf("%u", roleid);
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

		if (!role_inherits(member))
			continue;
		memlist = SearchSysCacheList1(AUTHMEMMEMROLE, ObjectIdGetDatum(member));
		for (i = 0; i < memlist->n_members; i++)
		{
			HeapTuple	tup = &memlist->members[i]->tuple;

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

/*
 * Everything about a role that does not depend on a table: super admin,
 * license, and the bundles considered, each applied or ignored.
 */
RoleInfo *
flp_role_resolve(Oid roleid, Trace *t)
{
	RoleInfo   *ri = palloc0(sizeof(RoleInfo));
	FlpUser		user;
	ListCell   *lc;

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
	{
		char	   *own = flp_read_partner_bundle(user.partner);

		flp_trace_step(t, FLP_NO_PERMISSION, "role",
				   "%s is a partner user of partner \"%s\" with license full",
				   flp_role_name(roleid), user.partner);
		if (own != NULL)
			ri->candidates = candidate_add(ri->candidates, own,
										   psprintf("assigned to partner \"%s\"", user.partner));
		else
			ri->candidates = candidate_add(ri->candidates, FLP_DEFAULT_PARTNER_BUNDLE,
										   psprintf("partner \"%s\" has no bundle of its own",
													user.partner));
	}
	else
	{
		List	   *roles = role_memberships(roleid);
		Jsonb	   *attributes = user.attributes;

		if (user.registered)
			flp_trace_step(t, FLP_NO_PERMISSION, "role",
					   "%s is a registered internal user with license %s",
					   flp_role_name(roleid), flp_license_name(user.license));
		else
			flp_trace_step(t, FLP_NO_PERMISSION, "role",
					   "%s is not registered: an internal user with license full and no attributes",
					   flp_role_name(roleid));

		foreach(lc, roles)
		{
			Oid			r = lfirst_oid(lc);
			List	   *assigned = flp_read_assignments(r);
			ListCell   *lc2;

			foreach(lc2, assigned)
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

/* ---------------------------------------------------------------------
 * Tables
 * ---------------------------------------------------------------------
 */

/*
 * Steps 2 to 5 for every field of a table: the union of the applicable
 * bundles that grant it (or the table default), capped by the license.
 * perm has natts + 1 entries, by attribute number.
 */
void
flp_bundles_resolve(RoleInfo *ri, Oid relid, int natts, uint8 *perm, Trace *t)
{
	FlpPermission default_permission = FLP_HIDE;
	int			granting = 0;
	AttrNumber	att;
	ListCell   *lc;

	(void) flp_is_governed(relid, &default_permission);
	for (att = 1; att <= natts; att++)
		perm[att] = FLP_HIDE;

	foreach(lc, ri->candidates)
	{
		Candidate  *c = lfirst(lc);
		FlpPermission table_level;
		char	   *field_setting = NULL;
		int			traced = FLP_NO_PERMISSION;
		ListCell   *lc2;
		uint8	   *own;

		if (c->ignored != NULL)
		{
			flp_trace_step(t, FLP_NO_PERMISSION, psprintf("bundle \"%s\"", c->name),
					   "%s; ignored: %s", c->source, c->ignored);
			continue;
		}
		if (c->partner_bundle && !flp_read_in_area(relid))
		{
			flp_trace_step(t, FLP_NO_PERMISSION, psprintf("bundle \"%s\"", c->name),
					   "%s; does not grant the table: it is in no partner area", c->source);
			continue;
		}
		if (c->default_partner)
			table_level = FLP_EDIT;		/* it grants every table of the areas */
		else if (!flp_read_table_permission(c->name, relid, &table_level))
		{
			flp_trace_step(t, FLP_NO_PERMISSION, psprintf("bundle \"%s\"", c->name),
					   "%s; does not grant the table", c->source);
			continue;
		}

		granting++;
		own = palloc(natts + 1);
		/*
		 * Safe by default for external users: Default_Partner_Bundle gives a
		 * field only what a super admin opened for it (its field-level
		 * settings); every other field, a column added later too, keeps the
		 * table's default permission.
		 */
		for (att = 1; att <= natts; att++)
			own[att] = c->default_partner ? default_permission : table_level;
		foreach(lc2, flp_read_field_permissions(c->name, relid))
		{
			FlpFieldSetting *s = lfirst(lc2);

			att = flp_attnum(relid, s->field);
			if (att == InvalidAttrNumber || att > natts)
				continue;
			own[att] = Min(s->permission, table_level);
			if (t != NULL && att == t->attnum)
				field_setting = psprintf("; field-level %s%s",
										 flp_permission_name(s->permission),
										 s->permission > table_level ?
										 ", capped by the table level" : "");
		}
		for (att = 1; att <= natts; att++)
			perm[att] = Max(perm[att], own[att]);
		if (t != NULL)
			traced = own[t->attnum];
		if (c->default_partner)
			flp_trace_step(t, traced, psprintf("bundle \"%s\"", c->name),
					   "%s; grants the table of a partner area%s",
					   c->source, field_setting ? field_setting :
					   psprintf("; the field was not opened to partner users: the table default %s",
								flp_permission_name(default_permission)));
		else
			flp_trace_step(t, traced, psprintf("bundle \"%s\"", c->name),
					   "%s; grants the table at %s%s",
					   c->source, flp_permission_name(table_level),
					   field_setting ? field_setting : "");
	}

	if (granting == 0)
	{
		for (att = 1; att <= natts; att++)
			perm[att] = default_permission;
		flp_trace_step(t, default_permission, "table default",
				   "no applicable bundle grants the table: its default permission %s applies",
				   flp_permission_name(default_permission));
	}
	else if (t != NULL)
		flp_trace_step(t, perm[t->attnum], "union",
				   "the least restrictive of %d granting bundle%s",
				   granting, granting == 1 ? "" : "s");

	if (ri->license != FLP_FULL)
	{
		bool		capped = false;

		for (att = 1; att <= natts; att++)
			if (perm[att] > FLP_READ)
			{
				perm[att] = FLP_READ;
				if (t != NULL && att == t->attnum)
					capped = true;
			}
		flp_trace_step(t, t ? perm[t->attnum] : 0, "license cap",
				   "license %s allows at most read%s",
				   flp_license_name(ri->license), capped ? ": capped" : "");
	}
}

/* Is field among the excluded field names? */
bool
flp_field_excluded(List *excluded, const char *field)
{
	ListCell   *lc;

	foreach(lc, excluded)
		if (strcmp(lfirst(lc), field) == 0)
			return true;
	return false;
}

/*
 * Step 6: inherited fields.  A field inherits the more restrictive of its own
 * permission and that of the field it mirrors, along chains.  One memo per
 * table resolution keeps the work linear in the chains: each (table, field)
 * reached is resolved once, each table's bundles and inheritances are read
 * once, and the walk is a loop, not a recursion.  flp.inherit_field refuses
 * cycles; one stored anyway (by direct DML on the catalog) is found by the
 * memo and hides every field on it (fail closed).
 */
struct InheritMemo
{
	RoleInfo   *ri;
	HTAB	   *fields;			/* FieldMemo by "relid.field" */
	HTAB	   *tables;			/* TableMemo by relid */
};

typedef struct FieldMemo
{
	char		key[NAMEDATALEN + 16];
	bool		done;			/* false: on the walk now */
	bool		cycle;			/* hidden by a cycle it is on or leads to */
	FlpPermission permission;
} FieldMemo;

typedef struct TableMemo
{
	Oid			relid;
	List	   *inheritances;
	List	   *excluded;
	uint8	   *perm;			/* bundles' permissions, by attnum */
	bool		governed;
} TableMemo;

/* What the memo knows of a table, reading it once. */
static TableMemo *
memo_table(InheritMemo *memo, Oid relid)
{
	bool		found;
	TableMemo  *tm = hash_search(memo->tables, &relid, HASH_ENTER, &found);

	if (!found)
	{
		tm->inheritances = flp_read_inheritances(relid);
		tm->excluded = flp_read_excluded_fields(relid);
		tm->governed = flp_is_governed(relid, NULL);
		tm->perm = NULL;
	}
	return tm;
}

/* The bundles' permission of a field (steps 2 to 5), from the memo. */
static FlpPermission
memo_own(InheritMemo *memo, TableMemo *tm, AttrNumber att)
{
	if (tm->perm == NULL)
	{
		int			natts = flp_relnatts(tm->relid);

		tm->perm = palloc0(natts + 1);
		flp_bundles_resolve(memo->ri, tm->relid, natts, tm->perm, NULL);
	}
	return tm->perm[att];
}

/* The field a field inherits from, or NULL. */
static FlpInheritance *
inherits_from(TableMemo *tm, const char *field)
{
	ListCell   *lc;

	foreach(lc, tm->inheritances)
	{
		FlpInheritance *inh = lfirst(lc);

		if (strcmp(inh->field, field) == 0)
			return inh;
	}
	return NULL;
}

static FieldMemo *
memo_field(InheritMemo *memo, Oid relid, const char *field, bool *found)
{
	char		key[NAMEDATALEN + 16];
	FieldMemo  *fm;

	memset(key, 0, sizeof(key));	/* hashed as a blob */
	snprintf(key, sizeof(key), "%u.%s", relid, field);
	fm = hash_search(memo->fields, key, HASH_ENTER, found);
	if (!*found)
	{
		fm->done = false;
		fm->cycle = false;
		fm->permission = FLP_HIDE;
	}
	return fm;
}

/*
 * The permission of field of relid after inheritance, given its own; t (the
 * field being explained, or NULL) gets the step.
 */
/*
 * Walk the chain from fm (field of relid, whose own permission is own),
 * resolving and memoizing every field on it.
 */
static void
inheritance_walk(InheritMemo *memo, FieldMemo *fm, Oid relid, const char *field,
				 FlpPermission own)
{
	List	   *walk = NIL;		/* FieldMemo of the fields walked */
	List	   *owns = NIL;		/* and their own permissions */
	FlpPermission value;
	bool		cycle = false;
	bool		found;
	Oid			t_rel = relid;
	const char *t_field = field;
	FlpPermission t_own = own;
	int			i;

	fm->done = false;
	walk = lappend(walk, fm);
	owns = lappend_int(owns, own);
	for (;;)
	{
		TableMemo  *tm = memo_table(memo, t_rel);
		FlpInheritance *inh = inherits_from(tm, t_field);
		TableMemo  *from;
		AttrNumber	from_att;

		CHECK_FOR_INTERRUPTS();
		if (inh == NULL)
		{
			value = t_own;
			break;
		}
		fm = memo_field(memo, inh->from_tbl, inh->from_field, &found);
		if (found && fm->done)
		{
			value = Min(t_own, fm->permission);
			cycle = fm->cycle;
			break;
		}
		if (found)
		{
			cycle = true;		/* back to a field of this walk */
			value = FLP_HIDE;
			break;
		}
		fm->done = false;
		from = memo_table(memo, inh->from_tbl);
		from_att = flp_attnum(inh->from_tbl, inh->from_field);
		if (from_att == InvalidAttrNumber || !from->governed ||
			flp_field_excluded(from->excluded, inh->from_field))
		{
			/* nothing to inherit: no such field, not governed, or excluded (Edit) */
			fm->done = true;
			fm->permission = FLP_EDIT;
			value = t_own;
			break;
		}
		walk = lappend(walk, fm);
		t_rel = inh->from_tbl;
		t_field = inh->from_field;
		t_own = memo_own(memo, from, from_att);
		owns = lappend_int(owns, t_own);
	}

	/* the last field walked has value; each before it the minimum with its own */
	for (i = list_length(walk) - 1; i >= 0; i--)
	{
		FieldMemo  *w = list_nth(walk, i);

		if (i < list_length(walk) - 1)
			value = Min((FlpPermission) list_nth_int(owns, i), value);
		w->done = true;
		w->cycle = cycle;
		w->permission = value;
	}
}

/* The step of flp.explain() for an inheriting field, from the memo. */
static void
inheritance_trace(InheritMemo *memo, Oid relid, const char *field, Trace *t)
{
	FlpInheritance *inh = inherits_from(memo_table(memo, relid), field);
	bool		found;
	FieldMemo  *fm;
	FieldMemo  *source;

	if (inh == NULL || flp_attnum(inh->from_tbl, inh->from_field) == InvalidAttrNumber ||
		!memo_table(memo, inh->from_tbl)->governed)
		return;					/* nothing to inherit */
	fm = memo_field(memo, relid, field, &found);
	source = memo_field(memo, inh->from_tbl, inh->from_field, &found);
	if (fm->cycle)
		flp_trace_step(t, FLP_HIDE, "inheritance",
				   "a cycle of inherited fields reaches field \"%s\" of table \"%s\" again: hidden",
				   inh->from_field, get_rel_name(inh->from_tbl));
	else
		flp_trace_step(t, fm->permission, "inheritance",
				   "inherits from field \"%s\" of table \"%s\", which is %s for the role",
				   inh->from_field, get_rel_name(inh->from_tbl),
				   flp_permission_name(source->permission));
}

/*
 * The permission of field of relid after inheritance, given its own; t (the
 * field being explained, or NULL) gets the step.
 */
FlpPermission
flp_inheritance_resolve(InheritMemo *memo, Oid relid, const char *field,
					FlpPermission own, Trace *t)
{
	bool		found;
	FieldMemo  *fm = memo_field(memo, relid, field, &found);

	if (!(found && fm->done))
		inheritance_walk(memo, fm, relid, field, own);
	if (t != NULL)
		inheritance_trace(memo, relid, field, t);
	return fm->permission;
}

/* A memo for the inheritance walks of one table resolution. */
InheritMemo *
flp_inherit_memo_create(RoleInfo *ri)
{
	InheritMemo *memo = palloc(sizeof(InheritMemo));

	memo->ri = ri;
	memo->fields = flp_hash_create("flp inherited fields", 64, NAMEDATALEN + 16,
								   sizeof(FieldMemo), CurrentMemoryContext);
	memo->tables = flp_hash_create("flp inherited tables", 16, sizeof(Oid),
								   sizeof(TableMemo), CurrentMemoryContext);
	return memo;
}

/*
 * A generated column is at most as visible as the most restrictive column it
 * is computed from (DESIGN 2.1): upper(ssn) is as hidden as ssn.
 */
static void
generated_resolve(Oid relid, int natts, uint8 *perm, Trace *t)
{
	Relation	rel = relation_open(relid, AccessShareLock);
	TupleConstr *constr = RelationGetDescr(rel)->constr;
	int			i;

	if (constr == NULL || !constr->has_generated_stored)
	{
		relation_close(rel, AccessShareLock);
		return;
	}
	for (i = 0; i < constr->num_defval; i++)
	{
		AttrDefault *def = &constr->defval[i];
		Form_pg_attribute att = TupleDescAttr(RelationGetDescr(rel), def->adnum - 1);
		Bitmapset  *sources = NULL;
		int			k = -1;

		if (!att->attgenerated || def->adnum > natts)
			continue;
		pull_varattnos(stringToNode(def->adbin), 1, &sources);
		while ((k = bms_next_member(sources, k)) >= 0)
		{
			AttrNumber	src = k + FirstLowInvalidHeapAttributeNumber;

			if (src < 1 || src > natts || perm[src] >= perm[def->adnum])
				continue;
			perm[def->adnum] = perm[src];
			if (t != NULL && t->attnum == def->adnum)
				flp_trace_step(t, perm[src], "generated column",
						   "computed from field \"%s\", which is %s for the role",
						   flp_attname(relid, src), flp_permission_name(perm[src]));
		}
	}
	relation_close(rel, AccessShareLock);
}

/* The mask functions of a governed table, by attribute number. */
static Oid *
masks_resolve(Oid relid, int natts)
{
	Oid		   *mask = palloc0(sizeof(Oid) * (natts + 1));
	ListCell   *lc;

	foreach(lc, flp_read_masks(relid))
	{
		FlpMask    *m = lfirst(lc);
		AttrNumber	att = flp_attnum(relid, m->field);

		if (att != InvalidAttrNumber && att <= natts)
			mask[att] = m->mask;
	}
	return mask;
}

/*
 * A partition or inheritance child follows its governed root: its columns
 * are matched by name (attribute numbers may differ); a column the root does
 * not have is hidden.
 */
static bool
child_resolve(Oid roleid, Oid relid, Oid root, int natts, uint8 *perm, Oid *mask)
{
	const FlpTablePermissions *rp = flp_table_permissions(roleid, root);
	AttrNumber	att;

	for (att = 1; att <= natts; att++)
	{
		char	   *name = flp_attname(relid, att);
		AttrNumber	ratt = name ? flp_attnum(root, name) : InvalidAttrNumber;

		if (ratt == InvalidAttrNumber || ratt > rp->natts)
		{
			perm[att] = rp->all_edit ? FLP_EDIT : FLP_HIDE;
			mask[att] = InvalidOid;
		}
		else
		{
			perm[att] = rp->all_edit ? FLP_EDIT : rp->permission[ratt];
			mask[att] = rp->mask[ratt];
		}
	}
	return rp->all_edit;
}

/*
 * The effective permission of every field of a governed table for a role.
 * perm has natts + 1 entries.  Returns true when nothing is restricted.
 */
static bool
table_resolve(RoleInfo *ri, Oid relid, int natts, uint8 *perm, Trace *t)
{
	List	   *excluded;
	AttrNumber	att;
	InheritMemo *memo;

	if (ri->super_admin)
	{
		for (att = 1; att <= natts; att++)
			perm[att] = FLP_EDIT;
		return true;
	}

	excluded = flp_read_excluded_fields(relid);
	if (t != NULL && flp_field_excluded(excluded, get_attname(relid, t->attnum, false)))
	{
		flp_trace_step(t, FLP_EDIT, "excluded field",
				   "the field is excluded from field-level permissions: never restricted");
		t = NULL;
	}

	flp_bundles_resolve(ri, relid, natts, perm, t);

	memo = flp_inherit_memo_create(ri);
	for (att = 1; att <= natts; att++)
	{
		char	   *field = flp_attname(relid, att);

		if (field == NULL)
			continue;			/* dropped column */
		if (flp_field_excluded(excluded, field))
		{
			perm[att] = FLP_EDIT;
			continue;
		}
		perm[att] = flp_inheritance_resolve(memo, relid, field, perm[att],
										(t && t->attnum == att) ? t : NULL);
	}
	generated_resolve(relid, natts, perm, t);
	return false;
}

/*
 * The effective permissions of a role on a governed table, from the cache
 * or computed.  The result stays valid until the next lookup.
 */
const FlpTablePermissions *
flp_table_permissions(Oid roleid, Oid relid)
{
	TableKey	key;
	TableEntry *entry;
	FlpTablePermissions *result;
	bool		found;

	cache_prepare();
	if (last_table != NULL && last_table->key.roleid == roleid &&
		last_table->key.relid == relid && cache_current())
		return &last_table->perms;
	key.roleid = roleid;
	key.relid = relid;
	if (cache_current())
	{
		entry = hash_search(table_cache, &key, HASH_FIND, &found);
		if (found)
		{
			last_table = entry;
			return &entry->perms;
		}
	}

	for (;;)
	{
		FlpCacheStamp stamp = flp_cache_stamp(false);
		Oid			root = flp_governed_root(relid);
		int			natts = flp_relnatts(relid);
		uint8	   *perm = palloc0(natts + 1);
		Oid		   *mask = palloc0(sizeof(Oid) * (natts + 1));
		bool		all_edit;

		/* (an error ends the resolution: see catalog.c) */
		flp_begin_resolution();
		if (OidIsValid(root) && root != relid)
			all_edit = child_resolve(roleid, relid, root, natts, perm, mask);
		else
		{
			RoleInfo   *ri = flp_role_lookup(roleid);

			all_edit = table_resolve(ri, relid, natts, perm, NULL);
			if (!all_edit)
			{
				pfree(mask);
				mask = masks_resolve(relid, natts);
			}
		}
		flp_end_resolution();

		if (!flp_cache_stamp_valid(&stamp) || !cache_current())
		{
			if (!flp_resolving())
			{
				/* something changed meanwhile: start over from a fresh cache */
				cache_prepare();
				continue;
			}
			/* nested: use this result once, uncached */
			result = palloc0(sizeof(FlpTablePermissions));
			result->roleid = roleid;
			result->relid = relid;
			result->natts = natts;
			result->all_edit = all_edit;
			result->permission = perm;
			result->mask = mask;
			permission_flags(relid, natts, perm, all_edit, &result->hides, &result->restricted);
			return result;
		}

		entry = hash_search(table_cache, &key, HASH_ENTER, &found);
		entry->perms.roleid = roleid;
		entry->perms.relid = relid;
		entry->perms.natts = natts;
		entry->perms.all_edit = all_edit;
		permission_flags(relid, natts, perm, all_edit, &entry->perms.hides,
						 &entry->perms.restricted);
		entry->perms.permission = MemoryContextAlloc(eval_cache.context, natts + 1);
		memcpy(entry->perms.permission, perm, natts + 1);
		entry->perms.mask = MemoryContextAlloc(eval_cache.context, sizeof(Oid) * (natts + 1));
		memcpy(entry->perms.mask, mask, sizeof(Oid) * (natts + 1));
		pfree(perm);
		pfree(mask);
		last_table = entry;
		return &entry->perms;
	}
}

/* Whether some live field is hidden, or not editable. */
static void
permission_flags(Oid relid, int natts, const uint8 *perm, bool all_edit,
				 bool *hides, bool *restricted)
{
	AttrNumber	att;

	*hides = *restricted = false;
	if (all_edit)
		return;
	for (att = 1; att <= natts; att++)
	{
		if (perm[att] == FLP_EDIT || flp_attname(relid, att) == NULL)
			continue;
		*restricted = true;
		if (perm[att] == FLP_HIDE)
			*hides = true;
	}
}

/* The effective permission of one field of a governed table. */
FlpPermission
flp_field_permission(Oid roleid, Oid relid, AttrNumber attnum)
{
	const FlpTablePermissions *p = flp_table_permissions(roleid, relid);

	if (p->all_edit)
		return FLP_EDIT;
	if (attnum < 1 || attnum > p->natts)
		return FLP_HIDE;
	return (FlpPermission) p->permission[attnum];
}

/*
 * The steps by which a role gets its permission on one field of a governed
 * table, the last one being the result (FlpTraceStep *).  Computed afresh,
 * without the cache.
 */
List *
flp_explain_field(Oid roleid, Oid relid, AttrNumber attnum)
{
	Trace		t;
	RoleInfo   *ri;
	Oid			root = flp_governed_root(relid);
	int			natts;
	uint8	   *perm;

	t.attnum = attnum;
	t.steps = NIL;
	if (OidIsValid(root) && root != relid)
	{
		char	   *name = get_attname(relid, attnum, false);
		AttrNumber	ratt = flp_attnum(root, name);

		flp_trace_step(&t, FLP_NO_PERMISSION, "table",
				   "table \"%s\" is a partition or child of governed table \"%s\", whose rules apply",
				   get_rel_name(relid), get_rel_name(root));
		if (ratt == InvalidAttrNumber)
		{
			FlpPermission p = flp_is_super_admin(roleid) ? FLP_EDIT : FLP_HIDE;

			flp_trace_step(&t, p, "result",
					   "field \"%s\" exists only in the child: %s for role %s",
					   name, flp_permission_name(p), flp_role_name(roleid));
			return t.steps;
		}
		t.steps = list_concat(t.steps, flp_explain_field(roleid, root, ratt));
		return t.steps;
	}
	natts = flp_relnatts(relid);
	perm = palloc0(natts + 1);
	ri = flp_role_resolve(roleid, &t);
	(void) table_resolve(ri, relid, natts, perm, &t);
	if (ri->super_admin)
		perm[attnum] = FLP_EDIT;

	flp_trace_step(&t, perm[attnum], "result", "field \"%s\" is %s for role %s",
			   get_attname(relid, attnum, false),
			   flp_permission_name(perm[attnum]), flp_role_name(roleid));
	return t.steps;
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
