/*-------------------------------------------------------------------------
 *
 * rules.c
 *	  Data rules (flp.add_data_rule): predicates parsed and checked by
 *	  PostgreSQL's parser, compiled into row-level security policies from
 *	  parse trees, and evaluated for flp.explain_record().
 *
 * A predicate is administrator text.  It is never spliced into SQL: it must
 * parse, on its own, as exactly one expression (no statement, no FROM, no
 * second clause), analyse as a boolean over the governed table's row (no
 * sublinks, no aggregates, no set-returning functions), and call only
 * functions that flp lets run in subjects' sessions (trust.c).  The policies
 * are built from the parse trees, joined with flp's own conditions, and
 * handed to CreatePolicy(); no SQL text is assembled.  flp.explain_record()
 * evaluates a predicate with the privileges of the role that asks.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/table.h"
#include "catalog/namespace.h"
#include "commands/policy.h"
#include "executor/executor.h"
#include "executor/spi.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/optimizer.h"
#include "parser/parse_clause.h"
#include "parser/parse_collate.h"
#include "parser/parse_relation.h"
#include "rewrite/rewriteManip.h"
#include "utils/builtins.h"
#include "utils/regproc.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"

#include "flp.h"

PG_FUNCTION_INFO_V1(flp_check_data_rule);
PG_FUNCTION_INFO_V1(flp_rules_changed);

/* While flp.explain_record() evaluates a data rule: the role it explains. */
static Oid	attribute_role = InvalidOid;

/*
 * The role whose attributes flp.attribute() answers with: the role a data
 * rule is being evaluated for (flp_eval_rule), else the current user.
 */
Oid
flp_attribute_subject(void)
{
	return OidIsValid(attribute_role) ? attribute_role : GetUserId();
}

#define RULE_PREDICATE_ERROR(predicate, detail) \
	ereport(ERROR, \
			(errcode(ERRCODE_SYNTAX_ERROR), \
			 errmsg("it is not one boolean expression over the row"), \
			 errdetail detail, \
			 errhint("Write a condition such as region = flp.attribute('region'); it may use the table's fields, constants, operators and functions.")))

/*
 * Parse a predicate on its own, as PL/pgSQL parses an expression, and return
 * its one expression as a raw parse tree.  Anything else -- a second
 * statement, a FROM or WHERE, a second column -- is refused.
 */
static Node *
flp_rule_parse(const char *predicate)
{
	List	   *parsed;
	SelectStmt *select;
	ResTarget  *target;

	if (predicate == NULL || predicate[strspn(predicate, " \t\r\n")] == '\0')
		RULE_PREDICATE_ERROR(predicate, ("The predicate is empty."));
	parsed = raw_parser(predicate, RAW_PARSE_PLPGSQL_EXPR);
	if (list_length(parsed) != 1 || !IsA(linitial_node(RawStmt, parsed)->stmt, SelectStmt))
		RULE_PREDICATE_ERROR(predicate, ("It parses as more than one statement."));
	select = (SelectStmt *) linitial_node(RawStmt, parsed)->stmt;
	if (list_length(select->targetList) != 1 || select->distinctClause != NIL ||
		select->intoClause != NULL || select->fromClause != NIL ||
		select->whereClause != NULL || select->groupClause != NIL ||
		select->havingClause != NULL || select->windowClause != NIL ||
		select->valuesLists != NIL || select->sortClause != NIL ||
		select->limitOffset != NULL || select->limitCount != NULL ||
		select->lockingClause != NIL || select->withClause != NULL ||
		select->op != SETOP_NONE)
		RULE_PREDICATE_ERROR(predicate, ("It parses as a query or a list, not as one expression."));
	target = linitial_node(ResTarget, select->targetList);
	if (target->name != NULL || (IsA(target->val, ColumnRef) &&
								 IsA(llast(((ColumnRef *) target->val)->fields), A_Star)))
		RULE_PREDICATE_ERROR(predicate, ("It parses as a column list, not as one expression."));
	return target->val;
}

/*
 * Analyse a parsed predicate over the row of rel (as a policy of rel would
 * be): a boolean, no sublinks, only trusted functions.  Returns the analysed
 * expression, whose Vars have varno 1.  predicate is the text raw was parsed
 * from: error positions point into it.
 */
