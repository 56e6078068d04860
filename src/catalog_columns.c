/*-------------------------------------------------------------------------
 *
 * catalog_columns.c
 *	  The column numbers of catalog_columns.h, as rows, for the regression
 *	  test that compares them with the install script's tables.
 *
 * flp_catalog_columns() returns one row per column the header defines:
 * (tbl, col, attnum, natts), from the header's macros by name.  The install
 * script does not declare it; the regression test catalog_columns
 * (test/sql/catalog_columns.sql) does, and compares the rows with
 * pg_attribute of schema flp.  A column listed here without its Anum_ in the
 * header does not compile; a column of the install script missing here, or
 * a number or Natts_ that differs, fails the test.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/tuplestore.h"

#include "flp.h"

PG_FUNCTION_INFO_V1(flp_catalog_columns);

typedef struct CatalogColumn
{
	const char *tbl;
	const char *col;
	int			attnum;
	int			natts;
} CatalogColumn;

#define COLUMN(tbl, col) {#tbl, #col, Anum_##tbl##_##col, Natts_##tbl}

/* Every column of catalog_columns.h, in its order. */
static const CatalogColumn catalog_columns[] = {
	COLUMN(governed_table, tbl),
	COLUMN(governed_table, default_permission),
	COLUMN(governed_table, mandatory_on_update),
	COLUMN(guarded_relation, relid),
	COLUMN(guarded_relation, rls_before),
	COLUMN(guarded_relation, force_before),
	COLUMN(excluded_field, tbl),
	COLUMN(excluded_field, field),
	COLUMN(field_mask, tbl),
	COLUMN(field_mask, field),
	COLUMN(field_mask, mask),
	COLUMN(inherited_field, tbl),
	COLUMN(inherited_field, field),
	COLUMN(inherited_field, from_tbl),
	COLUMN(inherited_field, from_field),
	COLUMN(partner, name),
	COLUMN(partner, company_key),
	COLUMN(bundle, name),
	COLUMN(bundle, kind),
	COLUMN(bundle, license),
	COLUMN(bundle, description),
	COLUMN(bundle, system),
	COLUMN(table_permission, bundle),
	COLUMN(table_permission, tbl),
	COLUMN(table_permission, permission),
	COLUMN(field_permission, bundle),
	COLUMN(field_permission, tbl),
	COLUMN(field_permission, field),
	COLUMN(field_permission, permission),
	COLUMN(assignment, bundle),
	COLUMN(assignment, role),
	COLUMN(rule, id),
	COLUMN(rule, bundle),
	COLUMN(rule, criteria),
	COLUMN(registered_user, role),
	COLUMN(registered_user, license),
	COLUMN(registered_user, attributes),
	COLUMN(registered_user, partner),
	COLUMN(license_seats, license),
	COLUMN(license_seats, seats),
	COLUMN(partner_bundle, partner),
	COLUMN(partner_bundle, bundle),
	COLUMN(admin_role, onerow),
	COLUMN(admin_role, role),
	COLUMN(mask_secret, onerow),
	COLUMN(mask_secret, secret),
	COLUMN(area_table, area),
	COLUMN(area_table, tbl),
	COLUMN(partner_scope, tbl),
	COLUMN(partner_scope, key_field),
	COLUMN(record_assignment, tbl),
	COLUMN(record_assignment, record_key),
	COLUMN(record_assignment, partner),
	COLUMN(record_assignment, partner_user),
	COLUMN(record_link, child),
	COLUMN(record_link, fk_field),
	COLUMN(record_link, parent),
	COLUMN(record_link, parent_key),
	COLUMN(data_rule, id),
	COLUMN(data_rule, tbl),
	COLUMN(data_rule, predicate),
	COLUMN(data_rule, access),
	COLUMN(data_rule, bundle),
	COLUMN(published_view, view),
	COLUMN(published_view, owner),
	COLUMN(published_view, definition),
	COLUMN(published_view, reason),
	COLUMN(published_view, published_by),
	COLUMN(published_view, published_at),
	COLUMN(audit_log, at),
	COLUMN(audit_log, seq),
	COLUMN(audit_log, statement_start),
	COLUMN(audit_log, xid),
	COLUMN(audit_log, pid),
	COLUMN(audit_log, session_role),
	COLUMN(audit_log, role),
	COLUMN(audit_log, tbl),
	COLUMN(audit_log, operation),
	COLUMN(audit_log, old_row),
	COLUMN(audit_log, new_row),
	COLUMN(audit_log, statement),
};

/*
 * flp_catalog_columns() RETURNS TABLE (tbl text, col text, attnum int,
 * natts int): one row per entry of catalog_columns[].
 */
Datum
flp_catalog_columns(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	size_t		i;

	InitMaterializedSRF(fcinfo, 0);
	for (i = 0; i < lengthof(catalog_columns); i++)
	{
		Datum		values[4];
		bool		nulls[4] = {false, false, false, false};

		values[0] = CStringGetTextDatum(catalog_columns[i].tbl);
		values[1] = CStringGetTextDatum(catalog_columns[i].col);
		values[2] = Int32GetDatum(catalog_columns[i].attnum);
		values[3] = Int32GetDatum(catalog_columns[i].natts);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	PG_RETURN_NULL();
}
