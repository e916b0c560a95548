# taiji-gateway as a container: the headless CLI only (no desktop shell, no UI).
#
#   docker build -t taiji-gateway .
#   docker run -d --name taiji -p 127.0.0.1:8760:8760 -v taiji-data:/data \
#     -e TAIJI_ACCOUNT=... -e TAIJI_PASSWORD=... -e TAIJI_GATEWAY_API_KEYS=sk-... taiji-gateway
#
# Everything is configured from the environment (see README, "Run as a service"). Inside the
# container the gateway listens on 0.0.0.0, which needs LAN mode and API keys: both are set here.

# --- build -------------------------------------------------------------------------------------
FROM rust:1.95-slim-bookworm AS build
RUN apt-get update \
    && apt-get install -y --no-install-recommends build-essential pkg-config libdbus-1-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN cargo build --release --locked -p taiji-gateway \
    && strip target/release/taiji-gateway

# --- runtime -----------------------------------------------------------------------------------
FROM debian:12-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates curl libdbus-1-3 \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --user-group --home-dir /data --shell /usr/sbin/nologin taiji \
    && install -d -o taiji -g taiji -m 0700 /data
COPY --from=build /src/target/release/taiji-gateway /usr/local/bin/taiji-gateway

USER taiji
ENV TAIJI_DATA_DIR=/data \
    TAIJI_CREDENTIAL_STORE=file \
    TAIJI_HOST=0.0.0.0 \
    TAIJI_PORT=8760 \
    TAIJI_LAN=true \
    RUST_LOG=info
VOLUME ["/data"]
EXPOSE 8760
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD curl -fsS -o /dev/null "http://127.0.0.1:${TAIJI_PORT}/health" || exit 1
STOPSIGNAL SIGTERM
ENTRYPOINT ["taiji-gateway"]
CMD ["serve"]
