-- sql/parts/55-references.sql: part of the install script (see the Makefile).
-- The reference triggers between catalog tables: three per reference,
-- standing for a foreign key (src/references.c).
CREATE TRIGGER excluded_field_tbl_fkey BEFORE INSERT OR UPDATE ON flp.excluded_field
	FOR EACH ROW EXECUTE FUNCTION flp._ref_check('excluded_field_tbl_fkey', 'flp.governed_table', 'tbl', 'tbl');
CREATE TRIGGER excluded_field_tbl_fkey AFTER UPDATE OR DELETE ON flp.governed_table
	FOR EACH ROW EXECUTE FUNCTION flp._ref_action('excluded_field_tbl_fkey', 'flp.excluded_field', 'cascade', 'restrict', 'tbl', 'tbl');
CREATE TRIGGER excluded_field_tbl_fkey_truncate AFTER TRUNCATE ON flp.governed_table
	FOR EACH STATEMENT EXECUTE FUNCTION flp._ref_action('excluded_field_tbl_fkey', 'flp.excluded_field', 'cascade', 'restrict', 'tbl', 'tbl');
CREATE TRIGGER field_mask_tbl_fkey BEFORE INSERT OR UPDATE ON flp.field_mask
	FOR EACH ROW EXECUTE FUNCTION flp._ref_check('field_mask_tbl_fkey', 'flp.governed_table', 'tbl', 'tbl');
CREATE TRIGGER field_mask_tbl_fkey AFTER UPDATE OR DELETE ON flp.governed_table
	FOR EACH ROW EXECUTE FUNCTION flp._ref_action('field_mask_tbl_fkey', 'flp.field_mask', 'cascade', 'restrict', 'tbl', 'tbl');
CREATE TRIGGER field_mask_tbl_fkey_truncate AFTER TRUNCATE ON flp.governed_table
	FOR EACH STATEMENT EXECUTE FUNCTION flp._ref_action('field_mask_tbl_fkey', 'flp.field_mask', 'cascade', 'restrict', 'tbl', 'tbl');
CREATE TRIGGER inherited_field_tbl_fkey BEFORE INSERT OR UPDATE ON flp.inherited_field
	FOR EACH ROW EXECUTE FUNCTION flp._ref_check('inherited_field_tbl_fkey', 'flp.governed_table', 'tbl', 'tbl');
CREATE TRIGGER inherited_field_tbl_fkey AFTER UPDATE OR DELETE ON flp.governed_table
	FOR EACH ROW EXECUTE FUNCTION flp._ref_action('inherited_field_tbl_fkey', 'flp.inherited_field', 'cascade', 'restrict', 'tbl', 'tbl');
CREATE TRIGGER inherited_field_tbl_fkey_truncate AFTER TRUNCATE ON flp.governed_table
	FOR EACH STATEMENT EXECUTE FUNCTION flp._ref_action('inherited_field_tbl_fkey', 'flp.inherited_field', 'cascade', 'restrict', 'tbl', 'tbl');
CREATE TRIGGER inherited_field_from_tbl_fkey BEFORE INSERT OR UPDATE ON flp.inherited_field
	FOR EACH ROW EXECUTE FUNCTION flp._ref_check('inherited_field_from_tbl_fkey', 'flp.governed_table', 'from_tbl', 'tbl');
CREATE TRIGGER inherited_field_from_tbl_fkey AFTER UPDATE OR DELETE ON flp.governed_table
	FOR EACH ROW EXECUTE FUNCTION flp._ref_action('inherited_field_from_tbl_fkey', 'flp.inherited_field', 'cascade', 'restrict', 'tbl', 'from_tbl');
CREATE TRIGGER inherited_field_from_tbl_fkey_truncate AFTER TRUNCATE ON flp.governed_table
	FOR EACH STATEMENT EXECUTE FUNCTION flp._ref_action('inherited_field_from_tbl_fkey', 'flp.inherited_field', 'cascade', 'restrict', 'tbl', 'from_tbl');
CREATE TRIGGER table_permission_bundle_fkey BEFORE INSERT OR UPDATE ON flp.table_permission
	FOR EACH ROW EXECUTE FUNCTION flp._ref_check('table_permission_bundle_fkey', 'flp.bundle', 'bundle', 'name');
CREATE TRIGGER table_permission_bundle_fkey AFTER UPDATE OR DELETE ON flp.bundle
	FOR EACH ROW EXECUTE FUNCTION flp._ref_action('table_permission_bundle_fkey', 'flp.table_permission', 'cascade', 'cascade', 'name', 'bundle');
