#!/bin/bash
# Session 11: wal_compression pglz (on) / lz4 / off on a running, warmed city system (docs/benchmarks.md, Session 11).
# Each configuration is set by ALTER SYSTEM + reload (no restart, the caches stay warm), a CHECKPOINT is taken so every
# run starts with the same full-page-image debt, then 6 % of the city not yet clocked in that simulated day clocks in
# open loop at 2,200/s. Run from the repository root with SANMENXIA_DATA pointing at the city's data folder.
set -euo pipefail
OUT=${OUT:-artifacts/walc}; mkdir -p "$OUT"
skip=${SKIP0:-0}
psqlc() { ./sanmenxia psql -Atc "$1"; }
./sanmenxia loadtest --phases clockin --rate 1500 --clockin-share 0.04 --clockin-skip "$skip" --pgbench-seconds 0 \
  --max-seconds 300 --out "$OUT/warmup.json"
skip=$(python3 -c "print(round($skip + 0.04, 2))")
n=0
for cfg in ${CONFIGS:-on lz4 off lz4 on off}; do
  n=$((n + 1))
  psqlc "alter system set wal_compression = '$cfg'" >/dev/null; psqlc "select pg_reload_conf()" >/dev/null
  w0=$(psqlc "select pg_current_wal_lsn()"); psqlc "checkpoint" >/dev/null
  ./sanmenxia loadtest --phases clockin --rate 2200 --clockin-share 0.06 --clockin-skip "$skip" --pgbench-seconds 0 \
    --max-seconds 300 --out "$OUT/$n-$cfg.json"
  w1=$(psqlc "select pg_current_wal_lsn()")
  echo "run $n $cfg: WAL bytes $(psqlc "select pg_wal_lsn_diff('$w1', '$w0')")"
  skip=$(python3 -c "print(round($skip + 0.06, 2))")
done
psqlc "alter system reset wal_compression" >/dev/null; psqlc "select pg_reload_conf()" >/dev/null
