// SQLite for Swift: the header plus static inline wrappers for what Swift cannot import
// (macros that cast integers to function pointers, variadic configuration calls).
#ifndef BOTON_CSQLITE_SHIM_H
#define BOTON_CSQLITE_SHIM_H
#include <sqlite3.h>

/// SQLITE_TRANSIENT: SQLite copies the bound text or blob before the call returns.
static inline int boton_sqlite3_bind_text_transient(sqlite3_stmt *stmt, int index, const char *text, int bytes) {
    return sqlite3_bind_text(stmt, index, text, bytes, SQLITE_TRANSIENT);
}

static inline int boton_sqlite3_bind_blob_transient(sqlite3_stmt *stmt, int index, const void *data, int bytes) {
    return sqlite3_bind_blob(stmt, index, data, bytes, SQLITE_TRANSIENT);
}

/// sqlite3_db_config is variadic; this is the form that toggles an integer option.
static inline int boton_sqlite3_db_config_int(sqlite3 *db, int op, int value, int *out) {
    return sqlite3_db_config(db, op, value, out);
}
#endif
