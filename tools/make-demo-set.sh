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

# demo/ravdess: the clips `npm start` predicts with the shipped `ravdess` model, one per
# emotion (statement 01, normal intensity, first repetition) from actors 04 and 10, the two
# actors held out of that model's training (emotions 01–04 from actor 04, 05–08 from actor 10).
# Kept as the lossless FLAC of ../shared/data.
rav="${1:-../shared/data}/ravdess"
mkdir -p demo/ravdess
for e in 01 02 03 04 05 06 07 08; do
  if [ "$e" \< 05 ]; then a=04; else a=10; fi
  cp "$rav/Actor_$a/03-01-$e-01-01-01-$a.flac" demo/ravdess/
  chmod 644 "demo/ravdess/03-01-$e-01-01-01-$a.flac"
done
ls demo/ravdess | wc -l
