#!/bin/bash
# docker-entrypoint.sh of the offline wordpress:6.2.1-apache stand-in (ci/images/wordpress/recipe.sh).
# Same contract as the official image's entrypoint, for `apache2*` commands (anything else is exec'd as is):
#   1. WordPress is copied from /usr/src/wordpress into the working directory (/var/www/html, the PVC) unless
#      index.php and wp-includes/version.php are both there already (a restarted pod keeps its files);
#   2. wp-config.php is written once, from wp-config-docker.php, if it is missing and any WORDPRESS_* variable is
#      set; it reads WORDPRESS_DB_HOST/_USER/_PASSWORD/_NAME at request time, the salts are made random here;
#   3. (as the pre-5.7 official image did) CREATE DATABASE IF NOT EXISTS on WORDPRESS_DB_HOST, retried while
#      the server does not answer, for up to WORDPRESS_DB_WAIT seconds (default 60; 0 skips it). Failing is
#      not fatal: Apache starts anyway and WordPress shows its database error page until MySQL is up;
#   4. exec the command (apache2-foreground: Apache on port 80 in the foreground).
set -Eeuo pipefail

log() { echo "$*" >&2; }

if [[ "${1:-}" == apache2* ]]; then
  user=www-data group=www-data
  if [ "$(id -u)" != 0 ]; then user=$(id -u) group=$(id -g); fi

  if [ ! -e index.php ] || [ ! -e wp-includes/version.php ]; then
    if [ "$(id -u)" = 0 ] && [ "$(stat -c %u .)" = 0 ]; then chown "$user:$group" .; fi
    log "WordPress not found in $PWD - copying now..."
    if [ -n "$(find . -mindepth 1 -maxdepth 1 -not -name wp-content -not -name lost+found)" ]; then
      log "WARNING: $PWD is not empty! (copying anyhow)"
    fi
    # existing files (and an existing wp-content) are kept: the volume may hold a user's content
    owner=()
    if [ "$(id -u)" = 0 ]; then owner=(--owner "$user" --group "$group"); fi
    tar -C /usr/src/wordpress -c "${owner[@]}" -f - . | tar -x --skip-old-files -f -
    log "Complete! WordPress has been successfully copied to $PWD"
  fi

  wpEnvs=("${!WORDPRESS_@}")
  if [ ! -s wp-config.php ] && [ "${#wpEnvs[@]}" -gt 0 ]; then
    for e in "${wpEnvs[@]}"; do log "$0: using \"$e\""; done
    awk '
      /put your unique phrase here/ {
        cmd = "head -c 1M /dev/urandom | sha1sum | cut -d\" \" -f1"; cmd | getline str; close(cmd)
        gsub("put your unique phrase here", str)
      }
      { print }
    ' /usr/src/wordpress/wp-config-docker.php >wp-config.php
    if [ "$(id -u)" = 0 ]; then chown "$user:$group" wp-config.php; fi
  fi

  if [ "${#wpEnvs[@]}" -gt 0 ] && [ "${WORDPRESS_DB_WAIT:-60}" != 0 ]; then
    # same defaults and host syntax (host, host:port, host:/socket) as wp-config-docker.php and WordPress
    # shellcheck disable=SC2016  # PHP code
    WORDPRESS_DB_WAIT=${WORDPRESS_DB_WAIT:-60} php -d display_errors=stderr -r '
      function env($name, $default) {
        if ($file = getenv($name . "_FILE")) return rtrim(file_get_contents($file), "\r\n");
        $v = getenv($name); return $v === false ? $default : $v;
      }
      $host = env("WORDPRESS_DB_HOST", "mysql"); $port = 0; $socket = null;
      if (preg_match("/^(.*):(\d+)$/", $host, $m)) { $host = $m[1]; $port = (int)$m[2]; }
      elseif (preg_match("/^(.*):(\/.*)$/", $host, $m)) { $host = $m[1]; $socket = $m[2]; }
      $user = env("WORDPRESS_DB_USER", "root"); $pass = env("WORDPRESS_DB_PASSWORD", ""); $db = env("WORDPRESS_DB_NAME", "wordpress");
      mysqli_report(MYSQLI_REPORT_OFF);
      $deadline = time() + (int)getenv("WORDPRESS_DB_WAIT");
      do {
        $mysql = @new mysqli($host, $user, $pass, "", $port, $socket);
        if (!$mysql->connect_errno) break;
        fwrite(STDERR, "MySQL Connection Error: ({$mysql->connect_errno}) {$mysql->connect_error}\n");
        if (time() >= $deadline) exit(1);
        sleep(3);
      } while (true);
      if (!$mysql->query("CREATE DATABASE IF NOT EXISTS `" . str_replace("`", "``", $db) . "`")) {
        fwrite(STDERR, "MySQL \"CREATE DATABASE\" Error: " . $mysql->error . "\n");
        exit(1);
      }
      $mysql->close();
    ' || log "WARNING: could not make sure database exists (see above); starting Apache anyway"
  fi
fi

exec "$@"
