import BotonRepository
/// The schema, as numbered migrations.
///
/// Conventions, chosen so that a PostgreSQL implementation can reuse the same shape:
/// - times are `INTEGER` milliseconds since the Unix epoch (UTC), named `*_at`;
/// - codes of the territory are `TEXT` in their canonical form (`06D01C06S02`, `UPC-06D01C06S02`);
/// - states and outcomes are the Spanish names the service uses, guarded by `CHECK` constraints;
/// - personal data is kept only where the service needs it: a citizen's identity and contact data for the
///   UPC to verify and to answer an alert; nothing about a device beyond its credential.
public enum Schema {
    public static let migrations: [Migration] = [
        Migration(version: 1, name: "initial schema", sql: v1),
        Migration(version: 2, name: "frame receipts", sql: v2),
        Migration(version: 3, name: "enrollment service", sql: v3),
        Migration(version: 4, name: "operator sessions", sql: v4),
        Migration(version: 5, name: "operator console", sql: v5),
        Migration(version: 6, name: "statistics", sql: v6),
        Migration(version: 7, name: "fewer incident indexes", sql: v7),
        Migration(version: 8, name: "server secrets", sql: v8),
        Migration(version: 9, name: "baja requests", sql: v9, rebuildsTables: true),
        Migration(version: 10, name: "console replay by UPC", sql: v10),
        Migration(version: 11, name: "dc09 sites", sql: v11),
        Migration(version: 12, name: "simulated load", sql: v12),
        Migration(version: 13, name: "operator rank", sql: operatorRank),
        Migration(version: 14, name: "sender supervision", sql: senderSupervision),
        Migration(version: 15, name: "silent alerts and battery", sql: silentAlertsAndBattery),
    ]

    public static var latestVersion: Int { migrations.count }

