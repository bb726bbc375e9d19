# shellcheck shell=bash disable=SC2034  # sourced by ci/build-images.sh, which reads these variables
# nginx-slim stand-in: Debian nginx-light serving /usr/share/nginx/html on port 80 in the foreground, plus
# curl (busybox-static wget segfaults in pods), sh and hostname from the minbase rootfs.
# Both tags come from one install; each gets its own /etc/stateful-e2e-image, so their image IDs differ and a
# rolling update 0.24 -> 0.21 really changes the container.
TAGS="registry.k8s.io/nginx-slim:0.24 registry.k8s.io/nginx-slim:0.21"
PACKAGES="nginx-light curl"
CHANGES=('CMD ["nginx", "-g", "daemon off;"]' 'EXPOSE 80' 'WORKDIR /' 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin')
post_install() { # $1 = rootfs
  rm -f "$1/etc/nginx/sites-enabled/default"
  mkdir -p "$1/var/log/nginx"
  ln -sf /dev/stdout "$1/var/log/nginx/access.log"
  ln -sf /dev/stderr "$1/var/log/nginx/error.log"
}
