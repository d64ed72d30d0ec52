#include <autograd/creation.hpp>
#include <autograd/error.hpp>
#include <autograd/grad_mode.hpp>
#include <autograd/hooks.hpp>
#include <distributed/data_parallel.hpp>
#include <distributed/distributed.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <utility>
#include <vector>

#include "communication.hpp"

namespace ag::nn {

namespace {

// FNV-1a over the names, dtypes, shapes and requires_grad flags of the parameters and buffers, and the bucket size:
// equal on every rank that built the same model and will build the same buckets (a frozen layer or another
// bucket_cap_mb on one rank would pair all-reduces of different lengths), whatever the values.
std::int64_t model_fingerprint(const Module& module, double bucket_cap_mb) {
  std::uint64_t hash = 14695981039346656037ull;
  const auto add = [&](std::string_view bytes) {
    for (const char c : bytes) hash = (hash ^ static_cast<unsigned char>(c)) * 1099511628211ull;
  };
  for (const auto& named : {module.named_parameters(), module.named_buffers()}) {
    add("|");
    for (const auto& [name, tensor] : named)
      add(fmt::format("{}:{}:{}:{};", name, dtype_name(tensor.dtype()), tensor.shape(), tensor.requires_grad()));
  }
  add(fmt::format("|{}", bucket_cap_mb));
  return static_cast<std::int64_t>(hash);
}

// Throws on every rank unless all ranks built the same model: averaging gradients of different models, or
// broadcasting parameters of other shapes, would silently train nonsense or overrun buffers.
void check_same_model(const Module& module, double bucket_cap_mb) {
  const std::vector<Tensor> parameters = module.parameters();
  std::int64_t elements = 0;
  for (const Tensor& p : parameters) elements += p.numel();
  Tensor mine = empty({3}, kInt64);
  std::int64_t* values = mine.mutable_data<std::int64_t>();
  values[0] = model_fingerprint(module, bucket_cap_mb);
  values[1] = static_cast<std::int64_t>(parameters.size());
  values[2] = elements;
  const Tensor all = distributed::all_gather(mine);
  const std::int64_t* gathered = all.data<std::int64_t>();
  for (int r = 1; r < distributed::world_size(); ++r)
    if (!std::equal(gathered + 3 * r, gathered + 3 * r + 3, gathered))
      fail(
          "DistributedDataParallel: the model on rank {} differs from rank 0's: {} parameters of {} elements "
          "(names, shapes, dtypes, requires_grad and bucket_cap_mb hash to {:016x}) against {} parameters of {} "
          "elements (hash {:016x}); every rank must build the same model with the same options",
          r, gathered[3 * r + 1], gathered[3 * r + 2], static_cast<std::uint64_t>(gathered[3 * r]), gathered[1],
          gathered[2], static_cast<std::uint64_t>(gathered[0]));
}

}  // namespace

// Averages the gradients in buckets as backward reaches them.
struct DistributedDataParallel::Reducer {
  struct Slot {
    Tensor parameter;
    std::string name;
    std::int64_t offset;  // in the bucket's buffer
  };
  struct Bucket {
    std::vector<Slot> slots;
    Tensor buffer;  // the gradients, flat, in the parameters' dtype
    std::size_t pending = 0;
    MPI_Request request = MPI_REQUEST_NULL;
  };

  std::vector<Bucket> buckets;
  std::vector<std::pair<std::size_t, std::size_t>> location;  // a parameter's bucket and slot
  std::vector<bool> reported;                                 // which parameters' hooks ran in this pass
  std::size_t reported_count = 0;
  std::size_t next_launch = 0;  // buckets start in order, so that every rank starts the same all-reduce
  double wait_seconds = 0;
  std::vector<HookHandle> hooks;  // last: removed before anything they use is destroyed

  Reducer(const NamedTensors& parameters, double bucket_cap_mb) {
    const auto cap_bytes = static_cast<std::int64_t>(bucket_cap_mb * 1024 * 1024);
    std::int64_t bytes = 0;
    for (auto it = parameters.rbegin(); it != parameters.rend(); ++it) {
      const auto& [name, parameter] = *it;
      if (!parameter.requires_grad()) continue;
      const std::int64_t size = parameter.numel() * static_cast<std::int64_t>(dtype_size(parameter.dtype()));
      if (buckets.empty() || buckets.back().slots.front().parameter.dtype() != parameter.dtype() ||
          bytes + size > cap_bytes) {
        buckets.emplace_back();
        bytes = 0;
      }
      Bucket& bucket = buckets.back();
      bucket.slots.push_back({parameter, name, bytes / static_cast<std::int64_t>(dtype_size(parameter.dtype()))});
      bytes += size;
    }
    for (Bucket& bucket : buckets) {
      const Slot& last = bucket.slots.back();
      bucket.buffer = empty({last.offset + last.parameter.numel()}, last.parameter.dtype());
      bucket.pending = bucket.slots.size();
    }
    for (std::size_t b = 0; b < buckets.size(); ++b)
      for (std::size_t s = 0; s < buckets[b].slots.size(); ++s) {
        location.emplace_back(b, s);
        hooks.push_back(register_post_accumulate_grad_hook(
            buckets[b].slots[s].parameter, [this, index = location.size() - 1](const Tensor&) { on_ready(index); }));
      }
    reported.assign(location.size(), false);
  }