    static let v1 = """
    CREATE TABLE territory_unit (
        code        TEXT PRIMARY KEY,
        level       TEXT NOT NULL CHECK (level IN ('zona','subzona','distrito','circuito','subcircuito')),
        name        TEXT NOT NULL,
        parent_code TEXT REFERENCES territory_unit(code),
        zone_code   TEXT,
        upc_code    TEXT,
        geometry    BLOB
    );
    CREATE INDEX territory_unit_parent ON territory_unit(parent_code);

    CREATE TABLE upc (
        code      TEXT PRIMARY KEY,
        name      TEXT NOT NULL,
        latitude  REAL NOT NULL,
        longitude REAL NOT NULL,
        phone     TEXT
    );
    CREATE TABLE upc_subcircuit (
        subcircuit_code TEXT PRIMARY KEY REFERENCES territory_unit(code),
        upc_code        TEXT NOT NULL REFERENCES upc(code)
    );

    CREATE TABLE citizen (
        id              INTEGER PRIMARY KEY,
        document_kind   TEXT NOT NULL CHECK (document_kind IN ('cedula','pasaporte')),
        document_key    TEXT NOT NULL UNIQUE,
        document_number TEXT NOT NULL,
        nationality     TEXT NOT NULL,
        nombres         TEXT NOT NULL,
        apellidos       TEXT NOT NULL,
        birth_date      TEXT NOT NULL,
        email           TEXT,
        created_at      INTEGER NOT NULL
    );

    CREATE TABLE phone_line (
        e164              TEXT PRIMARY KEY,
        kind              TEXT NOT NULL CHECK (kind IN ('fijo','celular')),
        citizen_id        INTEGER REFERENCES citizen(id),
        home_subcircuit   TEXT REFERENCES territory_unit(code),
        home_latitude     REAL,
        home_longitude    REAL,
        suspended_at      INTEGER,
        created_at        INTEGER NOT NULL
    );

    CREATE TABLE enrollment (
        id                     INTEGER PRIMARY KEY,
        tramite                TEXT NOT NULL UNIQUE,
        channel                TEXT NOT NULL CHECK (channel IN ('en_linea','presencial')),
        state                  TEXT NOT NULL CHECK (state IN ('ingresada','en_verificacion','verificada',
                                   'rechazada','registrada','prueba_pendiente','activa','suspendida','dada_de_baja')),
        citizen_id             INTEGER NOT NULL REFERENCES citizen(id),
        line_e164              TEXT NOT NULL REFERENCES phone_line(e164),
        upc_code               TEXT NOT NULL REFERENCES upc(code),
        subcircuit_code        TEXT NOT NULL REFERENCES territory_unit(code),
        home_address           TEXT NOT NULL,
        home_latitude          REAL NOT NULL,
        home_longitude         REAL NOT NULL,
        work_address           TEXT,
        work_latitude          REAL,
        work_longitude         REAL,
        consent_at             INTEGER,
        usage_policy_explained INTEGER NOT NULL DEFAULT 0,
        linked_to              INTEGER REFERENCES enrollment(id),
        created_at             INTEGER NOT NULL,
        updated_at             INTEGER NOT NULL
    );
    CREATE INDEX enrollment_upc_state ON enrollment(upc_code, state);
    CREATE INDEX enrollment_line ON enrollment(line_e164);
    -- One live button per phone line.
    CREATE UNIQUE INDEX enrollment_one_active_per_line ON enrollment(line_e164)
        WHERE state IN ('activa','suspendida');

    CREATE TABLE enrollment_contact (
        enrollment_id INTEGER NOT NULL REFERENCES enrollment(id),
        position      INTEGER NOT NULL,
        name          TEXT NOT NULL,
        phone         TEXT NOT NULL,
        PRIMARY KEY (enrollment_id, position)
    );

    CREATE TABLE enrollment_transition (
        id            INTEGER PRIMARY KEY,
        enrollment_id INTEGER NOT NULL REFERENCES enrollment(id),
        from_state    TEXT,
        to_state      TEXT NOT NULL,
        actor         TEXT NOT NULL,
        at            INTEGER NOT NULL,
        note          TEXT
    );
    CREATE INDEX enrollment_transition_enrollment ON enrollment_transition(enrollment_id);

    CREATE TABLE contact_attempt (
        id            INTEGER PRIMARY KEY,
        enrollment_id INTEGER NOT NULL REFERENCES enrollment(id),
        actor         TEXT NOT NULL,
        at            INTEGER NOT NULL,
        result        TEXT NOT NULL,
        note          TEXT
    );

    CREATE TABLE device (
        id          TEXT PRIMARY KEY,
        kind        TEXT NOT NULL CHECK (kind IN ('app','linea_fija')),
        line_e164   TEXT NOT NULL REFERENCES phone_line(e164),
        secret      BLOB NOT NULL,
        created_at  INTEGER NOT NULL,
        revoked_at  INTEGER
    );
    CREATE INDEX device_line ON device(line_e164);

    CREATE TABLE gateway (
        id         TEXT PRIMARY KEY,
        name       TEXT NOT NULL,
        secret     BLOB NOT NULL,
        created_at INTEGER NOT NULL,
        revoked_at INTEGER
    );

    CREATE TABLE incident (
        id              INTEGER PRIMARY KEY,
        line_e164       TEXT NOT NULL REFERENCES phone_line(e164),
        device_id       TEXT,
        is_test         INTEGER NOT NULL DEFAULT 0,
        state           TEXT NOT NULL CHECK (state IN ('recibida','notificada','tomada','despachada','cerrada')),
        outcome         TEXT CHECK (outcome IN ('atendida','falsa_alarma','cancelada_por_ciudadano',
                                               'no_localizada','prueba')),
        upc_code        TEXT NOT NULL,
        subcircuit_code TEXT,
        location_source TEXT NOT NULL CHECK (location_source IN ('gps','domicilio','upc_cercana','central')),
        line_suspended  INTEGER NOT NULL DEFAULT 0,
        opened_at       INTEGER NOT NULL,
        taken_at        INTEGER,
        closed_at       INTEGER,
        cancelled_at    INTEGER
    );
    CREATE INDEX incident_upc_state ON incident(upc_code, state);
    CREATE INDEX incident_line_open ON incident(line_e164, opened_at);
    CREATE INDEX incident_closed ON incident(closed_at);

    CREATE TABLE incident_position (
        id          INTEGER PRIMARY KEY,
        incident_id INTEGER NOT NULL REFERENCES incident(id),
        latitude    REAL NOT NULL,
        longitude   REAL NOT NULL,
        accuracy_m  INTEGER,
        fix_age_s   INTEGER,
        received_at INTEGER NOT NULL
    );
    CREATE INDEX incident_position_incident ON incident_position(incident_id);

    CREATE TABLE incident_event (
        id          INTEGER PRIMARY KEY,
        incident_id INTEGER NOT NULL REFERENCES incident(id),
        kind        TEXT NOT NULL CHECK (kind IN ('transicion','escalada','nota','posicion','cancelacion')),
        from_state  TEXT,
        to_state    TEXT,
        actor       TEXT NOT NULL,
        at          INTEGER NOT NULL,
        detail      TEXT
    );
    CREATE INDEX incident_event_incident ON incident_event(incident_id);

    CREATE TABLE operator (
        id              INTEGER PRIMARY KEY,
        username        TEXT NOT NULL UNIQUE,
        display_name    TEXT NOT NULL,
        role            TEXT NOT NULL CHECK (role IN ('operador_upc','supervisor_distrito','administrador')),
        upc_code        TEXT REFERENCES upc(code),
        district_code   TEXT,
        password_hash   BLOB NOT NULL,
        password_salt   BLOB NOT NULL,
        password_rounds INTEGER NOT NULL,
        failed_logins   INTEGER NOT NULL DEFAULT 0,
        locked_until    INTEGER,
        created_at      INTEGER NOT NULL,
        disabled_at     INTEGER
    );

    -- Append-only: no interface may edit or delete what happened.
    CREATE TABLE audit_log (
        id      INTEGER PRIMARY KEY,
        at      INTEGER NOT NULL,
        actor   TEXT NOT NULL,
        action  TEXT NOT NULL,
        subject TEXT NOT NULL,
        detail  TEXT
    );
    CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
    CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;

    CREATE TABLE queja (
        id           INTEGER PRIMARY KEY,
        channel      TEXT NOT NULL CHECK (channel IN ('web','telefono','presencial')),
        state        TEXT NOT NULL CHECK (state IN ('recibida','en_gestion','resuelta')),
        tramite_ref  TEXT,
        incident_ref INTEGER,
        upc_code     TEXT,
        description  TEXT NOT NULL,
        contact      TEXT,
        received_at  INTEGER NOT NULL
    );
    CREATE TABLE queja_transition (
        id         INTEGER PRIMARY KEY,
        queja_id   INTEGER NOT NULL REFERENCES queja(id),
        from_state TEXT,
        to_state   TEXT NOT NULL,
        actor      TEXT NOT NULL,
        at         INTEGER NOT NULL,
        note       TEXT
    );
    """

