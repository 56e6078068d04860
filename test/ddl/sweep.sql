-- test/ddl/sweep.sql -- run by test/shell/75-ddl.sh after every step as the
-- subject and as the partner user.  The runner fails on any error and scans
-- every line of the output for canaries.
--  1. the generic checks of ddl_check.sweep(): hidden fields masked and
--     refused in filters, other fields filterable, only edit fields
--     writable, in every table and partition of schema ddl the role may read;
--  2. every readable relation through many paths (plain, whole-row, COPY,
--     EXPLAIN), and the statistics views.
\set ON_ERROR_STOP 1
SELECT * FROM ddl_check.sweep();

\pset tuples_only on
SELECT format('SELECT * FROM %s', c.oid::regclass),
       format('SELECT to_jsonb(t), row_to_json(t), t::text FROM %s t', c.oid::regclass),
       format('EXPLAIN (VERBOSE, COSTS OFF) SELECT * FROM %s', c.oid::regclass),
       CASE WHEN c.relkind = 'r' THEN format('COPY %s TO STDOUT', c.oid::regclass)
            ELSE format('COPY (SELECT * FROM %s) TO STDOUT', c.oid::regclass) END
  FROM pg_class c
 WHERE c.relnamespace = 'ddl'::regnamespace AND c.relkind IN ('r', 'p', 'v')
   AND has_table_privilege(c.oid, 'SELECT')
 ORDER BY c.relname
\gexec
SELECT tablename, attname, null_frac, n_distinct, most_common_vals, histogram_bounds
  FROM pg_stats WHERE schemaname = 'ddl';
SELECT tablename, attnames, most_common_vals FROM pg_stats_ext WHERE schemaname = 'ddl';
