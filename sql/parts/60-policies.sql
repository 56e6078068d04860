-- sql/parts/60-policies.sql: part of the install script (see the Makefile).
-- The functions flp's row-level security policies call for the current
-- user (partner, bundles, record scope), data-rule checks, and the
-- compilation of a governed table's flp_* policies.
/* ------------------------------------------- the current user, in policies */

CREATE FUNCTION flp.is_partner_user() RETURNS boolean
	AS 'MODULE_PATHNAME', 'flp_is_partner_user' LANGUAGE C STABLE PARALLEL SAFE LEAKPROOF;
COMMENT ON FUNCTION flp.is_partner_user() IS
	'true when the current user is a partner user (not a super admin)';

CREATE FUNCTION flp.current_partner() RETURNS text
	AS 'MODULE_PATHNAME', 'flp_current_partner' LANGUAGE C STABLE PARALLEL SAFE LEAKPROOF;
COMMENT ON FUNCTION flp.current_partner() IS
	'the partner of the current user, or NULL';

CREATE FUNCTION flp.is_subject() RETURNS boolean
	AS 'MODULE_PATHNAME', 'flp_is_subject' LANGUAGE C STABLE PARALLEL SAFE LEAKPROOF;
COMMENT ON FUNCTION flp.is_subject() IS
	'true when the current user is restricted by flp (not a super admin)';

CREATE FUNCTION flp.has_bundle(bundle text) RETURNS boolean
	AS 'MODULE_PATHNAME', 'flp_has_bundle' LANGUAGE C STABLE STRICT PARALLEL SAFE LEAKPROOF;
COMMENT ON FUNCTION flp.has_bundle(text) IS
	'true when the bundle applies to the current user';

CREATE FUNCTION flp.record_visible(tbl regclass, record_key text) RETURNS boolean
	AS 'MODULE_PATHNAME', 'flp_record_visible' LANGUAGE C STABLE STRICT PARALLEL SAFE LEAKPROOF;
COMMENT ON FUNCTION flp.record_visible(regclass, text) IS
	'whether the current user may see a record of a partner-scoped table (used by the flp_scope policies)';

/*
 * The same question with the key in its own type, for plans: where a
 * flp_scope policy converts its key to text by I/O conversion (integers,
 * uuid, dates...), flp's planner hook calls this instead and converts with
 * the type's output function (integers without a function call), which gives
 * the same text.
 */
CREATE FUNCTION flp_internal.record_visible_key(tbl regclass, record_key anyelement) RETURNS boolean
	AS 'MODULE_PATHNAME', 'flp_record_visible_key' LANGUAGE C STABLE STRICT PARALLEL SAFE LEAKPROOF;
COMMENT ON FUNCTION flp_internal.record_visible_key(regclass, anyelement) IS
	'internal: flp.record_visible(tbl, record_key::text) for a key converted to text by its output function';

/* Changes of the assignments reach every session at commit. */
CREATE FUNCTION flp_internal.assignments_changed() RETURNS trigger
	AS 'MODULE_PATHNAME', 'flp_assignments_changed' LANGUAGE C;
COMMENT ON FUNCTION flp_internal.assignments_changed() IS
	'trigger: at commit, tells every session that record assignments changed';
REVOKE ALL ON FUNCTION flp_internal.assignments_changed() FROM PUBLIC;
CREATE TRIGGER flp_assignments_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
	ON flp.record_assignment FOR EACH STATEMENT EXECUTE FUNCTION flp_internal.assignments_changed();

CREATE FUNCTION flp_internal.eval_rule(tbl regclass, key_field name, record_key text, predicate text,
							   role regrole) RETURNS boolean
	AS 'MODULE_PATHNAME', 'flp_eval_rule' LANGUAGE C STRICT;
COMMENT ON FUNCTION flp_internal.eval_rule(regclass, name, text, text, regrole) IS
	'internal: a data rule''s predicate on one row, with flp.attribute() answering for a role';
REVOKE ALL ON FUNCTION flp_internal.eval_rule(regclass, name, text, text, regrole) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION flp_internal.eval_rule(regclass, name, text, text, regrole) TO flp_admin;

/*
 * A data rule stored by direct DML passes the same checks as
 * flp.add_data_rule(): its predicate is parsed on its own by PostgreSQL's
 * parser and must be one boolean expression over the row, calling only
 * functions flp lets run in subjects' sessions (rules.c, trust.c).
 */
