-- catalog_columns: the column numbers of src/catalog_columns.h, with which
-- the C code reads flp's catalog, are those of the install script's tables.
-- src/catalog_columns.c lists the header's macros as rows; the install
-- script does not declare that function, so this test does.

CREATE FUNCTION regress.catalog_columns()
	RETURNS TABLE (tbl text, col text, attnum int, natts int)
	AS '$libdir/flp', 'flp_catalog_columns' LANGUAGE C STRICT;

CREATE VIEW regress.catalog_attributes AS
SELECT c.relname::text AS tbl, a.attname::text AS col, a.attnum::int AS attnum
  FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid
 WHERE c.relnamespace = 'flp'::regnamespace AND c.relkind = 'r'
   AND a.attnum > 0 AND NOT a.attisdropped;

-- columns of the install script the header lacks or numbers otherwise
SELECT tbl, col, attnum FROM regress.catalog_attributes
EXCEPT
SELECT tbl, col, attnum FROM regress.catalog_columns()
ORDER BY 1, 3;

-- columns of the header the install script lacks or numbers otherwise
SELECT tbl, col, attnum FROM regress.catalog_columns()
EXCEPT
SELECT tbl, col, attnum FROM regress.catalog_attributes
ORDER BY 1, 3;

-- Natts_ of each table against the number of its columns
SELECT h.tbl, h.natts, count(a.col) AS columns
  FROM (SELECT DISTINCT tbl, natts FROM regress.catalog_columns()) h
  LEFT JOIN regress.catalog_attributes a ON a.tbl = h.tbl
 GROUP BY h.tbl, h.natts
HAVING h.natts <> count(a.col)
 ORDER BY 1;

-- the numbers of tables and columns, side by side
SELECT (SELECT count(DISTINCT tbl) FROM regress.catalog_columns()) AS header_tables,
       (SELECT count(*) FROM regress.catalog_columns()) AS header_columns,
       (SELECT count(DISTINCT tbl) FROM regress.catalog_attributes) AS script_tables,
       (SELECT count(*) FROM regress.catalog_attributes) AS script_columns;

DROP VIEW regress.catalog_attributes;
DROP FUNCTION regress.catalog_columns();
