#!/usr/bin/env bash
# The fault test of `fashion_mnist --distributed`: rank 1 of a 2-rank run is killed (SIGKILL) after the first
# checkpoint; mpirun must end the job, naming rank 1, within the wait below. The same command plus --resume then
# finishes the run from the last checkpoint, here on 3 ranks: the checkpoint holds no rank count, and the same global
# batches (of 60 images: 30 or 20 per rank) continue.
# Usage: kill_and_resume.sh MPIEXEC FASHION_MNIST OUT_DIR
set -euo pipefail
mpiexec=$1 example=$2 out=$3
rm -rf "$out"
mkdir -p "$out"
# 30 short epochs: the kill lands seconds before the run could end by itself, however fast the machine.
flags=(--distributed --epochs 30 --batch-size 60 --limit 3000 --checkpoint "$out/run.ckpt" --out "$out")

"$mpiexec" -np 2 "$example" "${flags[@]}" >"$out/killed.log" 2>&1 &
job=$!
for _ in $(seq 1200); do
  [[ -e $out/run.ckpt ]] && break
  sleep 0.05
done
rank1=""
for pid in $(pgrep -P "$job"); do
  if tr '\0' '\n' <"/proc/$pid/environ" 2>/dev/null | grep -qx OMPI_COMM_WORLD_RANK=1; then rank1=$pid; fi
done
if [[ ! -e $out/run.ckpt || -z $rank1 ]]; then
  echo "FAIL: no checkpoint after 60 s, or no rank 1 to kill"
  cat "$out/killed.log"
  kill "$job" || true
  exit 1
fi
kill -KILL "$rank1"
start=$SECONDS
status=0
wait "$job" || status=$?
echo "mpirun ended $((SECONDS - start)) s after rank 1 was killed, with status $status"
cat "$out/killed.log"
if ((status == 0)) || ! grep -q "process rank 1 with PID [0-9]* on node .* exited on signal 9" "$out/killed.log"; then
  echo "FAIL: the job did not end with a message naming the killed rank 1"
  exit 1
fi

"$mpiexec" -np 3 "$example" "${flags[@]}" --resume | tee "$out/resumed.log"
grep -q "resumed from $out/run.ckpt after epoch [0-9]*$" "$out/resumed.log"
grep -q "epoch 30/30: " "$out/resumed.log"
echo "PASS: resumed on 3 ranks and finished"
