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

DataLoader::DataLoader(TensorDataset dataset, DistributedSampler sampler, DataLoaderOptions options)
    : DataLoader(std::move(dataset), options) {
  if (options_.shuffle())
    fail("DataLoader: shuffle must be false with a DistributedSampler, which shuffles (DistributedSamplerOptions)");
  if (sampler.dataset_size() != dataset_.size())
    fail("DataLoader: the DistributedSampler was made for {} samples, but the dataset has {}", sampler.dataset_size(),
         dataset_.size());
  sampler_ = sampler;
}

std::int64_t DataLoader::size() const {
  const std::int64_t samples = sampler_ ? sampler_->size() : dataset_.size();
  const std::int64_t full_batches = samples / options_.batch_size();
  return options_.drop_last() || samples % options_.batch_size() == 0 ? full_batches : full_batches + 1;
}

void DataLoader::set_epoch(std::int64_t epoch) {
  if (epoch < 0) fail("DataLoader::set_epoch: the epoch must be non-negative, got {}", epoch);
  epoch_ = epoch;
}

DataLoader::Iterator DataLoader::begin() {
  if (sampler_) {
    sampler_->set_epoch(epoch_++);
    return Iterator(*this, sampler_->indices());
  }
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

// Here rather than in a file of its own: it deals out the DataLoader's shuffled order.
DistributedSampler::DistributedSampler(std::int64_t dataset_size, std::int64_t num_replicas, std::int64_t rank,
                                       DistributedSamplerOptions options)
    : dataset_size_(dataset_size), num_replicas_(num_replicas), rank_(rank), options_(options) {
  if (num_replicas <= 0) fail("DistributedSampler: num_replicas must be positive, got {}", num_replicas);
  if (rank < 0 || rank >= num_replicas)
    fail("DistributedSampler: rank must be in [0, {}) for {} replicas, got {}", num_replicas, num_replicas, rank);
  if (dataset_size < 0) fail("DistributedSampler: the dataset size must be non-negative, got {}", dataset_size);
}

void DistributedSampler::set_epoch(std::int64_t epoch) {
  if (epoch < 0) fail("DistributedSampler::set_epoch: the epoch must be non-negative, got {}", epoch);
  epoch_ = epoch;
}

std::int64_t DistributedSampler::size() const {
  return options_.drop_last() ? dataset_size_ / num_replicas_ : (dataset_size_ + num_replicas_ - 1) / num_replicas_;
}

std::vector<std::int64_t> DistributedSampler::indices() const {
  const std::int64_t total = size() * num_replicas_;
  std::vector<std::int64_t> order(static_cast<std::size_t>(dataset_size_));
  order.reserve(static_cast<std::size_t>(std::max(total, dataset_size_)));
  std::iota(order.begin(), order.end(), 0);
  if (options_.shuffle()) shuffle_with_seed(order, options_.seed() + static_cast<std::uint64_t>(epoch_));
  // Padded by repeating the order from its start (several times over when there are fewer samples than replicas).
  for (std::int64_t i = dataset_size_; i < total; ++i)
    order.push_back(order[static_cast<std::size_t>(i % dataset_size_)]);
  std::vector<std::int64_t> share;
  share.reserve(static_cast<std::size_t>(size()));
  for (std::int64_t i = rank_; i < total; i += num_replicas_) share.push_back(order[static_cast<std::size_t>(i)]);
  return share;
}

}  // namespace ag::nn
