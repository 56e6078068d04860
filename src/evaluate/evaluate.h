/*-------------------------------------------------------------------------
 *
 * evaluate.h
 *	  Declarations shared by the files of flp's evaluator (src/evaluate/)
 *	  and used nowhere above it.
 *
 *-------------------------------------------------------------------------
 */
#ifndef FLP_EVALUATE_H
#define FLP_EVALUATE_H

#include "flp.h"

/* What explain collects: the steps that concern one field. */
typedef struct Trace
{
	AttrNumber	attnum;
	List	   *steps;			/* FlpTraceStep * */
} Trace;

/* A bundle considered for a role: applied, or ignored with a reason. */
typedef struct Candidate
{
	char	   *name;
	char	   *source;			/* why it was considered */
	char	   *ignored;		/* why it does not apply, or NULL */
	bool		partner_bundle; /* grants only tables of partner areas */
	bool		default_partner;	/* Default_Partner_Bundle: all of them */
} Candidate;

/* What is known of a role, before looking at any table. */
typedef struct RoleInfo
{
	Oid			roleid;
	bool		super_admin;
	FlpLicense	license;
	char	   *partner;		/* partner users: their partner */
	List	   *candidates;		/* Candidate * */
} RoleInfo;

/* trace.c */
extern void flp_trace_step(Trace *t, int permission, const char *source,
						   const char *fmt,...) pg_attribute_printf(4, 5);
extern const char *flp_role_name(Oid roleid);

/* roles.c */
extern bool flp_role_cache_prepare(void);
extern RoleInfo *flp_role_resolve(Oid roleid, Trace *t);
extern RoleInfo *flp_role_lookup(Oid roleid);

/* bundles.c */
extern void flp_bundles_resolve(RoleInfo *ri, Oid relid, int natts, uint8 *perm,
								Trace *t);

/* inheritance.c */
typedef struct InheritMemo InheritMemo;
extern bool flp_field_excluded(List *excluded, const char *field);
extern InheritMemo *flp_inherit_memo_create(RoleInfo *ri);
extern FlpPermission flp_inheritance_resolve(InheritMemo *memo, Oid relid,
											 const char *field,
											 FlpPermission own, Trace *t);

#endif							/* FLP_EVALUATE_H */
