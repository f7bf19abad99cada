#!/bin/sh
# Creates the Temporal namespace promptcanary uses, once (the plain server image creates none). Idempotent.
set -eu
address=${TEMPORAL_ADDRESS:-temporal:7233}
namespace=${TEMPORAL_NAMESPACE:-default}
attempt=1
until temporal operator cluster health --address "$address" >/dev/null 2>&1; do
  [ "$attempt" -ge 60 ] && { echo "create-namespace: Temporal at $address is not healthy after 60 tries" >&2; exit 1; }
  attempt=$((attempt + 1))
  sleep 2
done
if temporal operator namespace describe --address "$address" --namespace "$namespace" >/dev/null 2>&1; then
  echo "create-namespace: $namespace exists"
else
  temporal operator namespace create --address "$address" --namespace "$namespace" --retention 30d
  echo "create-namespace: $namespace created"
fi
