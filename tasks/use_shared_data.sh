#!/usr/bin/env bash
# Link the offline copies of the raw data (a folder laid out like ../shared/data) into data/, so no download is needed.
set -euo pipefail
shared=$(realpath "${1:-../shared/data}")
cd "$(dirname "$0")/.."
if [ ! -d "$shared" ]; then
  echo "No offline data at $shared; datasets will download from the urls in data/metadata.toml." >&2
  exit 0
fi
link() { [ -e "$shared/$1" ] && mkdir -p "$(dirname "data/$2")" && ln -sfn "$shared/$1" "data/$2"; }
link emnist/processed/byclass.h5 processed/emnist/byclass.h5
link brown/brown.zip raw/brown/brown.zip
link iam/ascii raw/iam/ascii
link iam/lines_sample raw/iam/lines_sample
link iam/paragraphs_sample raw/iam/paragraphs_sample
link handwritten_names raw/handwritten_names
link real_lines raw/real_lines
echo "Linked offline data from $shared into data/."
