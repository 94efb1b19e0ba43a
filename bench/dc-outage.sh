#!/usr/bin/env bash
# The literal ten-minute data-center outage of issue 17, run by hand (as root): the lab of
# test/lab/offices.test.ts (a site whose 4G backup sits behind the carrier's NAT, pushing to the
# board, which forwards to a real Prometheus), the data center's receiver unreachable for
# SANSANG_DC_OUTAGE_S seconds (default 600), then a query over the window must find a sample for
# every probe interval. npm test runs the same code path with a 30 s outage.
#   sudo bash bench/dc-outage.sh            # ten minutes (about 14 min in all)
#   SANSANG_DC_OUTAGE_S=120 sudo bash bench/dc-outage.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export SANSANG_DC_OUTAGE_S="${SANSANG_DC_OUTAGE_S:-600}"
exec bash test/run.sh test/lab/offices.test.ts -t 'data-center outage'
