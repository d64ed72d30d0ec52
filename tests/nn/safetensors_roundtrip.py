#!/usr/bin/python3
"""Reads and writes safetensors files as a PyTorch user does, for tests/nn/test_safetensors.cpp.

Written from the format's documentation (https://huggingface.co/docs/safetensors) alone: 8 bytes of little-endian
header length N, N bytes of JSON {name: {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {...}},
then the tensors' little-endian bytes, offsets counted from the end of the header. The `safetensors` package is used
as a second reader and writer when it is installed; without it the format is written by hand with struct and json.

    safetensors_roundtrip.py CHECK_FILE WRITE_FILE

checks that CHECK_FILE (written by ag::nn::save_safetensors) holds exactly sample_tensors() and the metadata
{"written_by": "ag"}, then writes sample_tensors() to WRITE_FILE with the metadata {"format": "pt"}. Exits 1 with
the differences when the check fails.
"""

import json
import struct
import sys

import torch

DTYPES = {"F32": torch.float32, "F64": torch.float64, "I64": torch.int64, "BOOL": torch.bool}
NAMES = {dtype: name for name, dtype in DTYPES.items()}


def sample_tensors():
    """The tensors both sides know: PyTorch state_dict names, every dtype, a 0-d and an empty tensor."""
    return {
        "0.weight": torch.arange(6, dtype=torch.float32).reshape(2, 3) * 0.5 - 1.0,
        "0.bias": torch.tensor([0.1, -0.2], dtype=torch.float32),
        "2.weight": torch.tensor([[1e-300, -2.5], [3.0, float("inf")]], dtype=torch.float64),
        "steps": torch.tensor([-(2**63), 2**53 + 1, 2**63 - 1], dtype=torch.int64),
        "mask": torch.tensor([[True, False], [False, True]]),
        "scale": torch.tensor(3.25, dtype=torch.float32),
        "empty": torch.zeros(0, 3, dtype=torch.float32),
    }


def read_by_hand(path):
    with open(path, "rb") as file:
        data = file.read()
    (length,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + length].decode("utf-8"))
    body = data[8 + length :]
    metadata = header.pop("__metadata__", {})
    tensors = {}
    for name, info in header.items():
        begin, end = info["data_offsets"]
        dtype = DTYPES[info["dtype"]]
        values = torch.frombuffer(bytearray(body[begin:end]), dtype=dtype) if end > begin else torch.empty(0, dtype=dtype)
        tensors[name] = values.reshape(info["shape"])
    return tensors, metadata


def write_by_hand(path, tensors, metadata):
    header = {"__metadata__": metadata}
    chunks = []
    offset = 0
    for name, tensor in tensors.items():
        raw = tensor.contiguous().numpy().astype(tensor.numpy().dtype.newbyteorder("<")).tobytes()
        header[name] = {"dtype": NAMES[tensor.dtype], "shape": list(tensor.shape), "data_offsets": [offset, offset + len(raw)]}
        chunks.append(raw)
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as file:
        file.write(struct.pack("<Q", len(text)) + text + b"".join(chunks))


def differences(actual, expected):
    found = []
    if sorted(actual) != sorted(expected):
        found.append(f"names {sorted(actual)} != {sorted(expected)}")
    for name in sorted(set(actual) & set(expected)):
        a, e = actual[name], expected[name]
        if a.dtype != e.dtype or a.shape != e.shape or not torch.equal(a, e):
            found.append(f"{name}: {a.dtype} {tuple(a.shape)} {a.tolist()} != {e.dtype} {tuple(e.shape)} {e.tolist()}")
    return found


def main():
    check_path, write_path = sys.argv[1:3]
    expected = sample_tensors()
    tensors, metadata = read_by_hand(check_path)
    problems = differences(tensors, expected)
    if metadata != {"written_by": "ag"}:
        problems.append(f"metadata {metadata}")
    try:
        from safetensors.torch import load_file, save_file
    except ImportError:
        write_by_hand(write_path, expected, {"format": "pt"})
    else:
        problems += ["safetensors.torch.load_file: " + p for p in differences(load_file(check_path), expected)]
        save_file(expected, write_path, metadata={"format": "pt"})
    for problem in problems:
        print(problem, file=sys.stderr)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
