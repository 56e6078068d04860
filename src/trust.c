/*-------------------------------------------------------------------------
 *
 * trust.c
 *	  Which code flp lets run on stored values in a subject's session.
 *
 * Mask functions and data-rule predicates run in every subject's session,
 * with the subject's privileges, on values the subject may not see.  Whoever
 * writes them could otherwise plant code there: a member of flp_admin who is
 * not a superuser would act as every subject who reads the field, and a
 * subject that puts its own schema first in search_path would have its own
 * functions called with the hidden value.  So flp runs only code that
 *
 *	 - belongs to a superuser (as PostgreSQL's own functions do): the one kind
 *	   of role that could read the values anyway;
 *	 - is not volatile: it computes, it does not act;
 *	 - resolves no names through the reader's search_path: written in C or
 *	   internal, with a SQL-standard body (BEGIN ATOMIC / RETURN), or with a
 *	   fixed search_path (SET search_path = ...).
 *
 * flp checks this when a mask or a data rule is stored (by flp's functions or
 * by direct DML on its catalog: triggers call the same checks), and again when
 * a mask is used, so that a function changed afterwards (a new owner, a reset
 * search_path) is not run.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/relation.h"
#include "catalog/pg_language.h"
#include "catalog/pg_class.h"
#include "catalog/pg_namespace.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_type.h"
#include "miscadmin.h"
#include "nodes/nodeFuncs.h"
#include "rewrite/rewriteHandler.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/regproc.h"
#include "utils/syscache.h"

#include "flp.h"

/* Does the function fix its search_path with a SET clause? */
static bool
pins_search_path(HeapTuple proctup)
{
	bool		isnull;
	Datum		config = SysCacheGetAttr(PROCOID, proctup, Anum_pg_proc_proconfig, &isnull);
	Datum	   *items;
	int			nitems;

	if (isnull)
		return false;
	deconstruct_array(DatumGetArrayTypeP(config), TEXTOID, -1, false, TYPALIGN_INT,
					  &items, NULL, &nitems);
	for (int i = 0; i < nitems; i++)
	{
		char	   *item = TextDatumGetCString(items[i]);

		if (strncmp(item, "search_path=", strlen("search_path=")) == 0)
			return true;
	}
	return false;
}

/*
 * PostgreSQL's own functions that run a query they are given by name or
 * text (query_to_xml, table_to_xml, cursor_to_xml and their kin): stable and
 * a superuser's, but what they run is the caller's choice -- a view whose
 * functions would run as every subject, say.
 */
static bool
runs_sql(Form_pg_proc proc)
{
	const char *name = NameStr(proc->proname);
	size_t		len = strlen(name);

	if (proc->pronamespace != PG_CATALOG_NAMESPACE)
		return false;
	return (len > 7 && strcmp(name + len - 7, "_to_xml") == 0) ||
		(len > 13 && strcmp(name + len - 13, "_to_xmlschema") == 0) ||
		(len > 21 && strcmp(name + len - 21, "_to_xml_and_xmlschema") == 0);
}

/*
 * Why the function may not run on hidden values in a subject's session, or
 * NULL when it may.
 */
char *
flp_untrusted_reason(Oid funcid)
{
	return flp_function_untrusted_reason(funcid, false);
}

/*
 * The same, where the function's volatility does not matter (a trigger or a
 * default runs once per row written, volatile or not: only who wrote it and
 * how it resolves names do).
 */
char *
flp_function_untrusted_reason(Oid funcid, bool allow_volatile)
{
	HeapTuple	tuple = SearchSysCache1(PROCOID, ObjectIdGetDatum(funcid));
	Form_pg_proc proc;
	char	   *reason = NULL;
	bool		nobody;

	if (!HeapTupleIsValid(tuple))
		return psprintf("function %u does not exist", funcid);
	proc = (Form_pg_proc) GETSTRUCT(tuple);
	(void) SysCacheGetAttr(PROCOID, tuple, Anum_pg_proc_prosqlbody, &nobody);

	if (runs_sql(proc))
		reason = pstrdup("it runs SQL of its own (on relations or queries named by its arguments)");
	else if (!superuser_arg(proc->proowner))
		reason = psprintf("it is owned by role \"%s\", which is not a superuser",
						  GetUserNameFromId(proc->proowner, true) ?
						  GetUserNameFromId(proc->proowner, true) : "?");
	else if (proc->provolatile == PROVOLATILE_VOLATILE && !allow_volatile)
		reason = pstrdup("it is volatile");
	else if (proc->prolang != INTERNALlanguageId && proc->prolang != ClanguageId &&
			 nobody && !pins_search_path(tuple))
		reason = pstrdup("it resolves names through the caller's search_path");
	ReleaseSysCache(tuple);
	return reason;
}

