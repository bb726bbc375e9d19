# shellcheck shell=bash disable=SC2034  # sourced by ci/build-images.sh, which reads these variables
# mysql:8.0 stand-in. MySQL 8.0 is not packaged in Debian (bookworm ships MariaDB only), so this is MariaDB 10.11
# (mariadbd + the `mysql`/`mariadb` client, from mariadb-server-core and mariadb-client-core: no galera, perl,
# mysqladmin or mysqldump) behind a docker-entrypoint.sh with the official image's environment contract:
# MYSQL_ROOT_PASSWORD | MYSQL_ALLOW_EMPTY_PASSWORD | MYSQL_RANDOM_ROOT_PASSWORD, MYSQL_ROOT_HOST (default %),
# MYSQL_DATABASE, MYSQL_USER + MYSQL_PASSWORD, the *_FILE variants and /docker-entrypoint-initdb.d/*.{sh,sql,sql.gz}.
# An empty /var/lib/mysql (lost+found allowed) is initialised once; an existing one is used as it is. mysqld runs
# in the foreground as PID 1, user mysql (uid/gid 999 as in the official image), on 0.0.0.0:3306.
TAGS="mysql:8.0"
PACKAGES="mariadb-server-core mariadb-client-core"
CHANGES=('ENTRYPOINT ["docker-entrypoint.sh"]' 'CMD ["mysqld"]' 'EXPOSE 3306' 'VOLUME /var/lib/mysql' 'WORKDIR /'
  'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin')
post_install() { # $1 = rootfs
  local R=$1
  chroot "$R" groupadd -r -g 999 mysql
  chroot "$R" useradd -r -u 999 -g 999 -d /var/lib/mysql -s /usr/sbin/nologin mysql
  # the image's datadir is empty (the official image's too): initialisation happens on first start
  rm -rf "$R/var/lib/mysql" "$R/run/mysqld"
  mkdir -p "$R/var/lib/mysql" "$R/run/mysqld" "$R/var/lib/mysql-files" "$R/docker-entrypoint-initdb.d"
  chown 999:999 "$R/var/lib/mysql" "$R/run/mysqld" "$R/var/lib/mysql-files"
  chmod 1777 "$R/run/mysqld"
  chmod 750 "$R/var/lib/mysql-files"
  ln -sf usr/local/bin/docker-entrypoint.sh "$R/entrypoint.sh"
  [ -L "$R/etc/mysql/my.cnf" ] || [ -f "$R/etc/mysql/my.cnf" ] || ln -s mariadb.cnf "$R/etc/mysql/my.cnf"
  chroot "$R" mysqld --version | sed 's/^/mysql: /' >&2
}