static Node *
flp_rule_analyze(Relation rel, Node *raw, const char *predicate)
{
	ParseState *pstate = make_parsestate(NULL);
	ParseNamespaceItem *nsitem;
	Node	   *expr;

	pstate->p_sourcetext = predicate;
	nsitem = addRangeTableEntryForRelation(pstate, rel, AccessShareLock, NULL, false, false);
	addNSItemToQuery(pstate, nsitem, false, true, true);
	expr = transformWhereClause(pstate, copyObject(raw), EXPR_KIND_POLICY, "POLICY");
	assign_expr_collations(pstate, expr);
	if (checkExprHasSubLink(expr))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("it contains a subquery"),
				 errdetail("A data rule is a condition on the row of table \"%s\" alone.",
						   RelationGetRelationName(rel)),
				 errhint("Keep what other tables decide in a function owned by a superuser, or in a partner scope.")));
	flp_require_trusted_expression(expr, "data-rule predicate function");
	free_parsestate(pstate);
	return expr;
}

/*
 * Parse and analyse a predicate over the row of rel.  Any error names the
 * administrator's predicate, not the statement flp ran: "invalid data-rule
 * predicate "...": <the parser's message>", with the parser's SQLSTATE
 * (42601, 42703, 42804, 42883 ...), its detail and hint, and its position
 * as a cursor into the predicate (the internal query clients show).
 */
static Node *
flp_rule_check(Relation rel, const char *predicate)
{
	MemoryContext caller = CurrentMemoryContext;
	Node	   *volatile expr = NULL;

	PG_TRY();
	{
		expr = flp_rule_analyze(rel, flp_rule_parse(predicate), predicate);
	}
	PG_CATCH();
	{
		ErrorData  *edata;
		int			len = pg_mbstrlen(predicate);
		int			position;

		MemoryContextSwitchTo(caller);
		edata = CopyErrorData();
		FlushErrorState();
		/* SPI's error callback moved the parser's position to internalpos */
		position = edata->cursorpos > 0 ? edata->cursorpos : edata->internalpos;
		ereport(ERROR,
				(errcode(edata->sqlerrcode),
				 errmsg("invalid data-rule predicate \"%s%s\" of table \"%s.%s\": %s",
						len > 100 ? pnstrdup(predicate, pg_mbcharcliplen(predicate, strlen(predicate), 100)) : predicate,
						len > 100 ? "..." : "",
						get_namespace_name(RelationGetNamespace(rel)),
						RelationGetRelationName(rel), edata->message),
				 edata->detail ? errdetail_internal("%s", edata->detail) : 0,
				 errhint("%s", edata->hint ? edata->hint :
						 "A predicate is one boolean expression over the table's fields, such as region = flp.attribute('region')."),
				 position > 0 ? internalerrposition(position) : 0,
				 position > 0 ? internalerrquery(predicate) : 0));
	}
	PG_END_TRY();
	return expr;
}

/* Parse and analyse a predicate over the row of the table relid. */
static Node *
check_predicate(Oid relid, const char *predicate)
{
	Relation	rel = table_open(relid, AccessShareLock);
	Node	   *expr = flp_rule_check(rel, predicate);

	table_close(rel, NoLock);
	return expr;
}

/* What in a predicate may raise an error: a function, or another node. */
typedef struct Leaky
{
	Oid			funcid;
	Node	   *node;
} Leaky;

/* flp's functions a predicate calls, which raise no error on any value. */
static bool
flp_safe_function(Oid funcid)
{
	static const char *const safe[] = {"attribute", "has_bundle", "is_subject",
	"is_partner_user", "current_partner"};
	char	   *name;

	if (get_func_namespace(funcid) != get_namespace_oid("flp", true))
		return false;
	name = get_func_name(funcid);
	for (int i = 0; i < (int) lengthof(safe); i++)
		if (strcmp(name, safe[i]) == 0)
			return true;
	return false;
}

static bool
leaky_checker(Oid funcid, void *context)
{
	if (get_func_leakproof(funcid) || flp_safe_function(funcid))
		return false;
	((Leaky *) context)->funcid = funcid;
	return true;
}

/*
 * Anything in a predicate that may raise an error: a function PostgreSQL
 * does not mark leakproof (other than flp's own above), or a node that
 * raises errors of its own (a domain's check, XMLPARSE, an array of
 * mismatched dimensions, SQL/JSON ...) -- every node but those that cannot
 * fail by themselves.  Wherever it is: under a CASE or AND on the row's
 * fields, even a call on constants fails for some rows only.
 */
