/*
 * pg_baseline: the PostgreSQL work our ingestion writer does for a new *alerta* frame with a GPS fix, in C (libpq).
 *
 *   pg_baseline CONNINFO --alerts N [--batch B] [--lines L]
 *
 * CONNINFO names a database that holds our schema (`boton db migrate`). Every batch of B alerts is one
 * transaction: BEGIN, the cluster-wide write lock our store takes right after BEGIN (pg_advisory_xact_lock, the
 * ordering rule of the console feed), then per alert the same 7 statements, same SQL, as Writer.processDevice ->
 * openOrJoin (new incident) -> insertReceipt, each a prepared statement run with PQexecPrepared (one round trip
 * each, as our PostgresStatement does), then COMMIT:
 *
 *   1 SELECT frame_receipt by (sender_id, sequence)      (finds nothing: a new frame)
 *   2 SELECT open incident of the line                   (finds nothing: a new incident)
 *   3 INSERT incident ... RETURNING id
 *   4 INSERT incident_event 'transicion' -> 'recibida'
 *   5 INSERT incident_position
 *   6 INSERT incident_event 'posicion'
 *   7 INSERT frame_receipt 'aceptada'
 *
 * What ours adds and this does not: the NOTIFY that rides on our COMMIT, UDP, MAC checks, routing, the answers.
 * Fixtures (outside the timing): L phone lines with one device each (ON CONFLICT DO NOTHING). Alert i comes from
 * line i % L with a new sequence; its opened_at is past every earlier incident of the line, so every alert takes
 * the new-incident path (the run fails if either SELECT finds a row).
 *
 * Prints one JSON line: {"alerts":N,"batch":B,"seconds":S,"rate":R,"commit_p50_ms":..,"commit_p99_ms":..}
 * (rate = alerts / second over the transactions; commit_* = the COMMIT round trip, which waits for the
 * synchronous standby when there is one).
 */
#include <libpq-fe.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static PGconn *conn;

static void die(const char *what, PGresult *r) {
    fprintf(stderr, "pg_baseline: %s: %s\n", what, r ? PQresultErrorMessage(r) : PQerrorMessage(conn));
    exit(1);
}

static void exec(const char *sql) {
    PGresult *r = PQexec(conn, sql);
    if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK) die(sql, r);
    PQclear(r);
}

static void prepare(const char *name, const char *sql) {
    PGresult *r = PQprepare(conn, name, sql, 0, NULL);
    if (PQresultStatus(r) != PGRES_COMMAND_OK) die(sql, r);
    PQclear(r);
}

/* Runs a prepared statement (bytea parameters in binary, the rest as text); returns its row count. */
static int run(const char *name, int n, const char *const *values, const int *lengths, const int *formats,
               int64_t *first) {
    PGresult *r = PQexecPrepared(conn, name, n, values, lengths, formats, 0);
    ExecStatusType s = PQresultStatus(r);
    if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK) die(name, r);
    int rows = PQntuples(r);
    if (first && rows > 0) *first = atoll(PQgetvalue(r, 0, 0));
    for (int i = 0; i < rows; i++)
        for (int c = 0; c < PQnfields(r); c++) (void)PQgetvalue(r, i, c);
    PQclear(r);
    return rows;
}

static int64_t scalar(const char *sql) {
    PGresult *r = PQexec(conn, sql);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) die(sql, r);
    int64_t v = PQgetisnull(r, 0, 0) ? 0 : atoll(PQgetvalue(r, 0, 0));
    PQclear(r);
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

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void device_id(long k, unsigned char id[16]) {
    memset(id, 0, 16);
    memcpy(id, "BENCHPGD", 8);
    for (int i = 0; i < 8; i++) id[8 + i] = (unsigned char)((uint64_t)k >> (56 - 8 * i));
}
static void hex16(const unsigned char id[16], char out[33]) {
    static const char digits[] = "0123456789abcdef";
    for (int i = 0; i < 16; i++) { out[2 * i] = digits[id[i] >> 4]; out[2 * i + 1] = digits[id[i] & 15]; }
    out[32] = 0;
}
static void line_of(long k, char out[24]) { snprintf(out, 24, "+5939%08ld", 50000000 + k % 50000000); }

