#!/bin/sh
# Builds the seed corpora of the fuzz targets in protocol/fuzz/corpus/<target>/ (gitignored):
# the captured packets, framed streams of them, and valid EMF / pub files and values of every
# type built with the generated `arbitrary` impls. Files are named seed-*; corpus entries found
# by fuzzing are kept. `just fuzz` runs this first.
set -eu
cd "$(dirname "$0")"
cargo run --quiet --example seed -- corpus
