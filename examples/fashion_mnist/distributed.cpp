#include "fashion_mnist/distributed.hpp"

#include <distributed/data_parallel.hpp>
#include <distributed/distributed.hpp>

#include <fmt/format.h>

#include <cstdio>
#include <memory>
#include <optional>

#include "common/args.hpp"

namespace fashion_mnist {

namespace {
// Outlives fashion_mnist_main, so that leave_distributed decides between finalising and aborting.
std::optional<ag::distributed::Environment> environment;
}  // namespace

Ranks join_distributed(std::int64_t batch_size) {
  environment.emplace();
  const Ranks ranks{ag::distributed::rank(), ag::distributed::world_size()};
  if (batch_size % ranks.world_size != 0)
    throw examples::UsageError(fmt::format("--batch-size {} does not split evenly over {} ranks: give a multiple of {}",
                                           batch_size, ranks.world_size, ranks.world_size));
  if (ranks.rank != 0 && !std::freopen("/dev/null", "w", stdout))
    throw examples::UsageError("cannot silence the standard output of the ranks other than 0");
  return ranks;
}

int leave_distributed(int exit_code) {
  if (!environment) return exit_code;
  if (exit_code != 0) ag::distributed::abort("stopped by the error above; ending the other ranks", exit_code);
  environment.reset();
  return exit_code;
}

ag::nn::DataLoader rank_loader(const ag::nn::TensorDataset& train, std::int64_t batch_size, std::uint64_t seed,
                               const Ranks& ranks) {
  const ag::nn::DistributedSampler sampler(train.size(), ranks.world_size, ranks.rank,
                                           ag::nn::DistributedSamplerOptions().seed(seed));
  return ag::nn::DataLoader(train, sampler, ag::nn::DataLoaderOptions().batch_size(batch_size / ranks.world_size));
}

std::shared_ptr<ag::nn::UnaryModule> data_parallel(std::shared_ptr<ag::nn::UnaryModule> model) {
  return std::make_shared<ag::nn::DistributedDataParallel>(std::move(model));
}

std::string communication_report(const ag::nn::UnaryModule& trained, double training_seconds) {
  const auto& ddp = dynamic_cast<const ag::nn::DistributedDataParallel&>(trained);
  const double waited = ddp.communication_wait_seconds();
  return fmt::format(
      "rank 0 waited {:.2f} s of {:.1f} s of training for the gradients' all-reduces ({:.1f}%, {} bucket{})", waited,
      training_seconds, 100 * waited / training_seconds, ddp.bucket_count(), ddp.bucket_count() == 1 ? "" : "s");
}

}  // namespace fashion_mnist
