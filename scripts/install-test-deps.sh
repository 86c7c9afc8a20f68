#!/usr/bin/env bash
# Installs the real components the test suite runs against (etcd 3.4, busybox, dash, shellcheck,
# iproute2 for network namespaces, a C compiler for the fake flanneld, Debian's chromium for the
# browser tests). Idempotent: skips apt when everything is already there.
set -euo pipefail
pkgs=(etcd-server etcd-client busybox dash shellcheck iproute2 gcc libc6-dev chromium curl procps kmod util-linux coreutils bash)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
