# syntax=docker/dockerfile:1
# SPDX-License-Identifier: Apache-2.0
#
# virt-caps image: caps-probe (the entrypoint) and caps-aggregate.
#
#   docker buildx build --platform linux/amd64,linux/arm64 -t REGISTRY/virt-caps:TAG .
#
# The labels a node gets are what *this image's* libvirt and QEMU compute.
# To label nodes with what the cluster's virt-launcher will really offer,
# rebase the runtime on an image with the same libvirt/QEMU build:
#   --build-arg BASE_IMAGE=<Debian-family image with apt>
# (the runtime stage installs its packages with apt-get).

ARG BASE_IMAGE=debian:12-slim
ARG BUILD_IMAGE=debian:12

# ---- build: compile and run the unit tests on the target architecture ----
FROM ${BUILD_IMAGE} AS build
COPY scripts/install-deps /src/scripts/install-deps
RUN /src/scripts/install-deps --build && rm -rf /var/lib/apt/lists/*
COPY . /src
WORKDIR /src
RUN meson setup /build --buildtype=release -Db_ndebug=if-release -Dtests=enabled && \
    meson compile -C /build && \
    meson test -C /build --suite unit --print-errorlogs && \
    install -D -m 0755 -s /build/caps-probe /out/usr/bin/caps-probe && \
    install -D -m 0755 -s /build/caps-aggregate /out/usr/bin/caps-aggregate

# ---- runtime: the binaries, libvirt's QEMU driver and the emulator ----
# (install-deps --runtime: the libraries the binaries link, libmicrohttpd12
# for caps-probe --metrics-address included.)
FROM ${BASE_IMAGE}
ARG TARGETARCH
COPY scripts/install-deps /tmp/install-deps
RUN /tmp/install-deps --runtime --arch "${TARGETARCH}" && \
    rm -rf /var/lib/apt/lists/* /tmp/install-deps && \
    groupadd --system --gid 65532 virt-caps && \
    useradd --system --uid 65532 --gid 65532 --no-create-home \
        --home-dir /var/lib/virt-caps --shell /usr/sbin/nologin virt-caps && \
    install -d -o 65532 -g 65532 -m 0750 /var/lib/virt-caps
COPY --from=build /out/usr/bin/caps-probe /out/usr/bin/caps-aggregate /usr/bin/
# The state directory keeps QEMU's capability cache (8 s cold, tens of ms
# warm) and libvirt's per-user cache: mount a volume there.
VOLUME ["/var/lib/virt-caps"]
USER 65532:65532
ENTRYPOINT ["/usr/bin/caps-probe"]
