#include <nn/dataset.hpp>

namespace ag::nn {

TensorDataset::TensorDataset(Tensor inputs, Tensor targets) : inputs_(std::move(inputs)), targets_(std::move(targets)) {
  if (!inputs_.defined() || !targets_.defined()) fail("TensorDataset: inputs and targets must be defined tensors");
  if (inputs_.dim() == 0 || targets_.dim() == 0)
    fail("TensorDataset: inputs (shape {}) and targets (shape {}) need a first dimension to index samples by",
         inputs_.shape(), targets_.shape());
  if (inputs_.shape()[0] != targets_.shape()[0])
    fail("TensorDataset: inputs (shape {}) and targets (shape {}) must have the same size in their first dimension",
         inputs_.shape(), targets_.shape());
  if (inputs_.shape()[0] == 0)
    fail("TensorDataset: the dataset is empty (inputs shape {}, targets shape {})", inputs_.shape(), targets_.shape());
}

}  // namespace ag::nn
