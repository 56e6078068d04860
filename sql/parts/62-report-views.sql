-- sql/parts/62-report-views.sql: part of the install script (see the Makefile).
-- Published report views: the catalog of views a super admin published, the
-- functions that publish and unpublish them, and the list with each one's
-- state.  The planner side is src/planner/published.c.
/* -------------------------------------------------------- report views */

/*
 * A published view is evaluated with its owner's field permissions: what it
 * computes from hidden fields (a total, a filter, a grouping) is shown to
 * every reader as ordinary readable columns, while its rows still follow the
 * reader's row rules.  Publishing approves one definition by one owner: the
 * definition (as pg_get_viewdef writes it with every name qualified) and the
 * owner's name are kept, and a view whose definition or owner changed since
 * is evaluated with the reader's field permissions again until it is
 * published anew.
 */
CREATE TABLE flp.published_view (
	view regclass PRIMARY KEY,
	owner name NOT NULL,
	definition text NOT NULL,
	reason text,
	published_by name NOT NULL DEFAULT current_user,
	published_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE flp.published_view IS
	'views published as report views: evaluated with their owner''s field permissions (see flp.publish_view)';
COMMENT ON COLUMN flp.published_view.view IS 'the view published';
COMMENT ON COLUMN flp.published_view.reason IS 'why it was published, as the publisher said';
COMMENT ON COLUMN flp.published_view.published_by IS 'who published it';
COMMENT ON COLUMN flp.published_view.published_at IS 'when it was published (last)';
COMMENT ON COLUMN flp.published_view.owner IS 'the view''s owner when it was published';
COMMENT ON COLUMN flp.published_view.definition IS 'the definition published (flp_internal.view_definition)';
SELECT pg_catalog.pg_extension_config_dump('flp.published_view', '');
REVOKE ALL ON flp.published_view FROM PUBLIC;
GRANT SELECT, INSERT, UPDATE, DELETE ON flp.published_view TO flp_admin;
CREATE TRIGGER flp_catalog_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
	ON flp.published_view FOR EACH STATEMENT EXECUTE FUNCTION flp_internal.catalog_changed();

/* A view's definition as publishing compares it: every name qualified. */
CREATE FUNCTION flp_internal.view_definition(view oid) RETURNS text
	AS 'MODULE_PATHNAME', 'flp_view_definition_sql' LANGUAGE C STABLE STRICT;
COMMENT ON FUNCTION flp_internal.view_definition(oid) IS
	'internal: the definition of a view as publishing compares it (pg_get_viewdef with every name qualified)';
REVOKE ALL ON FUNCTION flp_internal.view_definition(oid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION flp_internal.view_definition(oid) TO flp_admin;

/* Why a published view is not in force, or NULL when it is. */
CREATE FUNCTION flp_internal.published_view_problem(view oid, code_only boolean DEFAULT false) RETURNS text
	AS 'MODULE_PATHNAME', 'flp_published_view_problem_sql' LANGUAGE C STABLE STRICT;
COMMENT ON FUNCTION flp_internal.published_view_problem(oid, boolean) IS
	'internal: why a view cannot be (or is no longer) in force as published, or NULL';
REVOKE ALL ON FUNCTION flp_internal.published_view_problem(oid, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION flp_internal.published_view_problem(oid, boolean) TO flp_admin;

CREATE FUNCTION flp.publish_view(view regclass, reason text DEFAULT NULL) RETURNS text
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_variable
DECLARE
	kind "char";
	problem text;
	def text;
	own name;
BEGIN
	PERFORM flp_internal.require_super_admin('publish a view');
	PERFORM flp_internal.require_not_null(view, 'view');
	SELECT c.relkind, pg_get_userbyid(c.relowner) INTO kind, own FROM pg_class c WHERE c.oid = view;
	IF kind IS DISTINCT FROM 'v' THEN
		RAISE EXCEPTION '"%" is not a view', view
			USING ERRCODE = 'wrong_object_type',
				  HINT = CASE WHEN kind = 'm'
							  THEN 'A materialized view already shows what its owner computed; it needs no publishing.'
							  ELSE 'Only views can be published.' END;
	END IF;
	IF EXISTS (SELECT 1 FROM pg_class c WHERE c.oid = view AND c.relpersistence = 't') THEN
		RAISE EXCEPTION 'view "%" is temporary and cannot be published', view
			USING ERRCODE = 'feature_not_supported',
				  HINT = 'Publish a permanent view: a temporary one ends with its session.';
	END IF;
	IF EXISTS (SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
				WHERE c.oid = view AND n.nspname IN ('pg_catalog', 'information_schema', 'flp')) THEN
		RAISE EXCEPTION 'view "%" belongs to PostgreSQL or flp and cannot be published', view
			USING ERRCODE = 'wrong_object_type',
				  HINT = 'Publish a report view of your own schema.';
	END IF;
	problem := flp_internal.published_view_problem(view::oid, true);
	IF problem IS NOT NULL THEN
		RAISE EXCEPTION 'view "%" cannot be published', view
			USING ERRCODE = 'insufficient_privilege',
				  DETAIL = upper(left(problem, 1)) || substr(problem, 2) || '.',
				  HINT = 'A published view runs only functions a superuser owns that do not resolve names through the reader''s search_path, reads only views of its owner or of a super admin, and reads tables with row-level security only of a super admin.';
	END IF;
	def := flp_internal.view_definition(view::oid);
	INSERT INTO flp.published_view AS p (view, owner, definition, reason)
	VALUES (view, own, def, reason)
	ON CONFLICT ON CONSTRAINT published_view_pkey DO UPDATE
	   SET owner = excluded.owner, definition = excluded.definition, reason = excluded.reason,
		   published_by = current_user, published_at = now()
	 WHERE (p.owner, p.definition, p.reason) IS DISTINCT FROM (excluded.owner, excluded.definition, excluded.reason);
	RETURN format('view %s published: readers see what it computes with the field permissions of its owner %I%s',
				  view, own, CASE WHEN FOUND THEN '' ELSE ' (no change)' END);
END
$$;
COMMENT ON FUNCTION flp.publish_view(regclass, text) IS
	'publishes a view as a report view: evaluated with its owner''s field permissions, its columns readable by every reader; rows follow the reader''s row rules';

CREATE FUNCTION flp.unpublish_view(view regclass) RETURNS text
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_variable
BEGIN
	PERFORM flp_internal.require_super_admin('unpublish a view');
	PERFORM flp_internal.require_not_null(view, 'view');
	DELETE FROM flp.published_view p WHERE p.view = $1;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'view "%" is not published', view
			USING ERRCODE = 'undefined_object',
				  HINT = 'flp.published_views lists the published views.';
	END IF;
	RETURN format('view %s unpublished: readers'' own field permissions apply inside it again', view);
END
$$;
COMMENT ON FUNCTION flp.unpublish_view(regclass) IS
	'unpublishes a report view: it is evaluated with each reader''s field permissions again';

CREATE VIEW flp.published_views AS
SELECT p.view, p.owner, p.reason, p.published_by, p.published_at,
	   s.problem IS NULL AS in_force,
	   coalesce(s.problem, 'published') AS state
  FROM flp.published_view p
 CROSS JOIN LATERAL (SELECT flp_internal.published_view_problem(p.view::oid) AS problem) s;
COMMENT ON VIEW flp.published_views IS
	'published report views, and whether each is in force (a changed definition or owner, or untrusted code, lapses it)';
REVOKE ALL ON flp.published_views FROM PUBLIC;
GRANT SELECT ON flp.published_views TO flp_admin;
