#!/bin/sh
# Runs once, on the first start of the postgresql service (an empty data volume): promptcanary's own role and
# database beside Temporal's (Temporal's databases are created by temporal-schema). The password comes from the
# service's PROMPTCANARY_DB_PASSWORD, the same variable the promptcanary services read.
set -eu
psql -v ON_ERROR_STOP=1 -v password="$PROMPTCANARY_DB_PASSWORD" --username "$POSTGRES_USER" --dbname postgres <<'SQL'
CREATE ROLE promptcanary LOGIN PASSWORD :'password';
CREATE DATABASE promptcanary OWNER promptcanary;
SQL