CREATE FUNCTION flp_internal.check_data_rule() RETURNS trigger
	AS 'MODULE_PATHNAME', 'flp_check_data_rule' LANGUAGE C;
COMMENT ON FUNCTION flp_internal.check_data_rule() IS
	'internal trigger: a data rule''s predicate must be one boolean expression over the row, of trusted functions';
REVOKE ALL ON FUNCTION flp_internal.check_data_rule() FROM PUBLIC;
CREATE TRIGGER flp_check_data_rule BEFORE INSERT OR UPDATE ON flp.data_rule
	FOR EACH ROW EXECUTE FUNCTION flp_internal.check_data_rule();

CREATE FUNCTION flp_internal.create_data_policies(rel regclass, root regclass) RETURNS void
	AS 'MODULE_PATHNAME', 'flp_create_data_policies' LANGUAGE C STRICT;
COMMENT ON FUNCTION flp_internal.create_data_policies(regclass, regclass) IS
	'internal: creates the flp_data_* policies of root''s data rules on rel, from the predicates'' parse trees';
REVOKE ALL ON FUNCTION flp_internal.create_data_policies(regclass, regclass) FROM PUBLIC;

/* ------------------------------------------------ compiling the policies */

/*
 * (Re)create flp's row policies of one governed table on it and on its
 * partitions and children, from the catalog:
 *   flp_scope   partner users see only assigned records        (flp.partner_scope)
 *   flp_link    partner users (and internal subjects, where data
 *               rules restrict the parent) see children of visible
 *               parents                                         (flp.link_records)
 *   flp_data_*  subjects see and change rows by data rules      (flp.add_data_rule)
 * All are restrictive: they narrow what the other policies allow.
 */
CREATE FUNCTION flp_internal.compile_policies(tbl regclass) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
	SET flp.maintenance = on AS $$
#variable_conflict use_variable
DECLARE
	root regclass;
	rel regclass;
	scope flp.partner_scope;
	link flp.record_link;
	pol text;
	risk record;
	internal_too boolean;
BEGIN
	SELECT g.tbl INTO root FROM flp.governed_table g
	 WHERE g.tbl = tbl OR g.tbl IN (SELECT flp_internal.ancestors(tbl)) LIMIT 1;
	IF root IS NULL THEN
		RETURN;
	END IF;
	SELECT * INTO scope FROM flp.partner_scope s WHERE s.tbl = root;
	SELECT * INTO link FROM flp.record_link l WHERE l.child = root;
	/* internal subjects follow the parent only where data rules restrict it
	 * (on it or up its chain); partner users always do */
	WITH RECURSIVE up(t) AS (
		SELECT link.parent
	  UNION
		SELECT l.parent FROM flp.record_link l JOIN up ON l.child = up.t
	)
	SELECT EXISTS (SELECT 1 FROM flp.data_rule r WHERE r.tbl IN (SELECT up.t FROM up))
	  INTO internal_too;

	FOR rel IN SELECT flp_internal.tree(root) LOOP
		CONTINUE WHEN NOT EXISTS (SELECT 1 FROM flp.guarded_relation g WHERE g.relid = rel);
		FOR pol IN SELECT p.polname FROM pg_policy p
					WHERE p.polrelid = rel
					  AND p.polname IN ('flp_scope', 'flp_link', 'flp_data_select',
										'flp_data_insert', 'flp_data_update', 'flp_data_delete')
		LOOP
			EXECUTE format('DROP POLICY %I ON %s', pol, rel);
		END LOOP;
		IF scope.tbl IS NOT NULL THEN
			EXECUTE format('CREATE POLICY flp_scope ON %1$s AS RESTRICTIVE FOR ALL TO PUBLIC '
						   'USING (NOT flp.is_partner_user() OR flp.record_visible(%2$L::regclass, (%3$I)::text)) '
						   'WITH CHECK (NOT flp.is_partner_user() OR flp.record_visible(%2$L::regclass, (%3$I)::text))',
						   rel, root::text, scope.key_field);
		END IF;
		/* a child row follows its parent row: visible when the parent is
		 * (the parent's own policies apply in the subquery), for partner
		 * users, and for internal subjects where data rules restrict the
		 * parent; for them a row without a parent key stays visible */
		IF link.child IS NOT NULL AND internal_too THEN
			EXECUTE format('CREATE POLICY flp_link ON %1$s AS RESTRICTIVE FOR ALL TO PUBLIC '
						   'USING (NOT flp.is_subject() OR (%1$s.%4$I IS NULL AND NOT flp.is_partner_user()) '
						   'OR EXISTS (SELECT 1 FROM %2$s p WHERE p.%3$I = %1$s.%4$I)) '
						   'WITH CHECK (NOT flp.is_subject() OR (%1$s.%4$I IS NULL AND NOT flp.is_partner_user()) '
						   'OR EXISTS (SELECT 1 FROM %2$s p WHERE p.%3$I = %1$s.%4$I))',
						   rel, link.parent, link.parent_key, link.fk_field);
		ELSIF link.child IS NOT NULL THEN
			EXECUTE format('CREATE POLICY flp_link ON %1$s AS RESTRICTIVE FOR ALL TO PUBLIC '
						   'USING (NOT flp.is_partner_user() OR EXISTS (SELECT 1 FROM %2$s p '
						   'WHERE p.%3$I = %1$s.%4$I)) '
						   'WITH CHECK (NOT flp.is_partner_user() OR EXISTS (SELECT 1 FROM %2$s p '
						   'WHERE p.%3$I = %1$s.%4$I))',
						   rel, link.parent, link.parent_key, link.fk_field);
		END IF;
		/* built from the predicates' parse trees, never from their text (rules.c) */
		PERFORM flp_internal.create_data_policies(rel, root);
	END LOOP;
	/* what PostgreSQL resolved in the policies flp wrote (operators and casts
	 * of the key fields' types too) must be code flp trusts: it runs in
	 * subjects' sessions on real values */
	SELECT * INTO risk FROM flp_internal.code_risks(root) k
	 WHERE k.kind = 'policy function' AND k.object LIKE 'policy flp\_%' LIMIT 1;
	IF FOUND THEN
		RAISE EXCEPTION 'flp''s policies of table "%" would run code flp does not trust', root
			USING ERRCODE = 'insufficient_privilege',
				  DETAIL = format('%s: %s.', risk.object, risk.risk),
				  HINT = 'The key fields of a partner scope or an inheritance rule must compare with operators and casts a superuser owns.';
	END IF;
	/* tables linked to this one follow its data rules: compile them too */
	FOR rel IN SELECT l.child FROM flp.record_link l WHERE l.parent = root LOOP
		PERFORM flp_internal.compile_policies(rel);
	END LOOP;
