#pragma once

#include <autograd/detail/public_api.hpp>

#pragma GCC visibility push(default)  // the public API (see detail/public_api.hpp)

/// @file
/// Fashion-MNIST (Xiao, Rasul and Vollgraf, 2017): 28x28 grey images of clothing in 10 classes, 60,000 for training
/// and 10,000 for testing, as the IDX files of its distribution. MNIST's files have the same names and format.

#include <nn/dataset.hpp>

#include <filesystem>

namespace ag::nn {

/// Where Debian's dataset-fashion-mnist package puts the files.
inline const std::filesystem::path kFashionMnistDir = "/usr/share/datasets/fashion-mnist";

/// Which part of the dataset to load.
enum class Split {
  Train,  ///< the 60,000 training images (files train-*)
  Test    ///< the 10,000 test images (files t10k-*)
};

/// Reads {train,t10k}-images-idx3-ubyte.gz and the matching -labels-idx1-ubyte.gz from `dir` (or the files without
/// .gz, where only those are there): inputs [N, 784] of float32 pixels scaled to [0, 1], row by row, and targets [N]
/// of int64 class indices 0..9. Throws ag::Error naming the file when one is missing or damaged, holds images of
/// another size or labels outside 0..9, or when the two disagree on the number of samples.
TensorDataset load_fashion_mnist(const std::filesystem::path& dir, Split split);

}  // namespace ag::nn

#pragma GCC visibility pop