/*
 * Raise an error unless funcid may run on hidden values; what says what the
 * function is for ("mask function", "data-rule predicate").
 */
void
flp_require_trusted_function(Oid funcid, const char *what)
{
	char	   *reason = flp_untrusted_reason(funcid);

	if (reason != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("%s %s cannot run on hidden values", what,
						format_procedure(funcid)),
				 errdetail("flp runs only code that belongs to a superuser, is not volatile and does not resolve names through the reader's search_path, and %s.",
						   reason),
				 errhint("Have a superuser own the function, declare it STABLE or IMMUTABLE, and give it a SQL-standard body or SET search_path.")));
}

/* check_functions_in_node callback: remember the first untrusted function. */
static bool
untrusted_checker(Oid funcid, void *context)
{
	Oid		   *first = (Oid *) context;	/* UntrustedWalk.function */

	if (flp_untrusted_reason(funcid) != NULL)
	{
		*first = funcid;
		return true;
	}
	return false;
}

/*
 * Is a type one that runs no code of an untrusted owner when a value is made
 * of it: owned by a superuser, and so are its base type (a domain's CHECK
 * constraints run on every coercion), element type and the types of its
 * fields (a row coerced to a composite type checks its domain fields)?
 */
static bool
type_trusted(Oid typid)
{
	HeapTuple	tuple;
	Form_pg_type type;
	bool		trusted;
	Oid			base;
	Oid			elem;
	Oid			relid;

	check_stack_depth();
	tuple = SearchSysCache1(TYPEOID, ObjectIdGetDatum(typid));
	if (!HeapTupleIsValid(tuple))
		return true;			/* InvalidOid and the like: no value is made */
	type = (Form_pg_type) GETSTRUCT(tuple);
	trusted = superuser_arg(type->typowner);
	base = type->typtype == TYPTYPE_DOMAIN ? type->typbasetype : InvalidOid;
	elem = type->typelem;
	relid = type->typrelid;
	ReleaseSysCache(tuple);
	if (trusted && OidIsValid(base))
		trusted = type_trusted(base);
	if (trusted && OidIsValid(elem))
		trusted = type_trusted(elem);
	if (trusted && OidIsValid(relid))
	{
		for (AttrNumber att = 1; trusted; att++)
		{
			HeapTuple	atttup = SearchSysCache2(ATTNUM, ObjectIdGetDatum(relid),
												 Int16GetDatum(att));
			Oid			atttype;
			bool		dropped;

			if (!HeapTupleIsValid(atttup))
				break;
			atttype = ((Form_pg_attribute) GETSTRUCT(atttup))->atttypid;
			dropped = ((Form_pg_attribute) GETSTRUCT(atttup))->attisdropped;
			ReleaseSysCache(atttup);
			if (!dropped)
				trusted = type_trusted(atttype);
		}
	}
	return trusted;
}

/*
 * May a published view make values of a type?  Base and enum types: yes (no
 * code of their owner runs when a value is made; base types' functions are a
 * superuser's).  Domains, composite, range and multirange types only when they
 * and all they hold belong to superusers: the owner of a composite type can
 * add a domain field to it, the owner of a domain a CHECK, at any time.
 */
static bool
value_type_trusted(Oid typid)
{
	Oid			elem = get_element_type(typid);

	check_stack_depth();
	if (OidIsValid(elem))
		return value_type_trusted(elem);
	switch (get_typtype(typid))
	{
		case TYPTYPE_DOMAIN:
		case TYPTYPE_COMPOSITE:
			return type_trusted(typid);
		case TYPTYPE_RANGE:
			return type_trusted(typid) && value_type_trusted(get_range_subtype(typid));
		case TYPTYPE_MULTIRANGE:
			return type_trusted(typid) && value_type_trusted(get_multirange_range(typid));
		default:
			return true;
	}
}

