#!/bin/sh
# Runs once, at InfluxDB 2.x first setup (docker-entrypoint-initdb.d). Maps the InfluxQL database
# "meterline" (retention policy "autogen") to the bucket of the same name, so /query works as on 1.8.
set -eu
bucket_id=$(influx bucket list --name "${DOCKER_INFLUXDB_INIT_BUCKET}" --hide-headers | cut -f1)
influx v1 dbrp create --db meterline --rp autogen --bucket-id "${bucket_id}" --default