static bool
leaky_walker(Node *node, Leaky *leaky)
{
	if (node == NULL)
		return false;
	switch (nodeTag(node))
	{
		case T_List:
		case T_Var:
		case T_Const:
		case T_Param:
		case T_BoolExpr:
		case T_NullTest:
		case T_BooleanTest:
		case T_CaseExpr:
		case T_CaseWhen:
		case T_CaseTestExpr:
		case T_CoalesceExpr:
		case T_RelabelType:
		case T_CollateExpr:
		case T_SQLValueFunction:
		case T_FuncExpr:
		case T_OpExpr:
		case T_DistinctExpr:
		case T_NullIfExpr:
		case T_ScalarArrayOpExpr:
		case T_CoerceViaIO:
		case T_ArrayCoerceExpr:
			break;
		default:
			leaky->node = node;
			return true;
	}
	if (check_functions_in_node(node, leaky_checker, leaky))
		return true;
	return expression_tree_walker(node, leaky_walker, (void *) leaky);
}

/* What a node that may fail is, in words. */
static const char *
node_kind(Node *node)
{
	switch (nodeTag(node))
	{
		case T_CoerceToDomain:
			return "a cast to a domain, whose checks can fail";
		case T_XmlExpr:
			return "an XML expression, which can fail on a value";
		case T_ArrayExpr:
			return "an array constructor, which can fail on mismatched dimensions";
		case T_SubscriptingRef:
			return "a subscript, which can fail on a value";
		case T_MinMaxExpr:
			return "GREATEST or LEAST, whose comparison is not known to be leakproof";
		case T_RowCompareExpr:
			return "a row comparison, whose comparisons are not known to be leakproof";
		default:
			return "an expression that can fail on a value (SQL/JSON, a subquery ...)";
	}
}

/*
 * A predicate is evaluated, in subjects' sessions, on every row a query
 * reads -- rows outside the subject's scope too.  Anything in it that can
 * fail (a cast, a division, a domain's check: what PostgreSQL does not mark
 * leakproof) could put a value of such a row into the subject's error
 * message, or tell by failing that such a row exists.  Warn the
 * administrator who writes it.
 */
static void
warn_leaky_predicate(Oid relid, Node *expr, const char *predicate)
{
	Leaky		leaky = {InvalidOid, NULL};

	if (!leaky_walker(expr, &leaky))
		return;
	ereport(WARNING,
			(errmsg("data-rule predicate \"%s\" of table \"%s\" may raise errors: %s",
					predicate, flp_table_name(relid),
					OidIsValid(leaky.funcid) ?
					psprintf("function %s is not leakproof", format_procedure(leaky.funcid)) :
					psprintf("it contains %s", node_kind(leaky.node))),
			 errdetail("The predicate runs on every row a subject's query reads, out of its scope too: an error it raises there, such as a failed cast, quotes a value of that row to the subject, or tells that the row exists."),
			 errhint("Compare the fields directly (region = flp.attribute('region')), with operators and functions PostgreSQL marks leakproof.")));
}

/*
 * Trigger of flp.data_rule (BEFORE INSERT OR UPDATE, each row): a rule
 * stored by direct DML passes the same checks as flp.add_data_rule().
 */
Datum
flp_check_data_rule(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	HeapTuple	tuple;
	TupleDesc	desc;
	bool		isnull;
	Datum		tbl;
	Datum		predicate;

	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_FOR_ROW(trigdata->tg_event))
		elog(ERROR, "flp_internal.check_data_rule() must be a row trigger");
	tuple = TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event) ?
		trigdata->tg_newtuple : trigdata->tg_trigtuple;
	desc = RelationGetDescr(trigdata->tg_relation);
	tbl = heap_getattr(tuple, SPI_fnumber(desc, "tbl"), desc, &isnull);
	if (isnull)
		return PointerGetDatum(tuple);	/* NOT NULL refuses it */
	predicate = heap_getattr(tuple, SPI_fnumber(desc, "predicate"), desc, &isnull);
	if (isnull)
		return PointerGetDatum(tuple);
	if (!SearchSysCacheExists1(RELOID, tbl))
		return PointerGetDatum(tuple);	/* the reference trigger says so */
	warn_leaky_predicate(DatumGetObjectId(tbl),
						 check_predicate(DatumGetObjectId(tbl), TextDatumGetCString(predicate)),
						 TextDatumGetCString(predicate));
	return PointerGetDatum(tuple);
}

