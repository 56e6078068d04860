-- test/attacks/catalogue.sql -- leak attempts against the canaries of setup.sql.
--
-- Each block starts with "-- @attack NAME KIND [EXPECTED]" and runs, as
-- atk_subject (KIND admin: atk_admin), in its own psql session inside
-- BEGIN ... ROLLBACK (see run.sh for the kinds and the checks).  The subject
-- (bundle "Atk") has, on every vault table: id excluded; ro Read; the canary
-- fields Hide; everything else Edit.  Blocks stop at their first error.
--
-- Rules for writing attacks:
-- * never write a canary literally: build it ('CNRY_TXT_' || '5e1d'), so that
--   no quoted query text can look like a leak (run.sh checks this);
-- * an inference whose right answer could be "refused" as well as "masked"
--   turns its oracle into output: CASE WHEN <oracle> THEN <canary> ... -- a
--   working oracle then prints a canary and is caught as a LEAK;
-- * mark blocks that fail for a super admin too with "-- @admin-error".
--
-- Masks (README, What queries see): '****' for text-like types (cut to the declared
-- length), NULL for every other type, a constant even where the value is NULL.

------------------------------------------------------------------------------
-- 1. Plain reads of hidden fields, every type
------------------------------------------------------------------------------

-- @attack sel_text leak
SELECT secret FROM vault.acct;

-- @attack sel_varchar leak
SELECT vc FROM vault.acct;

-- @attack sel_char leak
SELECT ch FROM vault.acct;

-- @attack sel_numeric leak
SELECT num FROM vault.acct;

-- @attack sel_integer leak
SELECT pin FROM vault.acct;

-- @attack sel_date leak
SELECT dt FROM vault.acct;

-- @attack sel_array leak
SELECT arr FROM vault.acct;

-- @attack sel_jsonb leak
SELECT js FROM vault.acct;

-- @attack sel_bytea leak
SELECT bin, encode(bin, 'escape'), convert_from(bin, 'UTF8') FROM vault.acct;

-- @attack sel_domain leak
SELECT dom FROM vault.acct;

-- @attack sel_name leak
SELECT nm FROM vault.acct;

-- @attack sel_star leak
SELECT * FROM vault.acct;

-- @attack sel_table_command leak
TABLE vault.acct;

-- @attack sel_only leak
SELECT * FROM ONLY vault.acct;

-- @attack sel_tablesample leak
SELECT * FROM vault.acct TABLESAMPLE SYSTEM (100) REPEATABLE (1);

-- @attack sel_for_update leak
SELECT * FROM vault.acct FOR UPDATE;

-- @attack sel_system_columns leak
SELECT tableoid::regclass, ctid, xmin, secret, vc, num FROM vault.acct;

-- @attack sel_qualified_field leak
SELECT (a).secret, (a).js, a.arr FROM vault.acct a;

-- @attack sel_values_subquery leak
VALUES ((SELECT secret FROM vault.acct WHERE id = 1), (SELECT vc FROM vault.acct WHERE id = 2));

-- @attack sel_window_args leak
SELECT lag(secret) OVER (ORDER BY id), first_value(vc) OVER (ORDER BY id),
	   last_value(num) OVER (ORDER BY id ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)
  FROM vault.acct;

-- @attack sel_distinct leak
SELECT DISTINCT secret FROM vault.acct;

------------------------------------------------------------------------------
-- 2. The masks themselves
------------------------------------------------------------------------------

-- @attack mask_text expect ****
SELECT secret FROM vault.acct WHERE id = 1;

-- @attack mask_varchar expect ****
SELECT vc FROM vault.acct WHERE id = 1;

-- @attack mask_char expect ****
SELECT ch::text FROM vault.acct WHERE id = 1;

-- @attack mask_short_varchar expect **
SELECT tiny FROM vault.acct WHERE id = 1;

-- @attack mask_domain expect ****
SELECT dom FROM vault.acct WHERE id = 1;

-- @attack mask_name expect ****
SELECT nm FROM vault.acct WHERE id = 1;

-- @attack mask_other_types_null expect t|t|t|t|t|t
SELECT num IS NULL, pin IS NULL, dt IS NULL, arr IS NULL, js IS NULL, bin IS NULL
  FROM vault.acct WHERE id = 1;

-- @attack mask_jsonb_path expect NULL
SELECT coalesce(js ->> 'k', 'NULL') FROM vault.acct WHERE id = 1;

-- @attack mask_array_element expect NULL
SELECT coalesce(arr[1], 'NULL') FROM vault.acct WHERE id = 1;

-- @attack mask_hides_nullness expect f
SELECT secret IS NULL FROM vault.acct WHERE id = 3;

-- @attack mask_constant_for_null expect ****
SELECT secret FROM vault.acct WHERE id = 3;

-- @attack mask_partition_direct expect ****
SELECT pcanary FROM vault.part_b WHERE id = 101;

-- @attack mask_generated expect ****
SELECT shout FROM vault.gen WHERE id = 1;

------------------------------------------------------------------------------
-- 3. Whole-row references and row-to-text/json
------------------------------------------------------------------------------

-- @attack row_whole leak
SELECT a FROM vault.acct a;

-- @attack row_to_json leak
SELECT row_to_json(a) FROM vault.acct a;

-- @attack row_to_jsonb leak
SELECT to_jsonb(a) FROM vault.acct a;

-- @attack row_star_expand leak
SELECT (a).* FROM vault.acct a;

-- @attack row_text_cast leak
SELECT a::text FROM vault.acct a;

-- @attack row_constructor leak
SELECT ROW(a.*)::text, ROW(a.secret, a.num) FROM vault.acct a;

-- @attack row_subquery_field leak
SELECT (SELECT a FROM vault.acct a WHERE id = 2).secret;

-- @attack row_json_agg leak
SELECT json_agg(a) FROM vault.acct a;

-- @attack row_jsonb_agg_fields leak
SELECT jsonb_agg(secret), jsonb_agg(js), jsonb_agg(arr), jsonb_agg(dt) FROM vault.acct;

-- @attack row_jsonb_build_object leak
SELECT jsonb_build_object('s', secret, 'n', num, 'd', dt, 'b', bin, 'p', pin) FROM vault.acct;

-- @attack row_json_object_agg leak
SELECT json_object_agg(id, secret), json_object_agg(id, nm) FROM vault.acct;

-- @attack row_to_json_array leak
SELECT to_json(ARRAY(SELECT secret FROM vault.acct)), to_json(ARRAY(SELECT a FROM vault.acct a));

-- @attack row_xmlforest leak
SELECT xmlforest(secret, vc, num, dt) FROM vault.acct;

-- @attack row_query_to_xml leak
SELECT query_to_xml('SELECT secret, num, js FROM vault.acct', true, false, '');

-- @attack row_query_to_xml_filter refuse
SELECT query_to_xml('SELECT id FROM vault.acct WHERE secret LIKE ''CNRY%''', true, false, '');

-- @attack row_record_out_in_function leak
SELECT json_populate_record(NULL::vault.acct, row_to_json(a)) FROM vault.acct a;

------------------------------------------------------------------------------
-- 4. Functions and operators on hidden values in the select list
------------------------------------------------------------------------------

-- @attack fn_format leak
SELECT format('%s|%L|%s', secret, vc, nm), format('%I', coalesce(dom, 'd')) FROM vault.acct;

-- @attack fn_string_agg leak
SELECT string_agg(secret, ','), string_agg(vc, ','), string_agg(dt::text, ',') FROM vault.acct;

-- @attack fn_array_agg leak
SELECT array_agg(secret), array_agg(num), array_agg(dt), array_agg(arr::text) FROM vault.acct;

-- @attack fn_concat leak
SELECT 'x' || secret || 'y', concat(vc, ch), concat_ws(',', dom, nm, num, pin) FROM vault.acct;

-- @attack fn_md5 leak
SELECT md5(secret), md5(vc), md5(ch), md5(num::text), md5(dt::text), md5(js::text),
	   md5(arr::text), md5(bin), md5(dom), md5(pin::text)
  FROM vault.acct;

-- @attack fn_md5_of_mask expect t
SELECT md5(secret) = md5('****') FROM vault.acct WHERE id = 1;

-- @attack fn_length expect 4
SELECT length(secret) FROM vault.acct WHERE id = 1;

-- @attack fn_length_every_row expect 4,4,4,4
SELECT string_agg(length(secret)::text, ',' ORDER BY id) FROM vault.acct;

-- @attack fn_octet_length_varchar expect 4
SELECT octet_length(vc) FROM vault.acct WHERE id = 2;

-- @attack fn_text_ops leak
SELECT substr(secret, 6, 8), overlay(secret PLACING 'X' FROM 1 FOR 1),
	   regexp_replace(vc, 'CNRY', 'ok'), left(dom, 20), right(nm, 20), reverse(secret),
	   upper(secret), lower(vc), translate(secret, 'C', 'c'), split_part(secret, '_', 3)
  FROM vault.acct;

-- @attack fn_position expect 0
SELECT position('TXT' IN secret) FROM vault.acct WHERE id = 1;

-- @attack fn_strpos_sum expect 0
SELECT sum(strpos(secret, 'C')) FROM vault.acct;

-- @attack fn_min_max leak
SELECT min(secret), max(vc), min(num), max(dt), min(pin), max(nm::text) FROM vault.acct;

-- @attack fn_max_mask expect ****
SELECT max(secret) FROM vault.acct;

-- @attack fn_numeric_ops leak
SELECT num + 0, num * 10000, round(num, 2), trunc(num), pin + 1, pin::text, to_char(num, '999999D9999'),
	   num::float8, dt + 1, to_char(dt, 'DD Mon YYYY'), extract(year FROM dt), dt - date '1900-01-01'
  FROM vault.acct;

-- @attack fn_jsonb_ops leak
SELECT js -> 'k', js ->> 'k', jsonb_pretty(js), js::text, jsonb_path_query_array(js, '$.*'),
	   (js -> 'n')::numeric
  FROM vault.acct;

-- @attack fn_array_ops leak
SELECT arr[1], arr[2], array_to_string(arr, ','), cardinality(arr), arr || 'x'::text FROM vault.acct;

-- @attack fn_unnest leak
SELECT unnest(arr), jsonb_each_text(js) FROM vault.acct;

-- @attack fn_case_sum expect 0
SELECT sum(CASE WHEN secret = 'CNRY_TXT_' || '5e1d' THEN 1 ELSE 0 END) FROM vault.acct;

-- @attack fn_bool_or expect f
SELECT bool_or(secret = 'CNRY_TXT_' || '5e1d') FROM vault.acct;

-- @attack fn_compare_in_select expect f
SELECT secret = 'CNRY_TXT_' || '5e1d' FROM vault.acct WHERE id = 1;

-- @attack fn_like_in_select expect f
SELECT secret LIKE 'CNRY%' FROM vault.acct WHERE id = 1;

-- @attack fn_division_by_zero_oracle expect 1
-- @admin-error division by zero (the oracle works on real values)
SELECT 1 / CASE WHEN secret LIKE 'CNRY%' THEN 0 ELSE 1 END FROM vault.acct WHERE id = 1;

-- @attack fn_count_distinct_oracle leak
SELECT CASE WHEN count(DISTINCT secret) > 1 THEN 'CNRY_TXT_' || '5e1d' ELSE 'no' END FROM vault.acct;

-- @attack fn_max_compare_oracle leak
SELECT CASE WHEN max(secret) > 'CNRY' THEN 'CNRY_TXT_' || '5e1d' ELSE 'no' END FROM vault.acct;

-- @attack fn_agg_order_oracle leak
SELECT CASE WHEN string_agg(name, ',' ORDER BY secret) LIKE 'beta,%' THEN 'CNRY_TXT_' || '5e1d'
			ELSE 'no' END
  FROM vault.acct;

-- @attack fn_ordered_set_aggregates leak
SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY secret), mode() WITHIN GROUP (ORDER BY vc),
	   percentile_cont(0.5) WITHIN GROUP (ORDER BY num), percentile_disc(0.5) WITHIN GROUP (ORDER BY dt)
  FROM vault.acct;

-- @attack fn_ts_stat leak
SELECT * FROM ts_stat('SELECT to_tsvector(''simple'', secret) FROM vault.acct');

-- @attack fn_limit_oracle leak
SELECT CASE WHEN count(*) > 4 THEN 'CNRY_TXT_' || '5e1d' ELSE 'no' END
  FROM (SELECT 1 FROM generate_series(1, 100)
		 LIMIT (SELECT octet_length(secret) FROM vault.acct WHERE id = 1)) s;

-- @attack fn_generate_series_oracle leak
SELECT CASE WHEN count(*) > 16 THEN 'CNRY_TXT_' || '5e1d' ELSE 'no' END
  FROM vault.acct a, generate_series(1, length(a.secret));

------------------------------------------------------------------------------
-- 5. Errors raised while evaluating something on a hidden value
------------------------------------------------------------------------------

-- @attack cast_text_to_int leak
-- @admin-error invalid input syntax for type integer
SELECT secret::int FROM vault.acct WHERE id = 1;

-- @attack cast_varchar_to_numeric leak
-- @admin-error invalid input syntax for type numeric
SELECT vc::numeric FROM vault.acct WHERE id = 1;

-- @attack cast_text_to_date leak
-- @admin-error invalid input syntax for type date
SELECT secret::date FROM vault.acct WHERE id = 2;

-- @attack cast_text_to_jsonb leak
-- @admin-error invalid input syntax for type json
SELECT nm::text::jsonb FROM vault.acct WHERE id = 1;

-- @attack cast_text_to_regclass leak
-- @admin-error relation does not exist
SELECT dom::text::regclass FROM vault.acct WHERE id = 1;

-- @attack cast_bytea_text_to_int leak
-- @admin-error invalid input syntax for type integer
SELECT convert_from(bin, 'UTF8')::int FROM vault.acct WHERE id = 1;

-- @attack cast_char_to_interval leak
-- @admin-error invalid input syntax for type interval
SELECT ch::interval FROM vault.acct WHERE id = 1;

-- @attack cast_array_element_to_uuid leak
-- @admin-error invalid input syntax for type uuid
SELECT coalesce(arr[1], secret)::uuid FROM vault.acct WHERE id = 1;

-- @attack cast_jsonb_field_to_int leak
-- @admin-error invalid input syntax for type integer
SELECT coalesce(js ->> 'k', secret)::int FROM vault.acct WHERE id = 1;

-- @attack cast_partition_to_int leak
-- @admin-error invalid input syntax for type integer
SELECT pcanary::int FROM vault.part WHERE id = 1;

-- @attack cast_generated_to_int leak
-- @admin-error invalid input syntax for type integer
SELECT shout::int FROM vault.gen;

-- @attack cast_in_where_subquery refuse
-- @admin-error invalid input syntax for type integer
SELECT id FROM vault.acct WHERE (SELECT secret FROM vault.acct WHERE id = 1)::int > 0;

-- @attack raise_in_plpgsql_function leak
-- @admin-error the function raises
SELECT vault.pl_raise(secret) FROM vault.acct WHERE id = 1;

-- @attack raise_dynamic_sql_literal leak
-- @admin-error invalid input syntax for type integer
DO $$
DECLARE v text;
BEGIN
	SELECT secret INTO v FROM vault.acct WHERE id = 1;
	EXECUTE 'SELECT ' || quote_literal(v) || '::int';
END $$;

------------------------------------------------------------------------------
-- 6. Filters on hidden fields: WHERE, JOIN, GROUP BY, HAVING, ORDER BY, ...
------------------------------------------------------------------------------

-- @attack where_eq refuse
SELECT id FROM vault.acct WHERE secret = 'CNRY_TXT_' || '5e1d';

-- @attack where_like refuse
SELECT id FROM vault.acct WHERE secret LIKE 'CNRY%';

-- @attack where_gt refuse
SELECT id FROM vault.acct WHERE secret > 'A';

-- @attack where_is_null refuse
SELECT id FROM vault.acct WHERE secret IS NULL;

-- @attack where_numeric_between refuse
SELECT id FROM vault.acct WHERE num BETWEEN 900000 AND 1000000;

-- @attack where_integer refuse
SELECT id FROM vault.acct WHERE pin % 2 = 1;

-- @attack where_date refuse
SELECT id FROM vault.acct WHERE dt < date '1950-01-01';

-- @attack where_jsonb refuse
SELECT id FROM vault.acct WHERE js ? 'n';

-- @attack where_array refuse
SELECT id FROM vault.acct WHERE arr && ARRAY['x'];

-- @attack where_any_array refuse
SELECT id FROM vault.acct WHERE 'x' = ANY (arr);

-- @attack where_bytea refuse
SELECT id FROM vault.acct WHERE length(bin) > 3;

-- @attack where_domain refuse
SELECT id FROM vault.acct WHERE dom = 'x';

-- @attack where_name refuse
SELECT id FROM vault.acct WHERE nm ~ '^C';

-- @attack where_char refuse
SELECT id FROM vault.acct WHERE ch <> 'x';

-- @attack where_varchar_ilike refuse
SELECT id FROM vault.acct WHERE vc ILIKE 'cnry%';

-- @attack where_expression refuse
SELECT id FROM vault.acct WHERE length(secret) > 5;

-- @attack where_function_argument refuse
SELECT id FROM vault.acct WHERE vault.pl_notice(secret) IS NOT NULL;

-- @attack where_row_comparison refuse
SELECT id FROM vault.acct WHERE (id, secret) > (0, '');

-- @attack where_coalesce refuse
SELECT id FROM vault.acct WHERE coalesce(secret, '') <> '';

-- @attack where_in_list refuse
SELECT id FROM vault.acct WHERE secret IN ('a', 'b');

-- @attack where_case refuse
SELECT id FROM vault.acct WHERE CASE WHEN secret LIKE 'C%' THEN true ELSE false END;

-- @attack where_or_with_readable refuse
SELECT id FROM vault.acct WHERE ro = 'ro-1' OR secret LIKE 'C%';

-- @attack where_partition_parent refuse
SELECT id FROM vault.part WHERE pcanary IS NOT NULL;

-- @attack where_partition_direct refuse
SELECT id FROM vault.part_a WHERE pcanary LIKE 'C%';

-- @attack outer_aggregate_filter_two_levels refuse
-- (the aggregate belongs to the outermost level but sits two levels down,
-- where neither enclosing subquery has aggregates of its own)
SELECT (SELECT (SELECT count(*) FILTER (WHERE a.secret LIKE 'C%') FROM vault.part LIMIT 1)
          FROM vault.part LIMIT 1)
  FROM vault.acct a;

-- @attack window_filter_clause refuse
SELECT count(*) FILTER (WHERE secret LIKE 'C%') OVER () FROM vault.acct;

-- @attack filter_in_subquery_no_sublink_flag refuse
SELECT * FROM (SELECT count(*) FILTER (WHERE secret LIKE 'C%') AS n FROM vault.acct) s;

-- @attack where_generated refuse
SELECT id FROM vault.gen WHERE shout LIKE 'C%';

-- @attack where_filter_clause refuse
SELECT count(*) FILTER (WHERE secret = 'CNRY_TXT_' || '5e1d') FROM vault.acct;

-- @attack where_whole_row_oracle leak
SELECT CASE WHEN count(*) > 0 THEN 'CNRY_TXT_' || '5e1d' ELSE 'no' END
  FROM vault.acct a WHERE row_to_json(a)::text LIKE '%CNRY_TXT%';

-- @attack where_jsonb_of_row_oracle leak
SELECT CASE WHEN count(*) > 0 THEN 'CNRY_VC_' || '77aa' ELSE 'no' END
  FROM vault.acct a WHERE to_jsonb(a) ->> 'vc' LIKE 'CNRY%';

-- @attack where_leaky_function_whole_row leak
CREATE FUNCTION scratch.peek(x anyelement) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN RAISE NOTICE 'peek %', x; RETURN true; END $$;
SELECT id FROM vault.acct a WHERE scratch.peek(a);