END
$$;
COMMENT ON FUNCTION flp_internal.compile_policies(regclass) IS
	'internal: (re)creates flp''s row-level security policies of a governed table and its children';
REVOKE ALL ON FUNCTION flp_internal.compile_policies(regclass) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION flp_internal.compile_policies(regclass) TO flp_admin;


/*
 * A data rule, record link or partner scope changed by any means -- a
 * management function, direct DML by a super admin, a cascade from a bundle
 * renamed or dropped -- recompiles the policies of its table (not for the
 * rows of a COPY FROM: a restore brings the policies along).
 */
CREATE FUNCTION flp_internal.rules_changed() RETURNS trigger
	AS 'MODULE_PATHNAME', 'flp_rules_changed' LANGUAGE C;
COMMENT ON FUNCTION flp_internal.rules_changed() IS
	'internal trigger: recompiles the policies of the table whose data rule, record link or partner scope changed';
REVOKE ALL ON FUNCTION flp_internal.rules_changed() FROM PUBLIC;
CREATE TRIGGER flp_rules_changed AFTER INSERT OR UPDATE OR DELETE ON flp.data_rule
	FOR EACH ROW EXECUTE FUNCTION flp_internal.rules_changed('tbl');
CREATE TRIGGER flp_rules_changed AFTER INSERT OR UPDATE OR DELETE ON flp.record_link
	FOR EACH ROW EXECUTE FUNCTION flp_internal.rules_changed('child');
CREATE TRIGGER flp_rules_changed AFTER INSERT OR UPDATE OR DELETE ON flp.partner_scope
	FOR EACH ROW EXECUTE FUNCTION flp_internal.rules_changed('tbl');
CREATE TRIGGER flp_rules_truncated AFTER TRUNCATE ON flp.data_rule
	FOR EACH STATEMENT EXECUTE FUNCTION flp_internal.rules_changed('tbl');
CREATE TRIGGER flp_rules_truncated AFTER TRUNCATE ON flp.record_link
	FOR EACH STATEMENT EXECUTE FUNCTION flp_internal.rules_changed('child');
CREATE TRIGGER flp_rules_truncated AFTER TRUNCATE ON flp.partner_scope
	FOR EACH STATEMENT EXECUTE FUNCTION flp_internal.rules_changed('tbl');