int main(int argc, char **argv) {
    const char *conninfo = NULL;
    long alerts = -1, batch = 100, lines = 10000;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--alerts") && i + 1 < argc) alerts = atol(argv[++i]);
        else if (!strcmp(argv[i], "--batch") && i + 1 < argc) batch = atol(argv[++i]);
        else if (!strcmp(argv[i], "--lines") && i + 1 < argc) lines = atol(argv[++i]);
        else if (argv[i][0] == '-' && argv[i][1] == '-') { fprintf(stderr, "pg_baseline: unknown %s\n", argv[i]); return 2; }
        else if (!conninfo) conninfo = argv[i];
        else { fprintf(stderr, "usage: pg_baseline CONNINFO --alerts N [--batch B] [--lines L]\n"); return 2; }
    }
    if (!conninfo || alerts <= 0 || batch <= 0 || lines < batch) {
        fprintf(stderr, "usage: pg_baseline CONNINFO --alerts N [--batch B] [--lines L] (L >= B)\n");
        return 2;
    }
    conn = PQconnectdb(conninfo);
    if (PQstatus(conn) != CONNECTION_OK) die("connect", NULL);
    if (scalar("SELECT count(*) FROM pg_tables WHERE tablename IN ('incident','frame_receipt')") != 2) {
        fprintf(stderr, "pg_baseline: the database lacks the schema (run `boton db migrate`)\n");
        return 1;
    }

    int64_t t = wall_ms();
    exec("BEGIN");
    prepare("line", "INSERT INTO phone_line (e164, kind, home_latitude, home_longitude, created_at)"
                    " VALUES ($1, 'celular', -0.18, -78.48, $2) ON CONFLICT DO NOTHING");
    prepare("device", "INSERT INTO device (id, kind, line_e164, secret, created_at) VALUES ($1, 'app', $2, $3, $4)"
                      " ON CONFLICT DO NOTHING");
    {
        unsigned char id[16], secret[32];
        char hex[33], line[24], at[24];
        memset(secret, 0x5a, sizeof secret);
        snprintf(at, sizeof at, "%lld", (long long)t);
        for (long k = 0; k < lines; k++) {
            device_id(k, id); hex16(id, hex); line_of(k, line);
            const char *lv[] = {line, at};
            run("line", 2, lv, NULL, NULL, NULL);
            const char *dv[] = {hex, line, (const char *)secret, at};
            int dl[] = {0, 0, sizeof secret, 0}, df[] = {0, 0, 1, 0};
            run("device", 4, dv, dl, df, NULL);
        }
    }
    exec("COMMIT");

    /* The writer's statements, SQL text as in SQLStore+Ingestion.swift (parameters $N as PostgresDatabase writes). */
    prepare("lock", "SELECT pg_advisory_xact_lock(4787172950858364532)");
    prepare("receipt", "SELECT fingerprint, status, incident_id, upc_code FROM frame_receipt"
                       " WHERE sender_id = $1 AND sequence = $2");
    prepare("open", "SELECT id, upc_code, opened_at, state, unit, is_silent, battery_percent FROM incident\n"
                    "WHERE line_e164 = $1 AND is_test IN ($2, 2) AND state <> 'cerrada' AND opened_at >= $3\n"
                    "ORDER BY opened_at DESC LIMIT 1");
    prepare("incident", "INSERT INTO incident (line_e164, device_id, is_test, state, upc_code, subcircuit_code,"
                        " location_source,\n    line_suspended, opened_at, is_silent, battery_percent)\n"
                        "VALUES ($1, $2, $3, 'recibida', $4, $5, $6, $7, $8, $9, $10)\nRETURNING id");
    prepare("transition", "INSERT INTO incident_event (incident_id, upc_code, kind, from_state, to_state, actor, at)\n"
                          "VALUES ($1, $4, 'transicion', NULL, 'recibida', $2, $3)");
    prepare("position", "INSERT INTO incident_position (incident_id, latitude, longitude, accuracy_m, fix_age_s,"
                        " received_at,\n    battery_percent)\nVALUES ($1, $2, $3, $4, $5, $6, $7)");
    prepare("pos_event", "INSERT INTO incident_event (incident_id, upc_code, kind, actor, at, detail)\n"
                         "VALUES ($1, (SELECT upc_code FROM incident WHERE id = $1), 'posicion', $2, $3, $4)");
    prepare("insert_receipt", "INSERT INTO frame_receipt (sender_id, sequence, fingerprint, kind, status,"
                              " incident_id, upc_code,\n    received_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)");

    int64_t seq0 = scalar("SELECT coalesce(max(sequence), 0) FROM frame_receipt") + 1;
    int64_t base = scalar("SELECT coalesce(max(opened_at), 0) FROM incident") + 1;
    if (base < t) base = t;
    long batches = (alerts + batch - 1) / batch;
    double *commits = calloc((size_t)batches, sizeof(double));
    double began = mono();
    for (long done = 0, b = 0; done < alerts; b++) {
        /* Each batch is stamped past every earlier one by more than any merge window: every alert is new. */
        int64_t now = base + b * 700000;
        long n = alerts - done < batch ? alerts - done : batch;
        exec("BEGIN");
        run("lock", 0, NULL, NULL, NULL, NULL);
        for (long j = 0; j < n; j++) {
            long i = done + j, k = i % lines;
            unsigned char sender[16], fingerprint[16];
            char hex[33], line[24], author[48], detail[64], seq[24], nowtxt[24], since[24], id[24], lat[32], lon[32];
            device_id(k, sender);
            hex16(sender, hex);
            line_of(k, line);
            int64_t sequence = seq0 + i;
            for (int x = 0; x < 16; x++) fingerprint[x] = (unsigned char)((uint64_t)(sequence * 0x9E3779B97F4A7C15ULL) >> (x * 4));
            double la = -0.18 + (double)(i % 1000) * 1e-5, lo = -78.48 - (double)(i % 997) * 1e-5;
            snprintf(author, sizeof author, "dispositivo:%s", hex);
            snprintf(seq, sizeof seq, "%lld", (long long)sequence);
            snprintf(nowtxt, sizeof nowtxt, "%lld", (long long)now);
            snprintf(since, sizeof since, "%lld", (long long)(now - 600000));
            snprintf(lat, sizeof lat, "%.6f", la);
            snprintf(lon, sizeof lon, "%.6f", lo);
            snprintf(detail, sizeof detail, "%s,%s", lat, lon);

            const char *rv[] = {(const char *)sender, seq};
            int rl[] = {16, 0}, rf[] = {1, 0};
            if (run("receipt", 2, rv, rl, rf, NULL)) { fprintf(stderr, "pg_baseline: receipt found\n"); return 1; }
            const char *ov[] = {line, "0", since};
            if (run("open", 3, ov, NULL, NULL, NULL)) { fprintf(stderr, "pg_baseline: open incident found\n"); return 1; }
            int64_t incident = 0;
            const char *iv[] = {line, hex, "0", "UPC-17D04C01S01", "17D04C01S01", "gps", "0", nowtxt, "0", "80"};
            run("incident", 10, iv, NULL, NULL, &incident);
            snprintf(id, sizeof id, "%lld", (long long)incident);
            const char *tv[] = {id, author, nowtxt, "UPC-17D04C01S01"};
            run("transition", 4, tv, NULL, NULL, NULL);
            const char *pv[] = {id, lat, lon, "12", "3", nowtxt, "80"};
            run("position", 7, pv, NULL, NULL, NULL);
            const char *ev[] = {id, author, nowtxt, detail};
            run("pos_event", 4, ev, NULL, NULL, NULL);
            const char *wv[] = {(const char *)sender, seq, (const char *)fingerprint, "alerta", "aceptada", id,
                                "UPC-17D04C01S01", nowtxt};
            int wl[] = {16, 0, 16, 0, 0, 0, 0, 0}, wf[] = {1, 0, 1, 0, 0, 0, 0, 0};
            run("insert_receipt", 8, wv, wl, wf, NULL);
        }
        double c0 = mono();
        exec("COMMIT");
        commits[b] = (mono() - c0) * 1000;
        done += n;
    }
    double seconds = mono() - began;
    qsort(commits, (size_t)batches, sizeof(double), cmp_double);
    double p50 = commits[(batches - 1) / 2], p99 = commits[(long)((batches - 1) * 0.99)];
    printf("{\"alerts\":%ld,\"batch\":%ld,\"seconds\":%.3f,\"rate\":%.1f,\"commit_p50_ms\":%.3f,"
           "\"commit_p99_ms\":%.3f}\n", alerts, batch, seconds, alerts / seconds, p50, p99);
    free(commits);
    PQfinish(conn);
    return 0;
}
