# Makefile for flp (PGXS)

EXTENSION = flp
EXTVERSION = $(shell sed -n "s/^default_version = '\(.*\)'/\1/p" $(EXTENSION).control)

MODULE_big = flp
OBJS = \
	src/catalog/catalog.o \
	src/catalog/governed.o \
	src/catalog/invalidation.o \
	src/catalog/readers.o \
	src/catalog/references.o \
	src/catalog/roles.o \
	src/catalog/scan.o \
	src/evaluate/bundles.o \
	src/evaluate/inheritance.o \
	src/evaluate/permission.o \
	src/evaluate/records.o \
	src/evaluate/roles.o \
	src/evaluate/trace.o \
	src/explain.o \
	src/flp.o \
	src/functions.o \
	src/rewrite.o \
	src/rules.o \
	src/sequences.o \
	src/trust.o \
	src/utility.o

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
$(OBJS): src/flp.h src/compat.h src/catalog/flp_catalog.h src/evaluate/evaluate.h
