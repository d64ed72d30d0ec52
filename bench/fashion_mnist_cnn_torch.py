#!/usr/bin/python3
"""PyTorch's side of the Fashion-MNIST CNN (examples/fashion_mnist --model cnn), in two modes.

Benchmark (the default; the peer of bench/fashion_mnist_cnn_ours.cpp): the same network, Adam at 1e-3, one thread,
random float32 batches [batch, 1, 28, 28], and the same RESULT line. Flags: --batch N, --steps N, --repetitions N,
--quick.

Weights (--train-epochs N --save-weights FILE): trains the network on the real dataset (--data DIR, the first --limit N
images, batch 64, Adam at 1e-3), prints the test accuracy after each epoch and writes the parameters to FILE in the
safetensors format under PyTorch's state_dict names, written here from the format's documentation (an 8-byte
little-endian header length, a JSON header of dtype, shape and data_offsets, then the raw little-endian data), so no
package beyond torch is needed. With --check-ours PROGRAM it then runs

    PROGRAM --model cnn --weights FILE --epochs 0 --save-weights FILE.ours.safetensors

and fails unless our test accuracy is PyTorch's within --tolerance percentage points (default 0.1) and the file our
program wrote back holds exactly the parameters PyTorch trained.

Evaluation (--evaluate FILE): loads a safetensors file (e.g. one that examples/fashion_mnist --model cnn
--save-weights wrote) into the PyTorch network and prints its test accuracy.

Run with /usr/bin/python3 (Debian's python3-torch).
"""

import argparse
import gzip
import json
import re
import resource
import struct
import subprocess
import sys
import time
from pathlib import Path

import numpy
import torch

from fashion_mnist_torch import best_step_seconds, kernels, set_threads

CLASSES, BATCHES_IN_POOL = 10, 4
# Multiply-adds of one image's forward pass, as bench/fashion_mnist_cnn_ours.cpp counts them.
FORWARD_MACS_PER_IMAGE = 28 * 28 * 32 * 1 * 9 + 14 * 14 * 64 * 32 * 9 + 3136 * 128 + 128 * 10
SAFETENSORS_DTYPES = {torch.float32: ("F32", "<f4"), torch.float64: ("F64", "<f8"), torch.int64: ("I64", "<i8")}


def make_cnn():
    nn = torch.nn
    return nn.Sequential(nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Flatten(), nn.Linear(64 * 7 * 7, 128), nn.ReLU(), nn.Dropout(0.25), nn.Linear(128, 10))


