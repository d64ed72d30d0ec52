#include <nn/data_loader.hpp>

#include <autograd/creation.hpp>
#include <autograd/grad_mode.hpp>
#include <autograd/ops/indexing.hpp>

#include <algorithm>
#include <numeric>
#include <random>
#include <utility>

namespace ag::nn {

namespace {

// Fisher-Yates on mt19937_64, whose output the standard fixes; std::shuffle's algorithm differs between
// standard libraries. The modulo's bias is below 2^-40 for any realistic dataset.
void shuffle_with_seed(std::vector<std::int64_t>& order, std::uint64_t seed) {
  std::mt19937_64 engine(seed);
  for (std::size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[engine() % i]);
}

}  // namespace

DataLoader::DataLoader(TensorDataset dataset, DataLoaderOptions options)
    : dataset_(std::move(dataset)), options_(options) {
  if (options_.batch_size() <= 0) fail("DataLoader: batch_size must be positive, got {}", options_.batch_size());
}

std::int64_t DataLoader::size() const {
  const std::int64_t samples = dataset_.size();
  const std::int64_t full_batches = samples / options_.batch_size();
  return options_.drop_last() || samples % options_.batch_size() == 0 ? full_batches : full_batches + 1;
}

void DataLoader::set_epoch(std::int64_t epoch) {
  if (epoch < 0) fail("DataLoader::set_epoch: the epoch must be non-negative, got {}", epoch);
  epoch_ = epoch;
}

DataLoader::Iterator DataLoader::begin() {
  std::vector<std::int64_t> order(static_cast<std::size_t>(dataset_.size()));
  std::iota(order.begin(), order.end(), 0);
  if (options_.shuffle()) shuffle_with_seed(order, options_.seed() + static_cast<std::uint64_t>(epoch_));
  ++epoch_;
  return Iterator(*this, std::move(order));
}

Batch DataLoader::Iterator::operator*() const {
  const std::int64_t batch_size = loader_->options_.batch_size();
  const auto first = order_.begin() + batch_ * batch_size;
  const auto last = order_.begin() + std::min<std::int64_t>((batch_ + 1) * batch_size, std::ssize(order_));
  Tensor indices = empty({last - first}, kInt64);
  std::copy(first, last, indices.mutable_data<std::int64_t>());
  // Batches are data, not steps of a computation: no graph back to the dataset.
  NoGradGuard no_grad;
  return {index_select(loader_->dataset_.inputs(), 0, indices), index_select(loader_->dataset_.targets(), 0, indices)};
}

bool DataLoader::Iterator::operator==(std::default_sentinel_t) const { return batch_ >= loader_->size(); }

}  // namespace ag::nn
