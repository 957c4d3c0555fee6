#!/usr/bin/env bash
# Installs the integration suite's MySQL stand-in (MariaDB from Debian's packages) when it is
# missing. A fast no-op when `mariadbd` is already on PATH, so `make test` can always call it.
set -euo pipefail

# mariadbd lives in /usr/sbin, which is not on every PATH (CI runs without a login shell).
export PATH="$PATH:/usr/sbin:/sbin"

if command -v mariadbd >/dev/null 2>&1 && command -v mariadb >/dev/null 2>&1 \
    && command -v mariadb-install-db >/dev/null 2>&1; then
    exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if ! command -v sudo >/dev/null 2>&1; then
        echo "install-deps.sh: mariadbd is missing and this user is not root and has no sudo;" \
             "install the Debian packages mariadb-server and mariadb-client" >&2
        exit 1
    fi
    SUDO="sudo"
fi

echo "install-deps.sh: installing mariadb-server and mariadb-client from Debian's packages" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
# No service is started here (the suite starts its own mariadbd with --no-defaults); without
# systemd the package's postinst may try to start one and fail, which policy-rc.d prevents.
POLICY=/usr/sbin/policy-rc.d
CREATED_POLICY=0
if [ ! -e "$POLICY" ]; then
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$POLICY" >/dev/null
    $SUDO chmod 755 "$POLICY"
    CREATED_POLICY=1
fi
cleanup() { if [ "$CREATED_POLICY" = 1 ]; then $SUDO rm -f "$POLICY"; fi; }
trap cleanup EXIT
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    mariadb-server mariadb-client >/dev/null

for tool in mariadbd mariadb mariadb-install-db; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "install-deps.sh: $tool is still missing after installing mariadb-server" >&2
        exit 1
    fi
done
echo "install-deps.sh: $(mariadbd --version)" >&2
