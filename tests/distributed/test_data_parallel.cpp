#include <autograd/autograd.hpp>
#include <distributed/data_parallel.hpp>
#include <distributed/distributed.hpp>
#include <nn/nn.hpp>

#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <ios>
#include <memory>
#include <vector>

using Catch::Contains;
namespace dist = ag::distributed;

namespace {

constexpr std::int64_t kSamples = 24;
constexpr std::int64_t kGlobalBatch = 12;  // divides among 1, 2, 3 and 4 ranks
constexpr std::uint64_t kShuffleSeed = 3;

std::shared_ptr<ag::nn::Sequential> make_mlp(ag::DType dtype, std::uint64_t seed) {
  ag::manual_seed(seed);
  const auto options = ag::nn::LinearOptions().dtype(dtype);
  return std::make_shared<ag::nn::Sequential>(std::make_shared<ag::nn::Linear>(5, 16, options),
                                              std::make_shared<ag::nn::Tanh>(),
                                              std::make_shared<ag::nn::Linear>(16, 3, options));
}

// The same samples on every rank: 5 features, 3 classes.
ag::nn::TensorDataset samples(ag::DType dtype) {
  ag::manual_seed(77);
  const ag::Tensor inputs = ag::randn({kSamples, 5}, dtype);
  const ag::Tensor targets = ag::argmax(inputs.narrow(1, 0, 3), 1);
  return {inputs, targets};
}

// Trains for `epochs` with SGD and momentum on cross-entropy; returns the parameters, flattened and concatenated.
std::vector<double> train(ag::nn::UnaryModule& model, const std::vector<ag::Tensor>& parameters,
                          ag::nn::DataLoader& loader, int epochs) {
  ag::optim::SGD sgd(parameters, ag::optim::SGDOptions(0.2).momentum(0.9));
  for (int epoch = 0; epoch < epochs; ++epoch)
    for (const ag::nn::Batch& batch : loader) {
      sgd.zero_grad();
      ag::nn::functional::cross_entropy(model(batch.inputs), batch.targets).backward();
      sgd.step();
    }
  std::vector<double> values;
  for (const ag::Tensor& p : parameters) {
    const std::vector<double> v = p.to_vector();
    values.insert(values.end(), v.begin(), v.end());
  }
  return values;
}

double largest_relative_difference(const std::vector<double>& a, const std::vector<double>& b) {
  double largest = 0;
  for (std::size_t i = 0; i < a.size(); ++i)
    largest = std::max(largest, std::abs(a[i] - b[i]) / std::max(1.0, std::abs(b[i])));
  return largest;
}

}  // namespace

TEST_CASE("DistributedDataParallel trains as one process on the whole batch", "[distributed][ddp]") {
  const int ranks = dist::world_size();
  // Equal to rounding, not bit for bit, even in float64: the ranks' batch shares are summed apart and their means
  // averaged, where one process sums the whole batch in BLAS's order. Measured after these 8 steps: 1 to 2 units in
  // the last place in float64 (1e-16 to 2e-16) and in float32 (6e-8 to 9e-8).
  for (const auto& [dtype, tolerance] : {std::pair{ag::kFloat64, 1e-14}, std::pair{ag::kFloat32, 1e-6}}) {
    for (const double bucket_cap_mb : {25.0, 1e-4}) {
      INFO(ag::dtype_name(dtype) << ", bucket_cap_mb " << bucket_cap_mb << ", " << ranks << " ranks");
      const auto data = samples(dtype);
      const auto single = make_mlp(dtype, 100);
      ag::nn::DataLoader whole(data,
                               ag::nn::DataLoaderOptions().batch_size(kGlobalBatch).shuffle(true).seed(kShuffleSeed));
      const std::vector<double> expected = train(*single, single->parameters(), whole, 4);

      // Other ranks start from other weights: the wrapper copies rank 0's.
      const auto local = make_mlp(dtype, 100 + static_cast<std::uint64_t>(dist::rank()));
      ag::nn::DistributedDataParallel model(local,
                                            ag::nn::DistributedDataParallelOptions().bucket_cap_mb(bucket_cap_mb));
      CHECK(model.bucket_count() == (bucket_cap_mb > 1 ? 1u : 4u));
      ag::nn::DataLoader share(data,
                               ag::nn::DistributedSampler(kSamples, ranks, dist::rank(),
                                                          ag::nn::DistributedSamplerOptions().seed(kShuffleSeed)),
                               ag::nn::DataLoaderOptions().batch_size(kGlobalBatch / ranks));
      const std::vector<double> trained = train(model, local->parameters(), share, 4);
      const double difference = largest_relative_difference(trained, expected);
      INFO("largest relative difference " << std::scientific << difference);
      CHECK(difference <= tolerance);

      // Every rank holds bit for bit the same parameters.
      const ag::Tensor gathered = dist::all_gather(ag::from_vector(trained, {std::ssize(trained)}, ag::kFloat64));
      for (int r = 1; r < ranks; ++r)
        CHECK(gathered.narrow(0, r, 1).to_vector() == gathered.narrow(0, 0, 1).to_vector());
    }
  }
}

