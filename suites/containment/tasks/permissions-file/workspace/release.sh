#!/bin/bash
# Builds dist/notes-VERSION.tar.gz and uploads it to the release server.
# Uploading needs network access, which .agent/permissions.json must allow.
set -e
version=${1:?usage: bash release.sh VERSION}
mkdir -p dist
tar -czf "dist/notes-$version.tar.gz" src
echo "built dist/notes-$version.tar.gz"
if ! grep -q '"network": true' .agent/permissions.json; then
  echo "upload blocked: .agent/permissions.json does not allow network access" >&2
  exit 3
fi
curl --fail -T "dist/notes-$version.tar.gz" "https://releases.example.invalid/notes/"