-- @attack order_by refuse
SELECT id FROM vault.acct ORDER BY secret;

-- @attack order_by_expression refuse
SELECT id FROM vault.acct ORDER BY md5(secret);

-- @attack order_by_position refuse
SELECT id, secret FROM vault.acct ORDER BY 2;

-- @attack order_by_numeric refuse
SELECT id FROM vault.acct ORDER BY num DESC NULLS LAST;

-- @attack order_by_limit_with_ties refuse
SELECT id FROM vault.acct ORDER BY dt FETCH FIRST 1 ROWS WITH TIES;

-- @attack group_by refuse
SELECT count(*) FROM vault.acct GROUP BY secret;

-- @attack group_by_expression refuse
SELECT count(*) FROM vault.acct GROUP BY left(secret, 9);

-- @attack group_by_rollup refuse
SELECT count(*) FROM vault.acct GROUP BY ROLLUP (name, vc);

-- @attack group_by_grouping_sets refuse
SELECT count(*) FROM vault.acct GROUP BY GROUPING SETS ((name), (num));

-- @attack having refuse
SELECT name FROM vault.acct GROUP BY name HAVING max(secret) > 'A';

-- @attack distinct_on refuse
SELECT DISTINCT ON (secret) id FROM vault.acct;

-- @attack window_partition_by refuse
SELECT id, count(*) OVER (PARTITION BY secret) FROM vault.acct;

-- @attack window_order_by refuse
SELECT id, row_number() OVER (ORDER BY num) FROM vault.acct;

-- @attack join_on refuse
SELECT a.id FROM vault.acct a JOIN vault.peer p ON a.secret = p.x;

-- @attack join_using refuse
SELECT count(*) FROM vault.acct JOIN vault.peer USING (secret);

-- @attack join_natural refuse
SELECT count(*) FROM vault.acct NATURAL JOIN vault.peer;

-- @attack join_self refuse
SELECT a.id, b.id FROM vault.acct a JOIN vault.acct b ON a.secret = b.secret AND a.id <> b.id;

-- @attack join_left_on_hidden refuse
SELECT p.id, a.id FROM vault.peer p LEFT JOIN vault.acct a ON a.vc = p.x;

-- @attack join_partition_to_acct refuse
SELECT p.id FROM vault.part p JOIN vault.acct a ON p.pcanary = a.secret;

-- @attack join_lateral_filter refuse
SELECT a.id FROM vault.acct a, LATERAL (SELECT 1 FROM vault.peer p WHERE p.x = a.secret) l;

-- @attack subquery_in_where refuse
SELECT count(*) FROM vault.acct WHERE id IN (SELECT id FROM vault.acct WHERE secret LIKE 'CNRY%');

-- @attack subquery_output_in_where refuse
SELECT count(*) FROM vault.acct WHERE name IN (SELECT secret FROM vault.acct);

-- @attack subquery_exists_correlated refuse
SELECT a.id FROM vault.acct a WHERE EXISTS (SELECT 1 FROM vault.peer p WHERE p.secret = a.secret);

-- @attack subquery_scalar_compare refuse
SELECT id FROM vault.acct WHERE (SELECT secret FROM vault.acct WHERE id = 1) = 'x';

-- @attack subquery_any refuse
SELECT id FROM vault.peer WHERE x = ANY (SELECT vc FROM vault.acct);

-- @attack subquery_select_list_correlated refuse
SELECT (SELECT count(*) FROM vault.peer p WHERE p.secret = a.secret) FROM vault.acct a;

------------------------------------------------------------------------------
-- 7. Subqueries, CTEs, set operations, LATERAL (reads: masked)
------------------------------------------------------------------------------

-- @attack subquery_select_list expect ****
SELECT (SELECT secret FROM vault.acct WHERE id = 1);

-- @attack subquery_from leak
SELECT s.* FROM (SELECT secret, num, js FROM vault.acct) s;

-- @attack cte_plain leak
WITH c AS (SELECT secret, num, arr FROM vault.acct) SELECT * FROM c;

-- @attack cte_materialized leak
WITH c AS MATERIALIZED (SELECT * FROM vault.acct) SELECT * FROM c;

-- @attack cte_filter refuse
WITH c AS (SELECT secret AS s FROM vault.acct) SELECT count(*) FROM c WHERE s LIKE 'C%';

-- @attack cte_materialized_filter refuse
WITH c AS MATERIALIZED (SELECT secret AS s FROM vault.acct) SELECT count(*) FROM c WHERE s LIKE 'C%';

-- @attack cte_recursive leak
WITH RECURSIVE r(i, s) AS (
	SELECT 1, secret FROM vault.acct WHERE id = 1
	UNION ALL
	SELECT i + 1, s FROM r WHERE i < 3
)
SELECT s FROM r;

-- @attack cte_recursive_char_by_char leak
WITH RECURSIVE r(i, c) AS (
	SELECT 1, substr((SELECT secret FROM vault.acct WHERE id = 2), 1, 1)
	UNION ALL
	SELECT i + 1, substr((SELECT secret FROM vault.acct WHERE id = 2), i + 1, 1) FROM r WHERE i < 20
)
SELECT string_agg(c, '' ORDER BY i) FROM r;

-- @attack cte_recursive_filter refuse
WITH RECURSIVE r(s) AS (
	SELECT secret FROM vault.acct
	UNION
	SELECT s FROM r WHERE s LIKE 'C%'
)
SELECT count(*) FROM r;

-- @attack cte_dml_returning leak
WITH u AS (UPDATE vault.acct SET note = 'cte' WHERE id IN (1, 2) RETURNING *) SELECT * FROM u;

-- @attack cte_dml_returning_filter refuse
WITH u AS (UPDATE vault.acct SET note = 'cte' WHERE id = 1 RETURNING secret)
SELECT count(*) FROM u WHERE secret LIKE 'C%';

-- @attack setop_union_all leak
SELECT secret FROM vault.acct UNION ALL SELECT vc FROM vault.acct UNION ALL SELECT pcanary FROM vault.part;

-- @attack setop_intersect expect 0
SELECT count(*) FROM (SELECT secret FROM vault.acct INTERSECT SELECT 'CNRY_TXT_' || '5e1d') s;

-- @attack setop_except expect 1
SELECT count(*) FROM (SELECT 'CNRY_TXT_' || '5e1d' EXCEPT SELECT secret FROM vault.acct) s;

-- @attack setop_union_dedup expect 2
SELECT count(*) FROM (SELECT secret FROM vault.acct UNION SELECT 'CNRY_TXT_' || '5e1d') s;

-- @attack lateral_select leak
SELECT l.* FROM vault.acct a, LATERAL (SELECT a.secret AS s, a.num AS n, a.js AS j) l;

-- @attack lateral_srf leak
SELECT e, k, v FROM vault.acct a, LATERAL unnest(a.arr) e, LATERAL jsonb_each_text(a.js) j(k, v);

------------------------------------------------------------------------------
-- 8. Functions: PL/pgSQL, SQL (inlined or not), dynamic SQL, DO, CALL
------------------------------------------------------------------------------

-- @attack func_plpgsql_notice leak
SELECT vault.pl_notice(secret) FROM vault.acct;

-- @attack func_own_plpgsql_notice leak
CREATE FUNCTION scratch.peek(x anyelement) RETURNS text LANGUAGE plpgsql AS $$
BEGIN RAISE NOTICE 'peek %', x; RETURN x::text; END $$;
SELECT scratch.peek(num), scratch.peek(dt), scratch.peek(js), scratch.peek(arr), scratch.peek(ch)
  FROM vault.acct;

-- @attack func_own_plpgsql_whole_row leak
CREATE FUNCTION scratch.peek(x anyelement) RETURNS text LANGUAGE plpgsql AS $$
BEGIN RAISE NOTICE 'peek %', x; RETURN x::text; END $$;
SELECT scratch.peek(a) FROM vault.acct a;

-- @attack func_sql_srf leak
SELECT * FROM vault.f_secrets();

-- @attack func_sql_srf_filter_oracle leak
SELECT CASE WHEN count(*) > 0 THEN 'CNRY_TXT_' || '5e1d' ELSE 'no' END
  FROM vault.f_secrets() s WHERE s LIKE 'CNRY%';

-- @attack func_sql_scalar_filter_oracle leak
SELECT CASE WHEN count(*) > 0 THEN 'CNRY_TXT_' || '5e1d' ELSE 'no' END
  FROM vault.acct WHERE vault.f_secret_of(id) LIKE 'CNRY%';

-- @attack func_sql_scalar expect ****
SELECT vault.f_secret_of(1);

-- @attack func_sql_filter refuse
SELECT count(*) FROM vault.acct WHERE vault.f_match(secret);

-- @attack func_sql_filter_in_body refuse
SELECT vault.f_count_like('CNRY%');

-- @attack func_sql_in_select expect f
SELECT vault.f_match(secret) FROM vault.acct WHERE id = 1;

-- @attack func_own_sql_in_body refuse
CREATE FUNCTION scratch.probe(p text) RETURNS bigint LANGUAGE sql STABLE
	AS $$ SELECT count(*) FROM vault.acct WHERE vc LIKE p $$;
SELECT scratch.probe('CNRY%');

-- @attack func_plpgsql_dynamic leak
SELECT * FROM vault.pl_dyn('secret') UNION ALL SELECT * FROM vault.pl_dyn('js');

-- @attack func_plpgsql_dynamic_filter refuse
SELECT vault.pl_dyn_count('CNRY%');

-- @attack func_plpgsql_static_filter refuse
CREATE FUNCTION scratch.probe(p text) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE n bigint;
BEGIN SELECT count(*) INTO n FROM vault.acct WHERE secret LIKE p; RETURN n; END $$;
SELECT scratch.probe('CNRY%');

-- @attack do_loop_notice leak
DO $$
DECLARE r record;
BEGIN
	FOR r IN SELECT * FROM vault.acct LOOP
		RAISE NOTICE 'row %', r;
	END LOOP;
END $$;

-- @attack do_select_into_oracle leak
DO $$
DECLARE v text;
BEGIN
	SELECT secret INTO v FROM vault.acct WHERE id = 1;
	RAISE NOTICE 'value %', v;
	IF v = 'CNRY_TXT_' || '5e1d' THEN
		RAISE NOTICE 'oracle says %', 'CNRY_TXT_' || '5e1d';
	END IF;
END $$;

-- @attack do_exception_detail_oracle leak
DO $$
DECLARE v text;
BEGIN
	SELECT vc INTO v FROM vault.acct WHERE id = 2;
	PERFORM v::int;
EXCEPTION WHEN others THEN
	RAISE NOTICE 'caught: %', SQLERRM;
END $$;

-- @attack call_procedure leak
CREATE PROCEDURE scratch.p() LANGUAGE plpgsql AS $$
DECLARE r record;
BEGIN
	SELECT * INTO r FROM vault.acct WHERE id = 2;
	RAISE NOTICE 'proc %', r;
END $$;
CALL scratch.p();

-- @attack operator_shadowing leak
CREATE FUNCTION scratch.eq_peek(a text, b text) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN RAISE NOTICE 'eq % %', a, b; RETURN a OPERATOR(pg_catalog.=) b; END $$;
CREATE OPERATOR scratch.= (LEFTARG = text, RIGHTARG = text, FUNCTION = scratch.eq_peek);
SET LOCAL search_path = scratch, pg_catalog;
SELECT secret = 'x', vc::text = 'y' FROM vault.acct;

------------------------------------------------------------------------------
-- 9. Views
------------------------------------------------------------------------------

-- @attack view_plain leak
SELECT * FROM vault.v_plain;

-- @attack view_plain_mask expect ****
SELECT secret FROM vault.v_plain WHERE id = 1;

-- @attack view_security_invoker leak
SELECT * FROM vault.v_invoker;

-- @attack view_hidden_filter refuse
SELECT * FROM vault.v_filter;

-- @attack view_hidden_filter_count refuse
SELECT count(*) FROM vault.v_filter;

-- @attack view_hidden_group_by refuse
SELECT * FROM vault.v_group;

-- @attack view_hidden_join refuse
SELECT * FROM vault.v_join;

-- @attack view_where_on_view_column refuse
SELECT id FROM vault.v_plain WHERE secret = 'x';

-- @attack view_where_on_invoker_column refuse
SELECT id FROM vault.v_invoker WHERE dt IS NOT NULL;

-- @attack view_derived_select expect ****|4
SELECT up, len FROM vault.v_derived WHERE id = 1;

-- @attack view_derived_filter refuse
SELECT id FROM vault.v_derived WHERE up LIKE 'C%';

-- @attack view_derived_order refuse
SELECT id FROM vault.v_derived ORDER BY len;

-- @attack view_partitioned leak
SELECT * FROM vault.v_part;

-- @attack view_own leak
CREATE VIEW scratch.v AS SELECT * FROM vault.acct;
SELECT * FROM scratch.v;

-- @attack view_own_security_barrier_filter refuse
CREATE VIEW scratch.v WITH (security_barrier) AS SELECT id, secret FROM vault.acct WHERE id > 0;
SELECT id FROM scratch.v WHERE secret LIKE 'C%';

-- @attack view_own_filter refuse
CREATE VIEW scratch.v AS SELECT id FROM vault.acct WHERE num > 0;
SELECT * FROM scratch.v;

-- @attack view_own_materialized leak
CREATE MATERIALIZED VIEW scratch.mv AS SELECT * FROM vault.acct;
REFRESH MATERIALIZED VIEW scratch.mv;
SELECT * FROM scratch.mv;

-- @attack view_update_hidden refuse
UPDATE vault.v_plain SET secret = 'x' WHERE id = 1;

-- @attack view_update_from_hidden refuse
UPDATE vault.v_plain SET note = secret WHERE id = 1;

-- @attack view_check_option_detail leak
-- @admin-error new row violates check option
UPDATE vault.v_check SET note = 'outside' WHERE id = 1;

------------------------------------------------------------------------------
-- 10. Cursors and prepared statements
------------------------------------------------------------------------------

-- @attack cursor_fetch leak
DECLARE c CURSOR FOR SELECT secret, num, js FROM vault.acct;
FETCH ALL FROM c;

-- @attack cursor_whole_row leak
DECLARE c SCROLL CURSOR FOR SELECT a FROM vault.acct a;
FETCH LAST FROM c;
FETCH ABSOLUTE 1 FROM c;

-- @attack cursor_order_by refuse
DECLARE c CURSOR FOR SELECT id FROM vault.acct ORDER BY secret;
FETCH ALL FROM c;

-- @attack cursor_plpgsql_refcursor leak
DO $$
DECLARE c refcursor; r record;
BEGIN
	OPEN c FOR EXECUTE 'SELECT * FROM vault.acct';
	LOOP
		FETCH c INTO r;
		EXIT WHEN NOT FOUND;
		RAISE NOTICE 'cursor row %', r;
	END LOOP;
END $$;

-- @attack prepared leak
PREPARE p AS SELECT * FROM vault.acct;
EXECUTE p;
EXECUTE p;

-- @attack prepared_generic_plan leak
SET LOCAL plan_cache_mode = force_generic_plan;
PREPARE p(int) AS SELECT secret, num, dt FROM vault.acct WHERE id = $1;
EXECUTE p(1);
EXECUTE p(2);
EXECUTE p(1);

-- @attack prepared_parameter_filter refuse
PREPARE p(text) AS SELECT count(*) FROM vault.acct WHERE secret = $1;
EXECUTE p('x');

-- @attack prepared_explain_execute refuse
PREPARE p(text) AS SELECT count(*) FROM vault.acct WHERE vc = $1;
EXPLAIN (COSTS OFF) EXECUTE p('x');

------------------------------------------------------------------------------
-- 11. CREATE TABLE AS, SELECT INTO, COPY TO, EXPLAIN
------------------------------------------------------------------------------

-- @attack ctas_temp leak
CREATE TEMP TABLE t AS SELECT * FROM vault.acct;
SELECT * FROM t;

-- @attack ctas_temp_mask expect ****
CREATE TEMP TABLE t AS SELECT secret FROM vault.acct WHERE id = 1;
SELECT secret FROM t;

-- @attack ctas_partitioned leak
CREATE TABLE scratch.t AS SELECT * FROM vault.part;
SELECT * FROM scratch.t;

-- @attack select_into_temp leak
SELECT secret, num, arr INTO TEMP t2 FROM vault.acct;
SELECT * FROM t2;

-- @attack copy_query_to_stdout leak
COPY (SELECT * FROM vault.acct) TO STDOUT;

-- @attack copy_table_to_stdout leak
COPY vault.acct TO STDOUT;

-- @attack copy_table_columns_csv leak
COPY vault.acct (id, secret, num, js, arr, bin) TO STDOUT (FORMAT csv, HEADER);

-- @attack copy_table_binary leak
COPY vault.acct TO STDOUT (FORMAT binary);

-- @attack copy_partition_to_stdout leak
COPY vault.part_a TO STDOUT;

-- @attack copy_partitioned_query leak
COPY (SELECT * FROM vault.part) TO STDOUT;

-- @attack copy_partitioned_table leak
-- @admin-error cannot copy from partitioned table (PostgreSQL refuses it for everyone)
COPY vault.part TO STDOUT;

-- @attack copy_generated leak
COPY vault.gen TO STDOUT;

-- @attack copy_view leak
COPY (SELECT * FROM vault.v_plain) TO STDOUT;

-- @attack copy_other_tables leak
COPY vault.form TO STDOUT;
COPY vault.uniq TO STDOUT;
COPY vault.keyed TO STDOUT;
COPY vault.keyref TO STDOUT;

-- @attack copy_query_filter refuse
COPY (SELECT id FROM vault.acct WHERE secret LIKE 'C%') TO STDOUT;

-- @attack copy_dml_returning leak
COPY (UPDATE vault.acct SET note = 'x' RETURNING secret, num, js) TO STDOUT;

-- @attack explain_verbose leak
EXPLAIN (VERBOSE, COSTS OFF) SELECT * FROM vault.acct;

