#!/usr/bin/env bash
# Makes sure a PostgreSQL server answers on 127.0.0.1:5432 for the tests: when nothing does,
# starts Debian's cluster (installed by scripts/setup.sh --test) and sets the postgres user's
# password to "postgres". Prints the URL the tests use. Safe to run twice.
set -euo pipefail
# Only the URL goes to standard output, which callers capture: what the tools print on the way
# (pg_ctlcluster says "Removed stale pid file." after an unclean stop) goes to stderr.
url="postgres://postgres:postgres@127.0.0.1:5432/postgres"
answers() { pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; }
as_postgres() {
    if [ "$(id -u)" = 0 ]; then su postgres -c "$*"; else sudo -u postgres sh -c "$*"; fi
}
if ! answers; then
    version=$(ls /etc/postgresql 2>/dev/null | sort -n | tail -1)
    if [ -z "$version" ]; then
        echo "postgres.sh: no PostgreSQL cluster found (run scripts/setup.sh --test)" >&2
        exit 1
    fi
    # A machine image taken while PostgreSQL ran leaves its socket lock behind: a lock whose
    # process is gone would stop the start, so it is removed.
    for lock in /var/run/postgresql/.s.PGSQL.*.lock; do
        [ -e "$lock" ] || continue
        pid=$(head -1 "$lock" 2>/dev/null || true)
        if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then
            if [ "$(id -u)" = 0 ]; then rm -f "$lock"; else sudo rm -f "$lock"; fi
        fi
    done
    if [ "$(id -u)" = 0 ]; then pg_ctlcluster "$version" main start >&2; else sudo pg_ctlcluster "$version" main start >&2; fi
    for _ in $(seq 1 30); do answers && break; sleep 0.5; done
    answers || { echo "postgres.sh: PostgreSQL did not start" >&2; exit 1; }
    as_postgres "psql -q -c \"ALTER USER postgres PASSWORD 'postgres'\"" >/dev/null
fi
# Databases left by earlier test runs (one per test) are dropped.
PGPASSWORD=postgres psql -qAt -h 127.0.0.1 -U postgres -d postgres \
    -c "SELECT datname FROM pg_database WHERE datname LIKE 'tavoli_test_%'" |
    while read -r db; do PGPASSWORD=postgres psql -q -h 127.0.0.1 -U postgres -d postgres -c "DROP DATABASE IF EXISTS $db" >/dev/null; done
echo "$url"