/* Does the node make a value (of the type exprType gives)? */
static bool
makes_value(Node *node)
{
	switch (nodeTag(node))
	{
		case T_Const:
		case T_Param:
		case T_Aggref:
		case T_WindowFunc:
		case T_SubscriptingRef:
		case T_FuncExpr:
		case T_OpExpr:
		case T_DistinctExpr:
		case T_NullIfExpr:
		case T_FieldSelect:
		case T_FieldStore:
		case T_RelabelType:
		case T_CoerceViaIO:
		case T_ArrayCoerceExpr:
		case T_ConvertRowtypeExpr:
		case T_CollateExpr:
		case T_CaseExpr:
		case T_ArrayExpr:
		case T_RowExpr:
		case T_CoalesceExpr:
		case T_MinMaxExpr:
		case T_XmlExpr:
		case T_CoerceToDomain:
		case T_SubLink:
			return true;
		default:
			return flp_is_json_value_expr(node);
	}
}

/*
 * Does a constant name an object of an untrusted owner (a relation for
 * table_to_xml, a function, a type) that code could be made to run?
 */
static bool
names_untrusted_object(Const *c)
{
	Oid			oid;

	if (c->constisnull)
		return false;
	oid = DatumGetObjectId(c->constvalue);
	switch (c->consttype)
	{
		case REGCLASSOID:
			{
				HeapTuple	tuple = SearchSysCache1(RELOID, ObjectIdGetDatum(oid));
				bool		untrusted = false;

				if (HeapTupleIsValid(tuple))
				{
					untrusted = !superuser_arg(((Form_pg_class) GETSTRUCT(tuple))->relowner);
					ReleaseSysCache(tuple);
				}
				return untrusted;
			}
		case REGPROCOID:
		case REGPROCEDUREOID:
			return OidIsValid(oid) && flp_untrusted_reason(oid) != NULL;
		case REGTYPEOID:
			return !type_trusted(oid);
		case REGOPEROID:
		case REGOPERATOROID:
			return OidIsValid(oid) && flp_untrusted_reason(get_opcode(oid)) != NULL;
		default:
			return false;
	}
}

typedef struct UntrustedWalk
{
	Oid			function;		/* the first untrusted function */
	const char *other;			/* or what else is untrusted */
} UntrustedWalk;

static bool
untrusted_walker(Node *node, UntrustedWalk *uw)
{
	if (node == NULL)
		return false;
	if (check_functions_in_node(node, untrusted_checker, &uw->function))
		return true;
	if (!IsA(node, Var) && !IsA(node, List) && !IsA(node, TargetEntry) &&
		!type_trusted(exprType(node)))
	{
		uw->other = psprintf("a value of type %s, which belongs to a role that is not a superuser (or has such a base, element or field type)",
							 format_type_be(exprType(node)));
		return true;
	}
	if (IsA(node, Const) && names_untrusted_object((Const *) node))
	{
		uw->other = psprintf("the constant %s, which names an object of a role that is not a superuser",
							 format_type_be(((Const *) node)->consttype));
		return true;
	}
	return expression_tree_walker(node, untrusted_walker, uw);
}

/*
 * Raise an error unless every function an analysed expression calls, every
 * type it makes values of and every object its constants name may run on
 * hidden values.
 */
void
flp_require_trusted_expression(Node *expr, const char *what)
{
	UntrustedWalk uw = {InvalidOid, NULL};

	if (!untrusted_walker(expr, &uw))
		return;
	if (OidIsValid(uw.function))
		flp_require_trusted_function(uw.function, what);
	ereport(ERROR,
			(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
			 errmsg("%s would make values of types, or name objects, that flp does not trust",
					strcmp(what, "data-rule predicate function") == 0 ? "data-rule predicate" : what),
			 errdetail("It uses %s.", uw.other),
			 errhint("Use types and objects that belong to a superuser.")));
}