def save_safetensors(path, tensors):
    """Writes the named tensors as a safetensors file, in the order given, with {"format": "pt"} as metadata."""
    header, chunks, offset = {"__metadata__": {"format": "pt"}}, [], 0
    for name, tensor in tensors.items():
        dtype, layout = SAFETENSORS_DTYPES[tensor.dtype]
        data = tensor.detach().contiguous().cpu().numpy().astype(layout).tobytes()
        header[name] = {"dtype": dtype, "shape": list(tensor.shape), "data_offsets": [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)  # the data starts 8-byte aligned
    Path(path).write_bytes(struct.pack("<Q", len(text)) + text + b"".join(chunks))


def load_safetensors(path):
    """The named tensors of a safetensors file, checking its header against the file as the format requires."""
    raw = Path(path).read_bytes()
    (length,) = struct.unpack("<Q", raw[:8])
    if 8 + length > len(raw):
        raise ValueError(f"{path}: the header's length {length} runs past the file's {len(raw)} bytes")
    header, data = json.loads(raw[8:8 + length]), raw[8 + length:]
    layouts = {dtype: (layout, torch_dtype) for torch_dtype, (dtype, layout) in SAFETENSORS_DTYPES.items()}
    tensors = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        begin, end = entry["data_offsets"]
        layout, _ = layouts[entry["dtype"]]
        if not 0 <= begin <= end <= len(data):
            raise ValueError(f"{path}: '{name}' has data_offsets {begin}, {end} outside the data's {len(data)} bytes")
        values = numpy.frombuffer(data[begin:end], dtype=layout).reshape(entry["shape"])
        tensors[name] = torch.from_numpy(values.copy())
    return tensors


def read_idx(path, header_bytes):
    with gzip.open(path, "rb") as file:
        return numpy.frombuffer(file.read(), dtype=numpy.uint8, offset=header_bytes)


def load_split(data_dir, prefix):
    """Images [N, 1, 28, 28] as float32 pixels divided by 255, and labels [N] as int64."""
    images = read_idx(Path(data_dir) / f"{prefix}-images-idx3-ubyte.gz", 16).reshape(-1, 1, 28, 28)
    labels = read_idx(Path(data_dir) / f"{prefix}-labels-idx1-ubyte.gz", 8)
    return torch.from_numpy(images.astype(numpy.float32) / 255), torch.from_numpy(labels.astype(numpy.int64))


def test_accuracy(model, images, labels):
    model.eval()
    correct = 0
    with torch.no_grad():
        for start in range(0, len(images), 1000):
            logits = model(images[start:start + 1000])
            correct += (logits.argmax(1) == labels[start:start + 1000]).sum().item()
    return correct / len(images)


def benchmark(args):
    steps = args.steps or (2 if args.quick else 2048 // args.batch)
    repetitions = args.repetitions or (1 if args.quick else 5)
    set_threads(1)
    torch.manual_seed(0)
    batches = [(torch.rand(args.batch, 1, 28, 28), torch.randint(CLASSES, (args.batch,)))
               for _ in range(BATCHES_IN_POOL)]
    model = make_cnn()
    adam = torch.optim.Adam(model.parameters(), lr=1e-3)
    step_seconds = best_step_seconds(model, adam, batches, steps, repetitions)
    flops = 6.0 * args.batch * FORWARD_MACS_PER_IMAGE
    print(f"RESULT benchmark=fashion-mnist-cnn-b{args.batch} side=pytorch value={args.batch / step_seconds:.6g} "
          f"unit=samples/s maxrss_kb={resource.getrusage(resource.RUSAGE_SELF).ru_maxrss} "
          f"gflops={flops / step_seconds * 1e-9:.6g} torch={torch.__version__} kernel={kernels()}", flush=True)


def train_and_save(args):
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    train_images, train_labels = load_split(args.data, "train")
    if args.limit:
        train_images, train_labels = train_images[:args.limit], train_labels[:args.limit]
    test_images, test_labels = load_split(args.data, "t10k")
    model = make_cnn()
    adam = torch.optim.Adam(model.parameters(), lr=1e-3)
    cross_entropy = torch.nn.CrossEntropyLoss()
    shuffle = torch.Generator().manual_seed(args.seed)
    for epoch in range(1, args.train_epochs + 1):
        start = time.perf_counter()
        model.train()
        order = torch.randperm(len(train_images), generator=shuffle)
        for begin in range(0, len(order), 64):
            batch = order[begin:begin + 64]
            loss = cross_entropy(model(train_images[batch]), train_labels[batch])
            adam.zero_grad(set_to_none=True)
            loss.backward()
            adam.step()
        seconds = time.perf_counter() - start
        accuracy = test_accuracy(model, test_images, test_labels)
        print(f"epoch {epoch}/{args.train_epochs}: test accuracy {100 * accuracy:.2f}% | "
              f"{len(order) / seconds:.0f} samples/s on {args.threads} thread(s)", flush=True)
    state = model.state_dict()
    save_safetensors(args.save_weights, state)
    print(f"PyTorch {torch.__version__}: test accuracy {100 * accuracy:.2f}%; wrote {args.save_weights}", flush=True)
    if args.check_ours:
        check_ours(args, 100 * accuracy, state)


def check_ours(args, torch_percent, state):
    written_back = f"{args.save_weights}.ours.safetensors"
    command = [args.check_ours, "--model", "cnn", "--weights", args.save_weights, "--epochs", "0", "--data", args.data,
               "--save-weights", written_back, "--threads", str(args.threads)]
    run = subprocess.run(command, capture_output=True, text=True, check=False)
    print(run.stdout, end="")
    if run.returncode != 0:
        sys.exit(f"FAILED: {' '.join(command)} exited with {run.returncode}: {run.stderr.strip()}")
    found = re.search(r"test accuracy ([0-9.]+)%", run.stdout)
    if not found:
        sys.exit("FAILED: our program printed no test accuracy")
    ours_percent = float(found.group(1))
    difference = abs(ours_percent - torch_percent)
    print(f"test accuracy: PyTorch {torch_percent:.2f}%, ours {ours_percent:.2f}% "
          f"(difference {difference:.2f} points, tolerance {args.tolerance})")
    if difference > args.tolerance + 1e-9:
        sys.exit("FAILED: the accuracies differ by more than the tolerance")
    back = load_safetensors(written_back)
    if sorted(back) != sorted(state):
        sys.exit(f"FAILED: {written_back} holds {sorted(back)}, PyTorch's state_dict {sorted(state)}")
    for name, tensor in state.items():
        if back[name].shape != tensor.shape or not torch.equal(back[name], tensor):
            sys.exit(f"FAILED: '{name}' in {written_back} differs from PyTorch's")
    print(f"{written_back}: the same {len(state)} tensors, bit for bit; check passed")


def evaluate(args):
    torch.set_num_threads(args.threads)
    model = make_cnn()
    model.load_state_dict(load_safetensors(args.evaluate))
    test_images, test_labels = load_split(args.data, "t10k")
    accuracy = test_accuracy(model, test_images, test_labels)
    print(f"PyTorch {torch.__version__}: {args.evaluate}: test accuracy {100 * accuracy:.2f}% "
          f"on {len(test_images)} images", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--steps", type=int)
    parser.add_argument("--repetitions", type=int)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--train-epochs", type=int, help="train on the dataset for N epochs instead of benchmarking")
    parser.add_argument("--save-weights", help="safetensors file for the trained parameters")
    parser.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    parser.add_argument("--limit", type=int, default=0, help="train on the first N images only (0: all)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--check-ours", metavar="PROGRAM", help="our fashion_mnist program, to compare with")
    parser.add_argument("--tolerance", type=float, default=0.1, help="in percentage points of test accuracy")
    parser.add_argument("--evaluate", metavar="FILE", help="only print the test accuracy of a safetensors file")
    args = parser.parse_args()
    if args.evaluate:
        evaluate(args)
    elif args.train_epochs is None:
        benchmark(args)
    elif args.train_epochs < 1 or not args.save_weights:
        parser.error("--train-epochs needs a positive N and --save-weights FILE")
    else:
        train_and_save(args)


if __name__ == "__main__":
    main()
