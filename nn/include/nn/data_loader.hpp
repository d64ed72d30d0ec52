#pragma once

#include <autograd/detail/public_api.hpp>

#pragma GCC visibility push(default)  // the public API (see detail/public_api.hpp)

#include <autograd/detail/options_arg.hpp>
#include <nn/dataset.hpp>
#include <nn/distributed_sampler.hpp>

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <optional>
#include <utility>
#include <vector>

namespace ag::nn {

/// Chainable settings: DataLoaderOptions().batch_size(32).shuffle(true).seed(7).
/// Each setting `x` has a getter x() and a setter x(value) that returns a changed copy.
class DataLoaderOptions {
  /// Samples per batch (default 1); DataLoader throws ag::Error unless it is positive.
  ///@{
  AG_ARG(std::int64_t, batch_size) = 1;
  ///@}
  /// Whether each epoch visits the samples in a new random order (default false: in dataset order).
  ///@{
  AG_ARG(bool, shuffle) = false;
  ///@}
  /// The seed of the shuffled orders (default 0): epoch e uses seed + e.
  ///@{
  AG_ARG(std::uint64_t, seed) = 0;
  ///@}
  /// Leaves out a last batch smaller than batch_size (default false).
  ///@{
  AG_ARG(bool, drop_last) = false;
  ///@}
};

/// One batch of samples: the rows of the dataset's inputs and targets at the same indices, in the same order.
struct Batch {
  /// Rows of the dataset's inputs: batch_size of them, fewer in a short last batch.
  Tensor inputs;
  /// The targets of those rows, row i belonging to input row i.
  Tensor targets;
};

/// Batches of a TensorDataset for a range-for: for (const Batch& batch : loader) { ... }.
/// Each pass is an epoch. With shuffle, epoch e (counting from 0) visits the samples in an order drawn from
/// seed + e alone, as PyTorch's DistributedSampler does, so runs are reproducible on any platform.
/// Batches are copies of the samples, not connected to the dataset's graph.
class DataLoader {
 public:
  /// An input iterator over the batches of one epoch, ended by DataLoader::end().
  class Iterator {
   public:
    /// The batches it yields.
    using value_type = Batch;
    /// As std::input_iterator requires; iterators are never subtracted.
    using difference_type = std::ptrdiff_t;

    /// The current batch, gathered from the dataset on each call.
    Batch operator*() const;
    /// Moves to the next batch.
    Iterator& operator++() {
      ++batch_;
      return *this;
    }
    /// Moves to the next batch.
    void operator++(int) { ++batch_; }
    /// Whether the epoch's batches are all visited.
    bool operator==(std::default_sentinel_t) const;

   private:
    friend class DataLoader;
    Iterator(const DataLoader& loader, std::vector<std::int64_t> order) : loader_(&loader), order_(std::move(order)) {}

    const DataLoader* loader_;
    std::vector<std::int64_t> order_;  // sample indices in this epoch's order
    std::int64_t batch_ = 0;
  };

  /// A loader over `dataset`, which it keeps (the tensors are shared, not copied). Throws ag::Error unless
  /// options.batch_size() is positive.
  explicit DataLoader(TensorDataset dataset, DataLoaderOptions options = {});
  /// A loader over this replica's share of `dataset` in a data-parallel run, as PyTorch's
  /// DataLoader(dataset, sampler=DistributedSampler(...)): each epoch visits sampler.indices() of that epoch, which
  /// begin() sets (so set_epoch here, not on the sampler, picks a resumed run's epoch). Throws ag::Error unless
  /// options.batch_size() is positive, options.shuffle() is false (the sampler shuffles) and the sampler was made
  /// for dataset.size() samples.
  DataLoader(TensorDataset dataset, DistributedSampler sampler, DataLoaderOptions options = {});

  /// Starts the next epoch.
  Iterator begin();
  /// The end of every epoch.
  std::default_sentinel_t end() const { return {}; }

  /// Batches per epoch.
  std::int64_t size() const;
  /// Epochs started so far.
  std::int64_t epoch() const { return epoch_; }
  /// Makes the next begin() start epoch `epoch` (0-based), with that epoch's shuffle: how a resumed run picks up
  /// where a checkpoint left off. Throws ag::Error if `epoch` is negative.
  void set_epoch(std::int64_t epoch);
  /// The dataset the batches come from.
  const TensorDataset& dataset() const { return dataset_; }
  /// The settings the loader was made with.
  const DataLoaderOptions& options() const { return options_; }
  /// The sampler it was made with, or null.
  const DistributedSampler* sampler() const { return sampler_ ? &*sampler_ : nullptr; }

 private:
  TensorDataset dataset_;
  DataLoaderOptions options_;
  std::optional<DistributedSampler> sampler_;
  std::int64_t epoch_ = 0;
};

}  // namespace ag::nn

#pragma GCC visibility pop