/* Recompile the policies of table relid (flp_internal.compile_policies), if it exists. */
static void
recompile_policies(Datum relid)
{
	Oid			argtypes[1] = {REGCLASSOID};
	Datum		values[1] = {relid};

	if (!SearchSysCacheExists1(RELOID, relid))
		return;					/* dropped: its policies went with it */
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "flp: SPI_connect failed");
	if (SPI_execute_with_args("SELECT flp_internal.compile_policies($1)", 1, argtypes, values,
							  NULL, false, 0) != SPI_OK_SELECT)
		elog(ERROR, "flp: could not compile the policies of relation %u",
			 DatumGetObjectId(relid));
	SPI_finish();
}

/*
 * Trigger of flp.data_rule, flp.record_link and flp.partner_scope (AFTER
 * INSERT OR UPDATE OR DELETE, each row; its argument names the column of the
 * governed table): the policies of the table a changed row is about, before
 * and after the change, are compiled again (after a TRUNCATE, each statement:
 * those of every governed table).  So a rule stored, changed or
 * removed by direct DML, or by a cascade (a bundle renamed or dropped, a
 * governed table unprotected), is in force at once, as through the
 * management functions; compiled policies never keep a bundle's old name.
 * Not for the rows a COPY FROM loads: a restore brings the policies along.
 */
Datum
flp_rules_changed(PG_FUNCTION_ARGS)
{
	TriggerData *td = (TriggerData *) fcinfo->context;
	TupleDesc	desc;
	AttrNumber	attno;
	bool		isnull;
	Datum		before = (Datum) 0;
	Datum		after = (Datum) 0;

	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_AFTER(td->tg_event) ||
		td->tg_trigger->tgnargs != 1 ||
		TRIGGER_FIRED_FOR_ROW(td->tg_event) == TRIGGER_FIRED_BY_TRUNCATE(td->tg_event))
		elog(ERROR, "flp_internal.rules_changed() must be an AFTER row trigger, or AFTER TRUNCATE, with one argument");
	if (RelationGetRelid(td->tg_relation) == flp_bulk_load_target())
		return PointerGetDatum(NULL);
	if (TRIGGER_FIRED_BY_TRUNCATE(td->tg_event))
	{
		/* every table may have lost its rules: compile them all */
		if (SPI_connect() != SPI_OK_CONNECT)
			elog(ERROR, "flp: SPI_connect failed");
		if (SPI_execute("SELECT flp_internal.compile_policies(g.tbl) FROM flp.governed_table g",
						false, 0) != SPI_OK_SELECT)
			elog(ERROR, "flp: could not compile the policies");
		SPI_finish();
		return PointerGetDatum(NULL);
	}
	desc = RelationGetDescr(td->tg_relation);
	attno = SPI_fnumber(desc, td->tg_trigger->tgargs[0]);
	if (attno <= 0)
		elog(ERROR, "flp: no column \"%s\" in \"%s\"", td->tg_trigger->tgargs[0],
			 RelationGetRelationName(td->tg_relation));
	if (!TRIGGER_FIRED_BY_INSERT(td->tg_event))
		before = heap_getattr(td->tg_trigtuple, attno, desc, &isnull);
	if (TRIGGER_FIRED_BY_INSERT(td->tg_event))
		after = heap_getattr(td->tg_trigtuple, attno, desc, &isnull);
	else if (TRIGGER_FIRED_BY_UPDATE(td->tg_event))
		after = heap_getattr(td->tg_newtuple, attno, desc, &isnull);
	if (OidIsValid(DatumGetObjectId(before)))
		recompile_policies(before);
	if (OidIsValid(DatumGetObjectId(after)) && after != before)
		recompile_policies(after);
	return PointerGetDatum(NULL);
}

/* A raw call of one of flp's functions, flp.name(args). */
static Node *
flp_call(const char *name, List *args)
{
	return (Node *) makeFuncCall(list_make2(makeString("flp"), makeString(pstrdup(name))),
								 args, COERCE_EXPLICIT_CALL, -1);
}

/* A raw constant: a string, or a boolean. */
static Node *
string_const(const char *value)
{
	A_Const    *c = makeNode(A_Const);

	c->val.sval.type = T_String;
	c->val.sval.sval = pstrdup(value);
	c->location = -1;
	return (Node *) c;
}