/* ---------------------------------------------------------------------
 * Published report views
 * ---------------------------------------------------------------------
 */

/*
 * A published view runs, in every reader's session, on values as its owner
 * sees them.  Whoever could change what it runs could read them: so it runs
 * only functions flp would run on hidden values (volatile ones too: the
 * publisher chose them, the reader cannot), makes values only of domains a
 * superuser owns (their CHECK constraints are code), names only trusted
 * objects in its constants, and reads only views of its own owner or of a
 * super admin (a view's owner can replace it).  Row-level security quals are
 * the reader's policies, trusted as everywhere.
 */
typedef struct ViewCodeWalk
{
	Oid			owner;			/* the published view's owner */
	List	   *views;			/* views whose stored query was walked */
	char	   *problem;		/* the first thing found that flp does not trust */
} ViewCodeWalk;

static bool view_code_walker(Node *node, ViewCodeWalk *w);

/* Is a view the published view reads one of another owner than a super admin? */
static bool
view_read_untrusted(Oid viewid, ViewCodeWalk *w)
{
	Oid			owner = flp_relation_owner(viewid);

	if (!OidIsValid(owner) || owner == w->owner || flp_is_super_admin(owner))
		return false;
	w->problem = psprintf("it reads view %s, which belongs to role \"%s\", neither its owner nor a super admin",
						  flp_table_name(viewid),
						  GetUserNameFromId(owner, true) ? GetUserNameFromId(owner, true) : "?");
	return true;
}

/*
 * Does the published view read a table with row-level security whose owner
 * is not a super admin?  Its policies would run inside the view, on values as
 * the view's owner sees them, and its owner may change them at any time.
 */
static bool
policies_untrusted(Oid relid, ViewCodeWalk *w)
{
	HeapTuple	tuple = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	bool		rls;
	Oid			owner;

	if (!HeapTupleIsValid(tuple))
		return false;
	rls = ((Form_pg_class) GETSTRUCT(tuple))->relrowsecurity;
	owner = ((Form_pg_class) GETSTRUCT(tuple))->relowner;
	ReleaseSysCache(tuple);
	if (!rls || flp_is_super_admin(owner))
		return false;
	w->problem = psprintf("it reads table %s, whose row-level security policies belong to role \"%s\", not a super admin (they would run inside it)",
						  flp_table_name(relid),
						  GetUserNameFromId(owner, true) ? GetUserNameFromId(owner, true) : "?");
	return true;
}

/* The stored query of a view read by a stored query (each view once). */
static bool
stored_view_walk(Oid viewid, ViewCodeWalk *w)
{
	Relation	rel;
	Query	   *query;

	if (list_member_oid(w->views, viewid))
		return false;
	w->views = lappend_oid(w->views, viewid);
	rel = relation_open(viewid, AccessShareLock);
	query = copyObject(get_view_query(rel));
	relation_close(rel, AccessShareLock);
	return view_code_walker((Node *) query, w);
}

/* Is the type one a published view may not make values of?  Then say so. */
static bool
untrusted_value_type(Oid typid, ViewCodeWalk *w)
{
	if (value_type_trusted(typid))
		return false;
	w->problem = psprintf("it makes values of type %s, which belongs to a role that is not a superuser or holds a domain or composite type of one (its owner could add code that runs on every value made)",
						  format_type_be(typid));
	return true;
}

/* The types of a column definition list (AS r(a int, b t), COLUMNS (...)). */
static bool
untrusted_column_types(List *coltypes, ViewCodeWalk *w)
{
	ListCell   *lc;

	foreach(lc, coltypes)
		if (untrusted_value_type(lfirst_oid(lc), w))
			return true;
	return false;
}

