#pragma once

#include <autograd/detail/options_arg.hpp>
#include <nn/dataset.hpp>

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <utility>
#include <vector>

namespace ag::nn {

// Chainable settings: DataLoaderOptions().batch_size(32).shuffle(true).seed(7).
class DataLoaderOptions {
  AG_ARG(std::int64_t, batch_size) = 1;
  AG_ARG(bool, shuffle) = false;
  AG_ARG(std::uint64_t, seed) = 0;
  // Leaves out a last batch smaller than batch_size.
  AG_ARG(bool, drop_last) = false;
};

struct Batch {
  Tensor inputs;
  Tensor targets;
};

// Batches of a TensorDataset for a range-for: for (const Batch& batch : loader) { ... }.
// Each pass is an epoch. With shuffle, epoch e (counting from 0) visits the samples in an order drawn from
// seed + e alone, as PyTorch's DistributedSampler does, so runs are reproducible on any platform.
class DataLoader {
 public:
  class Iterator {
   public:
    using value_type = Batch;
    using difference_type = std::ptrdiff_t;

    Batch operator*() const;
    Iterator& operator++() {
      ++batch_;
      return *this;
    }
    void operator++(int) { ++batch_; }
    bool operator==(std::default_sentinel_t) const;

   private:
    friend class DataLoader;
    Iterator(const DataLoader& loader, std::vector<std::int64_t> order) : loader_(&loader), order_(std::move(order)) {}

    const DataLoader* loader_;
    std::vector<std::int64_t> order_;  // sample indices in this epoch's order
    std::int64_t batch_ = 0;
  };

  explicit DataLoader(TensorDataset dataset, DataLoaderOptions options = {});

  // Starts the next epoch.
  Iterator begin();
  std::default_sentinel_t end() const { return {}; }

  // Batches per epoch.
  std::int64_t size() const;
  // Epochs started so far.
  std::int64_t epoch() const { return epoch_; }
  // Makes the next begin() start epoch `epoch` (0-based), with that epoch's shuffle: how a resumed run picks up
  // where a checkpoint left off.
  void set_epoch(std::int64_t epoch);
  const TensorDataset& dataset() const { return dataset_; }
  const DataLoaderOptions& options() const { return options_; }

 private:
  TensorDataset dataset_;
  DataLoaderOptions options_;
  std::int64_t epoch_ = 0;
};

}  // namespace ag::nn
