#pragma once

#include <autograd/detail/public_api.hpp>

#pragma GCC visibility push(default)  // the public API (see detail/public_api.hpp)

#include <autograd/detail/options_arg.hpp>
#include <nn/module.hpp>

#include <cstddef>
#include <memory>
#include <string>

namespace ag::nn {

/// Chainable settings of DistributedDataParallel: DistributedDataParallelOptions().bucket_cap_mb(1).
/// Each setting `x` has a getter x() and a setter x(value) that returns a changed copy.
class DistributedDataParallelOptions {
  /// The most MiB of gradients averaged in one all-reduce (default 25, as PyTorch's bucket_cap_mb). Smaller
  /// buckets start sooner during backward and overlap more of it, at more messages per step. Must be positive.
  ///@{
  AG_ARG(double, bucket_cap_mb) = 25.0;
  ///@}
  /// Whether every forward in training mode first copies rank 0's buffers to all ranks (default true, as PyTorch's
  /// broadcast_buffers), so that running statistics stay the same everywhere.
  ///@{
  AG_ARG(bool, broadcast_buffers) = true;
  ///@}
};

/// Data-parallel training of `module` over the ranks of an ag::distributed job, as PyTorch's
/// torch.nn.parallel.DistributedDataParallel. Each rank runs the same model on its own share of each batch; this
/// wrapper keeps their parameters equal:
/// - when made, it checks that every rank built the same model (a hash of the parameter and buffer names, shapes
///   and dtypes) and copies rank 0's parameters and buffers to the others;
/// - during backward, it averages each gradient over the ranks. The parameters are grouped into buckets in reverse
///   order (the order backward reaches them); a bucket's non-blocking all-reduce starts once all of its gradients
///   are accumulated (ag::register_post_accumulate_grad_hook), while backward goes on with the rest, and backward()
///   returns once the last bucket is averaged. An optimiser over module().parameters() then takes the same step on
///   every rank.
/// Every parameter that requires grad must be reached by each backward pass, on every rank, and each step needs
/// exactly one backward pass (no gradient accumulation over several). Convert the module (Module::to) before
/// wrapping it: the buckets keep the dtypes they were made with. As in PyTorch, its parameters are named
/// "module.<name>"; save module() for checkpoints that a single process can load. MPI is used from the thread of
/// the distributed::Environment.
class DistributedDataParallel : public UnaryModule {
 public:
  /// Wraps `module`, which it registers as "module". Collective: every rank must make it at the same point. Throws
  /// ag::Error, on every rank, without a distributed::Environment, if `module` is null, if
  /// options.bucket_cap_mb() is not positive, or if the ranks' models differ (naming the ranks).
  explicit DistributedDataParallel(std::shared_ptr<UnaryModule> module, DistributedDataParallelOptions options = {});
  /// Removes the gradient hooks.
  ~DistributedDataParallel() override;

  /// "DistributedDataParallel".
  std::string name() const override { return "DistributedDataParallel"; }
  /// module()'s forward, after broadcasting rank 0's buffers (in training mode, if so set). Throws ag::Error if the
  /// previous backward pass left parameters without a gradient (naming them), since their buckets never started.
  Tensor forward(const Tensor& input) override;

  /// The wrapped module.
  UnaryModule& module() const { return *module_; }
  /// How many buckets the gradients are averaged in.
  std::size_t bucket_count() const;
  /// Seconds spent so far, over all steps, waiting at the end of backward for the gradients' all-reduces to finish:
  /// the communication that backward did not hide.
  double communication_wait_seconds() const;

 private:
  struct Reducer;
  std::shared_ptr<UnaryModule> module_;
  DistributedDataParallelOptions options_;
  std::unique_ptr<Reducer> reducer_;
};

}  // namespace ag::nn

#pragma GCC visibility pop