-- @attack explain_analyze leak
EXPLAIN (ANALYZE, VERBOSE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT secret, num FROM vault.acct;

-- @attack explain_json_minmax leak
EXPLAIN (VERBOSE, COSTS OFF, FORMAT json) SELECT max(secret), min(num) FROM vault.acct;

-- @attack explain_filter refuse
EXPLAIN (COSTS OFF) SELECT id FROM vault.acct WHERE secret = 'x';

-- @attack explain_view_filter refuse
EXPLAIN (VERBOSE, COSTS OFF) SELECT * FROM vault.v_filter;

------------------------------------------------------------------------------
-- 12. Partitions and the generated column
------------------------------------------------------------------------------

-- @attack part_parent leak
SELECT * FROM vault.part;

-- @attack part_a_direct leak
SELECT * FROM vault.part_a;

-- @attack part_b_direct leak
SELECT pcanary, p FROM vault.part_b p;

-- @attack part_update_hidden_direct refuse
UPDATE vault.part_b SET pcanary = 'x' WHERE id = 101;

-- @attack part_returning leak
UPDATE vault.part SET region = 'x' RETURNING *;

-- @attack part_row_movement_returning leak
UPDATE vault.part SET id = 150 WHERE id = 1 RETURNING *, tableoid::regclass;

-- @attack part_constraint_detail leak
-- @admin-error new row violates partition constraint
UPDATE vault.part_a SET id = 150 WHERE id = 1;

-- @attack gen_select leak
SELECT shout, secret FROM vault.gen;

-- @attack gen_whole_row leak
SELECT g, row_to_json(g) FROM vault.gen g;

-- @attack gen_order_by refuse
SELECT id FROM vault.gen ORDER BY shout;

-- @attack gen_update_returning leak
UPDATE vault.gen SET note = 'g' WHERE id = 1 RETURNING shout, secret;

------------------------------------------------------------------------------
-- 13. RETURNING and ON CONFLICT of allowed writes (masked)
------------------------------------------------------------------------------

-- @attack returning_hidden leak
UPDATE vault.acct SET note = 'r' WHERE id = 1 RETURNING secret, num, js, arr, dt;

-- @attack returning_star leak
UPDATE vault.acct SET note = 'r' RETURNING *;

-- @attack returning_whole_row leak
UPDATE vault.acct a SET note = 'r' WHERE id = 2 RETURNING a, row_to_json(a);

-- @attack returning_mask expect ****
UPDATE vault.acct SET note = 'r' WHERE id = 1 RETURNING secret;

-- @attack returning_subquery leak
UPDATE vault.acct SET note = 'r' WHERE id = 1 RETURNING (SELECT secret FROM vault.acct WHERE id = 2);

-- @attack returning_update_from leak
UPDATE vault.acct a SET note = 'r' FROM vault.peer p WHERE p.id = a.id RETURNING p.*, a.secret, a.vc;

-- @attack returning_delete leak
DELETE FROM vault.acct WHERE id = 2 RETURNING *;

-- @attack returning_insert_on_conflict leak
INSERT INTO vault.acct (id, note) VALUES (1, 'oc'), (2, 'oc')
	ON CONFLICT (id) DO UPDATE SET note = EXCLUDED.note RETURNING *;

-- @attack returning_cte_other_table leak
WITH u AS (UPDATE vault.keyed SET note = 'k' RETURNING code) SELECT * FROM u;

------------------------------------------------------------------------------
-- 14. Writes that must be refused
------------------------------------------------------------------------------

-- @attack write_update_hidden refuse
UPDATE vault.acct SET secret = 'x' WHERE id = 1;

-- @attack write_update_hidden_numeric refuse
UPDATE vault.acct SET num = 1;

-- @attack write_update_hidden_to_itself refuse
UPDATE vault.acct SET secret = secret;

-- @attack write_update_readonly refuse
UPDATE vault.acct SET ro = 'x' WHERE id = 1;

-- @attack write_update_from_hidden refuse
UPDATE vault.acct SET note = secret WHERE id = 1;

-- @attack write_update_from_hidden_expression refuse
UPDATE vault.acct SET note = upper(secret) || '!';

-- @attack write_update_from_hidden_subquery refuse
UPDATE vault.acct SET note = (SELECT secret FROM vault.acct WHERE id = 2) WHERE id = 1;

-- @attack write_update_row_from_hidden refuse
UPDATE vault.acct SET (note, name) = (SELECT secret, vc FROM vault.acct WHERE id = 2) WHERE id = 1;

-- @attack write_update_row_constructor_from_hidden refuse
UPDATE vault.acct SET (note, name) = ROW(secret, vc) WHERE id = 1;

-- @attack write_update_whole_row_source refuse
UPDATE vault.acct a SET note = a::text WHERE id = 1;

-- @attack write_update_from_other_row_hidden refuse
UPDATE vault.acct a SET note = b.secret FROM vault.acct b WHERE b.id = 2 AND a.id = 1;

-- @attack write_update_ungoverned_from_hidden refuse
UPDATE vault.sink s SET val = a.secret FROM vault.acct a WHERE a.id = s.id;

-- @attack write_update_where_hidden refuse
UPDATE vault.acct SET note = 'x' WHERE secret LIKE 'C%';

-- @attack write_update_from_join_hidden refuse
UPDATE vault.acct a SET note = 'x' FROM vault.peer p WHERE p.secret = a.secret;

-- @attack write_update_generated_source refuse
UPDATE vault.gen SET note = shout;

-- @attack write_insert_hidden refuse
INSERT INTO vault.acct (id, secret) VALUES (60, 'x');

-- @attack write_insert_readonly refuse
INSERT INTO vault.acct (id, ro) VALUES (61, 'x');

-- @attack write_insert_select_hidden refuse
INSERT INTO vault.sink (val) SELECT secret FROM vault.acct;

-- @attack write_insert_select_hidden_cte refuse
WITH s AS (SELECT vc FROM vault.acct) INSERT INTO vault.sink (val) SELECT * FROM s;

-- @attack write_insert_values_sublink_hidden refuse
INSERT INTO vault.sink (val) VALUES ((SELECT secret FROM vault.acct WHERE id = 1));

-- @attack write_insert_governed_from_hidden refuse
INSERT INTO vault.acct (id, note) SELECT 100, secret FROM vault.acct WHERE id = 1;

-- @attack write_insert_from_returning_hidden refuse
WITH u AS (UPDATE vault.acct SET note = 'x' WHERE id = 1 RETURNING secret)
INSERT INTO vault.sink (val) SELECT secret FROM u;

-- @attack write_insert_select_into_temp refuse
CREATE TEMP TABLE t (LIKE vault.acct);
INSERT INTO t SELECT * FROM vault.acct;

-- @attack write_insert_whole_row_source leak
INSERT INTO vault.sink (doc) SELECT to_jsonb(a) FROM vault.acct a;
SELECT doc FROM vault.sink;

-- @attack write_insert_mandatory refuse
-- @admin-error not-null violation
INSERT INTO vault.form (id, editable) VALUES (2, 'x');

-- @attack write_insert_mandatory_default_values refuse
-- @admin-error not-null violation
INSERT INTO vault.form DEFAULT VALUES;

-- @attack write_insert_form_readonly refuse
-- @admin-error not-null violation
INSERT INTO vault.form (id, ro, editable) VALUES (3, 'x', 'y');

-- @attack write_delete_where_hidden refuse
DELETE FROM vault.acct WHERE secret = 'x';

-- @attack write_delete_using_hidden refuse
DELETE FROM vault.acct a USING vault.peer p WHERE p.secret = a.secret;

-- @attack write_delete_where_subquery_hidden refuse
DELETE FROM vault.acct WHERE id IN (SELECT id FROM vault.acct WHERE num > 0);

-- @attack write_merge_on_hidden refuse
MERGE INTO vault.sink k USING vault.acct a ON k.val = a.secret
	WHEN MATCHED THEN DELETE;

-- @attack write_merge_when_hidden refuse
MERGE INTO vault.acct a USING (VALUES (1)) v(id) ON a.id = v.id
	WHEN MATCHED AND a.secret LIKE 'C%' THEN UPDATE SET note = 'm';

-- @attack write_merge_set_hidden refuse
MERGE INTO vault.acct a USING (VALUES (1)) v(id) ON a.id = v.id
	WHEN MATCHED THEN UPDATE SET secret = 'm';

-- @attack write_merge_insert_from_hidden refuse
MERGE INTO vault.sink k USING vault.acct a ON k.id = a.id
	WHEN NOT MATCHED THEN INSERT (val) VALUES (a.secret);

-- @attack write_merge_insert_hidden refuse
MERGE INTO vault.acct a USING (VALUES (70)) v(id) ON a.id = v.id
	WHEN NOT MATCHED THEN INSERT (id, secret) VALUES (v.id, 'x');

-- @attack write_merge_insert_mandatory refuse
-- @admin-error not-null violation
MERGE INTO vault.form f USING (VALUES (9)) v(id) ON f.id = v.id
	WHEN NOT MATCHED THEN INSERT (id, editable) VALUES (v.id, 'x');

-- @attack write_merge_update_from_hidden_source refuse
MERGE INTO vault.acct a USING (SELECT id, secret FROM vault.acct) s ON a.id = s.id
	WHEN MATCHED THEN UPDATE SET note = s.secret;

-- @attack write_on_conflict_target_hidden refuse
INSERT INTO vault.uniq (id, grp) VALUES (9, 1) ON CONFLICT (grp, secret) DO NOTHING;

-- @attack write_on_conflict_constraint_hidden refuse
INSERT INTO vault.uniq (id, grp) VALUES (9, 1) ON CONFLICT ON CONSTRAINT uniq_grp_secret_key DO NOTHING;

-- @attack write_on_conflict_set_hidden refuse
INSERT INTO vault.acct (id, note) VALUES (1, 'x') ON CONFLICT (id) DO UPDATE SET secret = 'x';

-- @attack write_on_conflict_set_from_hidden refuse
INSERT INTO vault.acct (id, note) VALUES (1, 'x') ON CONFLICT (id) DO UPDATE SET note = vault.acct.secret;

-- @attack write_on_conflict_where_hidden refuse
INSERT INTO vault.acct (id, note) VALUES (1, 'x')
	ON CONFLICT (id) DO UPDATE SET note = 'y' WHERE vault.acct.secret LIKE 'C%';

-- @attack write_copy_from_hidden refuse
-- @admin-error COPY FROM not supported with row-level security (flp's guard)
COPY vault.acct (id, secret) FROM STDIN;
80	x
\.

-- @attack write_copy_from_readonly refuse
-- @admin-error COPY FROM not supported with row-level security (flp's guard)
COPY vault.acct (id, ro) FROM STDIN (FORMAT csv);
81,x
\.

-- @attack write_copy_from_partition_hidden refuse
-- @admin-error COPY FROM not supported with row-level security (flp's guard)
COPY vault.part_b (id, pcanary) FROM STDIN;
150	x
\.

-- @attack write_copy_from_mandatory refuse
-- @admin-error COPY FROM not supported with row-level security (flp's guard)
COPY vault.form (id, editable) FROM STDIN;
5	x
\.

------------------------------------------------------------------------------
-- 15. Constraint violations: DETAIL must not quote hidden values
------------------------------------------------------------------------------

-- @attack err_check_failing_row leak
-- @admin-error check constraint violation
UPDATE vault.acct SET note = 'forbidden' WHERE id = 1;

-- @attack err_not_null_failing_row leak
-- @admin-error not-null violation
UPDATE vault.form SET editable = NULL WHERE id = 1;

-- @attack err_unique_key leak
-- @admin-error unique violation
UPDATE vault.uniq SET grp = 1 WHERE id = 2;

-- @attack err_foreign_key_still_referenced leak
-- @admin-error foreign key violation
DELETE FROM vault.keyed WHERE id = 1;

-- @attack err_check_stacked_diagnostics leak
DO $$
DECLARE d text; m text; c text;
BEGIN
	UPDATE vault.acct SET note = 'forbidden' WHERE id = 1;
EXCEPTION WHEN others THEN
	GET STACKED DIAGNOSTICS d = PG_EXCEPTION_DETAIL, m = MESSAGE_TEXT, c = PG_EXCEPTION_CONTEXT;
	RAISE NOTICE 'detail: % / message: % / context: %', d, m, c;
END $$;

-- @attack err_unique_stacked_diagnostics leak
DO $$
DECLARE d text; m text;
BEGIN
	UPDATE vault.uniq SET grp = 1 WHERE id = 2;
EXCEPTION WHEN others THEN
	GET STACKED DIAGNOSTICS d = PG_EXCEPTION_DETAIL, m = MESSAGE_TEXT;
	RAISE NOTICE 'detail: % / message: %', d, m;
END $$;

-- @attack err_foreign_key_stacked_diagnostics leak
DO $$
DECLARE d text;
BEGIN
	DELETE FROM vault.keyed WHERE id = 1;
EXCEPTION WHEN others THEN
	GET STACKED DIAGNOSTICS d = PG_EXCEPTION_DETAIL;
	RAISE NOTICE 'detail: %', d;
END $$;

-- @attack err_partition_stacked_diagnostics leak
DO $$
DECLARE d text;
BEGIN
	UPDATE vault.part_a SET id = 150 WHERE id = 1;
EXCEPTION WHEN others THEN
	GET STACKED DIAGNOSTICS d = PG_EXCEPTION_DETAIL;
	RAISE NOTICE 'detail: %', d;
END $$;

-- @attack err_not_null_stacked_diagnostics leak
DO $$
DECLARE d text;
BEGIN
	UPDATE vault.form SET editable = NULL WHERE id = 1;
EXCEPTION WHEN others THEN
	GET STACKED DIAGNOSTICS d = PG_EXCEPTION_DETAIL;
	RAISE NOTICE 'detail: %', d;
END $$;

-- @attack err_check_option_stacked_diagnostics leak
DO $$
DECLARE d text;
BEGIN
	UPDATE vault.v_check SET note = 'outside' WHERE id = 2;
EXCEPTION WHEN others THEN
	GET STACKED DIAGNOSTICS d = PG_EXCEPTION_DETAIL;
	RAISE NOTICE 'detail: %', d;
END $$;

------------------------------------------------------------------------------
-- 16. Statistics
------------------------------------------------------------------------------

-- @attack stats_pg_stats leak
SELECT tablename, attname, most_common_vals::text, histogram_bounds::text, most_common_elems::text
  FROM pg_stats WHERE schemaname = 'vault';

-- @attack stats_pg_stats_ext leak
SELECT * FROM pg_stats_ext WHERE schemaname = 'vault';

-- @attack stats_pg_stats_ext_exprs leak
SELECT * FROM pg_stats_ext_exprs WHERE schemaname = 'vault';

-- @attack stats_pg_statistic refuse
-- @admin-error superuser only
SELECT stavalues1::text FROM pg_statistic;

-- @attack stats_pg_statistic_ext_data refuse
-- @admin-error superuser only
SELECT stxdmcv::text FROM pg_statistic_ext_data;

-- @attack stats_own_analyze leak
ANALYZE vault.acct;
SELECT attname, most_common_vals::text FROM pg_stats WHERE schemaname = 'vault' AND tablename = 'acct';

------------------------------------------------------------------------------
-- 16b. Oracles through objects the subject owns: its own row-level security
-- policies, constraints and foreign keys (a policy the subject writes is not
-- a DBA's trusted policy)
------------------------------------------------------------------------------

-- @attack own_rls_policy_oracle leak
CREATE TABLE scratch.o (v text);
INSERT INTO scratch.o VALUES ('CNRY_TXT_' || '5e1d'), ('CNRY_VC2_' || '3c1b');
ALTER TABLE scratch.o ENABLE ROW LEVEL SECURITY;
ALTER TABLE scratch.o FORCE ROW LEVEL SECURITY;
CREATE POLICY p ON scratch.o
	USING (EXISTS (SELECT 1 FROM vault.acct a WHERE a.secret = o.v OR a.vc = o.v));
SELECT v FROM scratch.o;

-- @attack own_rls_with_check_oracle leak
CREATE TABLE scratch.o (v text);
ALTER TABLE scratch.o ENABLE ROW LEVEL SECURITY;
ALTER TABLE scratch.o FORCE ROW LEVEL SECURITY;
CREATE POLICY r ON scratch.o FOR SELECT USING (true);
CREATE POLICY w ON scratch.o FOR INSERT
	WITH CHECK (EXISTS (SELECT 1 FROM vault.part p WHERE p.pcanary = v));
INSERT INTO scratch.o VALUES ('CNRY_PA_' || '31f7');
SELECT v FROM scratch.o;

-- @attack own_rls_policy_view_oracle leak
CREATE TABLE scratch.o (v text);
INSERT INTO scratch.o VALUES ('CNRY_TXT2_' || '90fe');
ALTER TABLE scratch.o ENABLE ROW LEVEL SECURITY;
ALTER TABLE scratch.o FORCE ROW LEVEL SECURITY;
CREATE POLICY p ON scratch.o USING (v IN (SELECT secret FROM vault.v_plain));
SELECT v FROM scratch.o;

-- @attack own_rule_oracle leak
CREATE TABLE scratch.o (v text);
CREATE TABLE scratch.hit (v text);
CREATE RULE r AS ON INSERT TO scratch.o
	DO ALSO INSERT INTO scratch.hit SELECT NEW.v WHERE EXISTS (SELECT 1 FROM vault.acct a WHERE a.secret = NEW.v);
INSERT INTO scratch.o VALUES ('CNRY_TXT_' || '5e1d');
SELECT v FROM scratch.hit;

-- @attack own_rls_policy_function_oracle leak
CREATE FUNCTION scratch.known(t text) RETURNS boolean LANGUAGE sql STABLE
	AS $$ SELECT EXISTS (SELECT 1 FROM vault.part WHERE pcanary = t) $$;
CREATE TABLE scratch.o (v text);
INSERT INTO scratch.o VALUES ('CNRY_PB_' || '8c2e');
ALTER TABLE scratch.o ENABLE ROW LEVEL SECURITY;
ALTER TABLE scratch.o FORCE ROW LEVEL SECURITY;
CREATE POLICY p ON scratch.o USING (scratch.known(v));
SELECT v FROM scratch.o;

-- @attack own_check_constraint_oracle leak
CREATE FUNCTION scratch.known(t text) RETURNS boolean LANGUAGE sql STABLE
	AS $$ SELECT EXISTS (SELECT 1 FROM vault.acct WHERE secret = t) $$;
CREATE TABLE scratch.c (v text CHECK (scratch.known(v)));
INSERT INTO scratch.c VALUES ('CNRY_TXT_' || '5e1d');
SELECT v FROM scratch.c;

-- @attack own_foreign_key_oracle leak
CREATE TABLE scratch.fk (code text REFERENCES vault.keyed (code));
INSERT INTO scratch.fk VALUES ('CNRY_FK_' || '58d3');
SELECT code FROM scratch.fk;

-- @attack own_foreign_key_oracle_deferred leak
CREATE TABLE scratch.fk (id int, code text);
INSERT INTO scratch.fk VALUES (1, 'CNRY_FK_' || '58d3');
ALTER TABLE scratch.fk ADD FOREIGN KEY (code) REFERENCES vault.keyed (code);
SELECT code FROM scratch.fk;

------------------------------------------------------------------------------
-- 17. Roles, settings, DDL and flp's own objects
------------------------------------------------------------------------------

-- @attack role_set_role_admin refuse
SET ROLE atk_admin;

-- @attack role_set_role_flp_admin refuse
SET ROLE flp_admin;

-- @attack role_set_session_authorization refuse
SET SESSION AUTHORIZATION atk_admin;

-- @attack role_grant_flp_admin refuse
-- @admin-error needs ADMIN OPTION
GRANT flp_admin TO atk_subject;

-- @attack role_reset_and_read leak
RESET ROLE;
SET ROLE NONE;
SELECT secret, num FROM vault.acct;

-- @attack guc_flp_settings_off leak
DO $$
DECLARE g text; v text;
BEGIN
	FOR g IN SELECT name FROM pg_settings WHERE name LIKE 'flp.%' LOOP
		FOREACH v IN ARRAY ARRAY['off', '0', 'false', ''] LOOP
			BEGIN
				PERFORM set_config(g, v, false);
			EXCEPTION WHEN others THEN NULL;
			END;
		END LOOP;
	END LOOP;
END $$;
SELECT * FROM vault.acct;

-- @attack guc_flp_settings_on leak
DO $$
DECLARE g text; v text;
BEGIN
	FOR g IN SELECT name FROM pg_settings WHERE name LIKE 'flp.%' LOOP
		FOREACH v IN ARRAY ARRAY['on', '1', 'true'] LOOP
			BEGIN
				PERFORM set_config(g, v, false);
			EXCEPTION WHEN others THEN NULL;
			END;
		END LOOP;
	END LOOP;
END $$;
SELECT * FROM vault.acct;

-- @attack guc_guessed_names leak
DO $$
DECLARE g text;
BEGIN
	FOREACH g IN ARRAY ARRAY['flp.enabled', 'flp.enable', 'flp.bypass', 'flp.disabled',
							 'flp.disable', 'flp.enforce', 'flp.active', 'flp.mask'] LOOP
		BEGIN
			PERFORM set_config(g, CASE WHEN g IN ('flp.bypass', 'flp.disabled', 'flp.disable')
									   THEN 'on' ELSE 'off' END, false);
		EXCEPTION WHEN others THEN NULL;
		END;
	END LOOP;
END $$;
SELECT * FROM vault.acct;

-- @attack guc_show_all leak
SELECT name, setting FROM pg_settings WHERE name LIKE 'flp%';
SHOW ALL;

-- @attack guc_row_security_off leak
-- @admin-error flp's guard forces row-level security
SET LOCAL row_security = off;
SELECT * FROM vault.acct;

-- @attack guc_session_replication_role leak
-- @admin-error superuser only
SET LOCAL session_replication_role = replica;
SELECT * FROM vault.acct;

-- @attack guc_datestyle_german leak
SET LOCAL DateStyle = 'German';
SELECT dt, dt::text, a::text FROM vault.acct a;

-- @attack guc_datestyle_sql leak
SET LOCAL DateStyle = 'SQL, DMY';
SELECT dt, to_json(dt) FROM vault.acct;

-- @attack guc_bytea_output_escape leak
SET LOCAL bytea_output = 'escape';
SELECT bin FROM vault.acct;

-- @attack guc_extra_float_digits leak
SET LOCAL extra_float_digits = 3;
SELECT num::float8, num::real FROM vault.acct;

-- @attack guc_parallel_query leak
SET LOCAL parallel_setup_cost = 0;
SET LOCAL parallel_tuple_cost = 0;
SET LOCAL min_parallel_table_scan_size = 0;
SET LOCAL max_parallel_workers_per_gather = 2;
SET LOCAL force_parallel_mode = on;
SELECT secret, num, js FROM vault.acct;

-- @attack guc_index_only_scan leak
SET LOCAL enable_seqscan = off;
SET LOCAL enable_bitmapscan = off;
SELECT secret FROM vault.acct;
SELECT num FROM vault.acct;

-- @attack guc_jit leak
SET LOCAL jit = on;
SET LOCAL jit_above_cost = 0;
SELECT secret || '', num + 0 FROM vault.acct;

-- @attack ddl_disable_rls refuse
-- @admin-error must be owner
ALTER TABLE vault.acct DISABLE ROW LEVEL SECURITY;

-- @attack ddl_drop_policy refuse
-- @admin-error must be owner
DROP POLICY flp_guard ON vault.acct;

-- @attack ddl_create_trigger refuse
-- @admin-error needs the TRIGGER privilege
CREATE FUNCTION scratch.tg() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE NOTICE 'old %', OLD; RETURN NEW; END $$;
CREATE TRIGGER tg BEFORE UPDATE ON vault.acct FOR EACH ROW EXECUTE FUNCTION scratch.tg();
UPDATE vault.acct SET note = 'x';

-- @attack ddl_create_rule refuse
-- @admin-error must be owner
CREATE RULE r AS ON UPDATE TO vault.acct DO ALSO INSERT INTO vault.sink (val) VALUES (OLD.secret);

-- @attack ddl_alter_column_type refuse
-- @admin-error must be owner
ALTER TABLE vault.acct ALTER COLUMN secret TYPE int USING length(secret);

-- @attack ddl_inherit_child refuse
-- @admin-error must be owner of the parent
CREATE TABLE scratch.child () INHERITS (vault.acct);

-- @attack ddl_attach_partition refuse
-- @admin-error must be owner of the parent
CREATE TABLE scratch.p3 PARTITION OF vault.part FOR VALUES FROM (200) TO (300);

-- @attack flp_set_permission refuse
SELECT flp.set_permission('Atk', 'vault.acct', 'secret', 'edit');

-- @attack flp_unprotect refuse
SELECT flp.unprotect('vault.acct');

-- @attack flp_exclude_field refuse
SELECT flp.exclude_field('vault.acct', 'secret');

-- @attack flp_set_mask refuse
SELECT flp.set_mask('vault.acct', 'secret', 'pg_catalog.btrim(text)');

-- @attack flp_create_bundle refuse
SELECT flp.create_bundle('Mine');

-- @attack flp_register_user refuse
SELECT flp.register_user('atk_subject', 'full', '{}');

-- @attack flp_read_bundle_catalog refuse
SELECT * FROM flp.bundle;

-- @attack flp_read_field_permission_catalog refuse
SELECT * FROM flp.field_permission;

-- @attack flp_insert_excluded_field refuse
INSERT INTO flp.excluded_field VALUES ('vault.acct', 'secret');

-- @attack flp_delete_governed_table refuse
DELETE FROM flp.governed_table;

-- @attack flp_update_field_permission refuse
UPDATE flp.field_permission SET permission = 'edit';

-- @attack flp_copy_into_assignment refuse
-- (a COPY FROM into the catalog skips the reference checks, as a restore
-- needs; only those who may write the catalog may COPY into it)
COPY flp.assignment (bundle, role) FROM PROGRAM 'echo Sales	atk_subject';

-- @attack flp_copy_stdin_field_permission refuse
COPY flp.field_permission FROM STDIN;

-- @attack flp_call_ref_check refuse
SELECT flp_internal.ref_check();

-- @attack flp_truncate_table_permission refuse
TRUNCATE flp.table_permission;

-- @attack flp_effective_of_other_role refuse
SELECT flp.effective('vault.acct', 'secret', 'atk_admin');

-- @attack flp_guard_call leak
SELECT flp.guard();

------------------------------------------------------------------------------
-- 18. Sanity: what the subject may do works as usual
------------------------------------------------------------------------------

-- @attack sanity_read_editable sanity alpha/note-1
SELECT name || '/' || note FROM vault.acct WHERE id = 1;

-- @attack sanity_update_editable sanity changed
UPDATE vault.acct SET note = 'changed' WHERE id = 1;
SELECT note FROM vault.acct WHERE id = 1;

-- @attack sanity_read_readonly sanity ro-2
SELECT ro FROM vault.acct WHERE id = 2;

-- @attack sanity_filter_readonly sanity 3
SELECT count(*) FROM vault.acct WHERE ro LIKE 'ro-%' AND ro <> 'ro-1';

-- @attack sanity_order_readonly sanity ro-4,ro-3,ro-2,ro-1
SELECT string_agg(ro, ',' ORDER BY ro DESC) FROM vault.acct;

-- @attack sanity_group_editable sanity 4
SELECT count(*) FROM (SELECT note FROM vault.acct GROUP BY note HAVING count(*) = 1) s;

-- @attack sanity_count sanity 4
SELECT count(*) FROM vault.acct;

-- @attack sanity_insert_editable sanity 5
INSERT INTO vault.acct (id, name, note) VALUES (10, 'new', 'n');
SELECT count(*) FROM vault.acct;

-- @attack sanity_delete sanity 3
DELETE FROM vault.acct WHERE id = 3;
SELECT count(*) FROM vault.acct;

-- @attack sanity_partition_count sanity 2
SELECT count(*) FROM vault.part WHERE region = 'emea';

-- @attack sanity_partition_direct sanity 101,102
SELECT string_agg(id::text, ',' ORDER BY id) FROM vault.part_b;

-- @attack sanity_form_update_editable sanity e2
UPDATE vault.form SET editable = 'e2' WHERE id = 1;
SELECT editable FROM vault.form WHERE id = 1;

-- @attack sanity_join_excluded sanity 2
SELECT count(*) FROM vault.acct a JOIN vault.part p USING (id);

-- @attack sanity_returning_editable sanity r
UPDATE vault.acct SET note = 'r' WHERE id = 1 RETURNING note;

-- @attack sanity_view_editable sanity beta
SELECT name FROM vault.v_plain WHERE id = 2;

-- @attack sanity_merge_editable sanity merged
MERGE INTO vault.acct a USING (VALUES (1)) v(id) ON a.id = v.id
	WHEN MATCHED THEN UPDATE SET note = 'merged';
SELECT note FROM vault.acct WHERE id = 1;

-- @attack sanity_insert_editable_count sanity 5
-- (COPY FROM into a governed table is refused by PostgreSQL for every role
-- subject to row-level security, flp's guard included: subjects use INSERT;
-- see copy_from_editable_refused)
INSERT INTO vault.acct (id, name, note) VALUES (11, 'inserted', 'c');
SELECT count(*) FROM vault.acct;

-- @attack copy_from_editable_refused leak
COPY vault.acct (id, name, note) FROM STDIN;
11	copied	c
\.
SELECT count(*) FROM vault.acct;

-- @attack sanity_generated_editable sanity g2
UPDATE vault.gen SET note = 'g2' WHERE id = 1;
SELECT note FROM vault.gen;

-- @attack sanity_own_permission sanity hide|read|edit
SELECT flp.effective('vault.acct', 'secret') || '|' || flp.effective('vault.acct', 'ro')
	   || '|' || flp.effective('vault.acct', 'note');

------------------------------------------------------------------------------
-- 19. A super admin sees and does everything (proves the canaries are there)
------------------------------------------------------------------------------

-- @attack admin_reads_text admin CNRY_TXT_5e1d
SELECT secret FROM vault.acct WHERE id = 1;

-- @attack admin_reads_numeric admin 918273.6455
SELECT num FROM vault.acct WHERE id = 1;

-- @attack admin_filters admin 2
SELECT count(*) FROM vault.acct WHERE secret = 'CNRY_TXT_' || '5e1d';

-- @attack admin_reads_generated admin CNRY_GEN_E4F2
SELECT shout FROM vault.gen;

-- @attack admin_reads_partition admin CNRY_PB_8c2e
SELECT pcanary FROM vault.part_b WHERE id = 101;

-- @attack admin_view_filter admin 3
SELECT count(*) FROM vault.v_filter;

-- @attack admin_copy admin CNRY_VC_77aa
COPY (SELECT vc FROM vault.acct WHERE id = 1) TO STDOUT;

-- @attack admin_prepared_then_subject admin CNRY_TXT_5e1d|****
PREPARE p AS SELECT secret FROM vault.acct WHERE id = 1;
CREATE TEMP TABLE r1 AS EXECUTE p;
SET ROLE atk_subject;
CREATE TEMP TABLE r2 AS EXECUTE p;
RESET ROLE;
SELECT (SELECT secret FROM r1) || '|' || (SELECT secret FROM r2);

-- @attack admin_subject_then_prepared admin ****|CNRY_TXT_5e1d
SET ROLE atk_subject;
PREPARE p AS SELECT secret FROM vault.acct WHERE id = 1;
CREATE TEMP TABLE r1 AS EXECUTE p;
RESET ROLE;
CREATE TEMP TABLE r2 AS EXECUTE p;
SELECT (SELECT secret FROM r1) || '|' || (SELECT secret FROM r2);

-- @attack admin_plpgsql_cached_plan admin CNRY_TXT_5e1d|****|CNRY_TXT_5e1d
CREATE TEMP TABLE r (n int, v text);
GRANT ALL ON r TO atk_subject;
INSERT INTO r SELECT 1, vault.pl_first_secret();
SET ROLE atk_subject;
INSERT INTO r SELECT 2, vault.pl_first_secret();
RESET ROLE;
INSERT INTO r SELECT 3, vault.pl_first_secret();
SELECT string_agg(v, '|' ORDER BY n) FROM r;

-- @attack admin_generic_plan_across_roles admin CNRY_TXT_5e1d|****
SET LOCAL plan_cache_mode = force_generic_plan;
PREPARE p(int) AS SELECT secret FROM vault.acct WHERE id = $1;
CREATE TEMP TABLE r1 AS EXECUTE p(1);
SET ROLE atk_subject;
CREATE TEMP TABLE r2 AS EXECUTE p(1);
RESET ROLE;
SELECT (SELECT secret FROM r1) || '|' || (SELECT secret FROM r2);

-- @attack admin_insert_hidden admin 5
INSERT INTO vault.acct (id, name, secret) VALUES (12, 'inserted', 'x');
SELECT count(*) FROM vault.acct;

-- =================================================================== rows
-- Row-level leaks: atk_partner may see company 1 and its CTAs only.

-- @attack row_select_all leak
-- @as atk_partner
SELECT * FROM vault.company;

-- @attack row_count expect 1
-- @as atk_partner
SELECT count(*) FROM vault.company;

-- @attack row_count_children expect 1
-- @as atk_partner
SELECT count(*) FROM vault.company_cta;

-- @attack row_view leak
-- @as atk_partner
SELECT * FROM vault.v_company;

-- @attack row_view_join leak
-- @as atk_partner
SELECT * FROM vault.v_company_cta;

-- @attack row_children_direct leak
-- @as atk_partner
SELECT title FROM vault.company_cta;

-- @attack row_children_by_parent_id expect 0
-- @as atk_partner
SELECT count(*) FROM vault.company_cta WHERE company_id IN (2, 3);

-- @attack row_join_children leak
-- @as atk_partner
SELECT c.name, t.title FROM vault.company_cta t LEFT JOIN vault.company c ON c.id = t.company_id;

-- @attack row_aggregate leak
-- @as atk_partner
SELECT string_agg(name, ',') FROM vault.company;

-- @attack row_exists_oracle expect f
-- @as atk_partner
SELECT EXISTS (SELECT 1 FROM vault.company WHERE id = 2);

-- @attack row_max_id expect 1
-- @as atk_partner
SELECT max(id) FROM vault.company;

-- @attack row_copy leak
-- @as atk_partner
COPY vault.company TO STDOUT;

-- @attack row_copy_query leak
-- @as atk_partner
COPY (SELECT * FROM vault.company_cta) TO STDOUT;

-- @attack row_cursor leak
-- @as atk_partner
BEGIN;
DECLARE c CURSOR FOR SELECT * FROM vault.company;
FETCH ALL FROM c;

-- @attack row_unique_violation_oracle leak
-- @as atk_partner
INSERT INTO vault.company VALUES (9, 'CNRY_ROWCO_' || '2a9f', 'x');

-- @attack row_pk_violation_oracle leak
-- @as atk_partner
INSERT INTO vault.company VALUES (2, 'x', 'y');

-- @attack row_update_invisible expect 0
-- @as atk_partner
WITH u AS (UPDATE vault.company SET region = 'x' WHERE id = 2 RETURNING *) SELECT count(*) FROM u;

-- @attack row_delete_invisible expect 0
-- @as atk_partner
WITH d AS (DELETE FROM vault.company_cta WHERE company_id = 3 RETURNING *) SELECT count(*) FROM d;

-- @attack row_move_child refuse
-- @as atk_partner
UPDATE vault.company_cta SET company_id = 2 WHERE id = 10;

-- @attack row_insert_child_under_hidden refuse
-- @as atk_partner
INSERT INTO vault.company_cta VALUES (99, 3, 'new');

-- @attack row_fk_existence_oracle leak
-- @as atk_partner
INSERT INTO vault.company_cta VALUES (98, 3, 'x');

-- @attack row_explain_analyze leak
-- @as atk_partner
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT * FROM vault.company WHERE name LIKE 'CNRY%';

-- @attack row_stats leak
-- @as atk_partner
SELECT most_common_vals, histogram_bounds FROM pg_stats WHERE tablename IN ('company', 'company_cta');

-- @attack row_assignments_table refuse
-- @as atk_partner
SELECT * FROM flp.record_assignment;

-- @attack row_record_visible_probe leak
-- @as atk_partner
SELECT flp.record_visible('vault.company', '2');

-- @attack row_record_visible_key_probe leak
-- @as atk_partner
SELECT flp_internal.record_visible_key('vault.company', k) FROM (VALUES (1), (2), (3)) v(k);

-- @attack row_record_visible_key_or_true expect 1
-- @as atk_partner
SELECT count(*) FROM vault.company WHERE flp_internal.record_visible_key('vault.company', id) OR true;

-- @attack row_record_visible_key_other_table expect 1
-- @as atk_partner
SELECT count(*) FROM vault.company WHERE NOT flp_internal.record_visible_key('vault.company_cta', id);

-- @attack row_prepared_generic_reused leak
-- @as atk_partner
SET plan_cache_mode = force_generic_plan;
PREPARE rk(int) AS SELECT name FROM vault.company WHERE id >= $1;
EXECUTE rk(0);
EXECUTE rk(0);
EXECUTE rk(0);

-- @attack row_explain_record refuse
-- @as atk_partner
SELECT * FROM flp.explain_record('vault.company', '2', 'atk_partner');

-- @attack row_own_function leak
-- @as atk_partner
CREATE FUNCTION scratch.all_companies() RETURNS SETOF vault.company LANGUAGE sql AS 'SELECT * FROM vault.company';
SELECT * FROM scratch.all_companies();

-- @attack row_security_definer_own leak
-- @as atk_partner
CREATE FUNCTION scratch.sd() RETURNS SETOF text LANGUAGE sql SECURITY DEFINER AS 'SELECT name FROM vault.company';
SELECT * FROM scratch.sd();

-- @attack row_sanity_visible sanity visible company
-- @as atk_partner
SELECT name FROM vault.company;

-- @attack row_sanity_child sanity visible cta
-- @as atk_partner
SELECT title FROM vault.company_cta;

-- @attack row_internal_sees_all sanity 3
SELECT count(*) FROM vault.company;

-- =================================================== targets of writes
-- The target of UPDATE/DELETE/MERGE/ON CONFLICT is read in place: its hidden
-- columns must be masked inside correlated sublinks too (review F1), and a
-- security_barrier view's quals on it are not trusted like policies (F2).

-- @attack target_update_sublink_set_config leak
UPDATE vault.acct SET name = (SELECT 'x' FROM set_config('x.a', acct.secret, true)) WHERE id = 2;
SHOW x.a;

-- @attack target_delete_sublink_whole_row leak
DELETE FROM vault.acct WHERE id = 2 AND (SELECT true FROM set_config('x.b', acct::text, true));
SHOW x.b;

-- @attack target_merge_when_sublink leak
MERGE INTO vault.acct t USING (VALUES (2)) s(id) ON t.id = s.id
  WHEN MATCHED AND (SELECT true FROM set_config('x.c', t.num::text, true)) THEN UPDATE SET name = t.name;
SHOW x.c;

-- @attack target_on_conflict_sublink leak
INSERT INTO vault.acct (id, name) VALUES (2, 'x') ON CONFLICT (id)
  DO UPDATE SET name = (SELECT 'y' FROM set_config('x.d', acct.pin::text || ' ' || acct.dt, true));
SHOW x.d;

-- @attack target_partition_sublink leak
UPDATE vault.part SET region = (SELECT 'x' FROM set_config('x.e', part.pcanary, true)) WHERE id = 101;
SHOW x.e;

-- @attack target_limit_cast_error leak
DELETE FROM vault.acct WHERE id = 2 AND id IN (SELECT 2 LIMIT acct.secret::int);

-- @attack target_srf_cast_error leak
UPDATE vault.acct SET name = name WHERE id = 2 AND EXISTS (SELECT 1 FROM generate_series(1, acct.vc::int));

-- @attack target_own_rule leak
CREATE TABLE scratch.own (id int, v text);
CREATE RULE r AS ON UPDATE TO scratch.own DO INSTEAD
  UPDATE vault.acct SET name = new.v WHERE id = old.id AND (SELECT true FROM set_config('x.f', acct.ch::text, true));
INSERT INTO scratch.own VALUES (2, 'a');
UPDATE scratch.own SET v = 'b';
SHOW x.f;

-- @attack target_view_check_option leak
CREATE VIEW scratch.cv AS SELECT * FROM vault.acct
  WHERE (SELECT true FROM set_config('x.g', acct.js::text, true)) WITH CHECK OPTION;
INSERT INTO scratch.cv (id, name) VALUES (2, 'n') ON CONFLICT (id) DO UPDATE SET name = 'n2';
SHOW x.g;

-- @attack target_data_modifying_cte leak
WITH u AS (UPDATE vault.acct SET name = (SELECT 'x' FROM set_config('x.h', acct.nm::text, true)) WHERE id = 2 RETURNING id)
SELECT count(*) FROM u;
SHOW x.h;

-- @attack sb_view_update_oracle refuse
CREATE VIEW scratch.sbv WITH (security_barrier) AS
  SELECT * FROM vault.acct WHERE secret LIKE 'C%';
UPDATE scratch.sbv SET name = name WHERE id = 2;

-- @attack sb_view_delete_reads_other_table leak
CREATE VIEW scratch.sbv3 WITH (security_barrier) AS SELECT * FROM vault.acct
  WHERE (SELECT true FROM vault.keyed k, set_config('x.k', k.code, true) s WHERE k.id = 1);
DELETE FROM scratch.sbv3 WHERE id = 1;
SHOW x.k;

-- @attack sb_view_delete_returning_oracle refuse
CREATE VIEW scratch.sbv4 WITH (security_barrier) AS
  SELECT * FROM vault.acct WHERE vc LIKE 'C%';
DELETE FROM scratch.sbv4 RETURNING id;

-- =================================================== order, partitions, set operations
-- @attack index_order_of_hidden expect 1 2 3 4
SET enable_seqscan = off;
SET enable_bitmapscan = off;
SELECT string_agg(id::text, ' ') FROM (SELECT id FROM vault.ordered WHERE grp = 1) s;

-- @attack index_only_order_of_hidden expect 1 2 3 4
SET enable_seqscan = off;
SET enable_bitmapscan = off;
SELECT string_agg(id::text, ' ') FROM (SELECT id FROM vault.ordered WHERE grp = 1 AND id > 0) s;

-- @attack partition_tableoid_join refuse
SELECT s.id, pg_get_expr(c.relpartbound, c.oid) FROM vault.scored s JOIN pg_class c ON c.oid = s.tableoid;

-- @attack partition_tableoid_where refuse
SELECT id FROM vault.scored WHERE tableoid = 'vault.scored_hi'::regclass;

-- @attack partition_tableoid_masked expect 1
SELECT count(DISTINCT tableoid) FROM vault.scored;

-- @attack partition_tableoid_wholerow leak
SELECT row_to_json(s), s.tableoid FROM vault.scored s;

-- @attack partition_tableoid_wholerow_count expect t
SELECT count(DISTINCT (s.tableoid, row_to_json(s)::text)) > 0 FROM vault.scored s;

-- @attack partition_tableoid_group refuse
SELECT tableoid::regclass, count(*) FROM vault.scored GROUP BY tableoid;

-- @attack setop_order_by_second_branch refuse
SELECT name FROM vault.acct UNION ALL SELECT secret FROM vault.acct ORDER BY 1;

-- @attack setop_distinct_on_second_branch refuse
SELECT * FROM (SELECT name FROM vault.acct UNION SELECT secret FROM vault.acct) u ORDER BY 1;

-- @attack outer_aggregate_filter refuse
SELECT (SELECT count(*) FILTER (WHERE a.secret LIKE 'C%') FROM vault.part LIMIT 1) FROM vault.acct a;

------------------------------------------------------------------------------
-- 20. Code that runs on hidden values is trusted code (classes 7, 12)
------------------------------------------------------------------------------

-- @attack mask_search_path_function expect C***
CREATE FUNCTION scratch.left(text, int) RETURNS text IMMUTABLE LANGUAGE sql RETURN $1;
SET search_path = scratch, pg_catalog;
SELECT email FROM vault.masked;

-- @attack mask_search_path_operator expect C***
CREATE FUNCTION scratch.cat(text, text) RETURNS text IMMUTABLE LANGUAGE sql RETURN $1 || $2 || $1;
CREATE OPERATOR scratch.|| (LEFTARG = text, RIGHTARG = text, FUNCTION = scratch.cat);
SET search_path = scratch, pg_catalog;
SELECT email FROM vault.masked;

-- @attack mask_search_path_whole_row leak
CREATE FUNCTION scratch.left(text, int) RETURNS text IMMUTABLE LANGUAGE sql RETURN $1;
SET search_path = scratch, pg_catalog;
SELECT m::text, row_to_json(m) FROM vault.masked m;

-- @attack mask_own_function_refused refuse
CREATE FUNCTION scratch.peek(text) RETURNS text STABLE LANGUAGE sql RETURN $1;
SELECT flp.set_mask('vault.masked', 'email', 'scratch.peek(text)');

------------------------------------------------------------------------------
-- 21. A member of flp_admin who is not a superuser gains nothing (class 1)
------------------------------------------------------------------------------

-- @attack admin_rule_splice_superuser admin false|false
CREATE TEMP TABLE o (v text);
DO $d$ BEGIN
	PERFORM flp.add_data_rule('vault.acct', $p$true))); ALTER ROLE atk_admin SUPERUSER; SELECT (((true$p$);
EXCEPTION WHEN OTHERS THEN NULL; END $d$;
DO $d$ BEGIN
	INSERT INTO flp.data_rule (tbl, predicate) VALUES ('vault.acct', $p$true))); ALTER ROLE atk_admin SUPERUSER; SELECT (((true$p$);
	PERFORM flp_internal.compile_policies('vault.acct');
EXCEPTION WHEN OTHERS THEN NULL; END $d$;
SELECT rolsuper::text || '|' || (SELECT count(*) > 0 FROM flp.data_rule)::text
  FROM pg_roles WHERE rolname = current_user;

-- @attack admin_rule_widen_other admin 0
CREATE TEMP TABLE o (v text);
DO $d$ BEGIN
	PERFORM flp.add_data_rule('vault.acct', 'false) OR (true', 'read', 'Atk');
EXCEPTION WHEN OTHERS THEN NULL; END $d$;
SELECT count(*) FROM flp.data_rule;

-- @attack admin_eval_rule_reads_file admin 0A000
CREATE TEMP TABLE o (v text);
DO $d$ BEGIN
	PERFORM flp_internal.eval_rule('vault.acct', 'id', '1', $p$(SELECT pg_read_file('postgresql.conf'))::int > 0$p$, 'atk_subject');
	INSERT INTO o VALUES ('ran');
EXCEPTION WHEN deadlock_detected OR lock_not_available THEN RAISE; WHEN OTHERS THEN INSERT INTO o VALUES (SQLSTATE); END $d$;
SELECT v FROM o;

-- @attack admin_eval_rule_volatile_file admin 42501
CREATE TEMP TABLE o (v text);
DO $d$ BEGIN
	PERFORM flp_internal.eval_rule('vault.acct', 'id', '1', $p$pg_read_file('postgresql.conf') IS NOT NULL$p$, 'atk_subject');
	INSERT INTO o VALUES ('ran');
EXCEPTION WHEN deadlock_detected OR lock_not_available THEN RAISE; WHEN OTHERS THEN INSERT INTO o VALUES (SQLSTATE); END $d$;
SELECT v FROM o;

-- @attack admin_eval_rule_runs_as_caller admin t
SELECT flp_internal.eval_rule('vault.acct', 'id', '1', $p$current_user = 'atk_admin'$p$, 'atk_subject');

-- @attack admin_plants_mask admin 42501|0
CREATE TEMP TABLE o (v text);
CREATE FUNCTION scratch.plant(text) RETURNS text STABLE LANGUAGE sql RETURN $1;
DO $d$ BEGIN
	INSERT INTO flp.field_mask VALUES ('vault.acct', 'secret', 'scratch.plant(text)');
	INSERT INTO o VALUES ('ran');
EXCEPTION WHEN deadlock_detected OR lock_not_available THEN RAISE; WHEN OTHERS THEN INSERT INTO o VALUES (SQLSTATE); END $d$;
SELECT v || '|' || (SELECT count(*) FROM flp.field_mask WHERE tbl = 'vault.acct'::regclass) FROM o;

-- @attack admin_plants_rule_function admin 42501
CREATE TEMP TABLE o (v text);
CREATE FUNCTION scratch.plant_rule(text) RETURNS boolean STABLE LANGUAGE sql RETURN true;
DO $d$ BEGIN
	PERFORM flp.add_data_rule('vault.acct', 'scratch.plant_rule(secret)');
	INSERT INTO o VALUES ('ran');
EXCEPTION WHEN deadlock_detected OR lock_not_available THEN RAISE; WHEN OTHERS THEN INSERT INTO o VALUES (SQLSTATE); END $d$;
SELECT v FROM o;

-- @attack admin_governs_view admin 42809
CREATE TEMP TABLE o (v text);
CREATE VIEW scratch.v AS SELECT 1 AS id;
DO $d$ BEGIN
	INSERT INTO flp.governed_table VALUES ('scratch.v', 'hide');
	INSERT INTO o VALUES ('ran');
EXCEPTION WHEN deadlock_detected OR lock_not_available THEN RAISE; WHEN OTHERS THEN INSERT INTO o VALUES (SQLSTATE); END $d$;
SELECT v FROM o;

-- @attack admin_every_function_spliced admin false|false|false|false
-- every flp function atk_admin may call, with text arguments that would
-- break out of a quoted literal, identifier or expression
DO $d$
DECLARE
	f record;
	payload text;
	args text;
	t regtype;
BEGIN
	FOR f IN SELECT p.oid, p.oid::regproc::text AS name, p.proargtypes
			   FROM pg_proc p
			  WHERE p.pronamespace = 'flp'::regnamespace AND p.prokind = 'f'
				AND p.prorettype NOT IN ('trigger'::regtype, 'event_trigger'::regtype)
				AND has_function_privilege(p.oid, 'execute')
	LOOP
		FOREACH payload IN ARRAY ARRAY[
			$p$x'); ALTER ROLE atk_admin SUPERUSER; --$p$,
			$p$x"; ALTER ROLE atk_admin SUPERUSER; --$p$,
			$p$true))); ALTER ROLE atk_admin SUPERUSER; SELECT (((true$p$,
			$p$$$; ALTER ROLE atk_admin SUPERUSER; --$p$,
			$p$x%I%s%L'); ALTER ROLE atk_admin CREATEROLE; --$p$]
		LOOP
			args := '';
			FOREACH t IN ARRAY f.proargtypes::regtype[] LOOP
				args := args || CASE WHEN args = '' THEN '' ELSE ', ' END || CASE t
					WHEN 'text'::regtype THEN quote_literal(payload)
					WHEN 'name'::regtype THEN quote_literal(payload) || '::name'
					WHEN 'regclass'::regtype THEN '''vault.acct''::regclass'
					WHEN 'regclass[]'::regtype THEN '''{vault.acct}''::regclass[]'
					WHEN 'regrole'::regtype THEN '''atk_subject''::regrole'
					WHEN 'regprocedure'::regtype THEN '''flp.mask_last4(text)''::regprocedure'
					WHEN 'jsonb'::regtype THEN quote_literal(jsonb_build_object(payload, payload)::text) || '::jsonb'
					WHEN 'boolean'::regtype THEN 'true'
					WHEN 'integer'::regtype THEN '1'
					WHEN 'bigint'::regtype THEN '1'
					WHEN 'oid'::regtype THEN '0'
					WHEN 'anyelement'::regtype THEN '1'
					WHEN 'flp.permission'::regtype THEN '''read''::flp.permission'
					WHEN 'flp.license'::regtype THEN '''full''::flp.license'
					WHEN 'flp.bundle_kind'::regtype THEN '''internal''::flp.bundle_kind'
					ELSE 'NULL::' || t::text END;
			END LOOP;
			BEGIN
				EXECUTE format('SELECT %s(%s)', f.name, args);
			EXCEPTION WHEN OTHERS THEN NULL;
			END;
		END LOOP;
	END LOOP;
END $d$;
SELECT rolsuper::text || '|' || rolcreaterole::text || '|' || rolbypassrls::text || '|' ||
	   pg_has_role('pg_read_server_files', 'member')::text
  FROM pg_roles WHERE rolname = current_user;

-- @attack admin_every_catalog_table_spliced admin false|false
-- every text and name column of every catalog table atk_admin may write,
-- then everything that compiles the catalog into SQL
DO $d$
DECLARE
	c record;
	payload text := $p$x'); ALTER ROLE atk_admin SUPERUSER; --$p$;
BEGIN
	FOR c IN SELECT a.attrelid::regclass AS tbl, a.attname
			   FROM pg_attribute a JOIN pg_class k ON k.oid = a.attrelid
			  WHERE k.relnamespace = 'flp'::regnamespace AND k.relkind = 'r'
				AND a.attnum > 0 AND NOT a.attisdropped AND a.atttypid IN ('text'::regtype, 'name'::regtype)
				AND has_table_privilege(k.oid, 'update')
	LOOP
		BEGIN
			EXECUTE format('UPDATE %s SET %I = %L', c.tbl, c.attname, payload);
		EXCEPTION WHEN OTHERS THEN NULL;
		END;
	END LOOP;
	/* and a new row in every table it may insert into, text and name columns spliced */
	FOR c IN SELECT k.oid::regclass AS tbl,
					string_agg(CASE WHEN a.atttypid IN ('text'::regtype, 'name'::regtype)
									THEN quote_literal(payload) || '::' || format_type(a.atttypid, NULL)
									ELSE quote_ident(a.attname) END, ', ' ORDER BY a.attnum) AS cols,
					string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum) AS names
			   FROM pg_class k JOIN pg_attribute a ON a.attrelid = k.oid
			  WHERE k.relnamespace = 'flp'::regnamespace AND k.relkind = 'r'
				AND a.attnum > 0 AND NOT a.attisdropped AND a.attidentity = ''
				AND has_table_privilege(k.oid, 'insert')
			  GROUP BY k.oid
	LOOP
		BEGIN
			EXECUTE format('INSERT INTO %s (%s) SELECT %s FROM %s LIMIT 1', c.tbl, c.names, c.cols, c.tbl);
		EXCEPTION WHEN OTHERS THEN NULL;
		END;
	END LOOP;
	BEGIN
		PERFORM flp_internal.compile_policies('vault.acct');
	EXCEPTION WHEN OTHERS THEN NULL;
	END;
	BEGIN
		PERFORM flp_internal.compile_policies('vault.company_cta');
	EXCEPTION WHEN OTHERS THEN NULL;
	END;
END $d$;
SELECT rolsuper::text || '|' || rolcreaterole::text FROM pg_roles WHERE rolname = current_user;

-- @attack internal_helpers_not_public refuse
SELECT flp_internal.tree('vault.acct');

-- @attack internal_eval_rule_not_public refuse
SELECT flp_internal.eval_rule('vault.acct', 'id', '1', 'true', 'atk_subject');

------------------------------------------------------------------------------
-- 22. Writes through defaults the statement does not name (class 2)
------------------------------------------------------------------------------

-- @attack write_view_default_hidden refuse
CREATE VIEW scratch.v AS SELECT * FROM vault.acct;
ALTER VIEW scratch.v ALTER COLUMN secret SET DEFAULT 'chosen';
INSERT INTO scratch.v (id, name) VALUES (100, 'n');

-- @attack write_view_default_readonly refuse
CREATE VIEW scratch.v AS SELECT * FROM vault.acct;
ALTER VIEW scratch.v ALTER COLUMN ro SET DEFAULT 'chosen';
INSERT INTO scratch.v (id, name) VALUES (100, 'n');

-- @attack write_view_default_values refuse
CREATE VIEW scratch.v AS SELECT * FROM vault.acct;
ALTER VIEW scratch.v ALTER COLUMN id SET DEFAULT 100;
ALTER VIEW scratch.v ALTER COLUMN pin SET DEFAULT 7;
INSERT INTO scratch.v DEFAULT VALUES;

-- @attack write_view_default_subset_view refuse
CREATE VIEW scratch.v AS SELECT id, grp, secret FROM vault.uniq;
ALTER VIEW scratch.v ALTER COLUMN secret SET DEFAULT 'CNRY_UQ_' || 'guess';
INSERT INTO scratch.v (id, grp) VALUES (100, 1);

-- @attack write_view_default_unique_oracle refuse
-- a unique (grp, secret) constraint would answer whether the guess exists
CREATE VIEW scratch.v AS SELECT * FROM vault.uniq;
ALTER VIEW scratch.v ALTER COLUMN secret SET DEFAULT 'CNRY_UQ_' || '6b1a';
INSERT INTO scratch.v (id, grp) VALUES (100, 1);

-- @attack write_view_default_nested refuse
CREATE VIEW scratch.v1 AS SELECT * FROM vault.acct;
CREATE VIEW scratch.v2 AS SELECT * FROM scratch.v1;
ALTER VIEW scratch.v1 ALTER COLUMN secret SET DEFAULT 'chosen';
INSERT INTO scratch.v2 (id, name) VALUES (100, 'n');

-- @attack write_view_default_on_conflict refuse
CREATE VIEW scratch.v AS SELECT * FROM vault.acct;
ALTER VIEW scratch.v ALTER COLUMN secret SET DEFAULT 'chosen';
INSERT INTO scratch.v (id, name) VALUES (1, 'n') ON CONFLICT (id) DO NOTHING;

-- @attack write_view_default_prepared refuse
CREATE VIEW scratch.v AS SELECT * FROM vault.acct;
ALTER VIEW scratch.v ALTER COLUMN secret SET DEFAULT 'chosen';
PREPARE ins(int) AS INSERT INTO scratch.v (id, name) VALUES ($1, 'n');
EXECUTE ins(100);

-- @attack sanity_view_insert_editable sanity 1
CREATE VIEW scratch.v AS SELECT * FROM vault.acct;
ALTER VIEW scratch.v ALTER COLUMN name SET DEFAULT 'dflt';
INSERT INTO scratch.v (id) VALUES (100);
SELECT count(*) FROM vault.acct WHERE id = 100 AND name = 'dflt';

------------------------------------------------------------------------------
-- 23. Subjects with BYPASSRLS; TRUNCATE past row rules (class 6)
------------------------------------------------------------------------------

-- @attack bypassrls_select leak
-- @as atk_etl
SELECT * FROM vault.acct;

-- @attack bypassrls_copy_table leak
-- @as atk_etl
COPY vault.acct TO STDOUT;

-- @attack bypassrls_copy_columns leak
-- @as atk_etl
COPY vault.acct (secret, vc, num, pin, js) TO STDOUT;

-- @attack bypassrls_copy_partition leak
-- @as atk_etl
COPY vault.part_b TO STDOUT;

-- @attack bypassrls_pg_stats expect 0
-- @as atk_etl
SELECT count(*) FROM pg_stats WHERE schemaname = 'vault';

-- @attack bypassrls_pg_stats_values leak
-- @as atk_etl
SELECT most_common_vals::text, histogram_bounds::text FROM pg_stats WHERE schemaname = 'vault';

-- @attack bypassrls_pg_stats_ext leak
-- @as atk_etl
CREATE STATISTICS scratch.s (mcv) ON grp, secret FROM vault.uniq;
SELECT * FROM pg_stats_ext WHERE schemaname = 'vault';

-- @attack bypassrls_unique_detail refuse
-- @as atk_etl
INSERT INTO vault.uniq (id, grp) VALUES (3, 1);
UPDATE vault.uniq SET grp = 2 WHERE id = 1;

-- @attack bypassrls_update_detail refuse
-- @as atk_etl
UPDATE vault.uniq SET grp = 2 WHERE id = 1;

-- @attack bypassrls_check_detail refuse
-- @as atk_etl
UPDATE vault.acct SET note = 'forbidden' WHERE id = 1;

-- @attack bypassrls_partner_rows refuse
-- @as atk_etl
SELECT * FROM vault.company;

-- @attack bypassrls_copy_from_detail refuse
-- @as atk_etl
COPY vault.uniq (id, grp) FROM STDIN WITH (FORMAT csv);
3,1
\.

-- @attack truncate_scoped_partner refuse
-- @as atk_partner
TRUNCATE vault.company_cta;

-- @attack truncate_scoped_subject refuse
TRUNCATE vault.company CASCADE;

------------------------------------------------------------------------------
-- 24. EXCLUDED: the proposed row (class 3)
------------------------------------------------------------------------------

-- @attack excluded_set_hidden refuse
INSERT INTO vault.acct (id, name) VALUES (1, 'x') ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.secret RETURNING name;

-- @attack excluded_whole_row refuse
INSERT INTO vault.acct (id, name) VALUES (1, 'x') ON CONFLICT (id) DO UPDATE SET name = EXCLUDED::text RETURNING name;

-- @attack excluded_where refuse
INSERT INTO vault.acct (id, name) VALUES (1, 'x') ON CONFLICT (id) DO UPDATE SET name = 'y' WHERE EXCLUDED.secret LIKE 'C%';

-- @attack excluded_json_where refuse
INSERT INTO vault.acct (id, name) VALUES (1, 'x') ON CONFLICT (id) DO UPDATE SET name = 'y' WHERE row_to_json(EXCLUDED)::text LIKE '%C%';

-- @attack excluded_sublink refuse
INSERT INTO vault.acct (id, name) VALUES (1, 'x') ON CONFLICT (id) DO UPDATE SET name = (SELECT EXCLUDED.secret);

-- @attack excluded_error refuse
INSERT INTO vault.acct (id, name) VALUES (1, 'x') ON CONFLICT (id) DO UPDATE SET name = (EXCLUDED.secret::int)::text;

-- @attack excluded_through_view refuse
CREATE VIEW scratch.v AS SELECT id, name, secret AS s FROM vault.acct;
INSERT INTO scratch.v (id, name) VALUES (1, 'x') ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.s;

-- @attack excluded_view_default refuse
CREATE VIEW scratch.v AS SELECT * FROM vault.acct;
ALTER VIEW scratch.v ALTER COLUMN secret SET DEFAULT 'chosen';
INSERT INTO scratch.v (id, name) VALUES (1, 'x') ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name;

-- @attack excluded_readonly_visible expect ro-1
INSERT INTO vault.acct (id, name, note) VALUES (1, 'x', 'n') ON CONFLICT (id) DO UPDATE SET note = vault.acct.ro RETURNING note;

------------------------------------------------------------------------------
-- 25. Partition membership at any level (class 4)
------------------------------------------------------------------------------

-- @attack subpartition_tableoid_masked expect 1
SELECT count(DISTINCT tableoid) FROM vault.tiered WHERE region = 'emea';

-- @attack subpartition_tableoid_select expect 2
SELECT count(DISTINCT t.tableoid::regclass::text) + 1 FROM vault.tiered t;

-- @attack subpartition_tableoid_where refuse
SELECT id FROM vault.tiered WHERE tableoid = 'vault.tiered_emea_hi'::regclass;

-- @attack subpartition_tableoid_join refuse
SELECT t.id, c.relname FROM vault.tiered t JOIN pg_class c ON c.oid = t.tableoid;

-- @attack subpartition_tableoid_cte refuse
WITH x AS (SELECT id, tableoid AS part FROM vault.tiered) SELECT id FROM x WHERE part::regclass::text LIKE '%hi';

-- @attack subpartition_tableoid_update_returning expect 1
WITH u AS (UPDATE vault.tiered SET id = id RETURNING tableoid)
SELECT count(DISTINCT tableoid) FROM u WHERE true;

-- @attack subpartition_tableoid_delete_returning expect 1
WITH d AS (DELETE FROM vault.tiered WHERE region = 'emea' RETURNING tableoid)
SELECT count(DISTINCT tableoid) FROM d;

-- @attack subpartition_tableoid_group refuse
SELECT tableoid, count(*) FROM vault.tiered GROUP BY tableoid;

-- @attack partition_tableoid_update_returning expect 1
WITH u AS (UPDATE vault.scored SET id = id RETURNING tableoid) SELECT count(DISTINCT tableoid) FROM u;

-- @attack partition_tableoid_delete_returning expect 1
WITH d AS (DELETE FROM vault.scored RETURNING tableoid::regclass) SELECT count(DISTINCT tableoid) FROM d;

------------------------------------------------------------------------------
-- 26. EXPLAIN as an oracle (class 5; flp.subject_explain = refuse)
------------------------------------------------------------------------------

-- @attack explain_analyze_rows_removed_partner refuse
-- @as atk_partner
SET enable_seqscan = off;
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT id FROM vault.company WHERE name >= 'M' AND name < 'N';

-- @attack explain_estimates_partner refuse
-- @as atk_partner
EXPLAIN SELECT id FROM vault.company WHERE name >= 'M';

-- @attack explain_estimates_hidden_subject refuse
EXPLAIN SELECT id FROM vault.acct;

-- @attack explain_partition_counts refuse
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT id FROM vault.scored;

-- @attack explain_in_plpgsql refuse
DO $$ DECLARE r text; BEGIN
	FOR r IN EXECUTE 'EXPLAIN ANALYZE SELECT id FROM vault.company WHERE name > ''M''' LOOP
		RAISE NOTICE '%', r;
	END LOOP;
END $$;

-- @attack explain_through_view refuse
CREATE VIEW scratch.v AS SELECT id FROM vault.acct;
EXPLAIN (ANALYZE) SELECT * FROM scratch.v;

-- @attack explain_set_full refuse
SET flp.subject_explain = 'full';

------------------------------------------------------------------------------
-- 27. Roles and grants that read around flp (class 13)
------------------------------------------------------------------------------

-- @attack own_trigger_new_row refuse
CREATE TABLE scratch.loot (v text);
CREATE FUNCTION scratch.grab() RETURNS trigger LANGUAGE plpgsql AS
	$f$BEGIN INSERT INTO scratch.loot VALUES (NEW.email); RETURN NEW; END$f$;
CREATE TRIGGER grab BEFORE UPDATE ON vault.masked FOR EACH ROW EXECUTE FUNCTION scratch.grab();
UPDATE vault.masked SET note = 'x';
SELECT v FROM scratch.loot;

-- @attack own_trigger_transition_table refuse
CREATE TABLE scratch.loot (v text);
CREATE FUNCTION scratch.grab() RETURNS trigger LANGUAGE plpgsql AS
	$f$BEGIN INSERT INTO scratch.loot SELECT email FROM o; RETURN NULL; END$f$;
CREATE TRIGGER grab AFTER UPDATE ON vault.masked REFERENCING OLD TABLE AS o
	FOR EACH STATEMENT EXECUTE FUNCTION scratch.grab();
UPDATE vault.masked SET note = 'x';
SELECT v FROM scratch.loot;

-- @attack own_constraint_trigger refuse
CREATE FUNCTION scratch.grab() RETURNS trigger LANGUAGE plpgsql AS
	$f$BEGIN RAISE EXCEPTION '%', NEW.email; END$f$;
CREATE CONSTRAINT TRIGGER grab AFTER UPDATE ON vault.masked FOR EACH ROW EXECUTE FUNCTION scratch.grab();
UPDATE vault.masked SET note = 'x';

-- @attack grant_self_flp_admin refuse
GRANT flp_admin TO atk_subject;

-- @attack security_check_subject refuse
SELECT * FROM flp.security_check();

-- @attack admin_security_check_runs admin t
SELECT count(*) >= 0 FROM flp.security_check();

------------------------------------------------------------------------------
-- 28. Sequences that fill hidden fields; constant values in unique indexes (class 9)
------------------------------------------------------------------------------

-- @attack seq_currval_after_insert refuse
INSERT INTO vault.ticket (id, title) VALUES (10, 'x');
SELECT currval('vault.ticket_seqno_seq');

-- @attack seq_currval_identity refuse
INSERT INTO vault.ticket (id, title) VALUES (10, 'x');
SELECT currval('vault.ticket_code_seq');

-- @attack seq_lastval refuse
INSERT INTO vault.ticket (id, title) VALUES (10, 'x');
SELECT lastval();

-- @attack seq_nextval_bracket refuse
SELECT nextval('vault.ticket_seqno_seq');
INSERT INTO vault.ticket (id, title) VALUES (10, 'x');
SELECT nextval('vault.ticket_seqno_seq');

-- @attack seq_setval refuse
SELECT setval('vault.ticket_seqno_seq', 1000);

-- @attack seq_select_relation refuse
SELECT last_value, is_called FROM vault.ticket_seqno_seq;

-- @attack seq_last_value_function refuse
SELECT pg_sequence_last_value('vault.ticket_seqno_seq');

-- @attack seq_dynamic_name refuse
SELECT currval(('vault.ticket_' || 'seqno_seq')::regclass);

-- @attack seq_returning_currval refuse
INSERT INTO vault.ticket (id, title) VALUES (10, 'x') RETURNING currval('vault.ticket_seqno_seq');

-- @attack seq_in_plpgsql refuse
DO $$ BEGIN
	INSERT INTO vault.ticket (id, title) VALUES (10, 'x');
	RAISE NOTICE '%', currval('vault.ticket_seqno_seq');
END $$;

-- @attack seq_insert_explicit_nextval refuse
INSERT INTO vault.ticket (id, title) VALUES (nextval('vault.ticket_seqno_seq'), 'x');

-- @attack sanity_seq_insert_default sanity 1|null
INSERT INTO vault.ticket (id, title) VALUES (10, 'x');
SELECT count(*) || '|' || coalesce(max(seqno)::text, 'null') FROM vault.ticket WHERE id = 10;

-- @attack unique_nulls_not_distinct_oracle refuse
INSERT INTO vault.nnd (id, name) VALUES (5, 'c');

-- @attack unique_nulls_not_distinct_upsert refuse
INSERT INTO vault.nnd (id, name) VALUES (5, 'c') ON CONFLICT DO NOTHING;

------------------------------------------------------------------------------
-- 29. Hidden values that size results compute on the mask (class 9)
------------------------------------------------------------------------------

-- @attack limit_sized_by_hidden expect 4
SELECT count(*) FROM (SELECT id FROM vault.acct LIMIT (SELECT length(secret) FROM vault.acct WHERE id = 1)) s;

-- @attack srf_sized_by_hidden expect 0
SELECT count(*) FROM generate_series(1, (SELECT pin FROM vault.acct WHERE id = 1));

-- @attack offset_sized_by_hidden expect 4
SELECT count(*) FROM (SELECT id FROM vault.acct OFFSET (SELECT pin FROM vault.acct WHERE id = 1)) s;

------------------------------------------------------------------------------
-- 30. Existence of out-of-scope rows through ON CONFLICT and MERGE (class 8)
------------------------------------------------------------------------------

-- @attack row_on_conflict_nothing refuse
-- @as atk_partner
INSERT INTO vault.company (id, name) VALUES (2, 'probe') ON CONFLICT DO NOTHING RETURNING id;

-- @attack row_on_conflict_update refuse
-- @as atk_partner
INSERT INTO vault.company (id, name) VALUES (2, 'probe') ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name;

-- @attack row_child_on_conflict refuse
-- @as atk_partner
INSERT INTO vault.company_cta (id, company_id) VALUES (2, 1) ON CONFLICT DO NOTHING RETURNING id;

-- @attack row_merge_probe leak
-- @as atk_partner
MERGE INTO vault.company t USING (VALUES (2, 'probe')) s(id, name) ON t.id = s.id
WHEN MATCHED THEN UPDATE SET name = s.name
WHEN NOT MATCHED THEN INSERT (id, name) VALUES (s.id, s.name);
SELECT count(*) FROM vault.company;

-- @attack explain_execute_prepared refuse
PREPARE p AS SELECT id FROM vault.acct WHERE secret > 'M';
EXPLAIN (ANALYZE) EXECUTE p;

-- @attack explain_execute_partner refuse
-- @as atk_partner
PREPARE p AS SELECT id FROM vault.company WHERE name >= 'M';
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) EXECUTE p;

------------------------------------------------------------------------------
-- 31. Second red-team round: code through types, SQL-running built-ins,
--     unguarded governed tables, counters, EXPLAIN EXECUTE
------------------------------------------------------------------------------

-- @attack admin_rule_domain_check admin 42501
CREATE TEMP TABLE o (v text);
CREATE FUNCTION scratch.spy(text) RETURNS boolean VOLATILE LANGUAGE plpgsql AS
	$f$BEGIN IF (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN EXECUTE 'ALTER ROLE atk_admin SUPERUSER'; END IF; RETURN true; END$f$;
CREATE DOMAIN scratch.d AS text CHECK (scratch.spy(VALUE));
DO $d$ BEGIN
	PERFORM flp.add_data_rule('vault.acct', '(name::scratch.d) IS NOT NULL');
	INSERT INTO o VALUES ('ran');
EXCEPTION WHEN deadlock_detected OR lock_not_available THEN RAISE; WHEN OTHERS THEN INSERT INTO o VALUES (SQLSTATE); END $d$;
SELECT v FROM o;

-- @attack admin_rule_composite_domain admin 42501
CREATE TEMP TABLE o (v text);
CREATE FUNCTION scratch.spy(text) RETURNS boolean VOLATILE LANGUAGE sql RETURN true;
CREATE DOMAIN scratch.d AS text CHECK (scratch.spy(VALUE));
CREATE TYPE scratch.c2 AS (f scratch.d);
DO $d$ BEGIN
	PERFORM flp.add_data_rule('vault.acct', $p$jsonb_populate_record(NULL::scratch.c2, jsonb_build_object('f', name)) IS NOT NULL$p$);
	INSERT INTO o VALUES ('ran');
EXCEPTION WHEN deadlock_detected OR lock_not_available THEN RAISE; WHEN OTHERS THEN INSERT INTO o VALUES (SQLSTATE); END $d$;
SELECT v FROM o;

-- @attack admin_rule_table_to_xml admin 42501
CREATE TEMP TABLE o (v text);
CREATE FUNCTION scratch.spy() RETURNS boolean VOLATILE LANGUAGE sql RETURN true;
CREATE VIEW scratch.v AS SELECT scratch.spy() AS x;
DO $d$ BEGIN
	PERFORM flp.add_data_rule('vault.acct', $p$table_to_xml('scratch.v'::regclass, true, true, '') IS NOT NULL$p$);
	INSERT INTO o VALUES ('ran');
EXCEPTION WHEN deadlock_detected OR lock_not_available THEN RAISE; WHEN OTHERS THEN INSERT INTO o VALUES (SQLSTATE); END $d$;
SELECT v FROM o;

-- @attack admin_rule_update_domain admin 42501
CREATE TEMP TABLE o (v text);
CREATE FUNCTION scratch.spy(text) RETURNS boolean VOLATILE LANGUAGE sql RETURN true;
CREATE DOMAIN scratch.d AS text CHECK (scratch.spy(VALUE));
DO $d$ DECLARE r bigint; BEGIN
	r := flp.add_data_rule('vault.acct', 'name IS NOT NULL');
	UPDATE flp.data_rule SET predicate = '(name::scratch.d) IS NOT NULL' WHERE id = r;
	INSERT INTO o VALUES ('ran');
EXCEPTION WHEN deadlock_detected OR lock_not_available THEN RAISE; WHEN OTHERS THEN INSERT INTO o VALUES (SQLSTATE); END $d$;
SELECT v FROM o;

-- @attack admin_governs_catalog admin 42809
CREATE TEMP TABLE o (v text);
DO $d$ BEGIN
	INSERT INTO flp.governed_table VALUES ('pg_catalog.pg_class', 'hide');
	INSERT INTO o VALUES ('ran');
EXCEPTION WHEN deadlock_detected OR lock_not_available THEN RAISE; WHEN OTHERS THEN INSERT INTO o VALUES (SQLSTATE); END $d$;
SELECT v FROM o;

-- @attack counters_partner_xact refuse
-- @as atk_partner
SELECT count(*) FROM vault.company WHERE name = 'x';
SELECT idx_tup_fetch, seq_tup_read FROM pg_stat_xact_user_tables WHERE relid = 'vault.company'::regclass;

-- @attack counters_partner_function refuse
-- @as atk_partner
SELECT pg_stat_get_xact_tuples_returned('vault.company'::regclass);

-- @attack counters_partner_statio refuse
-- @as atk_partner
SELECT heap_blks_hit FROM pg_statio_user_tables WHERE relname = 'company';

-- I/O counters of the subject's own backend, of the server and per
-- statement count the blocks a query read before row rules filtered them
-- @attack counters_partner_backend_io refuse
-- @since 180000
-- @as atk_partner
SELECT count(*) FROM vault.company WHERE name = 'x';
SELECT sum(hits) FROM pg_stat_get_backend_io(pg_backend_pid());

-- @attack counters_partner_backend_wal refuse
-- @since 180000
-- @as atk_partner
SELECT wal_records FROM pg_stat_get_backend_wal(pg_backend_pid());

-- @attack counters_partner_pg_stat_io refuse
-- @since 160000
-- @as atk_partner
SELECT sum(hits) FROM pg_stat_io WHERE backend_type = 'client backend';

-- @attack counters_partner_pg_stat_wal refuse
-- @as atk_partner
SELECT wal_records FROM pg_stat_wal;

-- @attack counters_partner_bgwriter refuse
-- @as atk_partner
SELECT buffers_alloc FROM pg_stat_bgwriter;

-- @attack counters_partner_io_in_plpgsql refuse
-- @as atk_partner
CREATE FUNCTION scratch.io() RETURNS bigint LANGUAGE plpgsql AS
	$f$ BEGIN RETURN (SELECT buffers_alloc FROM pg_stat_bgwriter); END $f$;
SELECT scratch.io();

-- @attack counters_partner_pg_locks refuse
-- a serializable scan's SIRead locks name every row it fetched, in scope or
-- not (red team of 0.2.0)
-- @as atk_partner
SELECT count(*) FROM vault.company WHERE id = 2;
SELECT locktype, page, tuple FROM pg_locks WHERE pid = pg_backend_pid() AND mode = 'SIReadLock';

-- @attack counters_partner_lock_status refuse
-- @as atk_partner
SELECT count(*) FROM pg_lock_status() l WHERE l.pid = pg_backend_pid();

-- @attack counters_partner_wal_lsn refuse
-- the first read of a page after a checkpoint writes a full-page image
-- (data checksums): the WAL position counts the pages a scan fetched
-- @as atk_partner
SELECT pg_current_wal_insert_lsn();

-- @attack counters_partner_wal_lsn_in_sql_function refuse
-- @as atk_partner
CREATE FUNCTION scratch.lsn() RETURNS pg_lsn LANGUAGE sql AS $f$ SELECT pg_current_wal_lsn() $f$;
SELECT scratch.lsn();

-- @attack counters_partner_logical_emit_message refuse
-- any function that gives a WAL position counts what reads wrote
-- @as atk_partner
SELECT pg_logical_emit_message(false, 'probe', 'x');

-- @attack counters_partner_replication_slots refuse
-- @as atk_partner
SELECT restart_lsn FROM pg_replication_slots;

-- @attack counters_partner_activity_allowed expect t
-- @as atk_partner
SELECT count(*) >= 1 AS sessions_listed FROM pg_stat_activity;

-- @attack explain_analyze_buffers_function refuse
-- @as atk_partner
CREATE FUNCTION scratch.pr(lo text, hi text) RETURNS bigint LANGUAGE plpgsql AS
	$f$ DECLARE c bigint; BEGIN SELECT count(*) INTO c FROM vault.company WHERE name >= lo AND name < hi; RETURN c; END $f$;
EXPLAIN (ANALYZE, BUFFERS, TIMING OFF, COSTS OFF, SUMMARY OFF) SELECT scratch.pr('A', 'Z');

-- @attack explain_ctas_execute refuse
-- @as atk_partner
PREPARE p AS SELECT id FROM vault.company WHERE name >= 'M';
EXPLAIN (ANALYZE, COSTS OFF) CREATE TEMP TABLE tt AS EXECUTE p;

------------------------------------------------------------------------------
-- 32. Third red-team round: sequences through other defaults; detached
--     partitions of scoped tables
------------------------------------------------------------------------------

-- @attack seq_own_table_default refuse
CREATE TABLE scratch.t (a int DEFAULT nextval('vault.ticket_code_seq'), b text);
INSERT INTO scratch.t (b) VALUES ('q') RETURNING a;

-- @attack seq_own_domain_default refuse
CREATE DOMAIN scratch.dd AS int DEFAULT nextval('vault.ticket_code_seq');
CREATE TABLE scratch.t (a scratch.dd);
INSERT INTO scratch.t DEFAULT VALUES RETURNING a;

-- @attack seq_alter_add_column_default refuse
CREATE TABLE scratch.t (b text);
INSERT INTO scratch.t VALUES ('x');
ALTER TABLE scratch.t ADD COLUMN a int DEFAULT nextval('vault.ticket_seqno_seq');
SELECT a FROM scratch.t;

-- @attack seq_own_view_default refuse
CREATE TABLE scratch.t (a int, b text);
CREATE VIEW scratch.v AS SELECT * FROM scratch.t;
ALTER VIEW scratch.v ALTER COLUMN a SET DEFAULT nextval('vault.ticket_seqno_seq');
INSERT INTO scratch.v (b) VALUES ('x') RETURNING a;

------------------------------------------------------------------------------
-- 33. Fourth red-team round: expressions evaluated without planning
--     (CALL, EXECUTE, DDL), sequence block counters, policies of governed tables
------------------------------------------------------------------------------

-- @attack seq_call_argument refuse
CREATE PROCEDURE scratch.p(x bigint) LANGUAGE plpgsql AS $f$BEGIN RAISE NOTICE 'got %', x; END$f$;
INSERT INTO vault.ticket (id, title) VALUES (10, 'x');
CALL scratch.p(currval('vault.ticket_seqno_seq'));

-- @attack seq_execute_argument refuse
PREPARE q(bigint) AS SELECT $1;
INSERT INTO vault.ticket (id, title) VALUES (10, 'x');
EXECUTE q(currval('vault.ticket_seqno_seq'));

-- @attack seq_block_counters refuse
INSERT INTO vault.ticket (id, title) VALUES (10, 'x');
SELECT pg_stat_get_xact_blocks_fetched('vault.ticket_seqno_seq'::regclass);

-- @attack seq_statio_sequences refuse
SELECT blks_read, blks_hit FROM pg_statio_user_sequences WHERE relname = 'ticket_seqno_seq';

-- @attack counters_partner_call refuse
-- @as atk_partner
CREATE PROCEDURE scratch.pp(x bigint) LANGUAGE plpgsql AS $f$BEGIN RAISE NOTICE 'got %', x; END$f$;
CALL scratch.pp(pg_stat_get_xact_tuples_fetched('vault.company'::regclass));

-- @attack counters_partner_domain_check refuse
-- @as atk_partner
CREATE FUNCTION scratch.show(bigint) RETURNS boolean LANGUAGE plpgsql AS $f$BEGIN RAISE NOTICE 'got %', $1; RETURN true; END$f$;
CREATE DOMAIN scratch.d AS int CHECK (scratch.show(pg_stat_get_xact_tuples_returned('vault.company'::regclass)));

-- @attack counters_partner_trigger_when refuse
-- @as atk_partner
CREATE TABLE scratch.t (a int);
CREATE FUNCTION scratch.tf() RETURNS trigger LANGUAGE plpgsql AS $f$BEGIN RETURN NEW; END$f$;
CREATE TRIGGER tt BEFORE INSERT ON scratch.t FOR EACH ROW
	WHEN (pg_stat_get_xact_tuples_returned('vault.company'::regclass) > 0) EXECUTE FUNCTION scratch.tf();

------------------------------------------------------------------------------
-- 34. Fifth red-team round: inlined SQL wrappers, partition bounds,
--     policies of governed tables by their owners
------------------------------------------------------------------------------

-- @attack seq_inlined_sql_wrapper refuse
CREATE FUNCTION scratch.f() RETURNS bigint LANGUAGE sql AS $f$ SELECT currval('vault.ticket_seqno_seq') $f$;
INSERT INTO vault.ticket (id, title) VALUES (10, 'x');
SELECT scratch.f();

-- @attack seq_inlined_lastval_wrapper refuse
CREATE FUNCTION scratch.fl() RETURNS bigint LANGUAGE sql AS $f$ SELECT lastval() $f$;
INSERT INTO vault.ticket (id, title) VALUES (10, 'x');
SELECT scratch.fl();

-- @attack seq_inlined_atomic_wrapper refuse
CREATE FUNCTION scratch.fa() RETURNS bigint LANGUAGE sql BEGIN ATOMIC SELECT currval('vault.ticket_seqno_seq'); END;
INSERT INTO vault.ticket (id, title) VALUES (10, 'x');
SELECT scratch.fa();

-- @attack seq_wrapper_in_default refuse
CREATE FUNCTION scratch.f() RETURNS bigint LANGUAGE sql AS $f$ SELECT currval('vault.ticket_seqno_seq') $f$;
INSERT INTO vault.ticket (id, title) VALUES (10, 'x');
CREATE TABLE scratch.t (a bigint DEFAULT scratch.f());
INSERT INTO scratch.t DEFAULT VALUES;
SELECT a FROM scratch.t;

-- @attack seq_partition_bound refuse
INSERT INTO vault.ticket (id, title) VALUES (10, 'x');
CREATE TABLE scratch.p (a bigint) PARTITION BY LIST (a);
CREATE TABLE scratch.p1 PARTITION OF scratch.p FOR VALUES IN (currval('vault.ticket_seqno_seq'));

-- @attack counters_partner_inlined_wrapper refuse
-- @as atk_partner
CREATE FUNCTION scratch.c() RETURNS bigint LANGUAGE sql AS $f$ SELECT pg_stat_get_xact_tuples_fetched('vault.company'::regclass) $f$;
SELECT scratch.c();

------------------------------------------------------------------------------
-- 35. Sixth red-team round: refused functions reached through operators and
--     aggregates, and in COPY ... WHERE
------------------------------------------------------------------------------

-- @attack seq_aggregate_finalfunc refuse
CREATE FUNCTION scratch.sf(regclass, int) RETURNS regclass LANGUAGE sql AS 'select $1';
CREATE AGGREGATE scratch.ag(int) (sfunc = scratch.sf, stype = regclass, finalfunc = currval,
	initcond = 'vault.ticket_seqno_seq');
INSERT INTO vault.ticket (id, title) VALUES (10, 'x');
SELECT scratch.ag(1);

-- @attack seq_operator refuse
CREATE OPERATOR scratch.### (rightarg = regclass, function = currval);
INSERT INTO vault.ticket (id, title) VALUES (10, 'x');
SELECT OPERATOR(scratch.###) 'vault.ticket_seqno_seq'::regclass;

-- @attack seq_operator_in_sql_wrapper refuse
CREATE OPERATOR scratch.### (rightarg = regclass, function = currval);
CREATE FUNCTION scratch.w(regclass) RETURNS bigint LANGUAGE sql AS 'select OPERATOR(scratch.###) $1';
INSERT INTO vault.ticket (id, title) VALUES (10, 'x');
SELECT scratch.w('vault.ticket_seqno_seq');

-- @attack seq_operator_copy_where refuse
CREATE OPERATOR scratch.### (rightarg = regclass, function = currval);
CREATE TABLE scratch.t (x int);
INSERT INTO vault.ticket (id, title) VALUES (10, 'x');
COPY scratch.t FROM STDIN WHERE set_config('flp_attack.v', (OPERATOR(scratch.###) 'vault.ticket_seqno_seq'::regclass)::text, false) IS NOT NULL;
1
\.
SHOW flp_attack.v;

-- @attack counters_partner_aggregate refuse
-- @as atk_partner
CREATE FUNCTION scratch.sfo(oid, int) RETURNS oid LANGUAGE sql AS 'select $1';
CREATE AGGREGATE scratch.cnt(int) (sfunc = scratch.sfo, stype = oid,
	finalfunc = pg_stat_get_xact_tuples_fetched, initcond = '1');
SELECT scratch.cnt(1);

------------------------------------------------------------------------------
-- 36. SQL and query-tree fields of newer PostgreSQL versions ("-- @since":
--     the server_version_num a block needs; run.sh skips it on older ones)
------------------------------------------------------------------------------

-- @attack v17_merge_returning leak
-- @since 170000
MERGE INTO vault.acct t USING (SELECT 1 AS id) s ON t.id = s.id
WHEN MATCHED THEN UPDATE SET name = t.name
RETURNING merge_action(), t.secret, t.js, t.*;

-- @attack v17_merge_not_matched_by_source_hidden refuse
-- @since 170000
MERGE INTO vault.acct t USING (SELECT 1 AS id) s ON t.id = s.id
WHEN NOT MATCHED BY SOURCE AND t.secret LIKE 'CNRY%' THEN UPDATE SET name = 'x';

-- @attack v17_merge_join_condition_hidden refuse
-- @since 170000
MERGE INTO vault.acct t USING (SELECT 'x' AS s) s ON t.secret = s.s
WHEN MATCHED THEN DO NOTHING;

-- @attack v17_merge_view leak
-- @since 170000
CREATE TEMP VIEW acct_v AS SELECT id, name, secret FROM vault.acct;
MERGE INTO acct_v t USING (SELECT 1 AS id) s ON t.id = s.id
WHEN MATCHED THEN UPDATE SET name = t.name RETURNING t.secret;

-- @attack v17_json_table_hidden leak
-- @since 170000
SELECT jt.* FROM vault.acct a, JSON_TABLE(a.js, '$' COLUMNS (k text PATH '$.k')) jt;

-- @attack v17_json_table_filter refuse
-- @since 170000
SELECT a.id FROM vault.acct a, JSON_TABLE(a.js, '$' COLUMNS (k text PATH '$.k')) jt
WHERE jt.k LIKE 'CNRY%';

-- @attack v17_json_query_functions leak
-- @since 170000
SELECT JSON_VALUE(a.js, '$.k'), JSON_QUERY(a.js, '$'), JSON_EXISTS(a.js, '$.k') FROM vault.acct a;

-- @attack v17_json_exists_filter refuse
-- @since 170000
SELECT id FROM vault.acct a WHERE JSON_EXISTS(a.js, '$.k ? (@ starts with "CNRY")');

-- @attack v18_returning_old_new leak
-- @since 180000
UPDATE vault.acct SET name = name WHERE id = 1
RETURNING old.secret, new.secret, old.*, new.*, old, new;

-- @attack v18_delete_returning_old leak
-- @since 180000
DELETE FROM vault.acct WHERE id = 1 RETURNING old.secret, old.js, old;

-- @attack v18_merge_returning_old leak
-- @since 180000
MERGE INTO vault.acct t USING (SELECT 1 AS id) s ON t.id = s.id
WHEN MATCHED THEN UPDATE SET name = t.name RETURNING old.secret, new.secret;

-- @attack v18_group_by_hidden_select refuse
-- @since 180000
SELECT secret, count(*) FROM vault.acct GROUP BY secret;

-- @attack v18_group_by_hidden_having refuse
-- @since 180000
SELECT name, count(*) FROM vault.acct GROUP BY name, secret HAVING secret LIKE 'CNRY%';

-- @attack v18_group_by_visible_hidden_output leak
-- @since 180000
SELECT name, max(secret), string_agg(vc, ',') FROM vault.acct GROUP BY name;

-- @attack v18_virtual_generated_select leak
-- @since 180000
SELECT vshout, shout FROM vault.gen;

-- @attack v18_virtual_generated_where refuse
-- @since 180000
SELECT id FROM vault.gen WHERE vshout LIKE 'CNRY%';

-- @attack v18_virtual_generated_whole_row leak
-- @since 180000
SELECT g, row_to_json(g) FROM vault.gen g;

-- @attack v17_maintain_cluster_hidden_index refuse
-- @since 170000
CLUSTER vault.acct USING acct_secret_idx;
SELECT string_agg(id::text, ',' ORDER BY ctid) FROM vault.acct;

-- @attack v17_maintain_cluster_hidden_expression_index refuse
-- @since 170000
CLUSTER vault.acct USING acct_upper_secret_idx;

-- @attack v17_maintain_cluster_hidden_numeric_index refuse
-- @since 170000
CLUSTER vault.acct USING acct_num_idx;
SELECT CASE WHEN string_agg(id::text, ',' ORDER BY ctid) LIKE '2,%' THEN 'CNRY_TXT2_' || '90fe' END
	FROM vault.acct WHERE num IS NOT NULL;

-- @attack v17_maintain_cluster_visible_index_allowed expect ok
-- @since 170000
CLUSTER vault.acct USING acct_pkey;
SELECT 'ok';

-- @attack v17_pg_maintain_analyze_verbose_scoped refuse
-- @since 170000
-- @as atk_partner
ANALYZE VERBOSE vault.company;

-- @attack v17_pg_maintain_vacuum_scoped refuse
-- @since 170000
-- @as atk_partner
VACUUM (VERBOSE) vault.company;

-- @attack v17_pg_maintain_cluster_scoped refuse
-- @since 170000
-- @as atk_partner
CLUSTER vault.company USING company_pkey;

-- @attack v17_pg_maintain_reindex_scoped refuse
-- @since 170000
-- @as atk_partner
REINDEX TABLE vault.company;

-- @attack v19_repack_hidden_index refuse
-- @since 190000
REPACK vault.acct USING INDEX acct_secret_idx;

-- @attack v19_on_conflict_do_select_returning leak
-- @since 190000
INSERT INTO vault.acct (id, name) VALUES (1, 'x') ON CONFLICT (id) DO SELECT
RETURNING *, row_to_json(acct.*), to_jsonb(acct);

-- @attack v19_on_conflict_do_select_old_new leak
-- @since 190000
INSERT INTO vault.acct (id, name) VALUES (1, 'x') ON CONFLICT (id) DO SELECT
RETURNING old.*, new.*, old, new;

-- @attack v19_on_conflict_do_select_where_hidden refuse
-- @since 190000
INSERT INTO vault.acct AS a (id, name) VALUES (1, 'x') ON CONFLICT (id) DO SELECT
WHERE a.secret LIKE 'CNRY%' RETURNING a.id;

-- @attack v19_on_conflict_do_select_where_whole_row refuse
-- @since 190000
INSERT INTO vault.acct AS a (id, name) VALUES (1, 'x') ON CONFLICT (id) DO SELECT
WHERE row_to_json(a)::text LIKE '%CNRY%' RETURNING a.id;

-- @attack v19_on_conflict_do_select_in_cte leak
-- @since 190000
WITH x AS (INSERT INTO vault.acct (id, name) VALUES (1, 'x') ON CONFLICT (id) DO SELECT
           RETURNING *)
SELECT CASE WHEN count(*) > 0 THEN 'CNRY_TXT_' || '5e1d' END FROM x WHERE secret LIKE 'CNRY%';

------------------------------------------------------------------------------
-- 37. Inlining of set-returning SQL functions (decided as the planner
--     inlines: user code run while planning cannot change the body after
--     flp looked)
------------------------------------------------------------------------------

-- @attack inline_srf_over_governed leak
CREATE FUNCTION scratch.srf_acct() RETURNS TABLE (id int, s text) LANGUAGE sql STABLE
	AS 'SELECT id, secret FROM vault.acct';
SELECT * FROM scratch.srf_acct();
SELECT count(*) FROM scratch.srf_acct() WHERE s LIKE 'CNRY%';

-- @attack inline_srf_view_swapped_while_planning leak
CREATE TABLE scratch.open (id int, v text);
INSERT INTO scratch.open VALUES (1, 'open');
CREATE VIEW scratch.v1 AS SELECT id, v AS x FROM scratch.open;
CREATE FUNCTION scratch.f5(int) RETURNS TABLE (id int, x text) LANGUAGE sql STABLE
	AS 'SELECT id, x FROM scratch.v1 WHERE $1 IS NOT NULL';
CREATE FUNCTION scratch.swap() RETURNS int LANGUAGE plpgsql VOLATILE AS $$
BEGIN
	EXECUTE 'CREATE OR REPLACE VIEW scratch.v1 AS SELECT id, secret AS x FROM vault.acct';
	RETURN 1;
END $$;
CREATE FUNCTION scratch.folded() RETURNS int LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
	RETURN scratch.swap();
END $$;
SELECT * FROM scratch.f5(scratch.folded());
SELECT * FROM scratch.f5(1);

-- @attack inline_srf_search_path_while_planning leak
CREATE VIEW scratch.pg_am AS SELECT id::oid AS oid, secret::name AS amname FROM vault.acct;
SET LOCAL search_path = public;
CREATE FUNCTION scratch.f8(int) RETURNS TABLE (o oid, n name) LANGUAGE sql STABLE
	AS 'SELECT oid, amname FROM pg_am WHERE $1 IS NOT NULL';
CREATE FUNCTION scratch.path() RETURNS int LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
	PERFORM set_config('search_path', 'scratch, pg_catalog', true);
	RETURN 1;
END $$;
SELECT * FROM scratch.f8(scratch.path());

-- @attack inline_srf_in_insert_select leak
CREATE TABLE scratch.sink (id int, x text);
CREATE VIEW scratch.v2 AS SELECT 1 AS id, 'x'::text AS x;
CREATE FUNCTION scratch.f6(int) RETURNS TABLE (id int, x text) LANGUAGE sql STABLE
	AS 'SELECT id, x FROM scratch.v2 WHERE $1 IS NOT NULL';
CREATE FUNCTION scratch.swap2() RETURNS int LANGUAGE plpgsql VOLATILE AS $$
BEGIN
	EXECUTE 'CREATE OR REPLACE VIEW scratch.v2 AS SELECT id, secret AS x FROM vault.acct';
	RETURN 1;
END $$;
CREATE FUNCTION scratch.folded2() RETURNS int LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
	RETURN scratch.swap2();
END $$;
INSERT INTO scratch.sink SELECT * FROM scratch.f6(scratch.folded2());
SELECT * FROM scratch.sink;

-- @attack inline_srf_polymorphic leak
CREATE FUNCTION scratch.poly(anyelement) RETURNS TABLE (id int, s text) LANGUAGE sql STABLE
	AS 'SELECT id, secret FROM vault.acct WHERE $1 IS NOT NULL';
SELECT * FROM scratch.poly(1), scratch.poly('x'::text);

-- @attack inline_srf_atomic_over_governed leak
CREATE FUNCTION scratch.atomic_acct() RETURNS TABLE (id int, s text) LANGUAGE sql STABLE
	BEGIN ATOMIC SELECT id, secret FROM vault.acct; END;
SELECT * FROM scratch.atomic_acct();

------------------------------------------------------------------------------
-- 38. Parameter defaults: the planner (and CALL) adds the defaults a call
--     leaves out after flp looked at the query (red team 3)
------------------------------------------------------------------------------

-- @attack seq_param_default_currval refuse
INSERT INTO vault.ticket (id, title) VALUES (10, 'x');
CREATE FUNCTION scratch.sq(n bigint DEFAULT currval('vault.ticket_seqno_seq'))
	RETURNS bigint LANGUAGE sql STABLE AS 'SELECT $1';
SELECT scratch.sq();

-- @attack seq_param_default_plpgsql refuse
INSERT INTO vault.ticket (id, title) VALUES (10, 'x');
CREATE FUNCTION scratch.sq2(n bigint DEFAULT currval('vault.ticket_code_seq'))
	RETURNS bigint LANGUAGE plpgsql STABLE AS 'BEGIN RETURN n; END';
SELECT scratch.sq2();

-- @attack seq_param_default_nested refuse
INSERT INTO vault.ticket (id, title) VALUES (10, 'x');
CREATE FUNCTION scratch.sq3(n bigint DEFAULT currval('vault.ticket_seqno_seq'))
	RETURNS bigint LANGUAGE sql STABLE AS 'SELECT $1';
CREATE FUNCTION scratch.sq4(m bigint DEFAULT scratch.sq3())
	RETURNS bigint LANGUAGE sql STABLE AS 'SELECT $1';
SELECT scratch.sq4();

-- @attack seq_param_default_call refuse
INSERT INTO vault.ticket (id, title) VALUES (10, 'x');
CREATE PROCEDURE scratch.sp(n bigint DEFAULT currval('vault.ticket_seqno_seq'))
	LANGUAGE plpgsql AS $f$BEGIN RAISE NOTICE 'got %', n; END$f$;
CALL scratch.sp();

-- @attack counters_partner_param_default refuse
-- @as atk_partner
CREATE FUNCTION scratch.cnt(n bigint DEFAULT pg_stat_get_xact_tuples_fetched('vault.company'::regclass))
	RETURNS bigint LANGUAGE sql STABLE AS 'SELECT $1';
SELECT count(*) FROM vault.company;
SELECT scratch.cnt();

-- @attack counters_partner_param_default_call refuse
-- @as atk_partner
CREATE PROCEDURE scratch.pcnt(n bigint DEFAULT pg_stat_get_xact_tuples_fetched('vault.company'::regclass))
	LANGUAGE plpgsql AS $f$BEGIN RAISE NOTICE 'got %', n; END$f$;
CALL scratch.pcnt();

-- @attack counters_partner_param_default_named refuse
-- @as atk_partner
CREATE FUNCTION scratch.cnt2(a int, n bigint DEFAULT pg_stat_get_xact_tuples_returned('vault.company'::regclass))
	RETURNS bigint LANGUAGE sql STABLE AS 'SELECT $2';
SELECT scratch.cnt2(a => 1);

-- @attack seq_param_default_explicit_allowed expect 7
CREATE FUNCTION scratch.sq5(n bigint DEFAULT currval('vault.ticket_seqno_seq'))
	RETURNS bigint LANGUAGE sql STABLE AS 'SELECT $1';
SELECT scratch.sq5(7);

------------------------------------------------------------------------------
-- 39. Administration of 0.2.0: the audit trail, the overview, renaming and
--     cloning bundles (README: The audit trail, The configuration at a glance)
------------------------------------------------------------------------------

-- @attack audit_subject_reads refuse
SELECT statement, old_row, new_row FROM flp.audit_log;

-- @attack audit_subject_purges refuse
SELECT flp.purge_audit('infinity');

-- @attack audit_admin_deletes admin 42501
CREATE TEMP TABLE o (v text);
DO $d$ BEGIN
	DELETE FROM flp.audit_log;
	INSERT INTO o VALUES ('ran');
EXCEPTION WHEN deadlock_detected OR lock_not_available THEN RAISE; WHEN OTHERS THEN INSERT INTO o VALUES (SQLSTATE); END $d$;
SELECT v FROM o;

-- @attack audit_admin_truncates admin 42501
CREATE TEMP TABLE o (v text);
DO $d$ BEGIN
	TRUNCATE flp.audit_log;
	INSERT INTO o VALUES ('ran');
EXCEPTION WHEN deadlock_detected OR lock_not_available THEN RAISE; WHEN OTHERS THEN INSERT INTO o VALUES (SQLSTATE); END $d$;
SELECT v FROM o;

-- @attack audit_admin_forges admin 42501
CREATE TEMP TABLE o (v text);
DO $d$ BEGIN
	INSERT INTO flp.audit_log (session_role, role, tbl, operation) VALUES ('postgres', 'postgres', 'bundle', 'DELETE');
	INSERT INTO o VALUES ('ran');
EXCEPTION WHEN deadlock_detected OR lock_not_available THEN RAISE; WHEN OTHERS THEN INSERT INTO o VALUES (SQLSTATE); END $d$;
SELECT v FROM o;

-- @attack audit_admin_disables_trigger admin 42501
CREATE TEMP TABLE o (v text);
DO $d$ BEGIN
	ALTER TABLE flp.field_permission DISABLE TRIGGER flp_audit;
	INSERT INTO o VALUES ('ran');
EXCEPTION WHEN deadlock_detected OR lock_not_available THEN RAISE; WHEN OTHERS THEN INSERT INTO o VALUES (SQLSTATE); END $d$;
SELECT v FROM o;

-- @attack audit_admin_purges admin 42501
CREATE TEMP TABLE o (v text);
DO $d$ BEGIN
	PERFORM flp.purge_audit('infinity');
	INSERT INTO o VALUES ('ran');
EXCEPTION WHEN deadlock_detected OR lock_not_available THEN RAISE; WHEN OTHERS THEN INSERT INTO o VALUES (SQLSTATE); END $d$;
SELECT v FROM o;

-- @attack audit_admin_change_recorded admin 1|atk_admin|UPDATE
-- a super admin's direct DML is recorded, as who it is
UPDATE flp.bundle SET description = 'changed' WHERE name = 'Atk';
SELECT count(*) || '|' || min(role) || '|' || min(operation) FROM flp.audit_log
 WHERE tbl = 'bundle' AND new_row ->> 'description' = 'changed' AND xid = pg_current_xact_id();

-- @attack overview_subject_matrix refuse
SELECT * FROM flp.permission_matrix();

-- @attack overview_subject_matrix_self refuse
SELECT * FROM flp.permission_matrix(ARRAY['atk_admin']::regrole[]);

-- @attack overview_subject_bundle_fields refuse
SELECT * FROM flp.bundle_fields;

-- @attack overview_subject_holders refuse
SELECT * FROM flp.bundle_holders;

-- @attack overview_my_fields_only_hidden_and_read expect t
-- what a subject is shown of itself: its restricted fields, as flp decides them
SELECT (SELECT count(*) FROM flp.my_restricted_fields WHERE tbl = 'vault.acct'::regclass AND masked)
     = (SELECT count(*) FROM flp.effective_permissions() WHERE tbl = 'vault.acct'::regclass AND permission = 'hide')
   AND (SELECT count(*) FROM flp.my_restricted_fields WHERE tbl = 'vault.acct'::regclass AND masked) > 0;

-- @attack bundle_subject_renames refuse
SELECT flp.rename_bundle('Atk', 'Mine');

-- @attack bundle_subject_clones refuse
SELECT flp.clone_bundle('Atk', 'Mine');

-- @attack bundle_admin_rename_keeps_masking admin 1|1
-- a bundle renamed in the same transaction: its subject's hidden field stays
-- masked and its data rules keep applying
DO $d$ BEGIN PERFORM flp.rename_bundle('Atk', 'Atk renamed'); END $d$;
SET ROLE atk_subject;
SELECT (bool_and(secret = '****'))::int::text || '|' || (count(*) > 0)::int::text FROM vault.acct;

-- @attack bundle_admin_renames_default_directly admin 42501
CREATE TEMP TABLE o (v text);
DO $d$ BEGIN
	UPDATE flp.bundle SET name = 'Old default' WHERE name = 'Default_Partner_Bundle';
	INSERT INTO o VALUES ('ran');
EXCEPTION WHEN deadlock_detected OR lock_not_available THEN RAISE; WHEN OTHERS THEN INSERT INTO o VALUES (SQLSTATE); END $d$;
SELECT v FROM o;

-- @attack bundle_admin_clones_default admin 0A000
CREATE TEMP TABLE o (v text);
DO $d$ BEGIN
	PERFORM flp.clone_bundle('Default_Partner_Bundle', 'Look-alike');
	INSERT INTO o VALUES ('ran');
EXCEPTION WHEN deadlock_detected OR lock_not_available THEN RAISE; WHEN OTHERS THEN INSERT INTO o VALUES (SQLSTATE); END $d$;
SELECT v FROM o;

-- @attack audit_admin_copy_recorded admin 1
-- a super admin's COPY into the catalog is recorded like any write
COPY flp.excluded_field FROM STDIN;
vault.acct	ro
\.
SELECT count(*) FROM flp.audit_log WHERE tbl = 'excluded_field' AND xid = pg_current_xact_id();

------------------------------------------------------------------------------
-- 40. Preview and mandatory fields on updates (README: Preview a change
--     before making it; Mandatory fields on updates)
------------------------------------------------------------------------------

-- @attack preview_subject refuse
SELECT * FROM flp.preview_change('SELECT 1');

-- @attack preview_subject_runs_script refuse
SELECT flp_internal.run_script($$SELECT flp.exclude_field('vault.acct', 'secret')$$);

-- @attack preview_subject_row_access refuse
SELECT flp_internal.row_access('atk_subject', 'vault.acct');

-- @attack preview_subject_snapshot refuse
SELECT flp_internal.preview_snapshot(ARRAY['atk_admin']);

-- @attack preview_admin_change_rolled_back admin t|t
-- a previewed change does not remain, however it ends its statements
CREATE TEMP TABLE p AS SELECT * FROM flp.preview_change($$
	SELECT flp.exclude_field('vault.acct', 'secret');
$$);
CREATE TEMP TABLE o (v text);
DO $d$ BEGIN
	PERFORM flp.preview_change('SELECT flp.unprotect(''vault.acct''); COMMIT');
	INSERT INTO o VALUES ('ran');
EXCEPTION WHEN deadlock_detected OR lock_not_available THEN RAISE; WHEN OTHERS THEN INSERT INTO o VALUES (SQLSTATE); END $d$;
SELECT (SELECT count(*) FROM p WHERE field = 'secret' AND after = 'edit') > 0
	   AND NOT EXISTS (SELECT 1 FROM flp.excluded_field WHERE tbl = 'vault.acct'::regclass AND field = 'secret'),
	   (SELECT v FROM o) = '2D000' AND EXISTS (SELECT 1 FROM flp.governed_table WHERE tbl = 'vault.acct'::regclass);

-- @attack mandatory_subject_turns_off refuse
SELECT flp.set_mandatory_on_update('vault.acct', false);

-- @attack mandatory_subject_writes_flag refuse
UPDATE flp.governed_table SET mandatory_on_update = false;

-- @attack views_explain_other_role refuse
-- introspection of a view's column answers for the current user only
CREATE TEMP VIEW acct_v AS SELECT id, secret FROM vault.acct;
SELECT * FROM flp.explain('acct_v', 'secret', 'atk_admin');

-- @attack views_column_permissions_masked expect secret|hide|true
-- a view over a hidden field says so, and reads nothing of it
CREATE TEMP VIEW acct_v AS SELECT id, upper(secret) AS secret FROM vault.acct;
SELECT field || '|' || permission || '|' || masked FROM flp.column_permissions('acct_v') WHERE field = 'secret';

------------------------------------------------------------------------------
-- 41. Published report views (README: Report views; docs/security.md §2.2)
------------------------------------------------------------------------------

-- @attack published_counts expect 2|2|1
-- what a published view computes from hidden fields is readable
SELECT n, with_secret, distinct_secrets FROM vault.pv_counts;

-- @attack published_counts_filter expect 2
SELECT n FROM vault.pv_counts WHERE with_secret > 1 ORDER BY distinct_secrets;

-- @attack published_gate_leaky_filter leak
-- a reader's leaky condition does not run below the view's own filter
CREATE FUNCTION pg_temp.peek(text) RETURNS boolean LANGUAGE plpgsql COST 0.0000001 AS
$$BEGIN RAISE NOTICE 'peek %', $1; RETURN true; END$$;
SELECT id FROM vault.pv_gate WHERE pg_temp.peek(secret) OR pg_temp.peek(num::text);

-- @attack published_gate_leaky_join leak
CREATE FUNCTION pg_temp.peek(text) RETURNS boolean LANGUAGE plpgsql COST 0.0000001 AS
$$BEGIN RAISE NOTICE 'peek %', $1; RETURN true; END$$;
SELECT a.id FROM vault.acct a JOIN vault.pv_gate g ON pg_temp.peek(g.secret) AND g.id = a.id;

-- @attack published_gate_own_view leak
-- a view of the subject's own over a published view gains nothing
CREATE FUNCTION pg_temp.peek(text) RETURNS boolean LANGUAGE plpgsql COST 0.0000001 AS
$$BEGIN RAISE NOTICE 'peek %', $1; RETURN true; END$$;
CREATE VIEW scratch.over_gate AS SELECT * FROM vault.pv_gate;
SELECT id FROM scratch.over_gate WHERE pg_temp.peek(secret);

-- @attack published_changed_lapsed leak
-- replaced after it was published: the reader's rules again
SELECT secret FROM vault.pv_changed;

-- @attack published_changed_lapsed_filter refuse
SELECT id FROM vault.pv_changed WHERE secret LIKE 'C%';

-- @attack published_scoped_partner leak
-- @as atk_partner
-- rows follow the reader's row rules inside a published view
SELECT n, names FROM vault.pv_scoped;

-- @attack published_scoped_partner_count expect 1
-- @as atk_partner
SELECT n FROM vault.pv_scoped;

-- @attack published_owner_masked expect ****|
-- the owner may not see secret: the view shows the owner's masks
SELECT secret, num FROM vault.pv_owner_masked WHERE id = 1;

-- @attack published_owner_masked_oracle expect 0
SELECT count(*) FROM vault.pv_owner_masked WHERE secret LIKE 'CNRY%' OR num > 0;

-- @attack published_table_beside_view refuse
-- the rest of the query is held to the reader's rules
SELECT c.n FROM vault.pv_counts c, vault.acct a WHERE a.secret LIKE 'C%';

-- @attack published_replace_by_subject refuse
CREATE OR REPLACE VIEW vault.pv_gate AS SELECT id, secret, num FROM vault.acct;

-- @attack published_subject_publishes refuse
CREATE VIEW scratch.mine AS SELECT id, secret FROM vault.acct;
SELECT flp.publish_view('scratch.mine');

-- @attack published_subject_writes_catalog refuse
CREATE VIEW scratch.mine AS SELECT id, secret FROM vault.acct;
INSERT INTO flp.published_view (view, owner, definition)
SELECT 'scratch.mine'::regclass, current_user, pg_get_viewdef('scratch.mine'::regclass);

-- @attack published_search_path_hijack leak
-- names in a published view were resolved when it was created
CREATE FUNCTION scratch.count(anyelement) RETURNS bigint LANGUAGE sql AS $$SELECT 0::bigint$$;
CREATE FUNCTION scratch.textlen(text) RETURNS int LANGUAGE plpgsql AS
$$BEGIN RAISE NOTICE 'hijack %', $1; RETURN 0; END$$;
SET search_path = scratch, pg_catalog;
SELECT n, with_secret FROM vault.pv_counts;

-- @attack published_update_through_view refuse
-- writes through a published view are held to the reader's rules
UPDATE vault.pv_gate SET secret = 'x' WHERE id = 1;

-- @attack published_rls_planted_policy leak
-- a policy the subject plants on its own table, which a published view reads
-- (red team, 2026-12-07): the publication lapses, the reader's rules apply
CREATE TABLE scratch.loot (v text);
GRANT INSERT ON scratch.loot TO PUBLIC;
CREATE FUNCTION scratch.grab(text) RETURNS boolean LANGUAGE plpgsql SECURITY DEFINER
	SET search_path = pg_catalog AS $$BEGIN INSERT INTO scratch.loot VALUES ($1); RETURN true; END$$;
ALTER TABLE scratch.atk_map ENABLE ROW LEVEL SECURITY;
ALTER TABLE scratch.atk_map FORCE ROW LEVEL SECURITY;
CREATE POLICY p ON scratch.atk_map USING (
	(SELECT scratch.grab(concat_ws('|', a.secret, a.num, a.pin)) FROM vault.acct a WHERE a.id = atk_map.id) IS NOT NULL);
SELECT * FROM vault.pv_by_map ORDER BY k;
SELECT * FROM scratch.loot;

-- @attack published_rls_planted_oracle leak
-- the same without code of its own: a policy that counts by a hidden value
ALTER TABLE scratch.atk_map ENABLE ROW LEVEL SECURITY;
ALTER TABLE scratch.atk_map FORCE ROW LEVEL SECURITY;
CREATE POLICY p ON scratch.atk_map USING (
	EXISTS (SELECT 1 FROM vault.acct a WHERE a.id = atk_map.id AND a.secret LIKE 'CNRY\_TXT\_5%'));
SELECT CASE WHEN sum(n) = 2 THEN 'CNRY_TXT_' || '5e1d' ELSE 'no' END FROM vault.pv_by_map;

-- @attack published_error_quotes_value leak
-- a failing cast inside a published view: its message is withheld
SELECT * FROM vault.pv_cast;

-- @attack published_error_caught_in_plpgsql leak
-- also from an exception handler of the reader's, which reads it first
DO $$
DECLARE m text;
BEGIN
	PERFORM * FROM vault.pv_cast;
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS m = MESSAGE_TEXT;
	RAISE NOTICE 'caught: %', m;
END $$;

-- @attack published_error_datestyle_cursor leak
SET datestyle = 'ISO, DMY';
BEGIN;
DECLARE c CURSOR FOR SELECT dated FROM vault.pv_cast;
FETCH ALL FROM c;

------------------------------------------------------------------------------
-- 42. Outer joins masked in place (docs/internals.md, Masking): on the
-- nullable side of an outer join a hidden field is its mask where the row
-- exists and NULL where the join made the row up -- decided by whether the
-- row exists, never by the hidden value
------------------------------------------------------------------------------

-- @attack outer_left_nullness expect 1:f:****,3:f:****,9:t:
SELECT string_agg(format('%s:%s:%s', v.k, a.secret IS NULL, a.secret), ',' ORDER BY v.k)
  FROM (VALUES (1), (3), (9)) v(k) LEFT JOIN vault.acct a ON a.id = v.k;

-- @attack outer_right_full_nullness expect 1:f:****,3:f:****,9:t:|1:f,3:f,9:t
SELECT (SELECT string_agg(format('%s:%s:%s', v.k, a.vc IS NULL, a.vc), ',' ORDER BY v.k)
		  FROM vault.acct a RIGHT JOIN (VALUES (1), (3), (9)) v(k) ON a.id = v.k),
	   (SELECT string_agg(format('%s:%s', v.k, a.dom IS NULL), ',' ORDER BY v.k)
		  FROM vault.acct a FULL JOIN (VALUES (1), (3), (9)) v(k) ON a.id = v.k WHERE v.k IS NOT NULL);

-- @attack outer_left_count_by_nullness leak
-- counting non-NULL hidden values through an outer join: the row with NULL
-- in every hidden field (3) counts like the others
SELECT CASE WHEN count(a.secret) < count(a.id) THEN 'CNRY_TXT_' || '5e1d' ELSE 'same' END,
	   CASE WHEN count(a.pin) > 0 THEN 'CNRY_' || 'PIN' ELSE 'null mask' END
  FROM (VALUES (1), (2), (3), (4)) v(k) LEFT JOIN vault.acct a ON a.id = v.k;

-- @attack outer_left_coalesce_distinct leak
SELECT DISTINCT coalesce(a.secret, a2.secret, 'x')
  FROM vault.acct a0 LEFT JOIN vault.acct a ON a.id = a0.id + 10
  LEFT JOIN vault.acct a2 ON a2.id = a0.id;

-- @attack outer_left_lateral_nested leak
SELECT v.k, s.secret, s.arr, s.js
  FROM (VALUES (1), (3)) v(k)
  LEFT JOIN LATERAL (SELECT a.secret, a.arr, a.js FROM vault.acct a
					 LEFT JOIN vault.acct b ON b.id = a.id WHERE a.id = v.k) s ON true;

-- @attack outer_left_sublink_of_masked leak
SELECT v.k, (SELECT a.secret || a.vc), (SELECT row(a.num, a.dt)::text)
  FROM (VALUES (1), (3), (9)) v(k) LEFT JOIN vault.acct a ON a.id = v.k;

-- @attack outer_left_ctid_oracle leak
-- the row's ctid is what tells a made-up row from a real one; reading it
-- tells nothing of a hidden value
SELECT CASE WHEN a.ctid IS NOT NULL AND a.secret IS NULL THEN 'CNRY_TXT_' || '5e1d' END
  FROM (VALUES (3)) v(k) LEFT JOIN vault.acct a ON a.id = v.k;