CREATE TRIGGER table_permission_bundle_fkey_truncate AFTER TRUNCATE ON flp.bundle
	FOR EACH STATEMENT EXECUTE FUNCTION flp._ref_action('table_permission_bundle_fkey', 'flp.table_permission', 'cascade', 'cascade', 'name', 'bundle');
CREATE TRIGGER table_permission_tbl_fkey BEFORE INSERT OR UPDATE ON flp.table_permission
	FOR EACH ROW EXECUTE FUNCTION flp._ref_check('table_permission_tbl_fkey', 'flp.governed_table', 'tbl', 'tbl');
CREATE TRIGGER table_permission_tbl_fkey AFTER UPDATE OR DELETE ON flp.governed_table
	FOR EACH ROW EXECUTE FUNCTION flp._ref_action('table_permission_tbl_fkey', 'flp.table_permission', 'cascade', 'restrict', 'tbl', 'tbl');
CREATE TRIGGER table_permission_tbl_fkey_truncate AFTER TRUNCATE ON flp.governed_table
	FOR EACH STATEMENT EXECUTE FUNCTION flp._ref_action('table_permission_tbl_fkey', 'flp.table_permission', 'cascade', 'restrict', 'tbl', 'tbl');
CREATE TRIGGER field_permission_bundle_tbl_fkey BEFORE INSERT OR UPDATE ON flp.field_permission
	FOR EACH ROW EXECUTE FUNCTION flp._ref_check('field_permission_bundle_tbl_fkey', 'flp.table_permission', 'bundle', 'bundle', 'tbl', 'tbl');
CREATE TRIGGER field_permission_bundle_tbl_fkey AFTER UPDATE OR DELETE ON flp.table_permission
	FOR EACH ROW EXECUTE FUNCTION flp._ref_action('field_permission_bundle_tbl_fkey', 'flp.field_permission', 'cascade', 'cascade', 'bundle', 'bundle', 'tbl', 'tbl');
CREATE TRIGGER field_permission_bundle_tbl_fkey_truncate AFTER TRUNCATE ON flp.table_permission
	FOR EACH STATEMENT EXECUTE FUNCTION flp._ref_action('field_permission_bundle_tbl_fkey', 'flp.field_permission', 'cascade', 'cascade', 'bundle', 'bundle', 'tbl', 'tbl');
CREATE TRIGGER assignment_bundle_fkey BEFORE INSERT OR UPDATE ON flp.assignment
	FOR EACH ROW EXECUTE FUNCTION flp._ref_check('assignment_bundle_fkey', 'flp.bundle', 'bundle', 'name');
CREATE TRIGGER assignment_bundle_fkey AFTER UPDATE OR DELETE ON flp.bundle
	FOR EACH ROW EXECUTE FUNCTION flp._ref_action('assignment_bundle_fkey', 'flp.assignment', 'cascade', 'cascade', 'name', 'bundle');
CREATE TRIGGER assignment_bundle_fkey_truncate AFTER TRUNCATE ON flp.bundle
	FOR EACH STATEMENT EXECUTE FUNCTION flp._ref_action('assignment_bundle_fkey', 'flp.assignment', 'cascade', 'cascade', 'name', 'bundle');
CREATE TRIGGER rule_bundle_fkey BEFORE INSERT OR UPDATE ON flp.rule
	FOR EACH ROW EXECUTE FUNCTION flp._ref_check('rule_bundle_fkey', 'flp.bundle', 'bundle', 'name');
CREATE TRIGGER rule_bundle_fkey AFTER UPDATE OR DELETE ON flp.bundle
	FOR EACH ROW EXECUTE FUNCTION flp._ref_action('rule_bundle_fkey', 'flp.rule', 'cascade', 'cascade', 'name', 'bundle');
CREATE TRIGGER rule_bundle_fkey_truncate AFTER TRUNCATE ON flp.bundle
	FOR EACH STATEMENT EXECUTE FUNCTION flp._ref_action('rule_bundle_fkey', 'flp.rule', 'cascade', 'cascade', 'name', 'bundle');
CREATE TRIGGER registered_user_partner_fkey BEFORE INSERT OR UPDATE ON flp.registered_user
	FOR EACH ROW EXECUTE FUNCTION flp._ref_check('registered_user_partner_fkey', 'flp.partner', 'partner', 'name');
CREATE TRIGGER registered_user_partner_fkey AFTER UPDATE OR DELETE ON flp.partner
	FOR EACH ROW EXECUTE FUNCTION flp._ref_action('registered_user_partner_fkey', 'flp.registered_user', 'restrict', 'cascade', 'name', 'partner');
