#include <nn/nn.hpp>

#include <autograd/autograd.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <set>
#include <vector>

using Catch::Contains;

namespace {

using Indices = std::vector<std::int64_t>;

// The samples of every replica, in rank order.
std::vector<Indices> shares(std::int64_t samples, std::int64_t replicas, ag::nn::DistributedSamplerOptions options,
                            std::int64_t epoch = 0) {
  std::vector<Indices> result;
  for (std::int64_t rank = 0; rank < replicas; ++rank) {
    ag::nn::DistributedSampler sampler(samples, replicas, rank, options);
    sampler.set_epoch(epoch);
    result.push_back(sampler.indices());
    CHECK(std::ssize(result.back()) == sampler.size());
  }
  return result;
}

// Row i of the dataset holds [i] and target i, so a batch names its samples.
ag::nn::TensorDataset counting_samples(std::int64_t count) {
  const ag::Tensor values = ag::arange(static_cast<double>(count), ag::kFloat64);
  return {values.reshape({count, 1}), values.to(ag::kInt64)};
}

Indices batch_samples(const ag::nn::Batch& batch) {
  const std::vector<std::int64_t> targets = batch.targets.to_vector<std::int64_t>();
  return {targets.begin(), targets.end()};
}

}  // namespace

TEST_CASE("DistributedSampler deals each epoch's samples out to the replicas without overlap", "[nn][data][sampler]") {
  for (const std::int64_t replicas : {1, 2, 3, 4}) {
    INFO(replicas << " replicas");
    const auto dealt = shares(12, replicas, ag::nn::DistributedSamplerOptions().seed(5), 3);
    std::multiset<std::int64_t> all;
    for (const Indices& share : dealt) {
      CHECK(std::ssize(share) == 12 / replicas);
      all.insert(share.begin(), share.end());
    }
    CHECK(all == std::multiset<std::int64_t>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11});
  }
}

TEST_CASE("DistributedSampler pads an uneven split with the first samples, or drops the rest", "[nn][data][sampler]") {
  const auto no_shuffle = ag::nn::DistributedSamplerOptions().shuffle(false);
  // 10 samples over 3 replicas: padded to 12 by repeating samples 0 and 1, as PyTorch's.
  CHECK(shares(10, 3, no_shuffle) == std::vector<Indices>{{0, 3, 6, 9}, {1, 4, 7, 0}, {2, 5, 8, 1}});
  // drop_last: 9 of them, 3 each.
  CHECK(shares(10, 3, no_shuffle.drop_last(true)) == std::vector<Indices>{{0, 3, 6}, {1, 4, 7}, {2, 5, 8}});
  // Fewer samples than replicas: the order is repeated as often as needed.
  CHECK(shares(2, 5, no_shuffle) == std::vector<Indices>{{0}, {1}, {0}, {1}, {0}});
}

TEST_CASE("DistributedSampler shuffles anew each epoch, the same on every replica", "[nn][data][sampler]") {
  const auto options = ag::nn::DistributedSamplerOptions().seed(11);
  CHECK(shares(40, 2, options, 0) == shares(40, 2, options, 0));
  CHECK(shares(40, 2, options, 0) != shares(40, 2, options, 1));
  CHECK(shares(40, 2, options, 0) != shares(40, 2, options.seed(12), 0));
}

TEST_CASE("the replicas' DataLoader batches together are a single process's batches", "[nn][data][sampler]") {
  // Global batch 6 = 3 replicas x 2: replica r's batch b holds 2 of the single process's batch b.
  const auto data = counting_samples(18);
  ag::nn::DataLoader single(data, ag::nn::DataLoaderOptions().batch_size(6).shuffle(true).seed(9));
  single.set_epoch(2);
  std::vector<Indices> expected;
  for (const ag::nn::Batch& batch : single) expected.push_back(batch_samples(batch));

  std::vector<Indices> combined(expected.size());
  for (std::int64_t rank = 0; rank < 3; ++rank) {
    ag::nn::DataLoader loader(data,
                              ag::nn::DistributedSampler(18, 3, rank, ag::nn::DistributedSamplerOptions().seed(9)),
                              ag::nn::DataLoaderOptions().batch_size(2));
    loader.set_epoch(2);
    CHECK(loader.size() == 3);
    std::size_t b = 0;
    for (const ag::nn::Batch& batch : loader) {
      const Indices samples = batch_samples(batch);
      combined[b].insert(combined[b].end(), samples.begin(), samples.end());
      ++b;
    }
    CHECK(loader.sampler()->epoch() == 2);
  }
  for (std::size_t b = 0; b < expected.size(); ++b) {
    std::sort(expected[b].begin(), expected[b].end());
    std::sort(combined[b].begin(), combined[b].end());
  }
  CHECK(combined == expected);
}

TEST_CASE("DistributedSampler and its DataLoader refuse bad settings", "[nn][data][sampler][errors]") {
  CHECK_THROWS_WITH(ag::nn::DistributedSampler(10, 0, 0), Contains("num_replicas must be positive, got 0"));
  CHECK_THROWS_WITH(ag::nn::DistributedSampler(10, 2, 2), Contains("rank must be in [0, 2) for 2 replicas, got 2"));
  CHECK_THROWS_WITH(ag::nn::DistributedSampler(-1, 2, 0), Contains("the dataset size must be non-negative, got -1"));
  ag::nn::DistributedSampler sampler(10, 2, 1);
  CHECK_THROWS_WITH(sampler.set_epoch(-1), Contains("the epoch must be non-negative, got -1"));
  CHECK_THROWS_WITH(ag::nn::DataLoader(counting_samples(10), sampler, ag::nn::DataLoaderOptions().shuffle(true)),
                    Contains("shuffle must be false with a DistributedSampler"));
  CHECK_THROWS_WITH(ag::nn::DataLoader(counting_samples(12), sampler),
                    Contains("the DistributedSampler was made for 10 samples, but the dataset has 12"));
}
