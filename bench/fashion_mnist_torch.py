#!/usr/bin/python3
"""PyTorch's side of bench/fashion_mnist_ours.cpp: the same MLP 784-256-128-10 (ReLU, cross-entropy on logits,
SGD with momentum 0.9), on --threads threads (set_threads, default 1), random float32 batches, and the same
RESULT line, naming the CPU capability PyTorch runs its kernels on and the BLAS library it loaded.

Run with /usr/bin/python3 (Debian's python3-torch); flags: --batch N, --steps N, --repetitions N, --threads N, --quick.
"""

import argparse
import ctypes
import os
import re
import resource
import time

import torch

FEATURES, CLASSES, BATCHES_IN_POOL = 784, 10, 4


def kernels():
    """PyTorch's CPU capability (its own kernels) and the BLAS its float32 matrix products call (BLAS_INFO=generic:
    the system's libblas.so.3, which Debian's alternatives point at OpenBLAS), with the core type OpenBLAS picked."""
    capability = re.search(r"CPU capability usage: (\S+)", torch.__config__.show())
    with open("/proc/self/maps") as maps:
        blas = {line.split()[-1] for line in maps if "libblas.so" in line}
    blas_name = "+".join(sorted(os.path.basename(os.path.dirname(path)) for path in blas)) or "no-libblas"
    if "openblas" in blas_name:
        core = ctypes.CDLL("libopenblas.so.0").openblas_get_corename
        core.restype = ctypes.c_char_p
        blas_name = f"openblas-{core().decode()}"
    return f"{capability.group(1) if capability else 'unknown'}+{blas_name}"


def set_threads(threads):
    """torch.set_num_threads(threads), and the same count for the OpenBLAS that Debian's PyTorch calls for its float32
    products: that library keeps a thread pool of its own (one thread per CPU by default), which torch.set_num_threads
    does not reach, so a "one-thread" PyTorch would otherwise run its products on every core. ag::set_num_threads sets
    the count for every library ag calls, so both sides run on the same number of threads."""
    torch.set_num_threads(threads)
    with open("/proc/self/maps") as maps:
        if any("openblas" in line for line in maps):
            ctypes.CDLL("libopenblas.so.0").openblas_set_num_threads(threads)


def best_step_seconds(model, optimizer, batches, steps, repetitions):
    """The seconds of one training step (forward, cross-entropy, backward, update) on the pool of `batches`, the best
    of `repetitions` runs of `steps` steps."""
    cross_entropy = torch.nn.CrossEntropyLoss()
    best = float("inf")
    for _ in range(repetitions):
        start = time.perf_counter()
        for step in range(steps):
            inputs, targets = batches[step % len(batches)]
            loss = cross_entropy(model(inputs), targets)
            optimizer.zero_grad(set_to_none=True)  # as the framework's zero_grad
            loss.backward()
            optimizer.step()
        best = min(best, time.perf_counter() - start)
    return best / steps


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--steps", type=int)
    parser.add_argument("--repetitions", type=int)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    steps = args.steps or (2 if args.quick else 16384 // args.batch)
    repetitions = args.repetitions or (1 if args.quick else 5)

    set_threads(args.threads)
    torch.manual_seed(0)
    batches = [(torch.rand(args.batch, FEATURES), torch.randint(CLASSES, (args.batch,)))
               for _ in range(BATCHES_IN_POOL)]
    model = torch.nn.Sequential(torch.nn.Linear(FEATURES, 256), torch.nn.ReLU(), torch.nn.Linear(256, 128),
                                torch.nn.ReLU(), torch.nn.Linear(128, CLASSES))
    sgd = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    step_seconds = best_step_seconds(model, sgd, batches, steps, repetitions)
    flops = 6.0 * args.batch * (784 * 256 + 256 * 128 + 128 * 10)
    print(f"RESULT benchmark=fashion-mnist-b{args.batch}-t{args.threads} side=pytorch value={args.batch / step_seconds:.6g} "
          f"unit=samples/s maxrss_kb={resource.getrusage(resource.RUSAGE_SELF).ru_maxrss} "
          f"gflops={flops / step_seconds * 1e-9:.6g} torch={torch.__version__} threads={torch.get_num_threads()} "
          f"kernel={kernels()}", flush=True)


if __name__ == "__main__":
    main()