CREATE TRIGGER registered_user_partner_fkey_truncate AFTER TRUNCATE ON flp.partner
	FOR EACH STATEMENT EXECUTE FUNCTION flp._ref_action('registered_user_partner_fkey', 'flp.registered_user', 'restrict', 'cascade', 'name', 'partner');
CREATE TRIGGER partner_bundle_partner_fkey BEFORE INSERT OR UPDATE ON flp.partner_bundle
	FOR EACH ROW EXECUTE FUNCTION flp._ref_check('partner_bundle_partner_fkey', 'flp.partner', 'partner', 'name');
CREATE TRIGGER partner_bundle_partner_fkey AFTER UPDATE OR DELETE ON flp.partner
	FOR EACH ROW EXECUTE FUNCTION flp._ref_action('partner_bundle_partner_fkey', 'flp.partner_bundle', 'cascade', 'cascade', 'name', 'partner');
CREATE TRIGGER partner_bundle_partner_fkey_truncate AFTER TRUNCATE ON flp.partner
	FOR EACH STATEMENT EXECUTE FUNCTION flp._ref_action('partner_bundle_partner_fkey', 'flp.partner_bundle', 'cascade', 'cascade', 'name', 'partner');
CREATE TRIGGER partner_bundle_bundle_fkey BEFORE INSERT OR UPDATE ON flp.partner_bundle
	FOR EACH ROW EXECUTE FUNCTION flp._ref_check('partner_bundle_bundle_fkey', 'flp.bundle', 'bundle', 'name');
CREATE TRIGGER partner_bundle_bundle_fkey AFTER UPDATE OR DELETE ON flp.bundle
	FOR EACH ROW EXECUTE FUNCTION flp._ref_action('partner_bundle_bundle_fkey', 'flp.partner_bundle', 'cascade', 'cascade', 'name', 'bundle');
CREATE TRIGGER partner_bundle_bundle_fkey_truncate AFTER TRUNCATE ON flp.bundle
	FOR EACH STATEMENT EXECUTE FUNCTION flp._ref_action('partner_bundle_bundle_fkey', 'flp.partner_bundle', 'cascade', 'cascade', 'name', 'bundle');
CREATE TRIGGER area_table_tbl_fkey BEFORE INSERT OR UPDATE ON flp.area_table
	FOR EACH ROW EXECUTE FUNCTION flp._ref_check('area_table_tbl_fkey', 'flp.governed_table', 'tbl', 'tbl');
CREATE TRIGGER area_table_tbl_fkey AFTER UPDATE OR DELETE ON flp.governed_table
	FOR EACH ROW EXECUTE FUNCTION flp._ref_action('area_table_tbl_fkey', 'flp.area_table', 'cascade', 'restrict', 'tbl', 'tbl');
CREATE TRIGGER area_table_tbl_fkey_truncate AFTER TRUNCATE ON flp.governed_table
	FOR EACH STATEMENT EXECUTE FUNCTION flp._ref_action('area_table_tbl_fkey', 'flp.area_table', 'cascade', 'restrict', 'tbl', 'tbl');
CREATE TRIGGER partner_scope_tbl_fkey BEFORE INSERT OR UPDATE ON flp.partner_scope
	FOR EACH ROW EXECUTE FUNCTION flp._ref_check('partner_scope_tbl_fkey', 'flp.governed_table', 'tbl', 'tbl');
CREATE TRIGGER partner_scope_tbl_fkey AFTER UPDATE OR DELETE ON flp.governed_table
	FOR EACH ROW EXECUTE FUNCTION flp._ref_action('partner_scope_tbl_fkey', 'flp.partner_scope', 'cascade', 'restrict', 'tbl', 'tbl');
CREATE TRIGGER partner_scope_tbl_fkey_truncate AFTER TRUNCATE ON flp.governed_table
	FOR EACH STATEMENT EXECUTE FUNCTION flp._ref_action('partner_scope_tbl_fkey', 'flp.partner_scope', 'cascade', 'restrict', 'tbl', 'tbl');
CREATE TRIGGER record_assignment_tbl_fkey BEFORE INSERT OR UPDATE ON flp.record_assignment
	FOR EACH ROW EXECUTE FUNCTION flp._ref_check('record_assignment_tbl_fkey', 'flp.partner_scope', 'tbl', 'tbl');
CREATE TRIGGER record_assignment_tbl_fkey AFTER UPDATE OR DELETE ON flp.partner_scope
	FOR EACH ROW EXECUTE FUNCTION flp._ref_action('record_assignment_tbl_fkey', 'flp.record_assignment', 'cascade', 'restrict', 'tbl', 'tbl');
