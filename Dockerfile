# SPDX-License-Identifier: MIT
# fanoutd in a container: built with the same Debian packages and `make` the
# Makefile uses, run as an unprivileged user on port 8080.  The image holds
# all three programs (fanoutd, fanout-node, fanout); fanoutd is the entry
# point, and batch jobs run /usr/local/bin/fanout (deploy/kubernetes-study-job.yaml).
#
#   docker build -t fanoutd .
#   docker run --rm -p 8080:8080 fanoutd
FROM debian:12-slim AS build
# The Makefile's BUILD_PACKAGES (tests/deploy/check_deploy.py keeps the two equal).
RUN apt-get update \
 && apt-get install -y --no-install-recommends build-essential pkg-config libcjson-dev libmicrohttpd-dev \
    libcurl4-openssl-dev libjs-chart.js \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Makefile openapi.yaml LICENSE ./
COPY include include
COPY core core
COPY server server
COPY deploy deploy
COPY docs/man docs/man
RUN make all && make install PREFIX=/usr/local DESTDIR=/out

FROM debian:12-slim
LABEL org.opencontainers.image.title="fanoutd" \
      org.opencontainers.image.description="Gossip fanout calculator: HTTP service, Maelstrom node and command-line tool" \
      org.opencontainers.image.version="0.1.0" \
      org.opencontainers.image.licenses="MIT" \
      org.opencontainers.image.base.name="debian:12-slim"
RUN apt-get update \
 && apt-get install -y --no-install-recommends libcjson1 libmicrohttpd12 libcurl4 \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /out/usr/local/bin/ /usr/local/bin/
COPY --from=build /out/usr/local/share/doc/fanout/ /usr/local/share/doc/fanout/
USER 65534:65534
EXPOSE 8080
# Listen on every interface inside the container; the rest keeps its defaults
# and can be changed with FANOUTD_* environment variables (fanoutd --help).
ENV FANOUTD_ADDRESS=0.0.0.0
# fanoutd itself GETs /healthz on FANOUTD_PORT (8080 when unset): no curl or
# shell is needed in the image.
HEALTHCHECK --interval=30s --timeout=10s --start-period=5s --retries=3 \
    CMD ["/usr/local/bin/fanoutd", "--healthcheck"]
ENTRYPOINT ["/usr/local/bin/fanoutd"]
