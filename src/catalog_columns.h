/*-------------------------------------------------------------------------
 *
 * catalog_columns.h
 *	  Column numbers of flp's catalog tables (schema flp).
 *
 * The C code reads flp's catalog tables by column number.  This header
 * defines them once: per table, in the order of the install script
 * (sql/parts/), Natts_<table> and Anum_<table>_<column> for every column,
 * in the order of its CREATE TABLE.  A table or column added to, or moved
 * in, the install script is added or moved here too, and listed in
 * src/catalog_columns.c: the regression test catalog_columns
 * (test/sql/catalog_columns.sql) compares that list with pg_attribute, and
 * fails when the header and the install script disagree.
 *
 *-------------------------------------------------------------------------
 */
#ifndef FLP_CATALOG_COLUMNS_H
#define FLP_CATALOG_COLUMNS_H

/* ----------------
 *		flp.governed_table (sql/parts/10-catalog.sql)
 * ----------------
 */
#define Natts_governed_table 3
#define Anum_governed_table_tbl 1
#define Anum_governed_table_default_permission 2
#define Anum_governed_table_mandatory_on_update 3

/* ----------------
 *		flp.guarded_relation (sql/parts/10-catalog.sql)
 * ----------------
 */
#define Natts_guarded_relation 3
#define Anum_guarded_relation_relid 1
#define Anum_guarded_relation_rls_before 2
#define Anum_guarded_relation_force_before 3

/* ----------------
 *		flp.excluded_field (sql/parts/10-catalog.sql)
 * ----------------
 */
#define Natts_excluded_field 2
#define Anum_excluded_field_tbl 1
#define Anum_excluded_field_field 2

/* ----------------
 *		flp.field_mask (sql/parts/10-catalog.sql)
 * ----------------
 */
#define Natts_field_mask 3
#define Anum_field_mask_tbl 1
#define Anum_field_mask_field 2
#define Anum_field_mask_mask 3

/* ----------------
 *		flp.inherited_field (sql/parts/10-catalog.sql)
 * ----------------
 */
#define Natts_inherited_field 4
#define Anum_inherited_field_tbl 1
#define Anum_inherited_field_field 2
#define Anum_inherited_field_from_tbl 3
#define Anum_inherited_field_from_field 4

/* ----------------
 *		flp.partner (sql/parts/10-catalog.sql)
 * ----------------
 */
#define Natts_partner 2
#define Anum_partner_name 1
#define Anum_partner_company_key 2

/* ----------------
 *		flp.bundle (sql/parts/10-catalog.sql)
 * ----------------
 */
#define Natts_bundle 5
#define Anum_bundle_name 1
#define Anum_bundle_kind 2
#define Anum_bundle_license 3
#define Anum_bundle_description 4
#define Anum_bundle_system 5

/* ----------------
 *		flp.table_permission (sql/parts/10-catalog.sql)
 * ----------------
 */
#define Natts_table_permission 3
#define Anum_table_permission_bundle 1
#define Anum_table_permission_tbl 2
#define Anum_table_permission_permission 3

/* ----------------
 *		flp.field_permission (sql/parts/10-catalog.sql)
 * ----------------
 */
#define Natts_field_permission 4
#define Anum_field_permission_bundle 1
#define Anum_field_permission_tbl 2
#define Anum_field_permission_field 3
#define Anum_field_permission_permission 4

/* ----------------
 *		flp.assignment (sql/parts/10-catalog.sql)
 * ----------------
 */
#define Natts_assignment 2
#define Anum_assignment_bundle 1
#define Anum_assignment_role 2

/* ----------------
 *		flp.rule (sql/parts/10-catalog.sql)
 * ----------------
 */
#define Natts_rule 3
#define Anum_rule_id 1
#define Anum_rule_bundle 2
#define Anum_rule_criteria 3

/* ----------------
 *		flp.registered_user (sql/parts/10-catalog.sql)
 * ----------------
 */
#define Natts_registered_user 4
#define Anum_registered_user_role 1
#define Anum_registered_user_license 2
#define Anum_registered_user_attributes 3
#define Anum_registered_user_partner 4

/* ----------------
 *		flp.license_seats (sql/parts/10-catalog.sql)
 * ----------------
 */
#define Natts_license_seats 2
#define Anum_license_seats_license 1
#define Anum_license_seats_seats 2

/* ----------------
 *		flp.partner_bundle (sql/parts/10-catalog.sql)
 * ----------------
 */
#define Natts_partner_bundle 2
#define Anum_partner_bundle_partner 1
#define Anum_partner_bundle_bundle 2

/* ----------------
 *		flp.admin_role (sql/parts/10-catalog.sql)
 * ----------------
 */
#define Natts_admin_role 2
#define Anum_admin_role_onerow 1
#define Anum_admin_role_role 2

/* ----------------
 *		flp.mask_secret (sql/parts/30-governed-tables.sql)
 * ----------------
 */
#define Natts_mask_secret 2
#define Anum_mask_secret_onerow 1
#define Anum_mask_secret_secret 2

/* ----------------
 *		flp.area_table (sql/parts/50-partner-catalog.sql)
 * ----------------
 */
#define Natts_area_table 2
#define Anum_area_table_area 1
#define Anum_area_table_tbl 2

/* ----------------
 *		flp.partner_scope (sql/parts/50-partner-catalog.sql)
 * ----------------
 */
#define Natts_partner_scope 2
#define Anum_partner_scope_tbl 1
#define Anum_partner_scope_key_field 2

/* ----------------
 *		flp.record_assignment (sql/parts/50-partner-catalog.sql)
 * ----------------
 */
#define Natts_record_assignment 4
#define Anum_record_assignment_tbl 1
#define Anum_record_assignment_record_key 2
#define Anum_record_assignment_partner 3
#define Anum_record_assignment_partner_user 4

/* ----------------
 *		flp.record_link (sql/parts/50-partner-catalog.sql)
 * ----------------
 */
#define Natts_record_link 4
#define Anum_record_link_child 1
#define Anum_record_link_fk_field 2
#define Anum_record_link_parent 3
#define Anum_record_link_parent_key 4

/* ----------------
 *		flp.data_rule (sql/parts/50-partner-catalog.sql)
 * ----------------
 */
#define Natts_data_rule 5
#define Anum_data_rule_id 1
#define Anum_data_rule_tbl 2
#define Anum_data_rule_predicate 3
#define Anum_data_rule_access 4
#define Anum_data_rule_bundle 5

/* ----------------
 *		flp.published_view (sql/parts/62-report-views.sql)
 * ----------------
 */
#define Natts_published_view 6
#define Anum_published_view_view 1
#define Anum_published_view_owner 2
#define Anum_published_view_definition 3
#define Anum_published_view_reason 4
#define Anum_published_view_published_by 5
#define Anum_published_view_published_at 6

/* ----------------
 *		flp.audit_log (sql/parts/85-audit.sql; written by SQL, src/catalog/audit.c)
 * ----------------
 */
#define Natts_audit_log 12
#define Anum_audit_log_at 1
#define Anum_audit_log_seq 2
#define Anum_audit_log_statement_start 3
#define Anum_audit_log_xid 4
#define Anum_audit_log_pid 5
#define Anum_audit_log_session_role 6
#define Anum_audit_log_role 7
#define Anum_audit_log_tbl 8
#define Anum_audit_log_operation 9
#define Anum_audit_log_old_row 10
#define Anum_audit_log_new_row 11
#define Anum_audit_log_statement 12

#endif							/* FLP_CATALOG_COLUMNS_H */