/* The range table of one query level: views read, and the code of entries. */
static bool
view_entries_walk(Query *q, ViewCodeWalk *w)
{
	ListCell   *lc;

	foreach(lc, q->rtable)
	{
		RangeTblEntry *rte = lfirst(lc);
		Oid			viewid;

		switch (rte->rtekind)
		{
			case RTE_RELATION:
				/* a view not yet expanded (15's OLD entry is not in FROM) */
				if (rte->relkind == RELKIND_VIEW)
				{
					if (rte->inFromCl &&
						(view_read_untrusted(rte->relid, w) || stored_view_walk(rte->relid, w)))
						return true;
				}
				else if (policies_untrusted(rte->relid, w))
					return true;
				break;
			case RTE_SUBQUERY:
				viewid = flp_subquery_view(rte);
				if ((OidIsValid(viewid) && view_read_untrusted(viewid, w)) ||
					view_code_walker((Node *) rte->subquery, w))
					return true;
				break;
			case RTE_FUNCTION:
				{
					ListCell   *fl;

					foreach(fl, rte->functions)
						if (untrusted_column_types(((RangeTblFunction *) lfirst(fl))->funccoltypes, w))
							return true;
				}
				if (view_code_walker((Node *) rte->functions, w))
					return true;
				break;
			case RTE_TABLEFUNC:
				if (untrusted_column_types(rte->tablefunc->coltypes, w) ||
					view_code_walker((Node *) rte->tablefunc, w))
					return true;
				break;
			case RTE_VALUES:
				if (view_code_walker((Node *) rte->values_lists, w))
					return true;
				break;
			default:
				break;
		}
	}
	return false;
}

/* check_functions_in_node callback: remember the first untrusted function. */
static bool
untrusted_view_function(Oid funcid, void *context)
{
	if (flp_function_untrusted_reason(funcid, true) == NULL)
		return false;
	*(Oid *) context = funcid;
	return true;
}

static bool
view_code_walker(Node *node, ViewCodeWalk *w)
{
	Oid			function = InvalidOid;

	if (node == NULL)
		return false;
	check_stack_depth();
	if (IsA(node, Query))
	{
		if (view_entries_walk((Query *) node, w))
			return true;
		return query_tree_walker((Query *) node, view_code_walker, w, QTW_IGNORE_RANGE_TABLE);
	}
	if (check_functions_in_node(node, untrusted_view_function, &function))
	{
		w->problem = psprintf("it calls %s, and %s", format_procedure(function),
							  flp_function_untrusted_reason(function, true));
		return true;
	}
	if (makes_value(node) && untrusted_value_type(exprType(node), w))
		return true;
	if (IsA(node, Const) && names_untrusted_object((Const *) node))
	{
		w->problem = psprintf("its constant of type %s names an object of a role that is not a superuser",
							  format_type_be(((Const *) node)->consttype));
		return true;
	}
	return expression_tree_walker(node, view_code_walker, w);
}

/*
 * Why a view is not in force as a published view, or NULL when it is: not
 * published, changed since it was published, or running code flp does not
 * trust.  expanded: the view's query as the rewriter expanded it into a query
 * being planned, or NULL to read its stored query; code_only: only the code
 * (before publishing it).  *owner is set to the view's owner.
 */
char *
flp_published_view_problem(Oid viewid, Query *expanded, bool code_only, Oid *owner)
{
	ViewCodeWalk w = {InvalidOid, NIL, NULL};
	const char *change;

	*owner = flp_relation_owner(viewid);
	if (!OidIsValid(*owner))
		return pstrdup("the view is gone");
	if (!code_only)
	{
		if (!flp_view_published(viewid, &change))
			return pstrdup("not published");
		if (change != NULL)
			return pstrdup(change);
	}
	w.owner = *owner;
	if (expanded != NULL)
		(void) view_code_walker((Node *) expanded, &w);
	else
		(void) stored_view_walk(viewid, &w);
	return w.problem;
}

/*
 * The same question for a mask at every planning, answered from a
 * per-session memo that changes of functions and roles (their syscache
 * invalidations) empty.
 */
static bool
function_is_trusted(Oid funcid)
{
	return flp_untrusted_reason(funcid) == NULL;
}

static FlpOidMemo trusted_functions = {"flp trusted functions", function_is_trusted};

bool
flp_function_trusted(Oid funcid)
{
	return flp_oid_memo_answer(&trusted_functions, funcid);
}

/* Register the memo's invalidation; from _PG_init. */
void
flp_trust_init(void)
{
	flp_oid_memo_register(&trusted_functions, PROCOID);
	flp_oid_memo_register(&trusted_functions, AUTHOID);
}
