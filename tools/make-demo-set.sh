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
# emotion: utterances of that model's own test part (the stratified random 10 % that
# `ser train --split random --test-size 0.1 --seed 42` holds out of actors 01–12), so the model
# never heard these utterances, though it heard their speakers (it is trained on all 12 actors).
# Rule, fixed before any prediction of the model was seen: for each emotion, the first test file by sorted path
# among actors 03–12 (kept as the lossless FLAC of ../shared/data).
rav="${1:-../shared/data}/ravdess"
mkdir -p demo/ravdess
rm -f demo/ravdess/*.flac
for f in Actor_03/03-01-01-01-01-01-03 Actor_04/03-01-02-01-01-01-04 Actor_03/03-01-03-01-02-01-03 \
  Actor_03/03-01-04-01-02-01-03 Actor_05/03-01-05-01-01-02-05 Actor_03/03-01-06-02-01-02-03 \
  Actor_03/03-01-07-02-01-02-03 Actor_04/03-01-08-01-01-01-04; do
  cp "$rav/$f.flac" demo/ravdess/
  chmod 644 "demo/ravdess/${f#*/}.flac"
done
ls demo/ravdess | wc -l
