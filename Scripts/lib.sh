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

BUILD_PACKAGES=(libsqlite3-dev libssl-dev pkg-config)