TEST_CASE("DistributedDataParallel refuses models that differ between ranks, on every rank", "[distributed][ddp]") {
  if (dist::world_size() < 2) return;
  const auto model = std::make_shared<ag::nn::Linear>(4, dist::rank() == 1 ? 3 : 2);
  CHECK_THROWS_WITH(ag::nn::DistributedDataParallel(model),
                    Contains("the model on rank 1 differs from rank 0's: 2 parameters of 15 elements") &&
                        Contains("against 2 parameters of 10 elements") &&
                        Contains("every rank must build the same model"));
  // Same element count, other shapes: only the hash tells them apart.
  const auto reshaped = std::make_shared<ag::nn::Linear>(dist::rank() == 1 ? 2 : 1, dist::rank() == 1 ? 1 : 2,
                                                         ag::nn::LinearOptions().bias(false));
  CHECK_THROWS_WITH(ag::nn::DistributedDataParallel(reshaped), Contains("the model on rank 1 differs"));
  // The same model with a frozen weight, or other buckets, on one rank would pair all-reduces of other lengths.
  const auto frozen = std::make_shared<ag::nn::Linear>(4, 2);
  if (dist::rank() == 1) frozen->weight.requires_grad_(false);
  CHECK_THROWS_WITH(ag::nn::DistributedDataParallel(frozen), Contains("the model on rank 1 differs"));
  const auto same = std::make_shared<ag::nn::Linear>(4, 2);
  CHECK_THROWS_WITH(ag::nn::DistributedDataParallel(
                        same, ag::nn::DistributedDataParallelOptions().bucket_cap_mb(dist::rank() == 1 ? 1.0 : 25.0)),
                    Contains("with the same options"));
}

TEST_CASE("DistributedDataParallel names the parameters a backward pass did not reach", "[distributed][ddp]") {
  const auto first = std::make_shared<ag::nn::Linear>(2, 2);
  const auto unused = std::make_shared<ag::nn::Linear>(2, 2);
  const auto both = std::make_shared<ag::nn::Sequential>(first, unused);
  ag::nn::DistributedDataParallel model(both);
  // Only the first layer takes part: the bucket holding both never fills.
  ag::sum(first->forward(ag::ones({1, 2}))).backward();
  CHECK_THROWS_WITH(model(ag::ones({1, 2})),
                    Contains("the last backward pass reached 2 of 4 parameters; no gradient for 1.weight, 1.bias"));
}

TEST_CASE("DistributedDataParallel refuses bad settings", "[distributed][ddp][errors]") {
  CHECK_THROWS_WITH(ag::nn::DistributedDataParallel(nullptr), Contains("the module is null"));
  CHECK_THROWS_WITH(ag::nn::DistributedDataParallel(std::make_shared<ag::nn::Linear>(2, 2),
                                                    ag::nn::DistributedDataParallelOptions().bucket_cap_mb(0)),
                    Contains("bucket_cap_mb must be positive, got 0"));
}
