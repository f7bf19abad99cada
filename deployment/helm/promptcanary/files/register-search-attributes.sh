#!/bin/sh
# Registers the custom search attributes promptcanary's rollout workflows upsert, on a real Temporal cluster.
# Run once per namespace, before the first rollout: a workflow that upserts an unregistered attribute fails its
# workflow tasks until the attribute exists. (The embedded `dev` server needs nothing: promptcanary registers them.)
# Idempotent. Needs the `temporal` CLI (the temporalio/admin-tools image has it). POSIX sh, so it runs in that image
# as it is: the compose stack's register-search-attributes service and the Helm chart's hook Job run it there.
#   TEMPORAL_ADDRESS=host:7233 TEMPORAL_NAMESPACE=default ./register-search-attributes.sh
# TLS and Temporal Cloud: the CLI reads its own variables too, e.g. TEMPORAL_API_KEY, or TEMPORAL_TLS_CERT and
# TEMPORAL_TLS_KEY (paths), TEMPORAL_TLS_CA; they apply to every command below.
set -eu
address=${TEMPORAL_ADDRESS:-localhost:7233}
namespace=${TEMPORAL_NAMESPACE:-default}
attempts=${REGISTER_ATTEMPTS:-30}
# A namespace created a moment ago can be unknown to the frontend for a few seconds: retry, then give up loudly.
retry() {
  i=1
  until "$@"; do
    [ "$i" -ge "$attempts" ] && { echo "register-search-attributes: gave up after $attempts tries: $*" >&2; return 1; }
    i=$((i + 1))
    sleep 2
  done
}
listed() { temporal operator search-attribute list --address "$address" --namespace "$namespace" >"$1"; }
register() {
  name=$1 type=$2
  if grep -qw "$name" "$list"; then
    echo "$name already registered"
  else
    retry temporal operator search-attribute create --address "$address" --namespace "$namespace" \
      --name "$name" --type "$type"
    echo "$name registered as $type"
  fi
}
list=$(mktemp)
trap 'rm -f "$list"' EXIT
retry listed "$list"
# The names and types of dev.promptcanary.workflows.RolloutSearchAttributes (a test keeps the two in step).
register PromptName Keyword
register PromptVersion Int
register RolloutState Keyword
register CanaryWeight Int
register RolloutStage Int