    /// What each authenticated frame was answered, keyed by sender and sequence: de-duplication, and the same
    /// answer to a retransmission even after a restart. `fingerprint` is the frame's MAC: a second frame with
    /// the same sequence but another fingerprint is a reuse, not a retransmission.
    static let v2 = """
    CREATE TABLE frame_receipt (
        sender_id   BLOB NOT NULL,
        sequence    INTEGER NOT NULL,
        fingerprint BLOB NOT NULL,
        kind        TEXT NOT NULL,
        status      TEXT NOT NULL CHECK (status IN ('aceptada','rechazada')),
        incident_id INTEGER REFERENCES incident(id),
        upc_code    TEXT,
        received_at INTEGER NOT NULL,
        PRIMARY KEY (sender_id, sequence)
    ) WITHOUT ROWID;
    CREATE INDEX frame_receipt_received ON frame_receipt(received_at);
    CREATE INDEX incident_open_line ON incident(line_e164, is_test, state);
    """

    /// What the enrollment service needs beyond v1:
    /// - `tramite_sequence`: the last sequence number handed out per year, for `BS-2026-000123-4` (incremented
    ///   inside the transaction that creates the request, so two connections never get the same number);
    /// - `enrollment.registered_at` and `device_id`: when the credential was issued and which one (the test
    ///   alert must come after it; a baja revokes that device);
    /// - `enrollment.intake_upc_code`: the UPC where an in-person request was taken (its officers may follow it
    ///   up even when the address belongs to another UPC);
    /// - `enrollment.usage_policy_accepted_at`: when the citizen accepted the usage policy online (`consent_at`
    ///   is the LOPDP consent to data processing);
    /// - indexes for the citizen's requests and for requests linked to another.
    static let v3 = """
    CREATE TABLE tramite_sequence (
        year INTEGER PRIMARY KEY,
        last INTEGER NOT NULL
    );
    ALTER TABLE enrollment ADD COLUMN registered_at INTEGER;
    ALTER TABLE enrollment ADD COLUMN device_id TEXT REFERENCES device(id);
    ALTER TABLE enrollment ADD COLUMN intake_upc_code TEXT REFERENCES upc(code);
    ALTER TABLE enrollment ADD COLUMN usage_policy_accepted_at INTEGER;
    CREATE INDEX enrollment_citizen ON enrollment(citizen_id);
    CREATE INDEX enrollment_linked ON enrollment(linked_to);
    CREATE INDEX enrollment_intake_state ON enrollment(intake_upc_code, state);
    CREATE INDEX contact_attempt_enrollment ON contact_attempt(enrollment_id);
    """

