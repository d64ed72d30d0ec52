#include <nn/nn.hpp>

#include <autograd/autograd.hpp>

#include <catch2/catch.hpp>

#include <algorithm>

using Catch::Contains;

namespace {

// Ten samples: inputs [i, -i] and int64 target 10 i, so every batch shows which samples it holds.
ag::nn::TensorDataset ten_samples() {
  std::vector<double> inputs;
  std::vector<double> targets;
  for (int i = 0; i < 10; ++i) {
    inputs.insert(inputs.end(), {double(i), -double(i)});
    targets.push_back(10.0 * i);
  }
  return {ag::from_vector(inputs, {10, 2}, ag::kFloat64), ag::from_vector(targets, {10}, ag::kInt64)};
}

// The sample indices of one epoch, checking on the way that each batch's targets match its inputs.
std::vector<double> epoch_order(ag::nn::DataLoader& loader) {
  std::vector<double> order;
  for (const ag::nn::Batch& batch : loader) {
    for (std::int64_t row = 0; row < batch.inputs.size(0); ++row) {
      const double index = batch.inputs.at({row, 0});
      CHECK(batch.targets.at({row}) == 10.0 * index);
      order.push_back(index);
    }
  }
  return order;
}

std::vector<double> sorted(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values;
}

}  // namespace

TEST_CASE("DataLoader yields batches in order, the last one possibly smaller", "[nn][data]") {
  ag::nn::DataLoader loader(ten_samples(), ag::nn::DataLoaderOptions().batch_size(4));
  CHECK(loader.size() == 3);
  std::vector<ag::Shape> shapes;
  for (const ag::nn::Batch& batch : loader) shapes.push_back(batch.inputs.shape());
  CHECK(shapes == std::vector<ag::Shape>{{4, 2}, {4, 2}, {2, 2}});
  CHECK(epoch_order(loader) == std::vector<double>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9});
}

TEST_CASE("DataLoader batches keep the dataset's dtypes and hold no graph back to it", "[nn][data]") {
  const ag::nn::TensorDataset samples = ten_samples();
  ag::nn::TensorDataset tracked(samples.inputs().clone().requires_grad_(), samples.targets());
  for (const ag::nn::Batch& batch : ag::nn::DataLoader(tracked, ag::nn::DataLoaderOptions().batch_size(3))) {
    CHECK(batch.inputs.dtype() == ag::kFloat64);
    CHECK(batch.targets.dtype() == ag::kInt64);
    CHECK_FALSE(batch.inputs.requires_grad());
  }
}

TEST_CASE("drop_last leaves out a last batch smaller than batch_size", "[nn][data]") {
  ag::nn::DataLoader loader(ten_samples(), ag::nn::DataLoaderOptions().batch_size(4).drop_last(true));
  CHECK(loader.size() == 2);
  CHECK(epoch_order(loader) == std::vector<double>{0, 1, 2, 3, 4, 5, 6, 7});

  ag::nn::DataLoader exact(ten_samples(), ag::nn::DataLoaderOptions().batch_size(5).drop_last(true));
  CHECK(exact.size() == 2);
  CHECK(epoch_order(exact).size() == 10);
}

TEST_CASE("seeded shuffling is a fresh permutation each epoch and replays from the same seed", "[nn][data]") {
  const auto options = ag::nn::DataLoaderOptions().batch_size(3).shuffle(true).seed(7);
  ag::nn::DataLoader loader(ten_samples(), options);
  const auto first = epoch_order(loader);
  const auto second = epoch_order(loader);
  CHECK(loader.epoch() == 2);
  CHECK(sorted(first) == std::vector<double>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9});
  CHECK(sorted(second) == sorted(first));
  CHECK(first != second);
  CHECK(first != sorted(first));

  ag::nn::DataLoader replay(ten_samples(), options);
  CHECK(epoch_order(replay) == first);
  CHECK(epoch_order(replay) == second);

  ag::nn::DataLoader other_seed(ten_samples(), options.seed(8));
  CHECK(epoch_order(other_seed) != first);
}

TEST_CASE("shuffling does not depend on the global generator", "[nn][data]") {
  const auto options = ag::nn::DataLoaderOptions().batch_size(4).shuffle(true).seed(1);
  ag::manual_seed(1);
  ag::nn::DataLoader a(ten_samples(), options);
  const auto order_a = epoch_order(a);
  ag::manual_seed(2);
  ag::nn::DataLoader b(ten_samples(), options);
  CHECK(epoch_order(b) == order_a);
}

TEST_CASE("TensorDataset and DataLoader refuse empty, mismatched and zero-size settings", "[nn][data][errors]") {
  CHECK_THROWS_WITH(ag::nn::TensorDataset(ag::zeros({0, 2}), ag::zeros({0})),
                    Contains("TensorDataset") && Contains("empty"));
  CHECK_THROWS_WITH(ag::nn::TensorDataset(ag::zeros({3, 2}), ag::zeros({4})),
                    Contains("[3, 2]") && Contains("[4]") && Contains("first dimension"));
  CHECK_THROWS_WITH(ag::nn::TensorDataset(ag::scalar(1.0), ag::zeros({1})), Contains("first dimension"));
  CHECK_THROWS_WITH(ag::nn::DataLoader(ten_samples(), ag::nn::DataLoaderOptions().batch_size(0)),
                    Contains("DataLoader") && Contains("batch_size") && Contains("0"));
}

TEST_CASE("set_epoch resumes an epoch's shuffle and refuses a negative epoch", "[nn][data][errors]") {
  const auto options = ag::nn::DataLoaderOptions().batch_size(3).shuffle(true).seed(7);
  ag::nn::DataLoader straight(ten_samples(), options);
  epoch_order(straight);
  const auto second = epoch_order(straight);

  ag::nn::DataLoader resumed(ten_samples(), options);
  resumed.set_epoch(1);
  CHECK(epoch_order(resumed) == second);
  CHECK(resumed.epoch() == 2);
  CHECK_THROWS_WITH(resumed.set_epoch(-1), "DataLoader::set_epoch: the epoch must be non-negative, got -1");
}
