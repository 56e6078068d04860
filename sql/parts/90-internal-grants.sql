-- sql/parts/90-internal-grants.sql: part of the install script (see the Makefile).
-- Who may call flp's internal functions (flp._*).
/* ------------------------------------------------ who may call internals */

/*
 * flp's internal functions (flp._*) are for flp's own functions, triggers
 * and plans.  PUBLIC keeps only what every session needs: _loaded (the
 * event trigger), _record_visible_key (put into subjects' plans by the
 * planner) and _require_super_admin (the clear 42501 of every management
 * function).  flp_admin gets the helpers its management functions call with
 * its privileges; the rest runs as the extension's owner only.
 */
REVOKE ALL ON FUNCTION
	flp_internal.ancestors(regclass), flp_internal.tree(regclass), flp_internal.same_kind(oid, oid),
	flp_internal.preload_setting(), flp_internal.record_key_field(regclass),
	flp_internal.require_bundle(text, boolean, text), flp_internal.require_field(regclass, name, text),
	flp_internal.require_governed(regclass, text), flp_internal.require_governable(regclass), flp_internal.require_role(regrole, text),
	flp_internal.require_partner(text, text), flp_internal.require_not_null(anyelement, text),
	flp_internal.require_array(anyarray, text), flp_internal.shown(text), flp_internal.was(anyelement, anyelement),
	flp_internal.require_scope(text, regclass, regrole), flp_internal.check_field_mask(),
	flp_internal.check_governed_table(), flp_internal.ref_check(), flp_internal.ref_action(), flp_internal.replace_secret()
	FROM PUBLIC;
GRANT EXECUTE ON FUNCTION
	flp_internal.ancestors(regclass), flp_internal.tree(regclass), flp_internal.same_kind(oid, oid),
	flp_internal.record_key_field(regclass),
	flp_internal.require_bundle(text, boolean, text), flp_internal.require_field(regclass, name, text),
	flp_internal.require_governed(regclass, text), flp_internal.require_governable(regclass), flp_internal.require_role(regrole, text),
	flp_internal.require_partner(text, text), flp_internal.require_not_null(anyelement, text),
	flp_internal.require_array(anyarray, text), flp_internal.shown(text), flp_internal.was(anyelement, anyelement),
	flp_internal.require_scope(text, regclass, regrole)
	TO flp_admin;

