// Threads: separate graphs train independently on separate threads; grad mode and anomaly mode are per thread;
// the global generator is shared under a lock. CI runs these under ThreadSanitizer.

#include <nn/nn.hpp>

#include <autograd/autograd.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstring>
#include <memory>
#include <thread>
#include <vector>

namespace {

struct Run {
  std::shared_ptr<ag::nn::Sequential> model;
  std::unique_ptr<ag::optim::Optimizer> optimizer;
  ag::nn::TensorDataset data;
};

// Models, optimisers and data are made on the calling thread, in a fixed order, so both ways of training start
// from the same values.
Run make_run(std::uint64_t seed, bool adam) {
  ag::manual_seed(seed);
  auto model =
      std::make_shared<ag::nn::Sequential>(std::make_shared<ag::nn::Linear>(6, 32), std::make_shared<ag::nn::Tanh>(),
                                           std::make_shared<ag::nn::Linear>(32, 4));
  std::unique_ptr<ag::optim::Optimizer> optimizer;
  if (adam)
    optimizer = std::make_unique<ag::optim::Adam>(model->parameters(), ag::optim::AdamOptions(0.01));
  else
    optimizer = std::make_unique<ag::optim::SGD>(model->parameters(), ag::optim::SGDOptions(0.05).momentum(0.9));
  const ag::Tensor inputs = ag::randn({64, 6});
  const ag::Tensor targets = ag::argmax(inputs.slice(1, 0, 4), 1);
  return {model, std::move(optimizer), {inputs, targets}};
}

void train(Run& run) {
  ag::nn::DataLoader loader(run.data, ag::nn::DataLoaderOptions().batch_size(8).shuffle(true).seed(5));
  for (int epoch = 0; epoch < 20; ++epoch)
    for (const ag::nn::Batch& batch : loader) {
      run.optimizer->zero_grad();
      ag::nn::functional::cross_entropy((*run.model)(batch.inputs), batch.targets).backward();
      run.optimizer->step();
    }
}

std::vector<float> weights_of(const ag::nn::Module& model) {
  std::vector<float> values;
  for (const ag::Tensor& parameter : model.parameters())
    values.insert(values.end(), parameter.data<float>(), parameter.data<float>() + parameter.numel());
  return values;
}

}  // namespace

TEST_CASE("two models trained on two threads end as when trained one after the other", "[threads]") {
  Run first_alone = make_run(1, false);
  Run second_alone = make_run(2, true);
  train(first_alone);
  train(second_alone);

  Run first = make_run(1, false);
  Run second = make_run(2, true);
  std::thread other([&] { train(second); });
  train(first);
  other.join();

  const auto expected_first = weights_of(*first_alone.model);
  const auto expected_second = weights_of(*second_alone.model);
  CHECK(weights_of(*first.model) == expected_first);
  CHECK(weights_of(*second.model) == expected_second);
  CHECK(expected_first != weights_of(*make_run(1, false).model));  // training did change the weights
}

TEST_CASE("NoGradGuard and anomaly mode hold for their own thread only", "[threads]") {
  const ag::Tensor x = ag::ones({2}, ag::TensorOptions().requires_grad(true));
  ag::NoGradGuard no_grad;
  ag::DetectAnomalyGuard anomaly;
  CHECK_FALSE((x * 2).requires_grad());

  bool other_records = false;
  bool other_detects = true;
  std::thread other([&] {
    const ag::Tensor y = ag::ones({2}, ag::TensorOptions().requires_grad(true));
    other_records = (y * 2).requires_grad();
    other_detects = ag::is_anomaly_enabled();
  });
  other.join();
  CHECK(other_records);
  CHECK_FALSE(other_detects);
  CHECK(ag::is_anomaly_enabled());
}

TEST_CASE("threads drawing from the global generator share one sequence", "[threads]") {
  constexpr int kDraws = 20000;
  ag::manual_seed(11);
  std::vector<std::uint64_t> sequential(2 * kDraws);
  for (auto& value : sequential) value = ag::random_bits();

  ag::manual_seed(11);
  std::vector<std::uint64_t> first(kDraws);
  std::vector<std::uint64_t> second(kDraws);
  std::thread other([&] {
    for (auto& value : second) value = ag::random_bits();
  });
  for (auto& value : first) value = ag::random_bits();
  other.join();

  // Interleaved, but every draw of the one sequence is handed out exactly once.
  std::vector<std::uint64_t> all = first;
  all.insert(all.end(), second.begin(), second.end());
  std::sort(all.begin(), all.end());
  std::sort(sequential.begin(), sequential.end());
  CHECK(all == sequential);
}

TEST_CASE("one model serves inference on two threads at once under NoGradGuard", "[threads]") {
  // Ops under NoGradGuard read the shared weights without copying them into graph inputs, so the (non-atomic)
  // reference counts of the weights are never written from two threads (ThreadSanitizer checks this in CI).
  ag::manual_seed(11);
  const auto model =
      std::make_shared<ag::nn::Sequential>(std::make_shared<ag::nn::Linear>(6, 16), std::make_shared<ag::nn::ReLU>(),
                                           std::make_shared<ag::nn::Linear>(16, 3));
  const ag::Tensor inputs = ag::randn({8, 6});
  std::vector<double> expected;
  {
    ag::NoGradGuard no_grad;
    expected = (*model)(inputs).to_vector();
  }
  std::vector<std::vector<double>> outputs(2);
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < outputs.size(); ++t) {
    threads.emplace_back([&, t] {
      ag::NoGradGuard no_grad;
      const ag::Tensor own_inputs = inputs.clone();
      for (int step = 0; step < 200; ++step) outputs[t] = (*model)(own_inputs).to_vector();
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (const auto& output : outputs) CHECK(output == expected);
}
