# shellcheck shell=bash disable=SC2034  # sourced by ci/build-images.sh, which reads these variables
# wordpress:6.2.1-apache stand-in: Debian apache2 + mod_php 8.2 (mysqli, gd, curl, xml, mbstring, zip, intl) and
# WordPress from Debian's `wordpress` package. Bookworm has 6.1.x, not 6.2.1: the tag is kept, the real version is
# /usr/src/wordpress/wp-includes/version.php (printed by the build). The package is unpacked (dpkg-deb -x), not
# installed, so its mysql-client/perl dependencies stay out; its symlinks into libjs-*/php-getid3 are resolved
# while copying it to /usr/src/wordpress (the official image's layout), together with the Twenty Twenty-Three theme.
# Contract of the official image: WORKDIR and DocumentRoot /var/www/html (the PVC), docker-entrypoint.sh copies
# WordPress there if it is missing and writes wp-config.php (settings read from WORDPRESS_DB_* at request time),
# then apache2-foreground runs Apache on port 80 as PID 1 (workers as www-data).
TAGS="wordpress:6.2.1-apache"
PACKAGES="apache2 libapache2-mod-php php-mysql php-gd php-curl php-xml php-mbstring php-zip php-intl php-getid3 libjs-cropper libjs-underscore ca-certificates curl"
WP_PACKAGES="wordpress wordpress-theme-twentytwentythree"
CHANGES=('ENTRYPOINT ["docker-entrypoint.sh"]' 'CMD ["apache2-foreground"]' 'EXPOSE 80' 'VOLUME /var/www/html'
  'WORKDIR /var/www/html' 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin')
assemble() { # $1 = chroot with the packages installed, $2 = empty rootfs of the image
  local R=$1 O=$2 deb
  # shellcheck disable=SC2086
  chroot "$R" sh -c "cd /tmp && apt-get download -q $WP_PACKAGES" || return 1
  for deb in "$R"/tmp/*.deb; do
    echo "unpacking $(dpkg-deb -f "$deb" Package) $(dpkg-deb -f "$deb" Version)"
    chroot "$R" dpkg-deb -x "/tmp/${deb##*/}" / || return 1
  done
  rm -rf "$R/usr/src/wordpress"; mkdir -p "$R/usr/src"
  chroot "$R" cp -aL /usr/share/wordpress /usr/src/wordpress || return 1
  # Debian's host-dispatching wp-config.php and its .htaccess go; the entrypoint writes the official image's
  # files. Everything else the package put outside /usr/src/wordpress goes too.
  rm -f "$R/usr/src/wordpress/wp-config.php" "$R/usr/src/wordpress/.htaccess"
  rm -rf "$R/usr/share/wordpress" "$R/var/lib/wordpress" "$R/etc/wordpress" "$R/usr/bin/wp-setup" \
    "$R/etc/apparmor.d/apache2.d/wordpress" "$R/usr/share/doc/wordpress"* "$R/usr/share/man/man1/wp-setup.1.gz" \
    "$R"/tmp/*.deb "$R/usr/share/lintian/overrides/wordpress"*
  chown -R 33:33 "$R/usr/src/wordpress"
  # the chroot becomes the image (proc is still mounted on it: copy around it), stripped like other recipes
  tar -C "$R" --numeric-owner --exclude=./proc -c . | tar -C "$O" --numeric-owner -x || return 1
  mkdir -p "$O/proc"; chmod 555 "$O/proc"
  rm -f "$O/usr/sbin/policy-rc.d"
  : >"$O/etc/resolv.conf"
  rm -rf "$O"/var/lib/apt/lists/* "$O"/var/cache/apt/*.bin "$O"/var/cache/apt/archives/*.deb "$O"/var/log/* \
    "$O"/usr/share/doc/* "$O"/usr/share/man/* "$O"/usr/share/info/* "$O"/tmp/* "$O"/var/tmp/*
  find "$O/usr/share/locale" -mindepth 1 -maxdepth 1 ! -name 'locale.alias' -exec rm -rf {} + 2>/dev/null || true
}
post_install() { # $1 = rootfs (after the overlay of ci/images/wordpress/rootfs)
  local R=$1 m
  # as the official php:apache image: mod_php (prefork) on, rewrite + expires on, AllowOverride All under
  # /var/www, logs to the container's stdout/stderr, an empty document root owned by www-data
  for m in rewrite expires; do
    ln -sf "../mods-available/$m.load" "$R/etc/apache2/mods-enabled/$m.load"
  done
  ln -sf ../conf-available/docker-php.conf "$R/etc/apache2/conf-enabled/docker-php.conf"
  mkdir -p "$R/var/log/apache2"
  ln -sfT /dev/stderr "$R/var/log/apache2/error.log"
  ln -sfT /dev/stdout "$R/var/log/apache2/access.log"
  ln -sfT /dev/stdout "$R/var/log/apache2/other_vhosts_access.log"
  chown -R 33:33 "$R/var/log/apache2"
  rm -rf "$R/var/www/html"; mkdir -p "$R/var/www/html"; chown 33:33 "$R/var/www/html"
  m=$(chroot "$R" apache2ctl -M 2>/dev/null || true) # (not piped into grep -q: SIGPIPE + pipefail)
  case "$m" in *php_module*) ;; *) echo "mod_php is not loaded: $m" >&2; return 1 ;; esac
  echo "wordpress: WordPress $(sed -n "s/^\$wp_version = '\(.*\)';/\1/p" "$R/usr/src/wordpress/wp-includes/version.php"), $(chroot "$R" php -r 'echo "PHP ", PHP_VERSION;'), $(chroot "$R" apache2 -v | sed -n 's/^Server version: //p')" >&2
}
