-- 13 drop a partner user (DROP ROLE) and then its partner: the registration
-- goes with the role, the partner's record assignments with the partner;
-- the other partner's user keeps exactly its own records.  flp has no
-- function to drop a partner: a super admin deletes the row of flp.partner,
-- which is refused while users are registered with it.
--@ as ddl_partner_gone
SELECT ddl_check.eq('before: the user of DdlGone sees company 3',
	$$SELECT id, name, tax_id FROM ddl.company$$, '(3,Initech,****)');
--@ as admin
REVOKE ALL ON ddl.company FROM ddl_partner_gone;
DROP ROLE ddl_partner_gone;
SELECT ddl_check.eq('the registration went with the role',
	$$SELECT count(*) FROM flp.registered_user WHERE partner = 'DdlGone'$$, '(0)');
SELECT CASE WHEN count(*) = 0 THEN 'note: no record assignments of the dropped partner user are left'
            ELSE 'FINDING: DROP ROLE of a partner user leaves its record assignments in flp.record_assignment (' || count(*) || ' rows naming a role that no longer exists)' END
  FROM flp.record_assignment a
 WHERE a.partner_user IS NOT NULL AND NOT EXISTS (SELECT 1 FROM pg_roles r WHERE r.oid = a.partner_user);
SELECT ddl_check.fails('a partner with registered users cannot be deleted',
	$$DELETE FROM flp.partner WHERE name = 'DdlCo'$$, '23503');
DELETE FROM flp.partner WHERE name = 'DdlGone';
SELECT ddl_check.eq('the partner''s record assignments went with it',
	$$SELECT count(*) FROM flp.record_assignment WHERE partner = 'DdlGone'$$, '(0)');
SELECT ddl_check.eq('and its bundle assignment',
	$$SELECT partner, bundle FROM flp.partner_bundle$$, '(DdlCo,DdlPartners)');
--@ as ddl_partner
SELECT ddl_check.eq('the other partner user: its own records, masks',
	$$SELECT id, name, tax_id FROM ddl.company ORDER BY id$$, '(1,Acme,****) | (2,Globex,****)');
SELECT ddl_check.refused('the partner user: filter on a hidden field', $$SELECT id FROM ddl.company WHERE tax_id = 'x'$$);
SELECT ddl_check.eq('the partner user: no row outside its scope',
	$$SELECT count(*) FROM ddl.company WHERE id = 3$$, '(0)');
