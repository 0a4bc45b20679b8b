/*
 * sqlite_baseline: the SQLite work our ingestion writer does for a new *alerta* frame with a GPS fix, in C.
 *
 *   sqlite_baseline DBPATH --alerts N --batch B [--lines L] [--merge-window-s S] [--cold-credentials]
 *
 * DBPATH must already hold our schema (`boton db migrate`). The connection is set up as Database.swift does it
 * (extended result codes, busy_timeout 5000, foreign_keys=ON, journal_mode=WAL, synchronous=FULL), and every
 * batch of B alerts is one BEGIN IMMEDIATE ... COMMIT, as IngestionPipeline.runWriter does. Per alert, with
 * the device credential already cached (the writer's steady state), it runs the same 7 prepared statements,
 * same SQL text, as Writer.processDevice -> answerSeen -> openOrJoin (new incident) -> insertReceipt:
 *
 *   1 SELECT frame_receipt by (sender_id, sequence)      SQLiteStore.receipt        (finds nothing: new frame)
 *   2 SELECT open incident of the line                   SQLiteStore.openIncident   (finds nothing: new incident)
 *   3 INSERT incident                                    SQLiteStore.createIncident
 *   4 INSERT incident_event 'transicion' -> 'recibida'   SQLiteStore.createIncident
 *   5 INSERT incident_position                           SQLiteStore.addPosition
 *   6 INSERT incident_event 'posicion'                   SQLiteStore.addPosition
 *   7 INSERT frame_receipt 'aceptada'                    SQLiteStore.insertReceipt
 *
 * --cold-credentials adds, per alert, the two SELECTs an uncached device costs (SQLiteStore.deviceCredential and
 * registeredLine); the writer caches them, so a steady server does not pay them per frame.
 *
 * Fixtures (inserted with INSERT OR IGNORE, outside the timing): one territory_unit subcircuit, its upc and
 * upc_subcircuit, and L phone lines each with one 'app' device. Alert i comes from device i % L with a new
 * sequence number. The server stamps one `now` per batch; here batch b is stamped base + b*step, with step
 * chosen so a line's previous incident is always older than the merge window: every alert really takes the
 * new-incident path (checked: the run fails if either SELECT finds a row).
 *
 * Prints one JSON line: {"alerts":N,"batch":B,"seconds":S,"rate":R}   (rate = alerts / second, timing covers
 * only the transactions.)
 */
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static sqlite3 *db;

static void die(const char *what) {
    fprintf(stderr, "sqlite_baseline: %s: %s\n", what, sqlite3_errmsg(db));
    exit(1);
}

static void exec(const char *sql) {
    char *err = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK) {
        fprintf(stderr, "sqlite_baseline: %s: %s\n", sql, err ? err : "?");
        exit(1);
    }
}

static sqlite3_stmt *prepare(const char *sql) {
    sqlite3_stmt *s;
    if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, NULL) != SQLITE_OK) die(sql);
    return s;
}

/* Runs a statement that returns no rows. */
static void run(sqlite3_stmt *s) {
    if (sqlite3_step(s) != SQLITE_DONE) die(sqlite3_sql(s));
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
}

/* Steps to the first row, reads the columns like Statement.first does, resets; returns 1 if a row came. */
static int first(sqlite3_stmt *s) {
    int rc = sqlite3_step(s), found = 0;
    if (rc == SQLITE_ROW) {
        found = 1;
        for (int c = 0; c < sqlite3_column_count(s); c++) {
            switch (sqlite3_column_type(s, c)) {
            case SQLITE_BLOB: (void)sqlite3_column_blob(s, c); (void)sqlite3_column_bytes(s, c); break;
            case SQLITE_TEXT: (void)sqlite3_column_text(s, c); break;
            default: (void)sqlite3_column_int64(s, c); break;
            }
        }
    } else if (rc != SQLITE_DONE) {
        die(sqlite3_sql(s));
    }
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    return found;
}

static int64_t scalar(const char *sql) {
    sqlite3_stmt *s = prepare(sql);
    int64_t v = 0;
    if (sqlite3_step(s) == SQLITE_ROW) v = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    return v;
}

