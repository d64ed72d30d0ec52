#!/usr/bin/python3
"""Writes the fuzzers' seed corpus from the documented formats alone (nn/serialize.hpp, nn/idx.hpp, and for
safetensors https://huggingface.co/docs/safetensors), so the files also check that the C++ readers follow their
documentation (tests/nn/test_serialize.cpp and tests/nn/test_safetensors.cpp load them).

    tests/fuzz/make_corpus.py        rewrites tests/fuzz/corpus/
"""
import gzip
import json
import pathlib
import struct
import zlib

CORPUS = pathlib.Path(__file__).resolve().parent / "corpus"


def idx(sizes, values):
    header = bytes([0, 0, 0x08, len(sizes)]) + b"".join(struct.pack(">I", s) for s in sizes)
    return header + bytes(values)


# Each dtype code's struct format: float32, float64, int64, bool (version 1 has the first two).
ELEMENT_FORMATS = ["<f", "<d", "<q", "<?"]


def tensor_file(entries, version=2):
    """entries: (name, dtype code, sizes, values)."""
    body = bytearray()
    for name, dtype, sizes, values in entries:
        encoded = name.encode()
        body += struct.pack("<I", len(encoded)) + encoded + struct.pack("<BB", dtype, len(sizes))
        body += b"".join(struct.pack("<q", s) for s in sizes)
        body += b"".join(struct.pack(ELEMENT_FORMATS[dtype], v) for v in values)
    size = 8 + 4 + 8 + 4 + len(body) + 4
    data = b"AGTENSOR" + struct.pack("<IQI", version, size, len(entries)) + bytes(body)
    return data + struct.pack("<I", zlib.crc32(data))


def scalar(name, value):
    return (name, 1, [], [value])


MODEL = [("model.0.weight", 0, [3, 2], [0.5, -1.0, 0.25, 2.0, -0.75, 1.5]), ("model.0.bias", 0, [3], [0.1, 0.2, 0.3])]
SGD = [scalar("optimizer." + n, v) for n, v in
       [("lr", 0.1), ("momentum", 0.9), ("dampening", 0.0), ("nesterov", 0.0), ("weight_decay", 0.0),
        ("parameter_count", 2.0)]] + [
    ("optimizer.state.0.momentum_buffer", 0, [3, 2], [0.01] * 6),
    ("optimizer.state.1.momentum_buffer", 0, [3], [-0.02] * 3)]
ADAM = [scalar("optimizer." + n, v) for n, v in
        [("lr", 0.001), ("beta1", 0.9), ("beta2", 0.999), ("eps", 1e-8), ("weight_decay", 0.0),
         ("parameter_count", 2.0)]] + [
    scalar("optimizer.state.0.step", 3.0),
    ("optimizer.state.0.exp_avg", 0, [3, 2], [0.1] * 6),
    ("optimizer.state.0.exp_avg_sq", 0, [3, 2], [0.01] * 6)]


# safetensors dtype names and their struct formats.
SAFETENSORS_FORMATS = {"F32": "<f", "F64": "<d", "I64": "<q", "BOOL": "<?"}


def safetensors_file(entries, metadata=None, pad=True):
    """entries: (name, dtype name, sizes, values), laid out in this order."""
    header = {} if metadata is None else {"__metadata__": metadata}
    data = bytearray()
    for name, dtype, sizes, values in entries:
        raw = b"".join(struct.pack(SAFETENSORS_FORMATS[dtype], v) for v in values)
        header[name] = {"dtype": dtype, "shape": sizes, "data_offsets": [len(data), len(data) + len(raw)]}
        data += raw
    text = json.dumps(header, separators=(",", ":")).encode()
    if pad:
        text += b" " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text + bytes(data)


SEQUENTIAL = [("0.weight", "F32", [3, 2], [0.5, -1.0, 0.25, 2.0, -0.75, 1.5]), ("0.bias", "F32", [3], [0.1, 0.2, 0.3]),
              ("2.weight", "F32", [1, 3], [1.0, -2.0, 0.5]), ("2.bias", "F32", [1], [0.25])]


def main():
    files = {
        "idx/labels.idx": idx([4], [0, 9, 3, 7]),
        "idx/images.idx": idx([2, 3, 3], range(18)),
        "idx/labels.idx.gz": gzip.compress(idx([4], [0, 9, 3, 7]), mtime=0),
        "idx/images.idx.gz": gzip.compress(idx([2, 3, 3], range(18)), mtime=0),
        # Version 1, as builds before int64 and bool wrote them: still read.
        "checkpoint/sgd.ckpt": tensor_file(MODEL + SGD + [scalar("extra.epoch", 3.0)], version=1),
        "checkpoint/adam.ckpt": tensor_file(MODEL + ADAM, version=1),
        "checkpoint/model_only.ckpt": tensor_file(MODEL, version=1),
        "checkpoint/empty.ckpt": tensor_file([], version=1),
        # Version 2, with every dtype.
        "checkpoint/sgd_v2.ckpt": tensor_file(
            MODEL + SGD + [("extra.epoch", 2, [], [3]), ("extra.seen", 3, [4], [True, False, True, True]),
                           ("extra.big", 2, [2], [-(2 ** 63), 2 ** 53 + 1])]),
        # A PyTorch nn.Sequential(Linear(2, 3), ReLU(), Linear(3, 1)) as safetensors.torch.save_file writes it.
        "safetensors/sequential.safetensors": safetensors_file(SEQUENTIAL, {"format": "pt"}),
        # Every dtype, a 0-d and an empty tensor, unpadded, with an int64 at an unaligned offset.
        "safetensors/dtypes.safetensors": safetensors_file(
            [("scale", "F64", [], [0.5]), ("mask", "BOOL", [2, 2], [True, False, False, True]),
             ("steps", "I64", [2], [-(2 ** 63), 2 ** 53 + 1]), ("none", "F32", [0, 3], [])], pad=False),
        "safetensors/empty.safetensors": safetensors_file([]),
        "safetensors/metadata_only.safetensors": safetensors_file([], {"epoch": "3", "format": "pt"}),
    }
    for name, data in files.items():
        path = CORPUS / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


if __name__ == "__main__":
    main()
