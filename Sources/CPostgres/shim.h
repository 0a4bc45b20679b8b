// libpq (PostgreSQL's client library) for Swift: the header, found through pkg-config (libpq-dev on Debian).
#ifndef BOTON_CPOSTGRES_SHIM_H
#define BOTON_CPOSTGRES_SHIM_H
#include <libpq-fe.h>

/// PG_DIAG_SQLSTATE and PG_DIAG_MESSAGE_PRIMARY are character constants ('C', 'M') in postgres_ext.h; named here
/// so that Swift reads them as the `int` PQresultErrorField takes.
static inline int boton_PG_DIAG_SQLSTATE(void) { return PG_DIAG_SQLSTATE; }
static inline int boton_PG_DIAG_MESSAGE_PRIMARY(void) { return PG_DIAG_MESSAGE_PRIMARY; }
static inline int boton_PG_DIAG_MESSAGE_DETAIL(void) { return PG_DIAG_MESSAGE_DETAIL; }
#endif