    /// Server-side sessions of the officers' web console and API, so that signing out and expiry are real: the
    /// browser holds a random 32-byte token in the `boton_sesion` cookie; only its SHA-256 is stored, so a copy
    /// of the database does not hand out live sessions. A session ends when its row is deleted (sign-out, or
    /// the operator's sessions revoked) or at `expires_at` (fixed at sign-in: `http.session_hours`). Expired rows
    /// are deleted at the next sign-in.
    static let v4 = """
    CREATE TABLE operator_session (
        token_hash     BLOB PRIMARY KEY,
        operator_id    INTEGER NOT NULL REFERENCES operator(id),
        created_at     INTEGER NOT NULL,
        expires_at     INTEGER NOT NULL,
        client_address TEXT
    ) WITHOUT ROWID;
    CREATE INDEX operator_session_operator ON operator_session(operator_id);
    CREATE INDEX operator_session_expires ON operator_session(expires_at);
    """

    /// The operator console (issue 5):
    /// - `incident.escalation_level`: 0 until the SLA passes untaken; then 1 (the other UPCs of the circuito see
    ///   it), 2 (the distrito's supervisors are alerted), 3 (the configured central is notified);
    /// - `incident.taken_by`, `dispatched_at`, `unit`: who took it and what was sent;
    /// - `incident_event.note`: free text of a transition or closing (the unit sent, the closing remark);
    /// - `incident_event` becomes append-only like `audit_log`: its ids are the console feed's event ids;
    /// - `phone_line.suspension_lifted_at`: false alarms before a lifted suspension no longer count;
    /// - `central_delivery`: the outbox of notifications to the central, retried until it answers 2xx.
    static let v5 = """
    ALTER TABLE incident ADD COLUMN escalation_level INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE incident ADD COLUMN taken_by TEXT;
    ALTER TABLE incident ADD COLUMN dispatched_at INTEGER;
    ALTER TABLE incident ADD COLUMN unit TEXT;
    ALTER TABLE incident_event ADD COLUMN note TEXT;
    ALTER TABLE phone_line ADD COLUMN suspension_lifted_at INTEGER;
    CREATE INDEX incident_waiting ON incident(state, is_test, opened_at);
    CREATE INDEX incident_line_outcome ON incident(line_e164, outcome, closed_at);
    CREATE TRIGGER incident_event_no_update BEFORE UPDATE ON incident_event
        BEGIN SELECT RAISE(ABORT, 'incident_event is append-only'); END;
    CREATE TRIGGER incident_event_no_delete BEFORE DELETE ON incident_event
        BEGIN SELECT RAISE(ABORT, 'incident_event is append-only'); END;
    CREATE TABLE central_delivery (
        id              INTEGER PRIMARY KEY,
        incident_id     INTEGER NOT NULL REFERENCES incident(id),
        payload         TEXT NOT NULL,
        created_at      INTEGER NOT NULL,
        attempts        INTEGER NOT NULL DEFAULT 0,
        next_attempt_at INTEGER NOT NULL,
        delivered_at    INTEGER,
        last_error      TEXT
    );
    CREATE INDEX central_delivery_pending ON central_delivery(delivered_at, next_attempt_at);
    """

