#!/usr/bin/env bash
# Installs what the demo and the tests need when it is missing: a JDK 17+, Maven,
# PostgreSQL (server + contrib: postgres_fdw, dblink), PgBouncer, and what the test kit needs to
# compile its small server extension (search_path reporting, as Citus does): the PostgreSQL server
# headers (PGXS) of the installed major, gcc and make. Debian/Ubuntu only.
set -euo pipefail

if [ "$(id -u)" -eq 0 ]; then SUDO=""; elif command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else SUDO="none"; fi
apt_updated=false
install_packages() {
  echo "[prerequisites] installing: $*"
  if [ "$SUDO" = none ]; then
    echo "[prerequisites] not root and no sudo: install $* yourself" >&2; exit 1
  fi
  if ! $apt_updated; then $SUDO apt-get update -qq; apt_updated=true; fi
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

missing=()
command -v java >/dev/null 2>&1 || missing+=(openjdk-17-jdk-headless)
command -v mvn >/dev/null 2>&1 || missing+=(maven)
pg_ok=false
if [ -n "${PG_BIN:-}" ] && [ -x "$PG_BIN/postgres" ]; then pg_ok=true; fi
if ! $pg_ok && command -v pg_config >/dev/null 2>&1 && [ -x "$(pg_config --bindir)/postgres" ]; then pg_ok=true; fi
if ! $pg_ok && ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then pg_ok=true; fi
$pg_ok || missing+=(postgresql postgresql-contrib)
if ! command -v pgbouncer >/dev/null 2>&1 && [ ! -x /usr/sbin/pgbouncer ]; then missing+=(pgbouncer); fi
command -v gcc >/dev/null 2>&1 || missing+=(gcc)
command -v make >/dev/null 2>&1 || missing+=(make)
# The test kit makes the TLS certificate every Citus node serves with openssl.
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
[ ${#missing[@]} -eq 0 ] || install_packages "${missing[@]}"

# The server headers of the PostgreSQL the kit runs (PG_BIN, else the newest Debian install), pinned to
# the installed server's version when the archive still has it (so no server upgrade is pulled in).
pg_bin="${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}"
if [ -n "$pg_bin" ] && [ -x "$pg_bin/pg_config" ] && [ ! -f "$("$pg_bin/pg_config" --includedir-server)/postgres.h" ]; then
  major="$("$pg_bin/pg_config" --version | sed -E 's/^PostgreSQL ([0-9]+).*/\1/')"
  if [ "$SUDO" = none ]; then
    # Not fatal here: the kit then warns that search_path is not reported (and fails with CI=true).
    echo "[prerequisites] WARNING: not root and no sudo: install postgresql-server-dev-$major yourself" >&2
  else
    if ! $apt_updated; then $SUDO apt-get update -qq; apt_updated=true; fi
    dev="postgresql-server-dev-$major"
    server_version="$(dpkg-query -W -f='${Version}' "postgresql-$major" 2>/dev/null || true)"
    if [ -n "$server_version" ] && apt-cache madison "$dev" 2>/dev/null | grep -qF "| $server_version |"; then
      dev="$dev=$server_version"
    fi
    install_packages "$dev"
  fi
fi

# Real Citus and PgBouncer 1.25, built from source tarballs once per machine (no registry we can
# reach carries them). CITUS_SOURCE / PGBOUNCER_SOURCE name the tarballs; by default the ones in
# ../shared/vendor beside the checkout. Citus goes into the PostgreSQL installation (that is what
# CREATE EXTENSION needs); PgBouncer 1.25 into a prefix of its own, so Debian's 1.18 stays too.
here="$(cd "$(dirname "$0")/.." && pwd)"
CITUS_VERSION=12.1.12
CITUS_SHA256=a344da15513601e718a268d907e1c86e43a69eb243398b929f65a4580723f552
PGBOUNCER_VERSION=1.25.2
PGBOUNCER_SHA256=99ae53a6d0d77852fe4bc2c34de0ddf5362bc675c54e6dd841b8a99901d7a3ef
PGBOUNCER_PREFIX="${PGBOUNCER_PREFIX:-/opt/citus-jdbc/pgbouncer-$PGBOUNCER_VERSION}"
build_dir="${CITUS_JDBC_BUILD_DIR:-/var/tmp/citus-jdbc-build}"

checked_tarball() { # name file sha256
  local file="$2"
  if [ -z "$file" ] || [ ! -f "$file" ]; then
    echo "[prerequisites] $1 is not installed and no source tarball was found." >&2
    echo "[prerequisites]   give one: export ${1^^}_SOURCE=/path/to/$1-<version>.tar.gz (the project tests $1 ${4}," >&2
    echo "[prerequisites]   its tarball is in ../shared/vendor/ of the project's workspace), or install $1 ${4} from its package repository" >&2
    exit 1
  fi
  local sum; sum="$(sha256sum "$file" | cut -d' ' -f1)"
  if [ -n "$3" ] && [ "$sum" != "$3" ]; then
    echo "[prerequisites] $file: sha256 $sum, expected $3 ($1 ${4}); refusing to build it" >&2
    exit 1
  fi
}

if [ -n "$pg_bin" ] && [ -x "$pg_bin/pg_config" ] && [ ! -f "$("$pg_bin/pg_config" --sharedir)/extension/citus.control" ]; then
  src="${CITUS_SOURCE:-$here/../shared/vendor/citus-$CITUS_VERSION.tar.gz}"
  sha="$CITUS_SHA256"; [ -n "${CITUS_SOURCE:-}" ] && [ "$(basename "$CITUS_SOURCE")" != "citus-$CITUS_VERSION.tar.gz" ] && sha=""
  checked_tarball citus "$src" "$sha" "$CITUS_VERSION"
  [ "$SUDO" = none ] && { echo "[prerequisites] building Citus needs root (make install into PostgreSQL)" >&2; exit 1; }
  install_packages build-essential libcurl4-openssl-dev liblz4-dev libzstd-dev libssl-dev libkrb5-dev
  echo "[prerequisites] building Citus from $src (once per machine, ~2 min on 2 cores)"
  rm -rf "$build_dir/citus" && mkdir -p "$build_dir/citus"
  tar -xzf "$src" -C "$build_dir/citus" --strip-components=1
  ( cd "$build_dir/citus" && ./configure -q PG_CONFIG="$pg_bin/pg_config" >/dev/null \
      && make -s -j"$(nproc)" with_llvm=no >/dev/null && $SUDO make -s install with_llvm=no >/dev/null ) \
    || { echo "[prerequisites] the Citus build failed (log above)" >&2; exit 1; }
  rm -rf "$build_dir/citus"
fi

if [ ! -x "$PGBOUNCER_PREFIX/bin/pgbouncer" ]; then
  src="${PGBOUNCER_SOURCE:-$here/../shared/vendor/pgbouncer-$PGBOUNCER_VERSION.tar.gz}"
  sha="$PGBOUNCER_SHA256"; [ -n "${PGBOUNCER_SOURCE:-}" ] && [ "$(basename "$PGBOUNCER_SOURCE")" != "pgbouncer-$PGBOUNCER_VERSION.tar.gz" ] && sha=""
  checked_tarball pgbouncer "$src" "$sha" "$PGBOUNCER_VERSION"
  [ "$SUDO" = none ] && { echo "[prerequisites] installing PgBouncer into $PGBOUNCER_PREFIX needs root" >&2; exit 1; }
  install_packages build-essential libevent-dev libssl-dev pkg-config autoconf automake libtool python3
  echo "[prerequisites] building PgBouncer $PGBOUNCER_VERSION from $src into $PGBOUNCER_PREFIX (once per machine)"
  rm -rf "$build_dir/pgbouncer" && mkdir -p "$build_dir/pgbouncer"
  tar -xzf "$src" -C "$build_dir/pgbouncer" --strip-components=1
  ( cd "$build_dir/pgbouncer" && ./autogen.sh >/dev/null 2>&1 \
      && ./configure -q --prefix="$PGBOUNCER_PREFIX" --without-cares >/dev/null \
      && make -s -j"$(nproc)" pgbouncer >/dev/null \
      && $SUDO install -D -m 0755 pgbouncer "$PGBOUNCER_PREFIX/bin/pgbouncer" ) \
    || { echo "[prerequisites] the PgBouncer build failed (log above)" >&2; exit 1; }
  rm -rf "$build_dir/pgbouncer"
fi

# PostgreSQL and PgBouncer refuse to run as root: the test kit runs them as this user then.
if [ "$(id -u)" -eq 0 ] && ! id "${CITUS_TESTKIT_OS_USER:-postgres}" >/dev/null 2>&1; then
  useradd --system --no-create-home --shell /usr/sbin/nologin "${CITUS_TESTKIT_OS_USER:-postgres}"
fi
echo "[prerequisites] ok: $(java -version 2>&1 | head -1); $(mvn -v 2>/dev/null | head -1 | sed 's/\x1b\[[0-9;]*m//g'); $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1); $(command -v pgbouncer || echo /usr/sbin/pgbouncer) and $PGBOUNCER_PREFIX/bin/pgbouncer ($("$PGBOUNCER_PREFIX/bin/pgbouncer" --version 2>/dev/null | head -1)); citus $(sed -n "s/^default_version = '\(.*\)'/\1/p" "$("$pg_bin/pg_config" --sharedir)/extension/citus.control" 2>/dev/null); server headers $(if [ -n "${pg_bin:-}" ] && [ -x "$pg_bin/pg_config" ]; then "$pg_bin/pg_config" --includedir-server; else echo absent; fi)"
