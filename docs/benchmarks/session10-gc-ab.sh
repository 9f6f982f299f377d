#!/bin/bash
# Session 10: A/B of the server GC's dynamic adaptation (DATAS) on a populated system (docs/benchmarks.md, session 10,
# item 7). Run from the repository root against a data folder that holds the city (SANMENXIA_DATA); each configuration
# starts from a full down/up, clocks in a warm-up slice, then a measured slice of residents not yet clocked in today.
#   SANMENXIA_DATA=<city> CONFIGS="default datas-off default datas-off" docs/benchmarks/session10-gc-ab.sh
set -u
: "${SANMENXIA_DATA:?set SANMENXIA_DATA to the populated system's data folder}"
out="${OUT:-artifacts/gc-ab}"; mkdir -p "$out"
skip=0.0
for cfg in ${CONFIGS:-default datas-off}; do
  ./sanmenxia down >/dev/null 2>&1
  if [ "$cfg" = datas-off ]; then export DOTNET_GCDynamicAdaptationMode=0; else export DOTNET_GCDynamicAdaptationMode=1; fi
  ./sanmenxia up >/dev/null 2>&1 || { echo "up failed"; exit 1; }
  echo "== $cfg $(date -u +%T) load $(cut -d' ' -f1-3 /proc/loadavg)"
  ./sanmenxia loadtest --phases clockin --rate 1500 --clockin-share 0.04 --clockin-skip "$skip" --pgbench-seconds 0 \
    --max-seconds 200 --out "$out/$cfg-warm.json" | grep -E "ops \(" | sed "s/^/warm /"
  skip=$(echo "$skip + 0.04" | bc)
  ./sanmenxia loadtest --phases clockin --rate 2200 --clockin-share 0.10 --clockin-skip "$skip" --pgbench-seconds 0 \
    --max-seconds 200 --out "$out/$cfg.json" | grep -E "open loop|ops \(|CPU per op|RSS" | sed "s/^/$cfg /"
  skip=$(echo "$skip + 0.10" | bc)
done
