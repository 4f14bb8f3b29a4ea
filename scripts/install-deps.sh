#!/usr/bin/env bash
# Installs every Debian package Parley needs (idempotent; quick when all are there).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
ensure_packages
ensure_deb_src
