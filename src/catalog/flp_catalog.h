/*-------------------------------------------------------------------------
 *
 * flp_catalog.h
 *	  Declarations shared by the files of flp's catalog layer (src/catalog/)
 *	  and used nowhere above it.
 *
 *-------------------------------------------------------------------------
 */
#ifndef FLP_CATALOG_H
#define FLP_CATALOG_H

#include "flp.h"

#include "access/genam.h"
#include "access/skey.h"
#include "utils/relcache.h"

/* An open index scan of one of flp's tables, with its own snapshot. */
typedef struct CatalogScan
{
	Relation	rel;
	SysScanDesc scan;
	Snapshot	snapshot;
} CatalogScan;

/* catalog.c: finding flp's catalog */
extern void flp_catalog_forget(void);
extern void flp_catalog_forget_if_absent(void);
extern void flp_catalog_watched(Oid *sentinel, Oid *assignments);
extern FlpPermission flp_permission_of(Oid label);
extern FlpLicense flp_license_of(Oid label);

/* invalidation.c */
extern void flp_cache_invalidate(Oid relid);

/* roles.c: role tracking */
extern void flp_note_role_change(uint32 hashvalue);
extern bool flp_roles_changed(void);

/* scan.c */
extern void flp_resolution_init(void);
extern void flp_scan_begin(CatalogScan *cs, Oid relid, Oid indexid, int nkeys,
						   ScanKey keys);
extern HeapTuple flp_scan_next(CatalogScan *cs);
extern void flp_scan_end(CatalogScan *cs);
extern void flp_key_oid(ScanKey key, AttrNumber attno, Oid value);
extern void flp_key_text(ScanKey key, AttrNumber attno, const char *value);
extern Datum flp_column(CatalogScan *cs, HeapTuple tuple, AttrNumber attno,
						bool *isnull);
extern Oid	flp_column_oid(CatalogScan *cs, HeapTuple tuple, AttrNumber attno);
extern char *flp_column_text(CatalogScan *cs, HeapTuple tuple, AttrNumber attno);
extern char *flp_column_name(CatalogScan *cs, HeapTuple tuple, AttrNumber attno);
extern Jsonb *flp_column_jsonb(CatalogScan *cs, HeapTuple tuple, AttrNumber attno);

#endif							/* FLP_CATALOG_H */
