#!/usr/bin/python3
"""Writes conv_reference.hpp: PyTorch's outputs of conv1d, conv2d and the 2-D poolings on fixed inputs, for
tests/autograd/test_convolution.cpp and test_pooling.cpp to compare against without needing torch.

Run from the repository root with Debian's torch:
    /usr/bin/python3 tests/autograd/reference/make_conv_reference.py > tests/autograd/reference/conv_reference.hpp

Inputs are waves, sin(0.7 i + phase) over the flat index i in float64, which the tests rebuild (conv_reference::wave).
"""
import math
import sys
import textwrap

import torch
import torch.nn.functional as F

INPUT_PHASE, WEIGHT_PHASE, BIAS_PHASE = 0.0, 1.0, 2.0


def wave(shape, phase):
    n = math.prod(shape)
    return torch.sin(0.7 * torch.arange(n, dtype=torch.float64) + phase).reshape(shape)


def pair(v):
    return list(v) if isinstance(v, (tuple, list)) else [v, v]


CASES = []


def conv(op, name, x_shape, w_shape, bias, stride=1, padding=0, dilation=1, groups=1):
    spatial = 1 if op == "conv1d" else 2
    as_list = (lambda v: [v] if not isinstance(v, (list, tuple)) else list(v)) if spatial == 1 else pair
    x, w = wave(x_shape, INPUT_PHASE), wave(w_shape, WEIGHT_PHASE)
    b = wave([w_shape[0]], BIAS_PHASE) if bias else None
    fn = F.conv1d if spatial == 1 else F.conv2d
    y = fn(x, w, b, stride, padding, dilation, groups)
    CASES.append(dict(op=op, name=name, input=x_shape, weight=w_shape, bias=bias, kernel=[], stride=as_list(stride),
                      padding=as_list(padding), dilation=as_list(dilation), groups=groups, ceil=False, include=True,
                      output=y))


def max_pool(name, x_shape, kernel, stride=None, padding=0, dilation=1, ceil_mode=False):
    x = wave(x_shape, INPUT_PHASE)
    y = F.max_pool2d(x, kernel, stride, padding, dilation, ceil_mode)
    CASES.append(dict(op="max_pool2d", name=name, input=x_shape, weight=[], bias=False, kernel=pair(kernel),
                      stride=pair(stride if stride is not None else kernel), padding=pair(padding),
                      dilation=pair(dilation), groups=1, ceil=ceil_mode, include=True, output=y))


