# Stand-in for the registry's redis image, from Debian's Redis 7.0, for machines that reach no
# image registry (tests, CI). Like the official image: data in /data, reachable from other
# containers (protected mode off; the stack's network is private), redis-cli for healthchecks.
ARG BASE_IMAGE=debian:bookworm-slim
FROM ${BASE_IMAGE}
# uid/gid 999 as in the official image, made before the package would pick one.
# hadolint ignore=DL3008
RUN groupadd --system --gid 999 redis \
    && useradd --system --uid 999 --gid 999 --home-dir /var/lib/redis --shell /usr/sbin/nologin redis \
    && apt-get update \
    && apt-get install -y --no-install-recommends redis-server \
    && rm -rf /var/lib/apt/lists/* \
    && install -d -o redis -g redis -m 0750 /data
USER 999
WORKDIR /data
EXPOSE 6379
ENTRYPOINT ["/usr/local/bin/redis-entrypoint.sh"]
CMD ["redis-server"]
COPY docker/standins/redis-entrypoint.sh /usr/local/bin/redis-entrypoint.sh
