/* flp 0.1.0 -> 0.2.0 (ALTER EXTENSION flp UPDATE) */

\echo Use "ALTER EXTENSION flp UPDATE" to load this file. \quit

/*
 * Every change of sql/parts/ since 0.1.0, in the order of the parts.  The
 * result must equal a fresh install of 0.2.0 object for object
 * (test/shell/67-upgrade.sh compares test/upgrade/schema.sql's listing of
 * both).
 */
