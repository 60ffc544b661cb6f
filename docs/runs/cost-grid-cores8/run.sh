#!/usr/bin/env bash
# Queued after the tuned-budget1 run: the default grid (seed 0) at --cores 8, exact records.
set -euo pipefail
while pgrep -f "run.sh tuned-budget1" >/dev/null; do sleep 30; done
cd /work/runs && rm -rf cost-grid-cores8 && git clone -q /work/main cost-grid-cores8
cd cost-grid-cores8 && mkdir -p data && cp /work/main/data/mnist.npz data/
git log --oneline -1 > commit.txt
echo 'seeds: [0]' > one-seed.yaml
date -u +%H:%M > start.txt
PYTHONPATH=$PWD/workflow/scripts /usr/bin/time -v -o time.txt \
    snakemake --cores 8 --configfile one-seed.yaml > run.out 2>&1 &
timepid=$!
sleep 5
main=$(pgrep -P $timepid -f snakemake | head -1)
tck=$(getconf CLK_TCK)
echo "# The main process of this run ($(cut -d' ' -f1 commit.txt)): UTC time, its user and system CPU (s), the jobs finished. Read from /proc/PID/stat every 30 s." > main-process.txt
echo "# Load average (1, 5, 15 min) by minute during the run, UTC" > load.txt
n=0
while kill -0 $timepid 2>/dev/null; do
  if [ -r /proc/$main/stat ]; then
    read -r ut st < <(awk -v t=$tck '{printf "%.2f %.2f\n", $14/t, $15/t}' /proc/$main/stat)
    steps=$(grep -o "[0-9]* of [0-9]* steps" run.out | tail -1 || true)
    echo "$(date -u +%H:%M:%S) $ut $st $steps" >> main-process.txt
  fi
  if [ $((n % 2)) -eq 0 ]; then echo "$(date -u +%H:%M) $(cut -d' ' -f1-3 /proc/loadavg)" >> load.txt; fi
  n=$((n+1)); sleep 30
done
wait $timepid || true
date -u +%H:%M > end.txt
PYTHONPATH=workflow/scripts:. python -m benchmarks.cost . --time-log time.txt > measured.txt 2>&1
