#!/usr/bin/env bash
# Installs, from Debian's packages, what the integration suite needs when it is missing:
#   mariadb   the MySQL stand-in (mariadb-server, mariadb-client)
#   chromium  the browser of the UI test (chromium; Playwright drives /usr/bin/chromium)
# Usage: install-deps.sh [mariadb] [chromium]   (no argument: both; `make local` asks for mariadb
# only). A fast no-op when everything asked for is already there, so `make test` can always call it.
set -euo pipefail

# mariadbd lives in /usr/sbin, which is not on every PATH (CI runs without a login shell).
export PATH="$PATH:/usr/sbin:/sbin"

wanted=("$@")
if [ ${#wanted[@]} -eq 0 ]; then wanted=(mariadb chromium); fi

packages=()
for component in "${wanted[@]}"; do
    case "$component" in
        mariadb)
            if ! { command -v mariadbd && command -v mariadb && command -v mariadb-install-db; } \
                    >/dev/null 2>&1; then
                packages+=(mariadb-server mariadb-client)
            fi ;;
        chromium)
            if [ ! -x /usr/bin/chromium ]; then packages+=(chromium); fi ;;
        *)
            echo "install-deps.sh: unknown component '$component'; allowed: mariadb, chromium" >&2
            exit 2 ;;
    esac
done
if [ ${#packages[@]} -eq 0 ]; then
    exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if ! command -v sudo >/dev/null 2>&1; then
        echo "install-deps.sh: missing ${packages[*]}, and this user is not root and has no sudo;" \
             "install these Debian packages" >&2
        exit 1
    fi
    SUDO="sudo"
fi

echo "install-deps.sh: installing ${packages[*]} from Debian's packages" >&2
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
    "${packages[@]}" >/dev/null

for component in "${wanted[@]}"; do
    case "$component" in
        mariadb)
            for tool in mariadbd mariadb mariadb-install-db; do
                if ! command -v "$tool" >/dev/null 2>&1; then
                    echo "install-deps.sh: $tool is still missing after installing mariadb-server" >&2
                    exit 1
                fi
            done
            echo "install-deps.sh: $(mariadbd --version)" >&2 ;;
        chromium)
            if [ ! -x /usr/bin/chromium ]; then
                echo "install-deps.sh: /usr/bin/chromium is still missing after installing chromium" >&2
                exit 1
            fi
            # The Debian wrapper script prints a harmless shell warning on some machines.
            echo "install-deps.sh: $(/usr/bin/chromium --version 2>/dev/null)" >&2 ;;
    esac
done
