#!/bin/sh
# As the official image: a bare `redis-server ...` listens on every interface of the container
# with protected mode off (the stack's network is private; publish no Redis port).
set -eu
if [ "${1:-}" = redis-server ]; then
  shift
  exec redis-server --bind "0.0.0.0" --protected-mode no --dir /data "$@"
fi
exec "$@"
