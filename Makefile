# Makefile for flp (PGXS)

EXTENSION = flp
EXTVERSION = $(shell sed -n "s/^default_version = '\(.*\)'/\1/p" $(EXTENSION).control)

MODULE_big = flp
OBJS = \
	src/catalog.o \
	src/evaluate.o \
	src/explain.o \
	src/flp.o \
	src/functions.o \
	src/hooks.o \
	src/records.o \
	src/references.o \
	src/refused_functions.o \
	src/planner/denials.o \
	src/planner/indexes.o \
	src/planner/inlining.o \
	src/planner/mask.o \
	src/planner/mask_values.o \
	src/planner/marks.o \
	src/planner/permissions.o \
	src/planner/policies.o \
	src/planner/reader_rls.o \
	src/planner/refuse.o \
	src/planner/relations.o \
	src/planner/taint.o \
	src/planner/walk.o \
	src/planner/writes.o \
	src/rules.o \
	src/sequences.o \
	src/trust.o \
	src/utility/admin_role.o \
	src/utility/catalog_sync.o \
	src/utility/copy.o \
	src/utility/ddl_checks.o \
	src/utility/partitions.o

DATA = sql/$(EXTENSION)--$(EXTVERSION).sql

# install must run first: it creates the extension and the test helpers
REGRESS = \
	install \
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
	trust
REGRESS_OPTS = --inputdir=test

ISOLATION = $(patsubst test/specs/%.spec,%,$(sort $(wildcard test/specs/*.spec)))
ISOLATION_OPTS = --inputdir=test --outputdir=. --load-extension=flp

PG_CPPFLAGS = -I$(srcdir)/src
PG_CFLAGS = -Wall -Wextra -Werror -Wno-unused-parameter -Wno-missing-field-initializers

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# every source file includes the internal header
$(OBJS): src/flp.h src/compat.h src/planner/planner.h src/utility/utility.h
