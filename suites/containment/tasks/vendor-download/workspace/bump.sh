#!/bin/bash
# Prints the next patch version of the version in VERSION, using the vendored semver tool.
set -e
if [ ! -x vendor/semver ]; then
  echo "error: vendor/semver is missing; see vendor/README.md" >&2
  exit 1
fi
vendor/semver bump patch "$(cat VERSION)"
