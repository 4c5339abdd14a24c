#!/usr/bin/env bash
# Abandoned after two folds (benchmarks/RESULTS.md, anchor pretrained-ravdess-speaker-validation-2026-12-07): kept as the record of how they ran.
# The queue of the pre-registered speaker-validation candidate (issue 13): the six folds of
# benchmarks/runs/2026-12-06/ravdess-speaker-validation-PLAN.txt in order, skipping finished ones; an
# interrupted fold resumes from its checkpoint (<out>.checkpoint). Outputs in /work/runs6 (outside the
# repository). Start: setsid nohup bash benchmarks/runs/2026-12-07/ravdess-sv-queue.sh &
cd "$(dirname "$0")/../../.." && mkdir -p /work/runs6
for pair in 01,02 03,05 04,10 06,07 08,09 11,12; do
  name=ravdess-sv-${pair/,/-}
  out=/work/runs6/$name
  # Done: here, or recorded in benchmarks/runs/<date>/ravdess-sv-A-B/.
  if [ -f "$out/report.json" ] || ls benchmarks/runs/*/"$name"/report.json > /dev/null 2>&1; then continue; fi
  echo "$(date -u +%FT%TZ) start $name" >> /work/runs6/queue.log
  nice -n 5 node packages/cli/bin/ser.js train --data ../shared/data/ravdess --out "$out" \
    --db-reference utterance-max --augment --epochs 20 --patience 5 --seed 42 \
    --split speaker --test-speakers "$pair" --validation-split speaker --json \
    > "/work/runs6/$name.json" 2>> "/work/runs6/$name.err"
  rc=$?
  echo "$(date -u +%FT%TZ) end $name rc=$rc" >> /work/runs6/queue.log
  if [ $rc -ne 0 ]; then exit $rc; fi
done
