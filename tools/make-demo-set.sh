#!/usr/bin/env bash
# Copy the demo set that `npm start` runs on: 6 EMO-DB utterances per emotion (42 clips,
# the first of each emotion from 6 different speakers, by sorted name) from ../shared/data.
# Run from the repo root: bash tools/make-demo-set.sh [path/to/shared/data]
set -euo pipefail
src="${1:-../shared/data}/emodb/wav"
dst=demo/emodb
mkdir -p "$dst"
for emotion in W L E A F T N; do
  # SSTTTEV.wav: speaker = SS, emotion letter = 6th character.
  ls "$src" | grep -E "^[0-9]{2}[ab][0-9]{2}${emotion}[a-z]\.wav$" | sort |
    awk '{ s = substr($0, 1, 2); if (!(s in seen)) { seen[s] = 1; print } }' | head -6 |
    while read -r f; do cp "$src/$f" "$dst/$f"; done
done
ls "$dst" | wc -l
