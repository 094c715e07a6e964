#!/usr/bin/env bash
# Runs a command that needs ../shared (models, images, checks); exits 77 (ctest: skipped) with a
# clear message when that folder is absent. usage: with_shared.sh SHARED_DIR COMMAND [ARG...]
shared=$1; shift
if [ ! -d "$shared/models" ]; then
  echo "SKIPPED: $shared/models not found (the shared models/images folder is not beside this checkout)"
  exit 77
fi
exec "$@"
