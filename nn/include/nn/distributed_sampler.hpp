#pragma once

#include <autograd/detail/public_api.hpp>

#pragma GCC visibility push(default)  // the public API (see detail/public_api.hpp)

#include <autograd/detail/options_arg.hpp>

#include <cstdint>
#include <vector>

namespace ag::nn {

/// Chainable settings of a DistributedSampler: DistributedSamplerOptions().seed(7).drop_last(true).
/// Each setting `x` has a getter x() and a setter x(value) that returns a changed copy.
class DistributedSamplerOptions {
  /// Whether each epoch shuffles the samples before sharing them out (default true, as PyTorch's).
  ///@{
  AG_ARG(bool, shuffle) = true;
  ///@}
  /// The seed of the shuffled orders (default 0): epoch e uses seed + e, the same order as a DataLoader with
  /// shuffle and this seed, so that the replicas' batches together are the single-process run's batches.
  ///@{
  AG_ARG(std::uint64_t, seed) = 0;
  ///@}
  /// When the sample count is not a multiple of num_replicas: false (default) pads the order by repeating its first
  /// samples, true drops its last samples, so that every replica gets the same count, as in PyTorch.
  ///@{
  AG_ARG(bool, drop_last) = false;
  ///@}
};

/// The samples one replica (process) of a data-parallel run visits in an epoch, as PyTorch's
/// torch.utils.data.DistributedSampler: each epoch's order (shuffled from seed + epoch) is dealt out like cards,
/// replica r taking positions r, r + num_replicas, r + 2 num_replicas, ... The replicas' shares are disjoint (but
/// for the padding of drop_last false) and equal in size. Give it to a DataLoader, which sets its epoch; the
/// replica's batch b of size B then holds, over all replicas, exactly the samples of a single process's batch b of
/// size B * num_replicas.
class DistributedSampler {
 public:
  /// A sampler over `dataset_size` samples for replica `rank` of `num_replicas` (with ag::distributed:
  /// world_size() and rank()). Throws ag::Error unless num_replicas is positive, rank is in [0, num_replicas) and
  /// dataset_size is non-negative.
  DistributedSampler(std::int64_t dataset_size, std::int64_t num_replicas, std::int64_t rank,
                     DistributedSamplerOptions options = {});

  /// Makes indices() give epoch `epoch`'s share (0-based), as PyTorch's set_epoch; a DataLoader calls it before each
  /// epoch. Throws ag::Error if `epoch` is negative.
  void set_epoch(std::int64_t epoch);
  /// The epoch indices() gives.
  std::int64_t epoch() const { return epoch_; }
  /// This replica's sample indices for the current epoch, in the order to visit them: size() of them.
  std::vector<std::int64_t> indices() const;
  /// Samples per replica and epoch: ceil(dataset_size / num_replicas), or floor with drop_last.
  std::int64_t size() const;
  /// The sample count of the dataset it was made for.
  std::int64_t dataset_size() const { return dataset_size_; }
  /// How many replicas share the samples.
  std::int64_t num_replicas() const { return num_replicas_; }
  /// Which replica this sampler serves.
  std::int64_t rank() const { return rank_; }
  /// The settings it was made with.
  const DistributedSamplerOptions& options() const { return options_; }

 private:
  std::int64_t dataset_size_;
  std::int64_t num_replicas_;
  std::int64_t rank_;
  DistributedSamplerOptions options_;
  std::int64_t epoch_ = 0;
};

}  // namespace ag::nn

#pragma GCC visibility pop
