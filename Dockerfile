# Celer: the Directus 11 REST API as a pool of FastCGI workers (celer-fcgi), on Debian 12.
#
#   docker build -t celer .
#   docker run --rm -e SECRET=... -e DB_CLIENT=pg -e DB_HOST=db.example -e DB_DATABASE=directus \
#       -e DB_USER=directus -e DB_PASSWORD=... -p 127.0.0.1:9000:9000 celer
#
# The container speaks FastCGI on 0.0.0.0:9000, not HTTP: nginx (or Apache mod_proxy_fcgi) goes
# in front of it. docker-compose.yml runs the whole stack (nginx, celer, postgres, redis), and
# INSTALL.md explains the rest. Configuration is the environment, with Directus's variable names
# (conf/celer.env, copied to /usr/share/doc/celer/celer.env, documents every key); a dotenv file
# mounted at CONFIG_PATH works too and wins over the environment.

# ------------------------------------------------------------------ build
FROM debian:bookworm-slim AS build

# The -dev packages scripts/deps installs for a build (cmocka and the test engines aside).
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        gcc make pkg-config libc6-dev \
        libfcgi-dev libjson-c-dev libsqlite3-dev libpq-dev libmariadb-dev libhiredis-dev \
        libjwt-dev libargon2-dev libssl-dev libcurl4-openssl-dev \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /src
COPY . .
RUN make -j"$(nproc)" && strip build/celer-fcgi

# ------------------------------------------------------------------ runtime
FROM debian:bookworm-slim

# Runtime libraries only. libfcgi-bin brings cgi-fcgi, used by the HEALTHCHECK below.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libfcgi0ldbl libjson-c5 libsqlite3-0 libpq5 libmariadb3 libhiredis0.14 libjwt0 \
        libargon2-1 libssl3 libcurl4 ca-certificates libfcgi-bin \
    && rm -rf /var/lib/apt/lists/*

# An unprivileged user; its home holds whatever the container writes (a SQLite database,
# uploads): mount a volume there to keep them.
RUN groupadd --system celer \
    && useradd --system --gid celer --home-dir /var/lib/celer --shell /usr/sbin/nologin celer \
    && install -d -o celer -g celer -m 0750 /var/lib/celer \
    && install -d -o celer -g celer -m 0755 /var/lib/celer/uploads

COPY --from=build /src/build/celer-fcgi /usr/local/bin/celer-fcgi
COPY conf/celer.env /usr/share/doc/celer/celer.env
COPY sql/ /usr/share/celer/sql/
COPY nginx/ /usr/share/celer/nginx/

USER celer
WORKDIR /var/lib/celer

# FastCGI on every interface of the container: only the compose network (or a port published
# to 127.0.0.1) should reach it. WORKERS defaults to the CPUs the container sees.
ENV FCGI_LISTEN=0.0.0.0:9000 \
    LOG_LEVEL=info
EXPOSE 9000

# A FastCGI GET /server/ping straight to the pool (no nginx needed): healthy when it says pong.
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
    CMD a=${FCGI_LISTEN#unix:}; case "$a" in /*) ;; *) a=127.0.0.1:${a##*:} ;; esac; \
        env -i REQUEST_METHOD=GET REQUEST_URI=/server/ping QUERY_STRING= SCRIPT_NAME= \
            SERVER_PROTOCOL=HTTP/1.1 REMOTE_ADDR=127.0.0.1 cgi-fcgi -bind -connect "$a" \
        | grep -q pong

# SIGTERM drains in-flight requests, then the pool exits; SIGHUP reloads the configuration.
STOPSIGNAL SIGTERM
ENTRYPOINT ["celer-fcgi"]
CMD ["serve"]
