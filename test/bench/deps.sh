#!/usr/bin/env bash
# Host tools the benchmarks need: GNU time for wall time and peak RSS; the guest image build's own tools.
set -euo pipefail
cd "$(dirname "$0")/../.."
bash images/host-deps.sh > /dev/null
bash test/host-deps.sh
if [ ! -x /usr/bin/time ]; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends time > /dev/null
fi