def avg_pool(name, x_shape, kernel, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
    x = wave(x_shape, INPUT_PHASE)
    y = F.avg_pool2d(x, kernel, stride, padding, ceil_mode, count_include_pad)
    CASES.append(dict(op="avg_pool2d", name=name, input=x_shape, weight=[], bias=False, kernel=pair(kernel),
                      stride=pair(stride if stride is not None else kernel), padding=pair(padding), dilation=[1, 1],
                      groups=1, ceil=ceil_mode, include=count_include_pad, output=y))


def adaptive_avg_pool(name, x_shape, output_size):
    x = wave(x_shape, INPUT_PHASE)
    y = F.adaptive_avg_pool2d(x, output_size)
    CASES.append(dict(op="adaptive_avg_pool2d", name=name, input=x_shape, weight=[], bias=False,
                      kernel=pair(output_size), stride=[], padding=[], dilation=[], groups=1, ceil=False, include=True,
                      output=y))


conv("conv2d", "3x3 with bias", [2, 3, 5, 6], [4, 3, 3, 3], True)
conv("conv2d", "stride 2, padding 1, 3x2 kernel", [2, 3, 7, 6], [4, 3, 3, 2], True, stride=2, padding=1)
conv("conv2d", "dilation 2, padding (2, 1), no bias", [1, 2, 7, 7], [3, 2, 3, 3], False, padding=(2, 1), dilation=2)
conv("conv2d", "groups 2, stride (2, 1), padding 1", [2, 4, 5, 5], [6, 2, 3, 3], True, stride=(2, 1), padding=1,
     groups=2)
conv("conv2d", "depthwise, groups = channels", [1, 3, 5, 5], [3, 1, 3, 3], True, padding=1, groups=3)
conv("conv2d", "1x1 kernel", [2, 3, 4, 5], [5, 3, 1, 1], True)
conv("conv2d", "1x1 kernel, stride 2", [1, 3, 5, 5], [2, 3, 1, 1], False, stride=2)
conv("conv2d", "unbatched input", [3, 5, 5], [2, 3, 2, 2], True)
conv("conv2d", "one input channel, padding 1 (the CNN's first layer)", [2, 1, 8, 8], [4, 1, 3, 3], True, padding=1)
conv("conv2d", "kernel as large as the padded input", [1, 2, 3, 4], [2, 2, 5, 6], True, padding=1)
conv("conv1d", "kernel 3 with bias", [2, 3, 10], [4, 3, 3], True)
conv("conv1d", "stride 2, padding 2, dilation 2, groups 2", [2, 4, 11], [6, 2, 3], True, stride=2, padding=2,
     dilation=2, groups=2)
conv("conv1d", "unbatched, no bias", [3, 8], [2, 3, 4], False)

max_pool("2x2, stride defaulting to the kernel", [2, 3, 6, 6], 2)
max_pool("3x3, stride 2, padding 1", [1, 2, 7, 5], 3, 2, 1)
max_pool("3x2, stride (2, 1), padding (1, 0), dilation (2, 1)", [1, 2, 7, 7], (3, 2), (2, 1), (1, 0), (2, 1))
max_pool("ceil_mode on an odd size", [1, 1, 5, 5], 2, 2, 0, 1, True)
max_pool("ceil_mode with padding", [1, 2, 6, 7], 3, 2, 1, 1, True)
max_pool("unbatched, overlapping windows", [2, 5, 5], 2, 1)

avg_pool("2x2, stride defaulting to the kernel", [2, 3, 6, 6], 2)
avg_pool("3x3, stride 2, padding 1, padding counted", [1, 2, 7, 5], 3, 2, 1)
avg_pool("3x3, stride 2, padding 1, padding not counted", [1, 2, 7, 5], 3, 2, 1, False, False)
avg_pool("ceil_mode with padding, padding counted", [1, 1, 6, 6], 3, 2, 1, True, True)
avg_pool("ceil_mode with padding, padding not counted", [1, 1, 6, 6], 3, 2, 1, True, False)
avg_pool("unbatched, (3, 2) windows", [2, 5, 6], (3, 2), (1, 2))

adaptive_avg_pool("to (3, 2)", [2, 3, 7, 5], (3, 2))
adaptive_avg_pool("global, to 1", [1, 2, 5, 5], 1)
adaptive_avg_pool("to a larger size, overlapping cells", [1, 1, 4, 6], (5, 7))
adaptive_avg_pool("unbatched, to (2, 4)", [3, 6, 9], (2, 4))


def ints(values):
    return "{" + ", ".join(str(int(v)) for v in values) + "}"


def doubles(tensor):
    text = ", ".join(repr(float(v)) for v in tensor.flatten().tolist())
    return "{" + "\n       ".join(textwrap.wrap(text, 110)) + "}"


out = sys.stdout
out.write(f"""// Generated by tests/autograd/reference/make_conv_reference.py with torch {torch.__version__}; do not edit.
#pragma once

#include <cmath>
#include <cstdint>
#include <vector>

#include <autograd/autograd.hpp>

namespace conv_reference {{

// sin(0.7 i + phase) over the flat index i, in float64: the inputs of every case.
inline ag::Tensor wave(const std::vector<std::int64_t>& shape, double phase) {{
  std::int64_t count = 1;
  for (auto d : shape) count *= d;
  std::vector<double> values(count);
  for (std::int64_t i = 0; i < count; ++i) values[i] = std::sin(0.7 * static_cast<double>(i) + phase);
  return ag::from_vector(values, ag::Shape(shape), ag::kFloat64);
}}

inline constexpr double kInputPhase = {INPUT_PHASE}, kWeightPhase = {WEIGHT_PHASE}, kBiasPhase = {BIAS_PHASE};

// One call of an op and PyTorch's output. The input is wave(input, kInputPhase); for convolutions the weight is
// wave(weight, kWeightPhase) and the bias wave({{weight[0]}}, kBiasPhase). For adaptive_avg_pool2d, `kernel` holds
// the output size.
struct Case {{
  const char* op;
  const char* name;
  std::vector<std::int64_t> input, weight;
  bool bias;
  std::vector<std::int64_t> kernel, stride, padding, dilation;
  std::int64_t groups;
  bool ceil_mode, count_include_pad;
  std::vector<std::int64_t> output_shape;
  std::vector<double> output;
}};

inline const std::vector<Case>& cases() {{
  static const std::vector<Case> all = {{
""")
for c in CASES:
    out.write(f"""      {{"{c['op']}", "{c['name']}", {ints(c['input'])}, {ints(c['weight'])}, {str(c['bias']).lower()},
       {ints(c['kernel'])}, {ints(c['stride'])}, {ints(c['padding'])}, {ints(c['dilation'])}, {c['groups']},
       {str(c['ceil']).lower()}, {str(c['include']).lower()}, {ints(c['output'].shape)},
       {doubles(c['output'])}}},
""")
out.write("""  };
  return all;
}

}  // namespace conv_reference
""")
