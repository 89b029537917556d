# fanoutd in a container: built with the same Debian packages and `make` the
# Makefile uses, run as an unprivileged user on port 8080.
#
#   docker build -t fanoutd .
#   docker run --rm -p 8080:8080 fanoutd
FROM debian:12-slim AS build
# The Makefile's BUILD_PACKAGES.
RUN apt-get update \
 && apt-get install -y --no-install-recommends build-essential pkg-config libcjson-dev libmicrohttpd-dev \
    libjs-chart.js \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Makefile openapi.yaml ./
COPY include include
COPY core core
COPY server server
RUN make all && make install PREFIX=/usr/local DESTDIR=/out

FROM debian:12-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends libcjson1 libmicrohttpd12 \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /out/usr/local/bin/ /usr/local/bin/
USER 65534:65534
EXPOSE 8080
# Listen on every interface inside the container; the rest keeps its defaults
# and can be changed with FANOUTD_* environment variables (fanoutd --help).
ENV FANOUTD_ADDRESS=0.0.0.0
ENTRYPOINT ["/usr/local/bin/fanoutd"]