    /// The transparency statistics (see `SQLiteStore+Statistics.swift`):
    /// - `queja` gains the subcircuito it was placed in (from the referenced alert or request) and `updated_at`;
    ///   indexes for the month's complaints and a UPC's open ones;
    /// - `incident_statistics`: a partial index over closed alerts only (`closed_at IS NOT NULL`), so the
    ///   ingestion path, which inserts open alerts, never writes to it; the national monthly table is a range
    ///   count per month and outcome inside it. `incident_escalation`: escalation events only;
    /// - `published_month`: the historical series imported from the published table (`preferred`: it wins over
    ///   the system's own figure);
    /// - `statistics_revision` and `statistics_figure`: the monthly close. Revision 0 of a month is its close; a
    ///   correction is a new revision with who and why. Both are append-only (triggers), so a frozen figure can
    ///   never change silently. `counted_outcomes` records which outcomes counted as atenciones then.
    static let v6 = """
    ALTER TABLE queja ADD COLUMN subcircuit_code TEXT;
    ALTER TABLE queja ADD COLUMN updated_at INTEGER;
    CREATE INDEX queja_received ON queja(received_at);
    CREATE INDEX queja_upc_state ON queja(upc_code, state);
    CREATE INDEX queja_transition_queja ON queja_transition(queja_id);

    CREATE INDEX incident_statistics ON incident(is_test, outcome, closed_at) WHERE closed_at IS NOT NULL;
    CREATE INDEX incident_escalation ON incident_event(at) WHERE kind = 'escalada';

    CREATE TABLE published_month (
        month       TEXT PRIMARY KEY CHECK (length(month) = 7),
        quejas      INTEGER NOT NULL CHECK (quejas >= 0),
        atenciones  INTEGER NOT NULL CHECK (atenciones >= 0),
        preferred   INTEGER NOT NULL DEFAULT 0,
        source      TEXT NOT NULL,
        imported_at INTEGER NOT NULL,
        imported_by TEXT NOT NULL
    ) WITHOUT ROWID;

    CREATE TABLE statistics_revision (
        month            TEXT NOT NULL CHECK (length(month) = 7),
        revision         INTEGER NOT NULL CHECK (revision >= 0),
        at               INTEGER NOT NULL,
        actor            TEXT NOT NULL,
        reason           TEXT NOT NULL,
        counted_outcomes TEXT NOT NULL,
        PRIMARY KEY (month, revision)
    ) WITHOUT ROWID;
    CREATE TABLE statistics_figure (
        month           TEXT NOT NULL,
        revision        INTEGER NOT NULL,
        level           TEXT NOT NULL CHECK (level IN ('nacional','zona','subzona','distrito','circuito',
                                                      'subcircuito','upc')),
        code            TEXT NOT NULL,
        quejas          INTEGER NOT NULL,
        atenciones      INTEGER NOT NULL,
        pruebas         INTEGER NOT NULL,
        falsas_alarmas  INTEGER NOT NULL,
        escaladas       INTEGER NOT NULL,
        tomadas         INTEGER NOT NULL,
        mediana_toma_ms INTEGER,
        enrolamientos   TEXT NOT NULL,
        PRIMARY KEY (month, revision, level, code),
        FOREIGN KEY (month, revision) REFERENCES statistics_revision(month, revision)
    ) WITHOUT ROWID;
    CREATE TRIGGER statistics_revision_no_update BEFORE UPDATE ON statistics_revision
        BEGIN SELECT RAISE(ABORT, 'statistics_revision is append-only: add a revision'); END;
    CREATE TRIGGER statistics_revision_no_delete BEFORE DELETE ON statistics_revision
        BEGIN SELECT RAISE(ABORT, 'statistics_revision is append-only: add a revision'); END;
    CREATE TRIGGER statistics_figure_no_update BEFORE UPDATE ON statistics_figure
        BEGIN SELECT RAISE(ABORT, 'statistics_figure is append-only: add a revision'); END;
    CREATE TRIGGER statistics_figure_no_delete BEFORE DELETE ON statistics_figure
        BEGIN SELECT RAISE(ABORT, 'statistics_figure is append-only: add a revision'); END;
    """

