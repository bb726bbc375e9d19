#!/bin/bash
# docker-entrypoint.sh of the offline mysql:8.0 stand-in (MariaDB 10.11, see ci/images/mysql/recipe.sh).
# Same contract as the official MySQL image's entrypoint:
#   - the first argument `mysqld`/`mariadbd` (or an option such as --foo) starts the server; anything else is exec'd;
#   - started as root, it fixes the ownership of the datadir and re-runs itself as user mysql;
#   - an empty datadir (no mysql/ system schema; lost+found and other leftovers are tolerated) is initialised:
#     root@localhost and root@$MYSQL_ROOT_HOST (default %) get MYSQL_ROOT_PASSWORD, MYSQL_DATABASE is created,
#     MYSQL_USER@% gets MYSQL_PASSWORD and all privileges on MYSQL_DATABASE, /docker-entrypoint-initdb.d runs;
#   - an initialised datadir is used as it is (no password or user changes), so data survives pod restarts;
#   - then mysqld is exec'd: PID 1, foreground, listening on 0.0.0.0:3306, logging to stderr.
set -eo pipefail
shopt -s nullglob

log() { printf '%s [Entrypoint]: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# file_env VAR [DEFAULT]: VAR or the content of the file named by VAR_FILE (not both)
file_env() {
  local var=$1 fileVar="${1}_FILE" def=${2:-} val
  if [ -n "${!var:-}" ] && [ -n "${!fileVar:-}" ]; then die "both $var and $fileVar are set (but are exclusive)"; fi
  val=$def
  if [ -n "${!var:-}" ]; then val=${!var}; elif [ -n "${!fileVar:-}" ]; then val=$(<"${!fileVar}"); fi
  export "$var"="$val"
  unset "$fileVar"
}

# sql_escape STRING: for use inside '...' in SQL
sql_escape() { local s=${1//\\/\\\\}; printf '%s' "${s//\'/\\\'}"; }
# sql_ident NAME: for use inside `...`
sql_ident() { printf '%s' "${1//\`/\`\`}"; }

# mysql_get_config NAME ARGS...: the value the server would use (config files + command line)
mysql_get_config() {
  local conf=$1; shift
  "$@" --verbose --help 2>/dev/null | awk -v conf="$conf" '$1 == conf && /^[^ \t]/ { sub(/^[^ \t]+[ \t]+/, ""); print; exit }'
}

if [ "${1:0:1}" = '-' ]; then set -- mysqld "$@"; fi

if [ "$1" != mysqld ] && [ "$1" != mariadbd ]; then exec "$@"; fi

# --help, --version and the like: no initialisation
for arg; do
  case "$arg" in -'?'|--help|--print-defaults|-V|--version) exec "$@" ;; esac
done

DATADIR=$(mysql_get_config datadir "$@"); DATADIR=${DATADIR%/}; DATADIR=${DATADIR:-/var/lib/mysql}
SOCKET=$(mysql_get_config socket "$@"); SOCKET=${SOCKET:-/run/mysqld/mysqld.sock}

if [ "$(id -u)" = 0 ]; then
  mkdir -p "$DATADIR" "$(dirname "$SOCKET")"
  find "$DATADIR" "$(dirname "$SOCKET")" \! -user mysql -exec chown mysql:mysql '{}' +
  log "switching to dedicated user 'mysql'"
  exec setpriv --reuid=mysql --regid=mysql --init-groups "${BASH_SOURCE[0]}" "$@"
fi

if [ ! -d "$DATADIR/mysql" ]; then
  file_env MYSQL_ROOT_PASSWORD
  file_env MYSQL_DATABASE
  file_env MYSQL_USER
  file_env MYSQL_PASSWORD
  file_env MYSQL_ROOT_HOST '%'
  if [ -z "$MYSQL_ROOT_PASSWORD" ] && [ -z "${MYSQL_ALLOW_EMPTY_PASSWORD:-}" ] && [ -z "${MYSQL_RANDOM_ROOT_PASSWORD:-}" ]; then
    die "Database is uninitialized and password option is not specified
    You need to specify one of the following as an environment variable:
    - MYSQL_ROOT_PASSWORD
    - MYSQL_ALLOW_EMPTY_PASSWORD
    - MYSQL_RANDOM_ROOT_PASSWORD"
  fi
  if [ "${MYSQL_USER:-}" = root ]; then
    die "MYSQL_USER=\"root\", MYSQL_USER and MYSQL_PASSWORD are for configuring a regular user and cannot be used for the root user"
  fi
  if [ -n "${MYSQL_USER:-}" ] && [ -z "${MYSQL_PASSWORD:-}" ]; then log "Warning: MYSQL_USER specified, but missing MYSQL_PASSWORD; MYSQL_USER will not be created"; fi
  if [ -n "${MYSQL_RANDOM_ROOT_PASSWORD:-}" ]; then
    MYSQL_ROOT_PASSWORD=$(head -c 24 /dev/urandom | base64 | tr -d '/+=' | cut -c1-24)
    log "GENERATED ROOT PASSWORD: $MYSQL_ROOT_PASSWORD"
  fi

  log "Initializing database files in $DATADIR (MariaDB $(mariadbd --version | awk '{print $3}'), standing in for MySQL 8.0)"
  mariadb-install-db --datadir="$DATADIR" --rpm --auth-root-authentication-method=normal --skip-test-db \
    --skip-name-resolve --cross-bootstrap --default-time-zone=SYSTEM --skip-log-bin --expire-logs-days=0 \
    --loose-innodb_buffer_pool_load_at_startup=0 --loose-innodb_buffer_pool_dump_at_shutdown=0 >/dev/null \
    || die "mariadb-install-db failed"
  log "Database files initialized"

  log "Starting temporary server"
  "$@" --skip-networking --default-time-zone=SYSTEM --socket="$SOCKET" --skip-log-bin \
    --loose-innodb_buffer_pool_load_at_startup=0 &
  pid=$!
  client=(mariadb --protocol=socket -uroot -hlocalhost --socket="$SOCKET" --database=mysql)
  for _ in $(seq 60); do
    if "${client[@]}" -e 'SELECT 1' >/dev/null 2>&1; then break; fi
    kill -0 "$pid" 2>/dev/null || die "Unable to start server."
    sleep 1
  done
  "${client[@]}" -e 'SELECT 1' >/dev/null 2>&1 || die "Unable to start server."
  log "Temporary server started."

  rootpw=$(sql_escape "$MYSQL_ROOT_PASSWORD")
  roothost=$(sql_escape "$MYSQL_ROOT_HOST")
  sql="SET @@SESSION.SQL_LOG_BIN=0;
-- only root@localhost is kept from mariadb-install-db (no anonymous users, no root@<hostname>/127.0.0.1/::1)
DROP USER IF EXISTS ''@'localhost', root@'127.0.0.1', root@'::1';
EXECUTE IMMEDIATE CONCAT('DROP USER IF EXISTS \\'\\'@\\'', @@hostname, '\\'');
EXECUTE IMMEDIATE CONCAT('DROP USER IF EXISTS root@\\'', @@hostname, '\\'');
ALTER USER root@'localhost' IDENTIFIED BY '$rootpw';"
  if [ "$MYSQL_ROOT_HOST" != localhost ]; then
    sql+="
CREATE USER IF NOT EXISTS root@'$roothost' IDENTIFIED BY '$rootpw';
GRANT ALL ON *.* TO root@'$roothost' WITH GRANT OPTION;
GRANT PROXY ON ''@'%' TO root@'$roothost' WITH GRANT OPTION;"
  fi
  if [ -n "${MYSQL_DATABASE:-}" ]; then
    log "Creating database ${MYSQL_DATABASE}"
    sql+="
CREATE DATABASE IF NOT EXISTS \`$(sql_ident "$MYSQL_DATABASE")\`;"
  fi
  if [ -n "${MYSQL_USER:-}" ] && [ -n "${MYSQL_PASSWORD:-}" ]; then
    log "Creating user ${MYSQL_USER}"
    sql+="
CREATE USER '$(sql_escape "$MYSQL_USER")'@'%' IDENTIFIED BY '$(sql_escape "$MYSQL_PASSWORD")';"
    if [ -n "${MYSQL_DATABASE:-}" ]; then
      log "Giving user ${MYSQL_USER} access to schema ${MYSQL_DATABASE}"
      sql+="
GRANT ALL ON \`$(sql_ident "$MYSQL_DATABASE")\`.* TO '$(sql_escape "$MYSQL_USER")'@'%';"
    fi
  fi
  sql+="
FLUSH PRIVILEGES;"
  "${client[@]}" --binary-mode <<<"$sql" || die "could not set up users and databases"

  # from here on root needs its password (as in the official image)
  client+=(--password="$MYSQL_ROOT_PASSWORD")
  dbclient=("${client[@]}")
  if [ -n "${MYSQL_DATABASE:-}" ]; then dbclient+=(--database="$MYSQL_DATABASE"); fi
  for f in /docker-entrypoint-initdb.d/*; do
    case "$f" in
      *.sh) if [ -x "$f" ]; then log "$0: running $f"; "$f"; else log "$0: sourcing $f"; # shellcheck disable=SC1090
              . "$f"; fi ;;
      *.sql) log "$0: running $f"; "${dbclient[@]}" <"$f" ;;
      *.sql.gz) log "$0: running $f"; gunzip -c "$f" | "${dbclient[@]}" ;;
      *) log "$0: ignoring $f" ;;
    esac
  done

  log "Stopping temporary server"
  kill -TERM "$pid"
  wait "$pid" || die "temporary server did not stop cleanly"
  log "Temporary server stopped"
  log "MySQL init process done. Ready for start up."
else
  log "Database directory $DATADIR is already initialized; skipping initialization"
fi

exec "$@"
