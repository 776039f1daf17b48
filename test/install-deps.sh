#!/usr/bin/env bash
# Installs what the test suite needs on a Debian machine with Node 20: the real BMC peers and the
# independent IPMI clients (Debian packages), then the npm packages. Safe to run again. Needs
# nothing beside the repository: the peers are started by test/peers.
set -euo pipefail
cd "$(dirname "$0")/.."
# chromium: the dashboard's browser tests (driven by playwright-core). redfishtool (DMTF) and
# python3-sushy (OpenStack Ironic): independent Redfish clients that check our Redfish simulator.
PKGS=(openipmi ipmitool freeipmi-tools python3-pyghmi chromium redfishtool python3-sushy)
missing=()
for p in "${PKGS[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
# DynamoDB Local needs a Java 17 runtime.
command -v java >/dev/null 2>&1 || missing+=(openjdk-17-jre-headless)
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  echo "installing Debian packages: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi
# The peers' scripts and configuration are the repository's own (test/peers); the BMC code comes
# from the packages above. Their scripts use Debian's python3, which must see pyghmi.
if ! /usr/bin/python3 -c 'import pyghmi.ipmi.bmc' 2>/dev/null; then
  echo "/usr/bin/python3 cannot import pyghmi (package python3-pyghmi): the pyghmi BMC peer needs it" >&2
  exit 1
fi
npm ci --no-audit --no-fund --loglevel=error