    /// Fewer indexes on `incident`, each of which an alert's commit writes: three began with `line_e164`, and the
    /// two that also held `state` or `outcome` were rewritten at every transition too. A line has a handful of
    /// alerts, so `incident_line_open (line_e164, opened_at)` serves every per-line query (the open alert to join,
    /// the test alert of an enrollment, the false alarms of the window). About two fewer random index pages per
    /// alert in the write-ahead log, and in every checkpoint.
    static let v7 = """
    DROP INDEX incident_open_line;
    DROP INDEX incident_line_outcome;
    """

    /// Secrets the server keeps across restarts: the key that signs the forms' CSRF tokens (`csrf`). With a key
    /// drawn at every start, every open console and form failed its next action after a restart (403) until the
    /// page was loaded again, though the operator's session had survived.
    static let v8 = """
    CREATE TABLE server_secret (
        name       TEXT PRIMARY KEY,
        value      BLOB NOT NULL,
        created_at INTEGER NOT NULL
    ) WITHOUT ROWID;
    """

    /// An online baja is a request (`baja_solicitada`) until the enrolled device or the UPC confirms it. The
    /// state's `CHECK` gains it, so `enrollment` is rebuilt (SQLite cannot alter a `CHECK`; the migration runs
    /// with foreign keys off and checks them before it commits), with the same columns, rows and indexes; the
    /// one-live-button-per-line index now also covers a button whose baja is pending. Also an index for the
    /// request of a device (the `baja` frame finds its request by the device that sent it).
    static let v9 = """
    CREATE TABLE enrollment_v9 (
        id                     INTEGER PRIMARY KEY,
        tramite                TEXT NOT NULL UNIQUE,
        channel                TEXT NOT NULL CHECK (channel IN ('en_linea','presencial')),
        state                  TEXT NOT NULL CHECK (state IN ('ingresada','en_verificacion','verificada',
                                   'rechazada','registrada','prueba_pendiente','activa','suspendida',
                                   'baja_solicitada','dada_de_baja')),
        citizen_id             INTEGER NOT NULL REFERENCES citizen(id),
        line_e164              TEXT NOT NULL REFERENCES phone_line(e164),
        upc_code               TEXT NOT NULL REFERENCES upc(code),
        subcircuit_code        TEXT NOT NULL REFERENCES territory_unit(code),
        home_address           TEXT NOT NULL,
        home_latitude          REAL NOT NULL,
        home_longitude         REAL NOT NULL,
        work_address           TEXT,
        work_latitude          REAL,
        work_longitude         REAL,
        consent_at             INTEGER,
        usage_policy_explained INTEGER NOT NULL DEFAULT 0,
        linked_to              INTEGER REFERENCES enrollment(id),
        created_at             INTEGER NOT NULL,
        updated_at             INTEGER NOT NULL,
        registered_at          INTEGER,
        device_id              TEXT REFERENCES device(id),
        intake_upc_code        TEXT REFERENCES upc(code),
        usage_policy_accepted_at INTEGER
    );
    INSERT INTO enrollment_v9 (id, tramite, channel, state, citizen_id, line_e164, upc_code, subcircuit_code,
        home_address, home_latitude, home_longitude, work_address, work_latitude, work_longitude, consent_at,
        usage_policy_explained, linked_to, created_at, updated_at, registered_at, device_id, intake_upc_code,
        usage_policy_accepted_at)
    SELECT id, tramite, channel, state, citizen_id, line_e164, upc_code, subcircuit_code,
        home_address, home_latitude, home_longitude, work_address, work_latitude, work_longitude, consent_at,
        usage_policy_explained, linked_to, created_at, updated_at, registered_at, device_id, intake_upc_code,
        usage_policy_accepted_at
    FROM enrollment;
    DROP TABLE enrollment;
    ALTER TABLE enrollment_v9 RENAME TO enrollment;
    CREATE INDEX enrollment_upc_state ON enrollment(upc_code, state);
    CREATE INDEX enrollment_line ON enrollment(line_e164);
    CREATE UNIQUE INDEX enrollment_one_active_per_line ON enrollment(line_e164)
        WHERE state IN ('activa','suspendida','baja_solicitada');
    CREATE INDEX enrollment_citizen ON enrollment(citizen_id);
    CREATE INDEX enrollment_linked ON enrollment(linked_to);
    CREATE INDEX enrollment_intake_state ON enrollment(intake_upc_code, state);
    CREATE INDEX enrollment_device ON enrollment(device_id);
    """

