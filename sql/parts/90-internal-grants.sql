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
	flp._ancestors(regclass), flp._tree(regclass), flp._same_kind(oid, oid),
	flp._preload_setting(), flp._record_key_field(regclass),
	flp._require_bundle(text, boolean, text), flp._require_field(regclass, name, text),
	flp._require_governed(regclass, text), flp._require_governable(regclass), flp._require_role(regrole, text),
	flp._require_partner(text, text), flp._require_not_null(anyelement, text),
	flp._require_array(anyarray, text), flp._shown(text),
	flp._require_scope(text, regclass, regrole), flp._check_field_mask(),
	flp._check_governed_table(), flp._ref_check(), flp._ref_action(), flp._replace_secret()
	FROM PUBLIC;
GRANT EXECUTE ON FUNCTION
	flp._ancestors(regclass), flp._tree(regclass), flp._same_kind(oid, oid),
	flp._record_key_field(regclass),
	flp._require_bundle(text, boolean, text), flp._require_field(regclass, name, text),
	flp._require_governed(regclass, text), flp._require_governable(regclass), flp._require_role(regrole, text),
	flp._require_partner(text, text), flp._require_not_null(anyelement, text),
	flp._require_array(anyarray, text), flp._shown(text),
	flp._require_scope(text, regclass, regrole)
	TO flp_admin;

