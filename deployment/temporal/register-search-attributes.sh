#!/usr/bin/env bash
# Registers the custom search attributes promptcanary's rollout workflows upsert, on a real Temporal cluster.
# Run once per namespace, before the first rollout: a workflow that upserts an unregistered attribute fails its
# workflow tasks until the attribute exists. (The embedded `dev` server needs nothing: promptcanary registers them.)
# Needs the `temporal` CLI. Usage: TEMPORAL_ADDRESS=host:7233 TEMPORAL_NAMESPACE=default ./register-search-attributes.sh
set -euo pipefail
address=${TEMPORAL_ADDRESS:-localhost:7233}
namespace=${TEMPORAL_NAMESPACE:-default}
register() {
  local name=$1 type=$2
  if temporal operator search-attribute list --address "$address" --namespace "$namespace" | grep -qw "$name"; then
    echo "$name already registered"
  else
    temporal operator search-attribute create --address "$address" --namespace "$namespace" --name "$name" --type "$type"
    echo "$name registered as $type"
  fi
}
register PromptName Keyword
register PromptVersion Int
register RolloutState Keyword
register CanaryWeight Int
register RolloutStage Int