static double mono(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int64_t wall_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static const char *SUBCIRCUIT = "17D05C02S01", *UPC = "UPC-17D05C02S01";

/* Device k: its 16-byte id, 32 lower-case hex digits, and its line. */
static void device_id(long k, unsigned char id[16]) {
    memset(id, 0, 16);
    memcpy(id, "BENCHDEV", 8);
    for (int i = 0; i < 8; i++) id[8 + i] = (unsigned char)((uint64_t)k >> (56 - 8 * i));
}
static void hex16(const unsigned char id[16], char out[33]) {
    static const char digits[] = "0123456789abcdef";
    for (int i = 0; i < 16; i++) { out[2 * i] = digits[id[i] >> 4]; out[2 * i + 1] = digits[id[i] & 15]; }
    out[32] = 0;
}
static void line_of(long k, char out[24]) { snprintf(out, 24, "+5939%08ld", k % 100000000); }

static void usage(void) {
    fprintf(stderr, "usage: sqlite_baseline DBPATH --alerts N --batch B [--lines L] [--merge-window-s S]"
                    " [--cold-credentials] [--synchronous full|off]\n");
    exit(2);
}

int main(int argc, char **argv) {
    const char *path = NULL;
    long alerts = -1, batch = -1, lines = 10000, merge_s = 600;
    int cold = 0;
    const char *synchronous = "FULL";
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--alerts") && i + 1 < argc) alerts = atol(argv[++i]);
        else if (!strcmp(argv[i], "--batch") && i + 1 < argc) batch = atol(argv[++i]);
        else if (!strcmp(argv[i], "--lines") && i + 1 < argc) lines = atol(argv[++i]);
        else if (!strcmp(argv[i], "--merge-window-s") && i + 1 < argc) merge_s = atol(argv[++i]);
        else if (!strcmp(argv[i], "--cold-credentials")) cold = 1;
        else if (!strcmp(argv[i], "--synchronous") && i + 1 < argc) {
            const char *mode = argv[++i];
            if (!strcmp(mode, "full")) synchronous = "FULL";
            else if (!strcmp(mode, "off")) synchronous = "OFF";
            else usage();
        }
        else if (argv[i][0] == '-') usage();
        else if (!path) path = argv[i];
        else usage();
    }
    if (!path || alerts <= 0 || batch <= 0 || lines <= 0 || lines > 100000000 || merge_s < 0) usage();
    if (lines < batch) { fprintf(stderr, "sqlite_baseline: --lines must be >= --batch\n"); return 2; }

    /* As Database.init: READWRITE (not CREATE: the schema must be there), NOMUTEX. */
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) die(path);
    sqlite3_extended_result_codes(db, 1);
    sqlite3_busy_timeout(db, 5000);
    exec("PRAGMA foreign_keys = ON");
    exec("PRAGMA journal_mode = WAL");
    exec(!strcmp(synchronous, "OFF") ? "PRAGMA synchronous = OFF" : "PRAGMA synchronous = FULL");
    if (scalar("SELECT count(*) FROM sqlite_schema WHERE name IN ('incident','frame_receipt')") != 2) {
        fprintf(stderr, "sqlite_baseline: %s lacks the schema (run `boton db migrate`)\n", path);
        return 1;
    }

    /* Fixtures. */
    int64_t t = wall_ms();
    exec("BEGIN IMMEDIATE");
    {
        char sql[512];
        snprintf(sql, sizeof sql,
                 "INSERT OR IGNORE INTO upc (code, name, latitude, longitude) VALUES ('%s','UPC bench',-0.18,-78.48);"
                 "INSERT OR IGNORE INTO territory_unit (code, level, name, upc_code) "
                 "VALUES ('%s','subcircuito','bench','%s');"
                 "INSERT OR IGNORE INTO upc_subcircuit (subcircuit_code, upc_code) VALUES ('%s','%s');",
                 UPC, SUBCIRCUIT, UPC, SUBCIRCUIT, UPC);
        exec(sql);
        sqlite3_stmt *pl = prepare("INSERT OR IGNORE INTO phone_line (e164, kind, home_subcircuit, home_latitude,"
                                   " home_longitude, created_at) VALUES (?1, 'celular', ?2, -0.18, -78.48, ?3)");
        sqlite3_stmt *dv = prepare("INSERT OR IGNORE INTO device (id, kind, line_e164, secret, created_at)"
                                   " VALUES (?1, 'app', ?2, ?3, ?4)");
        unsigned char id[16], secret[32];
        char hex[33], line[24];
        memset(secret, 0x5a, sizeof secret);
        for (long k = 0; k < lines; k++) {
            device_id(k, id); hex16(id, hex); line_of(k, line);
            sqlite3_bind_text(pl, 1, line, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(pl, 2, SUBCIRCUIT, -1, SQLITE_STATIC);
            sqlite3_bind_int64(pl, 3, t);
            run(pl);
            sqlite3_bind_text(dv, 1, hex, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(dv, 2, line, -1, SQLITE_TRANSIENT);
            sqlite3_bind_blob(dv, 3, secret, sizeof secret, SQLITE_TRANSIENT);
            sqlite3_bind_int64(dv, 4, t);
            run(dv);
        }
        sqlite3_finalize(pl);
        sqlite3_finalize(dv);
    }
    exec("COMMIT");

    /* The writer's statements, SQL text as in SQLiteStore+Ingestion.swift. */
    sqlite3_stmt *s_device = prepare(
        "SELECT d.kind, d.secret, d.revoked_at IS NOT NULL, d.line_e164\n"
        "FROM device d WHERE d.id = ?1");
    sqlite3_stmt *s_line = prepare(
        "SELECT kind, home_subcircuit, home_latitude, home_longitude, suspended_at IS NOT NULL,\n"
        "    EXISTS (SELECT 1 FROM device WHERE line_e164 = ?1 AND kind = 'linea_fija' AND revoked_at IS NULL)\n"
        "FROM phone_line WHERE e164 = ?1");
    sqlite3_stmt *s_receipt = prepare(
        "SELECT fingerprint, status, incident_id, upc_code FROM frame_receipt WHERE sender_id = ?1 AND sequence = ?2");
    sqlite3_stmt *s_open = prepare(
        "SELECT id, upc_code, opened_at FROM incident\n"
        "WHERE line_e164 = ?1 AND is_test = ?2 AND state <> 'cerrada' AND opened_at >= ?3\n"
        "ORDER BY opened_at DESC LIMIT 1");
    sqlite3_stmt *s_incident = prepare(
        "INSERT INTO incident (line_e164, device_id, is_test, state, upc_code, subcircuit_code, location_source,\n"
        "    line_suspended, opened_at) VALUES (?1, ?2, ?3, 'recibida', ?4, ?5, ?6, ?7, ?8)");
    sqlite3_stmt *s_transition = prepare(
        "INSERT INTO incident_event (incident_id, kind, from_state, to_state, actor, at)\n"
        "VALUES (?1, 'transicion', NULL, 'recibida', ?2, ?3)");
    sqlite3_stmt *s_position = prepare(
        "INSERT INTO incident_position (incident_id, latitude, longitude, accuracy_m, fix_age_s, received_at)\n"
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
    sqlite3_stmt *s_pos_event = prepare(
        "INSERT INTO incident_event (incident_id, kind, actor, at, detail) VALUES (?1, 'posicion', ?2, ?3, ?4)");
    sqlite3_stmt *s_insert_receipt = prepare(
        "INSERT INTO frame_receipt (sender_id, sequence, fingerprint, kind, status, incident_id, upc_code,\n"
        "    received_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");

    /* New sequences and a clock past every earlier incident's merge window, so reruns on one file stay new. */
    int64_t merge_ms = (int64_t)merge_s * 1000;
    int64_t seq0 = scalar("SELECT coalesce(max(sequence), 0) FROM frame_receipt") + 1;
    int64_t base = scalar("SELECT coalesce(max(opened_at), 0) FROM incident") + merge_ms + 1;
    if (base < t) base = t;
    /* A line recurs every lines/batch batches: those must span more than the merge window. */
    int64_t step = merge_ms * batch / lines + 1;

    long joined = 0, seen = 0;
    double began = mono();
    for (long done = 0, b = 0; done < alerts; b++) {
        int64_t now = base + b * step;
        long n = alerts - done < batch ? alerts - done : batch;
        exec("BEGIN IMMEDIATE");
        for (long j = 0; j < n; j++) {
            long i = done + j, k = i % lines;
            unsigned char sender[16], fingerprint[16];
            char hex[33], line[24], author[48], detail[64];
            device_id(k, sender);
            hex16(sender, hex);
            line_of(k, line);
            int64_t sequence = seq0 + i;
            for (int x = 0; x < 16; x++) fingerprint[x] = (unsigned char)((uint64_t)(sequence * 0x9E3779B97F4A7C15ULL) >> (x * 4));
            double lat = -0.18 + (double)(i % 1000) * 1e-5, lon = -78.48 - (double)(i % 997) * 1e-5;
            snprintf(author, sizeof author, "dispositivo:%s", hex);

            if (cold) {
                sqlite3_bind_text(s_device, 1, hex, 32, SQLITE_STATIC);
                if (!first(s_device)) { fprintf(stderr, "sqlite_baseline: device %s missing\n", hex); return 1; }
                sqlite3_bind_text(s_line, 1, line, -1, SQLITE_STATIC);
                if (!first(s_line)) { fprintf(stderr, "sqlite_baseline: line %s missing\n", line); return 1; }
            }
            /* 1. answerSeen: the receipt. */
            sqlite3_bind_blob(s_receipt, 1, sender, 16, SQLITE_STATIC);
            sqlite3_bind_int64(s_receipt, 2, sequence);
            seen += first(s_receipt);
            /* 2. openOrJoin: the line's open incident within the merge window. */
            sqlite3_bind_text(s_open, 1, line, -1, SQLITE_STATIC);
            sqlite3_bind_int64(s_open, 2, 0);
            sqlite3_bind_int64(s_open, 3, now - merge_ms);
            joined += first(s_open);
            /* 3-4. createIncident. */
            sqlite3_bind_text(s_incident, 1, line, -1, SQLITE_STATIC);
            sqlite3_bind_text(s_incident, 2, hex, 32, SQLITE_STATIC);
            sqlite3_bind_int64(s_incident, 3, 0);
            sqlite3_bind_text(s_incident, 4, UPC, -1, SQLITE_STATIC);
            sqlite3_bind_text(s_incident, 5, SUBCIRCUIT, -1, SQLITE_STATIC);
            sqlite3_bind_text(s_incident, 6, "gps", -1, SQLITE_STATIC);
            sqlite3_bind_int64(s_incident, 7, 0);
            sqlite3_bind_int64(s_incident, 8, now);
            run(s_incident);
            sqlite3_int64 incident = sqlite3_last_insert_rowid(db);
            sqlite3_bind_int64(s_transition, 1, incident);
            sqlite3_bind_text(s_transition, 2, author, -1, SQLITE_STATIC);
            sqlite3_bind_int64(s_transition, 3, now);
            run(s_transition);
            /* 5-6. addPosition. */
            sqlite3_bind_int64(s_position, 1, incident);
            sqlite3_bind_double(s_position, 2, lat);
            sqlite3_bind_double(s_position, 3, lon);
            sqlite3_bind_int64(s_position, 4, 12);
            sqlite3_bind_int64(s_position, 5, 3);
            sqlite3_bind_int64(s_position, 6, now);
            run(s_position);
            snprintf(detail, sizeof detail, "%.5f,%.5f", lat, lon);
            sqlite3_bind_int64(s_pos_event, 1, incident);
            sqlite3_bind_text(s_pos_event, 2, author, -1, SQLITE_STATIC);
            sqlite3_bind_int64(s_pos_event, 3, now);
            sqlite3_bind_text(s_pos_event, 4, detail, -1, SQLITE_STATIC);
            run(s_pos_event);
            /* 7. insertReceipt. */
            sqlite3_bind_blob(s_insert_receipt, 1, sender, 16, SQLITE_STATIC);
            sqlite3_bind_int64(s_insert_receipt, 2, sequence);
            sqlite3_bind_blob(s_insert_receipt, 3, fingerprint, 16, SQLITE_STATIC);
            sqlite3_bind_text(s_insert_receipt, 4, "alerta", -1, SQLITE_STATIC);
            sqlite3_bind_text(s_insert_receipt, 5, "aceptada", -1, SQLITE_STATIC);
            sqlite3_bind_int64(s_insert_receipt, 6, incident);
            sqlite3_bind_text(s_insert_receipt, 7, UPC, -1, SQLITE_STATIC);
            sqlite3_bind_int64(s_insert_receipt, 8, now);
            run(s_insert_receipt);
        }
        exec("COMMIT");
        done += n;
    }
    double seconds = mono() - began;

    if (joined || seen) {
        fprintf(stderr, "sqlite_baseline: %ld alerts joined an open incident, %ld receipts existed: not all new\n",
                joined, seen);
        return 1;
    }
    printf("{\"alerts\":%ld,\"batch\":%ld,\"seconds\":%.6f,\"rate\":%.1f}\n", alerts, batch, seconds,
           (double)alerts / seconds);
    sqlite3_stmt *all[] = {s_device, s_line, s_receipt, s_open, s_incident, s_transition, s_position, s_pos_event,
                           s_insert_receipt};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++) sqlite3_finalize(all[i]);
    sqlite3_close(db);
    return 0;
}