static Node *
bool_const(bool value)
{
	A_Const    *c = makeNode(A_Const);

	c->val.boolval.type = T_Boolean;
	c->val.boolval.boolval = value;
	c->location = -1;
	return (Node *) c;
}

/*
 * The raw conditions "some rule allows" and "some edit rule allows" of the
 * rules of root, each rule "(bundle applies AND predicate)".  Both are NULL
 * when root has no rules.
 */
static void
rule_conditions(Oid root, Node **any_rule, Node **edit_rule)
{
	Oid			argtypes[1] = {REGCLASSOID};
	Datum		values[1] = {ObjectIdGetDatum(root)};
	List	   *any = NIL;
	List	   *edit = NIL;
	Relation	rel = table_open(root, AccessShareLock);
	MemoryContext outer = CurrentMemoryContext;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "flp: SPI_connect failed");
	if (SPI_execute_with_args("SELECT r.predicate, r.access OPERATOR(pg_catalog.=) 'edit', r.bundle"
							  "  FROM flp.data_rule r WHERE r.tbl OPERATOR(pg_catalog.=) $1"
							  " ORDER BY r.id", 1, argtypes, values, NULL, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "flp: could not read the data rules");
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		HeapTuple	tuple = SPI_tuptable->vals[i];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		char	   *predicate = SPI_getvalue(tuple, desc, 1);
		bool		is_edit = strcmp(SPI_getvalue(tuple, desc, 2), "t") == 0;
		char	   *bundle = SPI_getvalue(tuple, desc, 3);
		MemoryContext spi = MemoryContextSwitchTo(outer);	/* outlive SPI */
		Node	   *raw = flp_rule_parse(predicate);
		Node	   *applies;
		Node	   *rule;

		(void) flp_rule_analyze(rel, raw, predicate);	/* checked when stored; again here */
		applies = bundle == NULL ? bool_const(true) :
			flp_call("has_bundle", list_make1(string_const(bundle)));
		rule = (Node *) makeBoolExpr(AND_EXPR, list_make2(applies, raw), -1);
		any = lappend(any, rule);
		if (is_edit)
			edit = lappend(edit, copyObject(rule));
		MemoryContextSwitchTo(spi);
	}
	SPI_finish();
	table_close(rel, NoLock);
	*any_rule = any == NIL ? NULL :
		list_length(any) == 1 ? linitial(any) : (Node *) makeBoolExpr(OR_EXPR, any, -1);
	*edit_rule = edit == NIL ? bool_const(false) :
		list_length(edit) == 1 ? linitial(edit) : (Node *) makeBoolExpr(OR_EXPR, edit, -1);
}

/* "NOT flp.is_subject() OR condition", a fresh copy. */
static Node *
for_subjects(Node *condition)
{
	Node	   *not_subject = (Node *) makeBoolExpr(NOT_EXPR,
													list_make1(flp_call("is_subject", NIL)), -1);

	return (Node *) makeBoolExpr(OR_EXPR, list_make2(not_subject, copyObject(condition)), -1);
}

/* CREATE POLICY name ON rel AS RESTRICTIVE FOR cmd TO PUBLIC USING ... WITH CHECK ... */
static void
create_policy(Oid relid, const char *name, const char *cmd, Node *qual, Node *check)
{
	CreatePolicyStmt *stmt = makeNode(CreatePolicyStmt);
	RoleSpec   *public = makeNode(RoleSpec);

	public->roletype = ROLESPEC_PUBLIC;
	public->location = -1;
	stmt->policy_name = pstrdup(name);
	stmt->table = makeRangeVar(get_namespace_name(get_rel_namespace(relid)),
							   get_rel_name(relid), -1);
	stmt->cmd_name = pstrdup(cmd);
	stmt->permissive = false;
	stmt->roles = list_make1(public);
	stmt->qual = qual;
	stmt->with_check = check;
	CreatePolicy(stmt);
	CommandCounterIncrement();
}

/*
 * Create the policies flp_data_select/insert/update/delete of root's data
 * rules on relid (root or one of its partitions and children), for
 * flp_internal.create_data_policies(), which flp_internal.compile_policies() calls after
 * dropping the old ones.
 */
