#!/bin/sh
# Creates Temporal's two databases and brings their schemas to the version of this admin-tools image, with
# Temporal's own temporal-sql-tool (what the deprecated auto-setup image did inside the server). Safe to run again:
# `create` and `setup-schema` fail on a database or schema that exists, which is what a re-run finds, so their
# failure is reported and passed over; `update-schema` then fails loudly if the schema is really missing, and
# applies only the versions not yet applied (an upgrade of the images upgrades the schema).
set -eu
: "${POSTGRES_SEEDS:?}" "${POSTGRES_USER:?}" "${SQL_PASSWORD:?}"
port=${DB_PORT:-5432}
sql() { temporal-sql-tool --plugin postgres12 --ep "$POSTGRES_SEEDS" -p "$port" -u "$POSTGRES_USER" --db "$@"; }
for db in temporal temporal_visibility; do
  case $db in
    temporal) schema=/etc/temporal/schema/postgresql/v12/temporal/versioned ;;
    *) schema=/etc/temporal/schema/postgresql/v12/visibility/versioned ;;
  esac
  sql "$db" create || echo "setup-temporal-schema: database $db exists"
  sql "$db" setup-schema -v 0.0 || echo "setup-temporal-schema: schema of $db already set up"
  sql "$db" update-schema -d "$schema"
  echo "setup-temporal-schema: $db is at the schema of this image"
done
