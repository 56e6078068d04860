/*-------------------------------------------------------------------------
 *
 * bundles.c
 *	  What the applicable bundles give each field of a table (steps 2 to 5
 *	  of the effective permission, see permission.c).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"


#include "flp.h"
#include "evaluate.h"


/* ---------------------------------------------------------------------
 * Tables
 * ---------------------------------------------------------------------
 */

/*
 * Whether an applicable candidate grants the table, and at which table-level
 * permission; the step of flp.explain() when it does not.
 */
static bool
bundle_grants(Candidate *c, Oid relid, FlpPermission *table_level, Trace *t)
{
	const char *why;

	if (c->ignored != NULL)
		why = psprintf("ignored: %s", c->ignored);
	else if (c->partner_bundle && !flp_read_in_area(relid))
		why = "does not grant the table: it is in no partner area";
	else if (c->default_partner)
	{
		*table_level = FLP_EDIT;	/* it grants every table of the areas */
		return true;
	}
	else if (flp_read_table_permission(c->name, relid, table_level))
		return true;
	else
		why = "does not grant the table";
	flp_trace_step(t, FLP_NO_PERMISSION, psprintf("bundle \"%s\"", c->name),
				   "%s; %s", c->source, why);
	return false;
}

/*
 * What a granting bundle gives each field (own, natts + 1 entries): its
 * field-level settings capped by its table level, the table level elsewhere.
 * Returns the setting of the traced field as text for flp.explain(), or NULL.
 */
static char *
bundle_fields(Candidate *c, Oid relid, int natts, FlpPermission table_level,
			  FlpPermission default_permission, uint8 *own, Trace *t)
{
	char	   *field_setting = NULL;
	AttrNumber	att;
	ListCell   *lc;

	/*
	 * Safe by default for external users: Default_Partner_Bundle gives a
	 * field only what a super admin opened for it (its field-level settings);
	 * every other field, a column added later too, keeps the table's default
	 * permission.
	 */
	for (att = 1; att <= natts; att++)
		own[att] = c->default_partner ? default_permission : table_level;
	foreach(lc, flp_read_field_permissions(c->name, relid))
	{
		FlpFieldSetting *s = lfirst(lc);

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
	return field_setting;
}

/* The step of flp.explain() for a granting bundle. */
static void
bundle_trace(Candidate *c, int traced, FlpPermission table_level,
			 FlpPermission default_permission, char *field_setting, Trace *t)
{
	if (t == NULL)
		return;
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

/* Step 5: viewer licenses are capped at read. */
static void
license_cap(FlpLicense license, int natts, uint8 *perm, Trace *t)
{
	bool		capped = false;
	AttrNumber	att;

	if (license == FLP_FULL)
		return;
	for (att = 1; att <= natts; att++)
		if (perm[att] > FLP_READ)
		{
			perm[att] = FLP_READ;
			if (t != NULL && att == t->attnum)
				capped = true;
		}
	flp_trace_step(t, t ? perm[t->attnum] : 0, "license cap",
				   "license %s allows at most read%s",
				   flp_license_name(license), capped ? ": capped" : "");
}

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
	uint8	   *own = palloc(natts + 1);

	(void) flp_is_governed(relid, &default_permission);
	for (att = 1; att <= natts; att++)
		perm[att] = FLP_HIDE;

	foreach(lc, ri->candidates)
	{
		Candidate  *c = lfirst(lc);
		FlpPermission table_level;
		char	   *field_setting;

		if (!bundle_grants(c, relid, &table_level, t))
			continue;
		granting++;
		field_setting = bundle_fields(c, relid, natts, table_level,
									  default_permission, own, t);
		for (att = 1; att <= natts; att++)
			perm[att] = Max(perm[att], own[att]);
		bundle_trace(c, t ? own[t->attnum] : FLP_NO_PERMISSION, table_level,
					 default_permission, field_setting, t);
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
	license_cap(ri->license, natts, perm, t);
}