    /// The console's replay reads a UPC's events by id without touching any other UPC's: `incident_event` gains the
    /// `upc_code` of its alert (an alert's UPC never changes after it is opened; every insert writes it), indexed
    /// with the id, so a page of one UPC's events after an id is one range of `incident_event_upc`, however many
    /// events the rest of the country wrote in the window. Existing rows are filled from their alert (the
    /// append-only trigger is dropped for that one update and created again).
    static let v10 = """
    DROP TRIGGER incident_event_no_update;
    ALTER TABLE incident_event ADD COLUMN upc_code TEXT;
    UPDATE incident_event SET upc_code = (SELECT upc_code FROM incident WHERE incident.id = incident_event.incident_id);
    CREATE TRIGGER incident_event_no_update BEFORE UPDATE ON incident_event
        BEGIN SELECT RAISE(ABORT, 'incident_event is append-only'); END;
    CREATE INDEX incident_event_upc ON incident_event(upc_code, id);
    """

    /// Sites that report over SIA DC-09 (alarm panels, hardware panic buttons): `dc09_site`, keyed by the DC-09
    /// account (upper-case hexadecimal), with its AES key if it encrypts, its position and contact. Each site has a
    /// synthetic `phone_line` (`dc09:<account>`, no citizen) whose registered address is the site's, so its alerts
    /// join, route, escalate and count false alarms like any line's. `incident.site_account`, `site_event_code`
    /// and `site_event_meaning` say which site and which event opened an alert (the console shows them).
    static let v11 = """
    CREATE TABLE dc09_site (
        account      TEXT PRIMARY KEY,
        aes_key      BLOB,
        name         TEXT NOT NULL,
        address      TEXT NOT NULL,
        latitude     REAL NOT NULL,
        longitude    REAL NOT NULL,
        contact_e164 TEXT NOT NULL,
        line_e164    TEXT NOT NULL UNIQUE REFERENCES phone_line(e164),
        created_at   INTEGER NOT NULL,
        disabled_at  INTEGER
    ) WITHOUT ROWID;
    ALTER TABLE incident ADD COLUMN site_account TEXT;
    ALTER TABLE incident ADD COLUMN site_event_code TEXT;
    ALTER TABLE incident ADD COLUMN site_event_meaning TEXT;
    """