void
flp_create_data_rule_policies(Oid relid, Oid root)
{
	Node	   *any_rule;
	Node	   *edit_rule;

	rule_conditions(root, &any_rule, &edit_rule);
	if (any_rule == NULL)
		return;
	create_policy(relid, "flp_data_select", "select", for_subjects(any_rule), NULL);
	create_policy(relid, "flp_data_insert", "insert", NULL, for_subjects(edit_rule));
	create_policy(relid, "flp_data_update", "update", for_subjects(edit_rule),
				  for_subjects(edit_rule));
	create_policy(relid, "flp_data_delete", "delete", for_subjects(edit_rule), NULL);
}

/* A table alias that is none of rel's column names. */
static char *
row_alias(Relation rel)
{
	char	   *alias = pstrdup("flp_row");

	for (int n = 1; get_attnum(RelationGetRelid(rel), alias) != InvalidAttrNumber; n++)
		alias = psprintf("flp_row%d", n);
	return alias;
}

/*
 * Evaluate an analysed predicate on the row of rel whose key_field, as text,
 * is record_key.  The row is read with the caller's privileges (and its
 * row-level security); *found says whether there was one.
 */
static bool
evaluate_on_row(Relation rel, Node *expr, const char *key_field, text *record_key,
				bool *found)
{
	char	   *alias = row_alias(rel);
	char	   *sql;
	Oid			argtypes[1] = {TEXTOID};
	Datum		values[1] = {PointerGetDatum(record_key)};
	bool		result = false;

	sql = psprintf("SELECT %s FROM %s %s WHERE (%s.%s)::pg_catalog.text OPERATOR(pg_catalog.=) $1",
				   alias,
				   quote_qualified_identifier(get_namespace_name(RelationGetNamespace(rel)),
											  RelationGetRelationName(rel)),
				   alias, alias, quote_identifier(key_field));
	*found = false;
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "flp: SPI_connect failed");
	if (SPI_execute_with_args(sql, 1, argtypes, values, NULL, true, 1) == SPI_OK_SELECT &&
		SPI_processed > 0)
	{
		bool		isnull;
		Datum		row = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
		EState	   *estate = CreateExecutorState();
		ExprContext *econtext = GetPerTupleExprContext(estate);
		TupleTableSlot *slot = MakeSingleTupleTableSlot(RelationGetDescr(rel), &TTSOpsHeapTuple);
		HeapTupleData tuple;
		ExprState  *state;
		Datum		value;

		*found = true;
		if (!isnull)
		{
			HeapTupleHeader header = DatumGetHeapTupleHeader(row);

			tuple.t_len = HeapTupleHeaderGetDatumLength(header);
			ItemPointerSetInvalid(&tuple.t_self);
			tuple.t_tableOid = RelationGetRelid(rel);
			tuple.t_data = header;
			ExecStoreHeapTuple(&tuple, slot, false);
			econtext->ecxt_scantuple = slot;
			state = ExecPrepareExpr((Expr *) expr, estate);
			value = ExecEvalExprSwitchContext(state, econtext, &isnull);
			result = !isnull && DatumGetBool(value);
		}
		ExecDropSingleTupleTableSlot(slot);
		FreeExecutorState(estate);
	}
	SPI_finish();
	return result;
}

/*
 * A data rule's predicate on the row of tbl whose key_field, as text, is
 * record_key, as it would be for role (flp.attribute() answers with role's
 * attributes), for flp.explain_record().  Only super admins may ask; the
 * predicate is checked like a stored one and evaluated with the caller's own
 * privileges.  *found_row says whether there was such a row.
 */
bool
flp_evaluate_data_rule(Oid tbl, const char *key_field, text *record_key,
					   const char *predicate, Oid roleid, bool *found_row)
{
	Relation	rel;
	Node	   *expr;
	volatile bool result = false;
	volatile bool found = false;

	if (!flp_is_super_admin(GetUserId()))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied to evaluate data rules"),
				 errdetail("Evaluating a rule for another role reads that role's rows; only super admins may."),
				 errhint("Ask a super admin to run flp.explain_record().")));
	rel = table_open(tbl, AccessShareLock);
	expr = flp_rule_check(rel, predicate);
	attribute_role = roleid;
	PG_TRY();
	{
		bool		row_found;

		result = evaluate_on_row(rel, expr, key_field, record_key, &row_found);
		found = row_found;
	}
	PG_FINALLY();
	{
		attribute_role = InvalidOid;
	}
	PG_END_TRY();
	table_close(rel, NoLock);
	*found_row = found;
	return result;
}
