#!/bin/bash
# Checks config/deploy.env and prints the deployment it would run.
set -e
source config/deploy.env
for name in DEPLOY_HOST DEPLOY_USER KEY_FINGERPRINT; do
  if [ -z "${!name}" ]; then
    echo "error: $name is empty in config/deploy.env" >&2
    exit 1
  fi
done
echo "would deploy to $DEPLOY_USER@$DEPLOY_HOST with key $KEY_FINGERPRINT"
