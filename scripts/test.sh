#!/usr/bin/env bash
# Runs every test: unit, Kubernetes mock-server, Helm, and the real-peer interop tests in network
# namespaces (those need root; without it they skip, except under CI=true where they fail).
set -euo pipefail
cd "$(dirname "$0")/.."
exec mvn -B verify "$@"
