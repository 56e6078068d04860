/*-------------------------------------------------------------------------
 *
 * catalog_columns.h
 *	  Column numbers of flp's catalog tables (schema flp).
 *
 *-------------------------------------------------------------------------
 */
#ifndef FLP_CATALOG_COLUMNS_H
#define FLP_CATALOG_COLUMNS_H

/*
 * Attribute numbers of flp's catalog tables, in the order of the install
 * script (sql/flp--*.sql).  Keep both in step.
 */
#define Anum_governed_table_tbl 1
#define Anum_governed_table_default_permission 2
#define Anum_excluded_field_tbl 1
#define Anum_excluded_field_field 2
#define Anum_field_mask_tbl 1
#define Anum_field_mask_field 2
#define Anum_field_mask_mask 3
#define Anum_inherited_field_tbl 1
#define Anum_inherited_field_field 2
#define Anum_inherited_field_from_tbl 3
#define Anum_inherited_field_from_field 4
#define Anum_bundle_name 1
#define Anum_bundle_kind 2
#define Anum_bundle_license 3
#define Anum_bundle_system 5
#define Anum_table_permission_bundle 1
#define Anum_table_permission_tbl 2
#define Anum_table_permission_permission 3
#define Anum_field_permission_bundle 1
#define Anum_field_permission_tbl 2
#define Anum_field_permission_field 3
#define Anum_field_permission_permission 4
#define Anum_assignment_bundle 1
#define Anum_assignment_role 2
#define Anum_rule_id 1
#define Anum_rule_bundle 2
#define Anum_rule_criteria 3
#define Anum_registered_user_role 1
#define Anum_registered_user_license 2
#define Anum_registered_user_attributes 3
#define Anum_registered_user_partner 4
#define Anum_area_table_area 1
#define Anum_area_table_tbl 2
#define Anum_partner_bundle_partner 1
#define Anum_partner_bundle_bundle 2

#endif							/* FLP_CATALOG_COLUMNS_H */
