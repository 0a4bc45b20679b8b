# Shared by Scripts/run, Scripts/test and Scripts/bench: find the toolchain and install what is missing.
# Sourced, not run.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

say() { printf '%s\n' "$*" >&2; }

# Swift: on PATH, or the toolchain's usual place.
ensure_swift() {
    if ! command -v swift >/dev/null 2>&1; then
        for dir in /opt/swift/usr/bin /usr/share/swift/usr/bin; do
            if [ -x "$dir/swift" ]; then export PATH="$dir:$PATH"; break; fi
        done
    fi
    if ! command -v swift >/dev/null 2>&1; then
        say "Swift 6 is not installed. Install the toolchain from swift.org (Debian 12, x86_64 or aarch64),"
        say "put its usr/bin on PATH, and run this again."
        exit 69
    fi
}

# Debian packages, installed with apt-get when we are root; otherwise we say exactly what to install.
ensure_debian_packages() {
    local missing=()
    local pkg
    for pkg in "$@"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    if [ "$(id -u)" -eq 0 ]; then
        say "Installing Debian packages: ${missing[*]}"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq >&2
        apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
    else
        say "Missing Debian packages: ${missing[*]}"
        say "Install them with:  sudo apt-get install -y ${missing[*]}"
        exit 69
    fi
}

# Python modules used as independent oracles and benchmark peers (never by the service itself).
# Each argument is MODULE=PACKAGE, or MODULE=PACKAGE==VERSION to require that exact version.
ensure_python_modules() {
    local missing=()
    local spec module package version
    for spec in "$@"; do
        module="${spec%%=*}"; package="${spec#*=}"
        version=""
        case "$package" in *==*) version="${package#*==}" ;; esac
        if [ -n "$version" ]; then
            python3 -c "import importlib.metadata as m, sys; sys.exit(m.version('${package%%==*}') != '$version')" \
                >/dev/null 2>&1 || missing+=("$package")
        else
            python3 -c "import $module" >/dev/null 2>&1 || missing+=("$package")
        fi
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    say "Installing Python packages: ${missing[*]}"
    python3 -m pip install --quiet --disable-pip-version-check "${missing[@]}" >&2 \
        || python3 -m pip install --quiet --disable-pip-version-check --break-system-packages "${missing[@]}" >&2 \
        || { say "Could not install ${missing[*]} with pip; install them and run this again."; exit 69; }
}

BUILD_PACKAGES=(libsqlite3-dev libssl-dev libpq-dev pkg-config)

# A throw-away PostgreSQL cluster for the tests: `initdb` in a temporary directory (as the `postgres` user when we
# are root), started with `pg_ctl` on a free loopback port, its Unix socket inside that directory, `fsync=on`,
# password authentication over TCP. Exports BOTON_TEST_POSTGRES (a libpq connection string to the database
# `boton_test`, as the superuser, which the tests use to create and drop a database each) and BOTON_TEST_PGDIR.
# Nothing here touches a server of the machine's service manager. Stop it with stop_throwaway_postgres (the
# caller puts that in its EXIT trap).
start_throwaway_postgres() {
    local bin
    bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
    if [ -z "$bin" ] || [ ! -x "$bin/initdb" ] || [ ! -x "$bin/pg_ctl" ]; then
        say "PostgreSQL's initdb and pg_ctl are not under /usr/lib/postgresql/*/bin (Debian package postgresql)."
        exit 69
    fi
    BOTON_TEST_PGBIN="$bin"
    BOTON_TEST_PGDIR="$(mktemp -d /tmp/boton-pg.XXXXXX)"
    export BOTON_TEST_PGDIR
    local as=()
    if [ "$(id -u)" -eq 0 ]; then
        chown postgres:postgres "$BOTON_TEST_PGDIR"
        as=(runuser -u postgres --)
    fi
    local password
    password="$(python3 -c 'import secrets; print(secrets.token_hex(16))')"
    printf '%s\n' "$password" > "$BOTON_TEST_PGDIR/pwfile"
    [ ${#as[@]} -gt 0 ] && chown postgres:postgres "$BOTON_TEST_PGDIR/pwfile"
    chmod 600 "$BOTON_TEST_PGDIR/pwfile"
    "${as[@]}" "$bin/initdb" -D "$BOTON_TEST_PGDIR/data" -U postgres --pwfile="$BOTON_TEST_PGDIR/pwfile" \
        --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$BOTON_TEST_PGDIR/initdb.log" 2>&1 \
        || { cat "$BOTON_TEST_PGDIR/initdb.log" >&2; say "initdb failed"; exit 1; }
    rm -f "$BOTON_TEST_PGDIR/pwfile"
    # A free port, asked of the kernel; another process may take it before the server does, so try a few.
    local port attempt started=""
    for attempt in 1 2 3 4 5; do
        port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
        if "${as[@]}" "$bin/pg_ctl" -D "$BOTON_TEST_PGDIR/data" -l "$BOTON_TEST_PGDIR/server.log" -w -t 60 \
            -o "-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories=$BOTON_TEST_PGDIR -c fsync=on -c max_connections=300" \
            start >/dev/null 2>&1; then
            started=yes
            break
        fi
    done
    if [ -z "$started" ]; then
        tail -n 20 "$BOTON_TEST_PGDIR/server.log" >&2 || true
        say "could not start the throw-away PostgreSQL cluster"
        exit 1
    fi
    BOTON_TEST_PGPORT="$port"
    "${as[@]}" "$bin/psql" -X -q -h "$BOTON_TEST_PGDIR" -p "$port" -U postgres -d postgres \
        -c 'CREATE DATABASE boton_test' >/dev/null
    export BOTON_TEST_POSTGRES="host=127.0.0.1 port=$port user=postgres password=$password dbname=boton_test"
    say "Throw-away PostgreSQL cluster on 127.0.0.1:$port ($BOTON_TEST_PGDIR)"
}

stop_throwaway_postgres() {
    [ -n "${BOTON_TEST_PGDIR:-}" ] && [ -d "$BOTON_TEST_PGDIR" ] || return 0
    local as=()
    [ "$(id -u)" -eq 0 ] && as=(runuser -u postgres --)
    if [ -f "$BOTON_TEST_PGDIR/data/postmaster.pid" ]; then
        "${as[@]}" "$BOTON_TEST_PGBIN/pg_ctl" -D "$BOTON_TEST_PGDIR/data" -m fast -w stop >/dev/null 2>&1 \
            || "${as[@]}" "$BOTON_TEST_PGBIN/pg_ctl" -D "$BOTON_TEST_PGDIR/data" -m immediate -w stop >/dev/null 2>&1 \
            || true
    fi
    rm -rf "$BOTON_TEST_PGDIR"
    unset BOTON_TEST_PGDIR BOTON_TEST_POSTGRES
}
