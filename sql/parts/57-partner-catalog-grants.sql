-- sql/parts/57-partner-catalog-grants.sql: part of the install script (see the Makefile).
-- The tables of 50-partner-catalog.sql, after their reference triggers:
-- pg_dump registration, privileges, the invalidation trigger of area_table.

SELECT pg_catalog.pg_extension_config_dump('flp.area_table', '');
SELECT pg_catalog.pg_extension_config_dump('flp.partner_scope', '');
SELECT pg_catalog.pg_extension_config_dump('flp.record_assignment', '');
SELECT pg_catalog.pg_extension_config_dump('flp.record_link', '');
SELECT pg_catalog.pg_extension_config_dump('flp.data_rule', '');
SELECT pg_catalog.pg_extension_config_dump('flp.data_rule_id_seq', '');
REVOKE ALL ON flp.area_table, flp.partner_scope, flp.record_assignment, flp.record_link,
	flp.data_rule FROM PUBLIC;
GRANT SELECT, INSERT, UPDATE, DELETE ON flp.area_table, flp.partner_scope,
	flp.record_assignment, flp.record_link, flp.data_rule TO flp_admin;
GRANT USAGE ON SEQUENCE flp.data_rule_id_seq TO flp_admin;
CREATE TRIGGER flp_catalog_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
	ON flp.area_table FOR EACH STATEMENT EXECUTE FUNCTION flp_internal.catalog_changed();

