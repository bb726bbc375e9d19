# shellcheck shell=bash disable=SC2034  # sourced by ci/build-images.sh, which reads these variables
# jessie-dnsutils stand-in: dig, nslookup, host from Debian bind9-dnsutils; ping, ip; coreutils sleep.
TAGS="registry.k8s.io/e2e-test-images/jessie-dnsutils:1.7"
PACKAGES="bind9-dnsutils iputils-ping iproute2 netcat-openbsd"
CHANGES=('CMD ["sh"]' 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin')