    /// Simulated load (`boton alert load`): `phone_line.simulated` marks the lines the load generator provisions;
    /// their alerts are stored with `incident.is_test = 2` (*simulacro*). The column is the alert's purpose: 0 a
    /// real emergency, 1 a test alert (*prueba*), 2 a simulated one. Every count, the escalation and the central's
    /// outbox select `is_test = 0` (statistics of tests `= 1`), so a simulated alert is never counted and never
    /// escalated; consoles hide them unless asked (`?simulacion=1`); `boton alert load --cleanup` deletes them
    /// through the two partial indexes, which hold only simulated rows. Deleting an alert checks that no receipt
    /// names it: `frame_receipt_incident` makes that a lookup rather than a scan of a week of receipts.
    ///
    /// `incident_event` stays append-only for every real and test alert; only a simulacro's events may be deleted,
    /// and never the newest event of the table: SQLite hands out `max(rowid) + 1`, so deleting the newest row would
    /// give its id again, and a console whose cursor passed it would miss the event that reuses it.
    static let v12 = """
    ALTER TABLE phone_line ADD COLUMN simulated INTEGER NOT NULL DEFAULT 0;
    CREATE INDEX phone_line_simulated ON phone_line(e164) WHERE simulated = 1;
    CREATE INDEX incident_simulated ON incident(id) WHERE is_test = 2;
    CREATE INDEX frame_receipt_incident ON frame_receipt(incident_id);
    DROP TRIGGER incident_event_no_delete;
    CREATE TRIGGER incident_event_no_delete BEFORE DELETE ON incident_event
        WHEN (SELECT is_test FROM incident WHERE id = OLD.incident_id) IS NOT 2
          OR OLD.id >= (SELECT max(id) FROM incident_event)
        BEGIN SELECT RAISE(ABORT, 'incident_event is append-only'); END;
    """

    /// The operator's rank (`grado`: `Sbte.`, `Cbop.`, …), shown before the name in every history, so that a person
    /// reads "Sbte. Andrade" where the store keeps `operador:42`. Null for accounts made before it (their name
    /// alone is shown).
    static let operatorRank = """
    ALTER TABLE operator ADD COLUMN rank TEXT;
    """

    /// Supervision of every sender: `sender_supervision`, one row per supervised phone, site or gateway (keyed by
    /// kind and id) with its UPC, interval, last sign of life, the instant it falls silent (`silent_at`), and, once
    /// the supervision pass found it silent, since when (`silent_since`). The writer refreshes a row in its batch's
    /// transaction; the pass reads `sender_supervision_due` (senders heard, by deadline) and the consoles
    /// `sender_supervision_silent` (silent senders by UPC): both partial, both ranges with a limit. Sites and
    /// gateways declare their interval (`supervision_s`, NULL: not supervised).
    static let senderSupervision = """
    ALTER TABLE dc09_site ADD COLUMN supervision_s INTEGER;
    ALTER TABLE gateway ADD COLUMN supervision_s INTEGER;
    CREATE TABLE sender_supervision (
        kind          TEXT NOT NULL CHECK (kind IN ('telefono', 'sitio', 'gateway')),
        sender        TEXT NOT NULL,
        label         TEXT NOT NULL,
        upc_code      TEXT NOT NULL,
        interval_s    INTEGER NOT NULL,
        last_seen_at  INTEGER NOT NULL,
        silent_at     INTEGER NOT NULL,
        silent_since  INTEGER,
        latitude      REAL,
        longitude     REAL,
        PRIMARY KEY (kind, sender)
    ) WITHOUT ROWID;
    CREATE INDEX sender_supervision_due ON sender_supervision(silent_at) WHERE silent_since IS NULL;
    CREATE INDEX sender_supervision_silent ON sender_supervision(upc_code, silent_since)
        WHERE silent_since IS NOT NULL;
    """

    /// Silent alerts and the phone's battery: `incident.is_silent` (1 once any press of the alert was silent: the
    /// citizen cannot talk, the UPC must not call the line), `incident.battery_percent` (the last battery level a
    /// frame of the alert carried) and `incident_position.battery_percent` (the level with each position).
    /// Self-contained, so that it can take another number at a merge.
    static let silentAlertsAndBattery = """
    ALTER TABLE incident ADD COLUMN is_silent INTEGER NOT NULL DEFAULT 0 CHECK (is_silent IN (0, 1));
    ALTER TABLE incident ADD COLUMN battery_percent INTEGER CHECK (battery_percent BETWEEN 0 AND 100);
    ALTER TABLE incident_position ADD COLUMN battery_percent INTEGER CHECK (battery_percent BETWEEN 0 AND 100);
    """
}
