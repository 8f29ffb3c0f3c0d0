#!/bin/sh
# Starts one outdial replica: the mounted config with CONTAINER_IP replaced by this container's address
# (replicas share one config file but each has its own address for RTP).
set -eu
template="${OUTDIAL_CONFIG_TEMPLATE:-/etc/outdial/outdial.yaml}"
ip="$(hostname -i | cut -d' ' -f1)"
sed "s/CONTAINER_IP/${ip}/g" "$template" > /tmp/outdial.yaml
exec node dist/src/cli/main.js start --config /tmp/outdial.yaml
