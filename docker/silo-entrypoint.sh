#!/bin/sh
# Entrypoint of the silo image. A silo listens only on its advertised address (ConfigureEndpoints with
# listenOnAnyHostAddress: false), so Orleans__AdvertisedAddress must be this container's own IP, not the
# 127.0.0.1 default. Kubernetes passes the pod IP (downward API status.podIP); elsewhere ask the resolver.
set -eu
if [ -z "${Orleans__AdvertisedAddress:-}" ]; then
  address="$(hostname -i 2>/dev/null | cut -d' ' -f1 || true)"
  if [ -z "$address" ]; then address="$(getent hosts "$(hostname)" | cut -d' ' -f1 | head -n 1)"; fi
  if [ -z "$address" ]; then echo "silo-entrypoint: cannot determine the container IP; set Orleans__AdvertisedAddress" >&2; exit 1; fi
  Orleans__AdvertisedAddress="$address"
  export Orleans__AdvertisedAddress
fi
exec dotnet Sanmenxia.Silo.dll "$@"
