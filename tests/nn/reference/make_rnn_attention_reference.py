#!/usr/bin/python3
"""Writes rnn_attention_reference.agt: weights, inputs and PyTorch's outputs for GRU, LSTM, MultiheadAttention and
TransformerEncoderLayer, which tests/nn/test_rnn.cpp, test_attention.cpp and test_transformer.cpp compare against.

Run with Debian's python3-torch from the repository root:
    /usr/bin/python3 tests/nn/reference/make_rnn_attention_reference.py

The file is in the library's own checkpoint format (nn/include/nn/serialize.hpp, version 2), so the tests read it
with ag::nn::load and need no torch. Entries are named "<case>.param.<PyTorch state_dict name>" for the weights and
"<case>.<what>" for inputs and outputs; every tensor is float64 except the boolean masks.
"""

import os
import struct
import zlib

import torch

DTYPE_CODES = {torch.float64: 1, torch.bool: 3}


def serialize(entries):
    body = bytearray()
    for name, tensor in entries:
        tensor = tensor.detach().contiguous()
        encoded = name.encode("utf-8")
        body += struct.pack("<I", len(encoded)) + encoded
        body += struct.pack("<BB", DTYPE_CODES[tensor.dtype], tensor.dim())
        body += b"".join(struct.pack("<q", size) for size in tensor.shape)
        if tensor.dtype == torch.bool:
            body += bytes(int(v) for v in tensor.flatten().tolist())
        else:
            body += struct.pack("<%dd" % tensor.numel(), *tensor.flatten().tolist())
    total = 8 + 4 + 8 + 4 + len(body) + 4
    head = b"AGTENSOR" + struct.pack("<IQI", 2, total, len(entries))
    data = head + bytes(body)
    return data + struct.pack("<I", zlib.crc32(data) & 0xFFFFFFFF)


def add_module(entries, case, module):
    for name, tensor in module.state_dict().items():
        entries.append((f"{case}.param.{name}", tensor))


def causal_float_mask(size):
    return torch.triu(torch.full((size, size), float("-inf"), dtype=torch.float64), diagonal=1)


def main():
    torch.manual_seed(11)
    entries = []

    # GRU, two layers, sequence first, with h0.
    gru = torch.nn.GRU(3, 4, num_layers=2).double()
    x = torch.randn(5, 2, 3, dtype=torch.float64)
    h0 = torch.randn(2, 2, 4, dtype=torch.float64)
    out, h_n = gru(x, h0)
    add_module(entries, "gru_seq", gru)
    entries += [("gru_seq.input", x), ("gru_seq.h0", h0), ("gru_seq.output", out), ("gru_seq.h_n", h_n)]

    # GRU, one layer, batch first, no bias, no h0.
    gru = torch.nn.GRU(3, 5, bias=False, batch_first=True).double()
    x = torch.randn(2, 6, 3, dtype=torch.float64)
    out, h_n = gru(x)
    add_module(entries, "gru_batch_first", gru)
    entries += [("gru_batch_first.input", x), ("gru_batch_first.output", out), ("gru_batch_first.h_n", h_n)]

    # LSTM, two layers, sequence first, with h0 and c0.
    lstm = torch.nn.LSTM(3, 4, num_layers=2).double()
    x = torch.randn(5, 2, 3, dtype=torch.float64)
    h0 = torch.randn(2, 2, 4, dtype=torch.float64)
    c0 = torch.randn(2, 2, 4, dtype=torch.float64)
    out, (h_n, c_n) = lstm(x, (h0, c0))
    add_module(entries, "lstm_seq", lstm)
    entries += [("lstm_seq.input", x), ("lstm_seq.h0", h0), ("lstm_seq.c0", c0), ("lstm_seq.output", out),
                ("lstm_seq.h_n", h_n), ("lstm_seq.c_n", c_n)]

    # LSTM, one layer, batch first, no bias, no initial state.
    lstm = torch.nn.LSTM(3, 5, bias=False, batch_first=True).double()
    x = torch.randn(2, 6, 3, dtype=torch.float64)
    out, (h_n, c_n) = lstm(x)
    add_module(entries, "lstm_batch_first", lstm)
    entries += [("lstm_batch_first.input", x), ("lstm_batch_first.output", out), ("lstm_batch_first.h_n", h_n),
                ("lstm_batch_first.c_n", c_n)]

    # Cross-attention, sequence first, with a key padding mask; weights averaged over heads and per head.
    mha = torch.nn.MultiheadAttention(8, 2).double()
    q = torch.randn(4, 2, 8, dtype=torch.float64)
    k = torch.randn(5, 2, 8, dtype=torch.float64)
    v = torch.randn(5, 2, 8, dtype=torch.float64)
    padding = torch.tensor([[False, False, False, True, True], [False] * 5])
    out, weights = mha(q, k, v, key_padding_mask=padding)
    _, head_weights = mha(q, k, v, key_padding_mask=padding, average_attn_weights=False)
    add_module(entries, "mha_cross", mha)
    entries += [("mha_cross.query", q), ("mha_cross.key", k), ("mha_cross.value", v),
                ("mha_cross.key_padding_mask", padding), ("mha_cross.output", out), ("mha_cross.weights", weights),
                ("mha_cross.head_weights", head_weights)]

    # Causal self-attention, batch first; the float and the boolean mask give the same result.
    mha = torch.nn.MultiheadAttention(8, 4, batch_first=True).double()
    x = torch.randn(2, 5, 8, dtype=torch.float64)
    out, weights = mha(x, x, x, attn_mask=causal_float_mask(5))
    add_module(entries, "mha_causal", mha)
    entries += [("mha_causal.input", x), ("mha_causal.output", out), ("mha_causal.weights", weights)]

    # Self-attention without biases and without a mask.
    mha = torch.nn.MultiheadAttention(6, 3, bias=False).double()
    x = torch.randn(3, 2, 6, dtype=torch.float64)
    out, weights = mha(x, x, x)
    add_module(entries, "mha_no_bias", mha)
    entries += [("mha_no_bias.input", x), ("mha_no_bias.output", out), ("mha_no_bias.weights", weights)]

    # Transformer encoder layers in evaluation mode (dropout off): post-norm with a causal mask, pre-norm with gelu.
    layer = torch.nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, batch_first=True).double().eval()
    x = torch.randn(2, 5, 8, dtype=torch.float64)
    with torch.no_grad():
        out = layer(x, src_mask=causal_float_mask(5))
    add_module(entries, "encoder_post_norm", layer)
    entries += [("encoder_post_norm.input", x), ("encoder_post_norm.output", out)]

    layer = torch.nn.TransformerEncoderLayer(8, 4, dim_feedforward=12, activation="gelu", norm_first=True).double()
    layer.eval()
    x = torch.randn(5, 2, 8, dtype=torch.float64)
    with torch.no_grad():
        out = layer(x)
    add_module(entries, "encoder_pre_norm", layer)
    entries += [("encoder_pre_norm.input", x), ("encoder_pre_norm.output", out)]

    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "rnn_attention_reference.agt")
    with open(path, "wb") as f:
        f.write(serialize(entries))
    print(f"wrote {len(entries)} tensors to {path}")


if __name__ == "__main__":
    main()
