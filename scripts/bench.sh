#!/bin/sh
# bench.sh - entry point of `make bench`.
exec /usr/bin/python3 "$(dirname "$0")/bench.py" "$@"
