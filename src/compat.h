/*-------------------------------------------------------------------------
 *
 * compat.h
 *	  The one place where flp adapts to PostgreSQL versions.
 *
 * flp is built and tested against PostgreSQL 15.  Differences of later
 * releases (RTEPermissionInfo, per-grant role inheritance, ...) are kept
 * behind the macros of this header, never as #if inside function signatures.
 *
 *-------------------------------------------------------------------------
 */
#ifndef FLP_COMPAT_H
#define FLP_COMPAT_H

#if PG_VERSION_NUM < 150000 || PG_VERSION_NUM >= 160000
#error "flp supports PostgreSQL 15"
#endif

#endif							/* FLP_COMPAT_H */
