# Makefile for flp (PGXS)

EXTENSION = flp
EXTVERSION = $(shell sed -n "s/^default_version = '\(.*\)'/\1/p" $(EXTENSION).control)

MODULE_big = flp
OBJS = \
	src/catalog/audit.o \
	src/catalog/catalog.o \
	src/catalog/governed.o \
	src/catalog/invalidation.o \
	src/catalog/published.o \
	src/catalog/readers.o \
	src/catalog/references.o \
	src/catalog/roles.o \
	src/catalog/scan.o \
	src/catalog_columns.o \
	src/evaluate/bundles.o \
	src/evaluate/inheritance.o \
	src/evaluate/permission.o \
	src/evaluate/records.o \
	src/evaluate/roles.o \
	src/evaluate/trace.o \
	src/evaluate/views.o \
	src/explain.o \
	src/flp.o \
	src/functions.o \
	src/hook_order.o \
	src/hooks.o \
	src/messages.o \
	src/planner/denials.o \
	src/planner/indexes.o \
	src/planner/inlining.o \
	src/planner/mask.o \
	src/planner/mask_values.o \
	src/planner/marks.o \
	src/planner/permissions.o \
	src/planner/policies.o \
	src/planner/published.o \
	src/planner/reader_rls.o \
	src/planner/refuse.o \
	src/planner/relations.o \
	src/planner/taint.o \
	src/planner/walk.o \
	src/planner/writes.o \
	src/refused_functions.o \
	src/rules.o \
	src/sequences.o \
	src/trust.o \
	src/utility/admin_role.o \
	src/utility/catalog_sync.o \
	src/utility/copy.o \
	src/utility/ddl_checks.o \
	src/utility/maintenance.o \
	src/utility/partitions.o \
	src/utility/trees.o

# The install script sql/flp--$(EXTVERSION).sql is not kept in git: make
# writes it (DATA_built; make clean removes it) from the parts in sql/parts/,
# taken in name order by sql/build.awk, which leaves out each part's opening
# "--" comment and writes the reference triggers between catalog tables from
# their list (sql/parts/55-references.list).  Edit the parts, never the built
# file.
SQL_PARTS = $(sort $(wildcard sql/parts/*.sql sql/parts/*.list))
DATA_built = sql/$(EXTENSION)--$(EXTVERSION).sql
# Earlier versions: their install scripts as they were released (sql/history/,
# never edited) and the upgrade scripts between versions (sql/upgrade/,
# written by hand with each change of the parts; test/shell/67-upgrade.sh
# proves that an upgraded database equals a fresh install).
DATA = $(wildcard sql/history/*.sql) $(wildcard sql/upgrade/*.sql)
EXTRA_CLEAN = $(DATA_built:=.tmp)

# install must run first: it creates the extension and the test helpers
REGRESS = \
	install \
	catalog_columns \
	catalog \
	evaluate \
	introspection \
	ddl \
	cache \
	masking \
	filters \
	writes \
	partitions \
	plancache \
	sidechannels \
	partners \
	records \
	bypassrls \
	trust \
	published \
	unchanged \
	maintenance \
	export \
	administration \
	bad_input
REGRESS_OPTS = --inputdir=test

ISOLATION = $(patsubst test/specs/%.spec,%,$(sort $(wildcard test/specs/*.spec)))
ISOLATION_OPTS = --inputdir=test --outputdir=. --load-extension=flp

PG_CPPFLAGS = -I$(srcdir)/src
PG_CFLAGS = -Wall -Wextra -Werror -Wno-unused-parameter -Wno-missing-field-initializers

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)

# suites of SQL that only newer servers have: pgNN runs on NN and later
PG_MAJOR := $(shell $(PG_CONFIG) --version | sed -E 's/^PostgreSQL ([0-9]+).*/\1/')
ifeq ($(shell test "$(PG_MAJOR)" -ge 17 && echo y),y)
REGRESS += pg17
endif
ifeq ($(shell test "$(PG_MAJOR)" -ge 18 && echo y),y)
REGRESS += pg18
endif
ifeq ($(shell test "$(PG_MAJOR)" -ge 19 && echo y),y)
REGRESS += pg19
endif
include $(PGXS)

# every source file includes the internal header
$(OBJS): src/flp.h src/catalog_columns.h src/compat.h src/catalog/flp_catalog.h \
	src/evaluate/evaluate.h src/planner/planner.h src/utility/utility.h

sql/$(EXTENSION)--$(EXTVERSION).sql: $(SQL_PARTS) sql/build.awk
	awk -f sql/build.awk $(SQL_PARTS) >$@.tmp && mv $@.tmp $@
