#!/bin/sh
# Prometheus of the Compose stack: Flower's basic-auth password (the admin's) goes into a file of
# its own, readable by this user only, which prometheus.yml names; no config file holds a secret.
set -eu
umask 077
printf '%s' "${HANGAR_ADMIN_PASSWORD:?set HANGAR_ADMIN_PASSWORD}" > /tmp/flower.password
exec /usr/bin/prometheus "$@"
