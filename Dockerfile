# eo-server in a container: a multi-stage build (the Rust toolchain only in the first stage),
# run as a non-root user, with the database and the world on volumes.
#
#   docker build -t eo-server .
#   docker run -d --name eo -p 8078:8078 -v eo-data:/var/lib/eo-server eo-server
#   docker exec eo eo-admin status
#
# The world is the bundled one, built into the binary; to serve your own, mount its folder and
# name it (`-v /path/to/world:/srv/eo-world:ro -e EO_WORLD_DATA_DIR=/srv/eo-world`). Every setting can be given as an
# EO_<SECTION>_<KEY> variable (`-e EO_SERVER_MAX_PLAYERS=100`) or in a config file mounted at
# /etc/eo-server/eo-server.toml.

FROM rust:1-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked -p eo-server -p eo-admin \
    && strip target/release/eo-server target/release/eo-admin

FROM debian:bookworm-slim
RUN groupadd --system --gid 10001 eo && useradd --system --uid 10001 --gid 10001 --home-dir /var/lib/eo-server --shell /usr/sbin/nologin eo \
    && mkdir -p /var/lib/eo-server /etc/eo-server \
    && chown eo:eo /var/lib/eo-server
COPY --from=build /src/target/release/eo-server /src/target/release/eo-admin /usr/local/bin/
ENV EO_SERVER_LISTEN=0.0.0.0:8078 \
    EO_DATABASE_PATH=/var/lib/eo-server/eo-server.db \
    EO_CONTROL_SOCKET=/var/lib/eo-server/eo-server.sock
USER 10001:10001
WORKDIR /var/lib/eo-server
VOLUME ["/var/lib/eo-server"]
EXPOSE 8078
# The control socket answers while the server runs (eo-admin exits 2 when it cannot reach it).
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s CMD ["eo-admin", "status"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["eo-server"]