CREATE TRIGGER record_assignment_tbl_fkey_truncate AFTER TRUNCATE ON flp.partner_scope
	FOR EACH STATEMENT EXECUTE FUNCTION flp._ref_action('record_assignment_tbl_fkey', 'flp.record_assignment', 'cascade', 'restrict', 'tbl', 'tbl');
CREATE TRIGGER record_assignment_partner_fkey BEFORE INSERT OR UPDATE ON flp.record_assignment
	FOR EACH ROW EXECUTE FUNCTION flp._ref_check('record_assignment_partner_fkey', 'flp.partner', 'partner', 'name');
CREATE TRIGGER record_assignment_partner_fkey AFTER UPDATE OR DELETE ON flp.partner
	FOR EACH ROW EXECUTE FUNCTION flp._ref_action('record_assignment_partner_fkey', 'flp.record_assignment', 'cascade', 'cascade', 'name', 'partner');
CREATE TRIGGER record_assignment_partner_fkey_truncate AFTER TRUNCATE ON flp.partner
	FOR EACH STATEMENT EXECUTE FUNCTION flp._ref_action('record_assignment_partner_fkey', 'flp.record_assignment', 'cascade', 'cascade', 'name', 'partner');
CREATE TRIGGER record_link_child_fkey BEFORE INSERT OR UPDATE ON flp.record_link
	FOR EACH ROW EXECUTE FUNCTION flp._ref_check('record_link_child_fkey', 'flp.governed_table', 'child', 'tbl');
CREATE TRIGGER record_link_child_fkey AFTER UPDATE OR DELETE ON flp.governed_table
	FOR EACH ROW EXECUTE FUNCTION flp._ref_action('record_link_child_fkey', 'flp.record_link', 'cascade', 'restrict', 'tbl', 'child');
CREATE TRIGGER record_link_child_fkey_truncate AFTER TRUNCATE ON flp.governed_table
	FOR EACH STATEMENT EXECUTE FUNCTION flp._ref_action('record_link_child_fkey', 'flp.record_link', 'cascade', 'restrict', 'tbl', 'child');
CREATE TRIGGER record_link_parent_fkey BEFORE INSERT OR UPDATE ON flp.record_link
	FOR EACH ROW EXECUTE FUNCTION flp._ref_check('record_link_parent_fkey', 'flp.governed_table', 'parent', 'tbl');
CREATE TRIGGER record_link_parent_fkey AFTER UPDATE OR DELETE ON flp.governed_table
	FOR EACH ROW EXECUTE FUNCTION flp._ref_action('record_link_parent_fkey', 'flp.record_link', 'cascade', 'restrict', 'tbl', 'parent');
CREATE TRIGGER record_link_parent_fkey_truncate AFTER TRUNCATE ON flp.governed_table
	FOR EACH STATEMENT EXECUTE FUNCTION flp._ref_action('record_link_parent_fkey', 'flp.record_link', 'cascade', 'restrict', 'tbl', 'parent');
CREATE TRIGGER data_rule_tbl_fkey BEFORE INSERT OR UPDATE ON flp.data_rule
	FOR EACH ROW EXECUTE FUNCTION flp._ref_check('data_rule_tbl_fkey', 'flp.governed_table', 'tbl', 'tbl');
CREATE TRIGGER data_rule_tbl_fkey AFTER UPDATE OR DELETE ON flp.governed_table
	FOR EACH ROW EXECUTE FUNCTION flp._ref_action('data_rule_tbl_fkey', 'flp.data_rule', 'cascade', 'restrict', 'tbl', 'tbl');
CREATE TRIGGER data_rule_tbl_fkey_truncate AFTER TRUNCATE ON flp.governed_table
	FOR EACH STATEMENT EXECUTE FUNCTION flp._ref_action('data_rule_tbl_fkey', 'flp.data_rule', 'cascade', 'restrict', 'tbl', 'tbl');
CREATE TRIGGER data_rule_bundle_fkey BEFORE INSERT OR UPDATE ON flp.data_rule
	FOR EACH ROW EXECUTE FUNCTION flp._ref_check('data_rule_bundle_fkey', 'flp.bundle', 'bundle', 'name');
CREATE TRIGGER data_rule_bundle_fkey AFTER UPDATE OR DELETE ON flp.bundle
	FOR EACH ROW EXECUTE FUNCTION flp._ref_action('data_rule_bundle_fkey', 'flp.data_rule', 'cascade', 'cascade', 'name', 'bundle');
CREATE TRIGGER data_rule_bundle_fkey_truncate AFTER TRUNCATE ON flp.bundle
	FOR EACH STATEMENT EXECUTE FUNCTION flp._ref_action('data_rule_bundle_fkey', 'flp.data_rule', 'cascade', 'cascade', 'name', 'bundle');