  // A parameter's gradient is complete: into its bucket, and start every bucket that is full, in order.
  void on_ready(std::size_t index) {
    NoGradGuard no_grad;
    const auto [b, s] = location[index];
    Bucket& bucket = buckets[b];
    const Slot& slot = bucket.slots[s];
    if (reported[index])
      fail(
          "DistributedDataParallel: parameter '{}' got a gradient twice before every parameter got one: each step "
          "must run exactly one backward pass through the whole model",
          slot.name);
    reported[index] = true;
    ++reported_count;
    dispatch_floating(bucket.buffer.dtype(), "DistributedDataParallel", [&]<class T>(T) {
      T* into = bucket.buffer.mutable_data<T>() + slot.offset;
      const Tensor& grad = slot.parameter.grad();
      if (grad.defined())
        std::memcpy(into, grad.data<T>(), sizeof(T) * static_cast<std::size_t>(grad.numel()));
      else
        std::fill(into, into + slot.parameter.numel(), T{0});
    });
    --bucket.pending;
    for (std::size_t started = 0; started < next_launch; ++started) {  // lets MPI move the started ones on
      int done = 0;
      MPI_Test(&buckets[started].request, &done, MPI_STATUS_IGNORE);
    }
    while (next_launch < buckets.size() && buckets[next_launch].pending == 0) {
      Bucket& ready = buckets[next_launch++];
      dispatch_floating(ready.buffer.dtype(), "DistributedDataParallel", [&]<class T>(T) {
        MPI_Iallreduce(MPI_IN_PLACE, ready.buffer.mutable_data<T>(), static_cast<int>(ready.buffer.numel()),
                       distributed::detail::mpi_type(ready.buffer.dtype(), "DistributedDataParallel"), MPI_SUM,
                       MPI_COMM_WORLD, &ready.request);
      });
    }
    if (next_launch == buckets.size()) finish();
  }

  // Waits for every bucket, then writes the averages into the gradients.
  void finish() {
    const auto start = std::chrono::steady_clock::now();
    for (Bucket& bucket : buckets) distributed::detail::wait(bucket.request, "DistributedDataParallel backward");
    wait_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const int world = distributed::world_size();
    for (Bucket& bucket : buckets) {
      dispatch_floating(bucket.buffer.dtype(), "DistributedDataParallel", [&]<class T>(T) {
        const T* averaged = bucket.buffer.data<T>();
        for (const Slot& slot : bucket.slots) {
          Tensor grad = slot.parameter.grad();
          // No gradient reached it on this rank: it takes the average all the same, so that every rank's optimiser
          // makes the same step.
          if (!grad.defined()) grad = slot.parameter.impl()->grad = zeros_like(slot.parameter);
          // Hoisted, so that the loop vectorises: grad.numel() read in the condition would be reloaded each time.
          T* into = grad.mutable_data<T>();
          const T* from = averaged + slot.offset;
          const std::int64_t count = grad.numel();
          const auto ranks = static_cast<T>(world);
          for (std::int64_t i = 0; i < count; ++i) into[i] = from[i] / ranks;
        }
      });
      bucket.pending = bucket.slots.size();
    }
    next_launch = 0;
    reported_count = 0;
    reported.assign(reported.size(), false);
  }

  // Throws if the last backward pass did not reach every parameter: the ranks' all-reduces would no longer match.
  void check_no_pass_pending() const {
    if (reported_count == 0) return;
    std::vector<std::string> missing;
    for (std::size_t index = location.size(); index-- > 0;)  // in the model's order, which the buckets reverse
      if (!reported[index]) missing.push_back(buckets[location[index].first].slots[location[index].second].name);
    fail(
        "DistributedDataParallel: the last backward pass reached {} of {} parameters; no gradient for {}. Every "
        "parameter that requires grad must take part in the loss on every rank (or set requires_grad false)",
        reported_count, location.size(), fmt::join(missing, ", "));
  }
};

DistributedDataParallel::DistributedDataParallel(std::shared_ptr<UnaryModule> module,
                                                 DistributedDataParallelOptions options)
    : options_(options) {
  if (!module) fail("DistributedDataParallel: the module is null");
  if (!(options.bucket_cap_mb() > 0))
    fail("DistributedDataParallel: bucket_cap_mb must be positive, got {}", options.bucket_cap_mb());
  distributed::detail::check_initialized("DistributedDataParallel");
  module_ = register_module("module", std::move(module));
  check_same_model(*module_, options.bucket_cap_mb());
  {
    NoGradGuard no_grad;
    for (const Tensor& parameter : module_->parameters()) distributed::broadcast(parameter, 0);
    for (const Tensor& buffer : module_->buffers()) distributed::broadcast(buffer, 0);
  }
  reducer_ = std::make_unique<Reducer>(module_->named_parameters(), options.bucket_cap_mb());
}

DistributedDataParallel::~DistributedDataParallel() = default;

Tensor DistributedDataParallel::forward(const Tensor& input) {
  reducer_->check_no_pass_pending();
  if (is_training() && options_.broadcast_buffers()) {
    NoGradGuard no_grad;
    for (const Tensor& buffer : module_->buffers()) distributed::broadcast(buffer, 0);
  }
  return module_->forward(input);
}

std::size_t DistributedDataParallel::bucket_count() const { return reducer_->buckets.size(); }

double DistributedDataParallel::communication_wait_seconds() const { return reducer_->wait_seconds; }

}  // namespace ag::nn
