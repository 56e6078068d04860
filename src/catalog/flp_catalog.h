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

/* catalog.c: finding flp's catalog */
extern void flp_catalog_forget(void);
extern void flp_catalog_forget_if_absent(void);
extern void flp_catalog_watched(Oid *sentinel, Oid *assignments);

/* invalidation.c */
extern void flp_cache_invalidate(void);

/* roles.c: role tracking */
extern void flp_note_role_change(uint32 hashvalue);
extern bool flp_roles_changed(void);

/* scan.c */
extern void flp_resolution_init(void);

#endif							/* FLP_CATALOG_H */
