#include <nn/nn.hpp>

#include <autograd/autograd.hpp>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#include <catch2/catch.hpp>

#include "temp_dir.hpp"

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <random>
#include <thread>

using Catch::Contains;
using test_support::TempDir;

namespace {

namespace fs = std::filesystem;

std::shared_ptr<ag::nn::Sequential> make_model(std::uint64_t seed, std::int64_t hidden = 8) {
  ag::manual_seed(seed);
  return std::make_shared<ag::nn::Sequential>(std::make_shared<ag::nn::Linear>(4, hidden),
                                              std::make_shared<ag::nn::ReLU>(),
                                              std::make_shared<ag::nn::Linear>(hidden, 3));
}

ag::nn::TensorDataset make_data() {
  ag::manual_seed(7);
  const ag::Tensor inputs = ag::randn({16, 4});
  std::vector<double> labels;
  for (int i = 0; i < 16; ++i) labels.push_back(i % 3);
  return {inputs, ag::from_vector(labels, {16}, ag::kInt64)};
}

// Trains for `epochs` epochs of shuffled batches of 4, continuing the loader's epoch count.
void train(ag::nn::Module& model, ag::optim::Optimizer& optimizer, ag::nn::DataLoader& loader, int epochs) {
  auto& net = dynamic_cast<ag::nn::UnaryModule&>(model);
  for (int epoch = 0; epoch < epochs; ++epoch)
    for (const ag::nn::Batch& batch : loader) {
      optimizer.zero_grad();
      ag::nn::functional::cross_entropy(net(batch.inputs), batch.targets).backward();
      optimizer.step();
    }
}

ag::nn::DataLoader make_loader() {
  return ag::nn::DataLoader(make_data(), ag::nn::DataLoaderOptions().batch_size(4).shuffle(true).seed(3));
}

// Deep copies, so that later in-place updates do not change the snapshot.
ag::nn::StateDict snapshot(const ag::nn::StateDict& state) {
  ag::nn::StateDict copy;
  for (const auto& [name, tensor] : state) copy.emplace_back(name, tensor.clone());
  return copy;
}

bool bitwise_equal(const ag::Tensor& a, const ag::Tensor& b) {
  if (a.dtype() != b.dtype() || a.shape() != b.shape()) return false;
  return ag::dispatch(a.dtype(), [&]<class T>(T) {
    return std::memcmp(a.data<T>(), b.data<T>(), static_cast<std::size_t>(a.numel()) * sizeof(T)) == 0;
  });
}

void check_bitwise_equal(const ag::nn::StateDict& actual, const ag::nn::StateDict& expected) {
  REQUIRE(actual.size() == expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    INFO(expected[i].first);
    CHECK(actual[i].first == expected[i].first);
    CHECK(bitwise_equal(actual[i].second, expected[i].second));
  }
}

using MakeOptimizer = std::function<std::unique_ptr<ag::optim::Optimizer>(const ag::nn::Module&)>;

const MakeOptimizer kSgd = [](const ag::nn::Module& model) {
  return std::make_unique<ag::optim::SGD>(model.parameters(), ag::optim::SGDOptions(0.1).momentum(0.9).nesterov(true));
};
const MakeOptimizer kAdam = [](const ag::nn::Module& model) {
  return std::make_unique<ag::optim::Adam>(model.parameters(), ag::optim::AdamOptions(0.01).weight_decay(1e-3));
};

}  // namespace

TEST_CASE("training resumed from a checkpoint is bitwise equal to training straight through", "[nn][checkpoint]") {
  const auto make_optimizer = GENERATE(kSgd, kAdam);
  TempDir dir;

  auto straight = make_model(1);
  auto straight_optimizer = make_optimizer(*straight);
  auto straight_loader = make_loader();
  train(*straight, *straight_optimizer, straight_loader, 5);

  {
    auto first = make_model(1);
    auto first_optimizer = make_optimizer(*first);
    auto first_loader = make_loader();
    train(*first, *first_optimizer, first_loader, 2);
    ag::nn::save_checkpoint(dir / "run.ckpt", *first, first_optimizer.get(),
                            {{"epoch", ag::scalar(static_cast<double>(first_loader.epoch()), ag::kFloat64)}});
  }
  auto resumed = make_model(99);  // other initial weights: everything must come from the checkpoint
  auto resumed_optimizer = make_optimizer(*resumed);
  const auto extra = ag::nn::load_checkpoint(dir / "run.ckpt", *resumed, resumed_optimizer.get());
  REQUIRE(extra.size() == 1);
  CHECK(extra[0].first == "epoch");
  auto resumed_loader = make_loader();
  resumed_loader.set_epoch(static_cast<std::int64_t>(extra[0].second.item()));
  train(*resumed, *resumed_optimizer, resumed_loader, 3);

  check_bitwise_equal(resumed->state_dict(), straight->state_dict());
  check_bitwise_equal(resumed_optimizer->state_dict(), straight_optimizer->state_dict());
}

TEST_CASE("an optimiser's state dict names its hyperparameters and buffers", "[nn][checkpoint]") {
  auto model = make_model(1);
  ag::optim::Adam adam(model->parameters(), ag::optim::AdamOptions(0.01));
  std::vector<std::string> names;
  for (const auto& [name, _] : adam.state_dict()) names.push_back(name);
  CHECK(names == std::vector<std::string>{"lr", "beta1", "beta2", "eps", "weight_decay", "parameter_count"});

  auto loader = make_loader();
  train(*model, adam, loader, 1);
  const auto state = adam.state_dict();
  CHECK(state.size() == 6 + 4 * 3);
  CHECK(state[6].first == "state.0.exp_avg");
  CHECK(state[8].first == "state.0.step");
  CHECK(state[8].second.item() == 4.0);
}

TEST_CASE("a checkpoint that does not fit is refused and changes nothing", "[nn][checkpoint]") {
  TempDir dir;
  const fs::path path = dir / "model.ckpt";
  {
    auto saved = make_model(1);
    auto saved_optimizer = kSgd(*saved);
    auto loader = make_loader();
    train(*saved, *saved_optimizer, loader, 1);
    ag::nn::save_checkpoint(path, *saved, saved_optimizer.get());
  }

  // The model and optimiser to load into have trained too, so that their state is not trivially empty.
  auto model = make_model(2);
  auto optimizer = kSgd(*model);
  auto loader = make_loader();
  train(*model, *optimizer, loader, 1);
  const auto model_before = snapshot(model->state_dict());
  const auto optimizer_before = snapshot(optimizer->state_dict());
  const auto unchanged = [&] {
    check_bitwise_equal(model->state_dict(), model_before);
    check_bitwise_equal(optimizer->state_dict(), optimizer_before);
  };

  SECTION("a damaged file") {
    std::fstream file(path, std::ios::in | std::ios::out | std::ios::binary);
    file.seekp(100);
    file.put('\x7f');
    file.close();
    CHECK_THROWS_WITH(ag::nn::load_checkpoint(path, *model, optimizer.get()),
                      Contains(path.string() + ": checksum mismatch"));
    unchanged();
  }
  SECTION("a model with more layers") {
    auto bigger = std::make_shared<ag::nn::Sequential>(
        std::make_shared<ag::nn::Linear>(4, 8), std::make_shared<ag::nn::ReLU>(),
        std::make_shared<ag::nn::Linear>(8, 3), std::make_shared<ag::nn::Linear>(3, 3));
    const auto before = snapshot(bigger->state_dict());
    CHECK_THROWS_WITH(ag::nn::load_checkpoint(path, *bigger),
                      Contains(path.string() + ": missing parameters '3.weight', '3.bias' of Sequential"));
    check_bitwise_equal(bigger->state_dict(), before);
  }
  SECTION("a model with fewer layers") {
    auto smaller = std::make_shared<ag::nn::Sequential>(std::make_shared<ag::nn::Linear>(4, 8));
    CHECK_THROWS_WITH(ag::nn::load_checkpoint(path, *smaller),
                      Contains("unexpected parameters '2.bias', '2.weight', which Sequential does not have"));
  }
  SECTION("a layer of another size") {
    auto wider = make_model(3, 9);
    const auto before = snapshot(wider->state_dict());
    CHECK_THROWS_WITH(ag::nn::load_checkpoint(path, *wider),
                      Contains("parameter '0.weight' has shape [8, 4], but Sequential expects [9, 4]"));
    check_bitwise_equal(wider->state_dict(), before);
  }
  SECTION("another dtype") {
    ag::set_default_dtype(ag::kFloat64);
    auto doubles = make_model(3);
    ag::set_default_dtype(ag::kFloat32);
    CHECK_THROWS_WITH(ag::nn::load_checkpoint(path, *doubles),
                      Contains("parameter '0.weight' is float32, but Sequential expects float64"));
  }
  SECTION("another kind of optimiser: the model is left alone too") {
    auto adam = kAdam(*model);
    CHECK_THROWS_WITH(ag::nn::load_checkpoint(path, *model, adam.get()),
                      Contains(path.string() + ": unexpected entry 'momentum': not the state of Adam, whose entries "
                                               "are lr, beta1, beta2, eps, weight_decay, parameter_count"));
    unchanged();
  }
  SECTION("a checkpoint without optimiser state") {
    ag::nn::save_checkpoint(dir / "weights.ckpt", *make_model(4));
    CHECK_THROWS_WITH(ag::nn::load_checkpoint(dir / "weights.ckpt", *model, optimizer.get()),
                      Contains("holds no optimizer state, but an optimizer was given"));
    unchanged();
  }
  SECTION("a missing file") {
    CHECK_THROWS_WITH(ag::nn::load_checkpoint(dir / "absent.ckpt", *model, optimizer.get()),
                      Contains("absent.ckpt: cannot open the file"));
    unchanged();
  }
}

TEST_CASE("an optimiser refuses a state dict that does not fit it", "[nn][checkpoint]") {
  auto model = make_model(1);
  auto optimizer = kSgd(*model);
  auto loader = make_loader();
  train(*model, *optimizer, loader, 1);
  auto state = optimizer->state_dict();
  const auto before = snapshot(state);
  const auto replaced = [&](const std::string& name, ag::Tensor value) {
    auto copy = state;
    for (auto& [entry, tensor] : copy)
      if (entry == name) tensor = value;
    return copy;
  };

  CHECK_THROWS_WITH(optimizer->load_state_dict(replaced("state.1.momentum_buffer", ag::zeros({7})), "s"),
                    Contains("s: entry 'state.1.momentum_buffer' is float32 of shape [7], but parameter 1 is float32 "
                             "of shape [8]"));
  CHECK_THROWS_WITH(optimizer->load_state_dict(replaced("lr", ag::scalar(-1.0, ag::kFloat64)), "s"),
                    Contains("s: SGD: the learning rate must be non-negative, got -1"));
  CHECK_THROWS_WITH(optimizer->load_state_dict(replaced("lr", ag::scalar(0.1)), "s"),
                    Contains("s: 'lr' must be a 0-d float64 tensor, got float32"));
  CHECK_THROWS_WITH(optimizer->load_state_dict(replaced("parameter_count", ag::scalar(5.0, ag::kFloat64)), "s"),
                    Contains("s: the state is for 5 parameters, but this SGD has 4"));
  auto extra = state;
  extra.emplace_back("state.9.momentum_buffer", ag::zeros({1}));
  CHECK_THROWS_WITH(optimizer->load_state_dict(extra, "s"),
                    Contains("entry 'state.9.momentum_buffer' is for parameter 9, but this SGD has 4 parameters"));
  auto missing = state;
  missing.erase(missing.begin());
  CHECK_THROWS_WITH(optimizer->load_state_dict(missing, "s"), Contains("s: missing entry 'lr' of the state of SGD"));
  check_bitwise_equal(optimizer->state_dict(), before);
}

TEST_CASE("Adam refuses a parameter's state with a step but no moments", "[nn][checkpoint]") {
  auto model = make_model(1);
  auto adam = kAdam(*model);
  auto state = adam->state_dict();
  state.emplace_back("state.0.step", ag::scalar(3.0, ag::kFloat64));
  CHECK_THROWS_WITH(adam->load_state_dict(state, "s"),
                    Contains("s: Adam: parameter 0 needs all of state.0.exp_avg, state.0.exp_avg_sq, state.0.step or "
                             "none, got 1 of them"));
}

TEST_CASE("a checkpoint keeps a model's int64 and bool buffers exactly", "[nn][checkpoint]") {
  class Counter : public ag::nn::Module {
   public:
    Counter() {
      weight = register_parameter("weight", ag::zeros({2}));
      count = register_buffer("count", ag::zeros({2}, ag::kInt64));
      seen = register_buffer("seen", ag::zeros({2}) > 0.5);
    }
    ag::Tensor weight, count, seen;
  };
  TempDir dir;
  Counter saved;
  {
    ag::NoGradGuard no_grad;
    saved.count.mutable_data<std::int64_t>()[1] = (std::int64_t{1} << 60) + 1;  // more digits than a double holds
    saved.seen.mutable_data<bool>()[0] = true;
  }
  ag::nn::save_checkpoint(dir / "counter.ckpt", saved, nullptr, {{"epoch", ag::full({}, 4, ag::kInt64)}});
  Counter loaded;
  const auto extra = ag::nn::load_checkpoint(dir / "counter.ckpt", loaded);
  check_bitwise_equal(loaded.state_dict(), saved.state_dict());
  CHECK(extra.at(0).second.item<std::int64_t>() == 4);
}

// A child process saves checkpoints in a loop, each holding one generation number in every value, and is killed
// at a random moment, a hundred times. After each kill the checkpoint must load, hold a single generation, and
// never go back to an older one than was seen before.
TEST_CASE("a writer killed mid-save always leaves the old or the new checkpoint", "[nn][checkpoint][kill]") {
  constexpr int kKills = 100;
  TempDir dir;
  const fs::path path = dir / "model.ckpt";
  // About 2 MB a save, so that a kill often lands inside a write.
  const auto make_big = [] { return std::make_shared<ag::nn::Sequential>(std::make_shared<ag::nn::Linear>(512, 512)); };
  const auto make_sgd = [](const ag::nn::Module& model) {
    auto sgd = std::make_unique<ag::optim::SGD>(model.parameters(), ag::optim::SGDOptions(0.1).momentum(0.9));
    auto state = sgd->state_dict();
    for (std::size_t i = 0; i < sgd->parameters().size(); ++i)
      state.emplace_back(fmt::format("state.{}.momentum_buffer", i), ag::zeros_like(sgd->parameters()[i]));
    sgd->load_state_dict(state);
    return sgd;
  };
  const auto save_generation = [&](ag::nn::Module& model, ag::optim::SGD& sgd, double generation) {
    ag::NoGradGuard no_grad;
    for (ag::Tensor& parameter : model.parameters()) parameter.fill_(generation);
    for (std::size_t i = 0; i < sgd.parameters().size(); ++i)
      ag::Tensor(sgd.state(i, "momentum_buffer")).fill_(generation);
    ag::nn::save_checkpoint(path, model, &sgd, {{"generation", ag::scalar(generation, ag::kFloat64)}});
  };
  const auto holds_only = [](const ag::Tensor& tensor, double value) {
    return ag::eq(tensor, ag::full_like(tensor, value)).sum().item() == static_cast<double>(tensor.numel());
  };
  {
    auto model = make_big();
    save_generation(*model, *make_sgd(*model), 0);
  }

  std::mt19937 random(12345);
  double last_generation = 0;
  int interrupted_writes = 0;
  for (int kill = 0; kill < kKills; ++kill) {
    int started[2];
    REQUIRE(::pipe(started) == 0);
    const pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {
      ::close(started[0]);
      try {
        auto model = make_big();
        auto sgd = make_sgd(*model);
        const char byte = 1;
        if (::write(started[1], &byte, 1) != 1) ::_exit(2);
        for (double generation = last_generation + 1;; ++generation) save_generation(*model, *sgd, generation);
      } catch (...) {
        ::_exit(1);
      }
    }
    ::close(started[1]);
    char byte = 0;
    REQUIRE(::read(started[0], &byte, 1) == 1);
    ::close(started[0]);
    std::this_thread::sleep_for(std::chrono::microseconds(std::uniform_int_distribution<int>(0, 20000)(random)));
    REQUIRE(::kill(child, SIGKILL) == 0);
    int status = 0;
    REQUIRE(::waitpid(child, &status, 0) == child);
    REQUIRE(WIFSIGNALED(status));  // killed while saving, not stopped by an error

    for (const auto& entry : fs::directory_iterator(dir.path()))
      if (entry.path().filename().string().starts_with("model.ckpt.tmp-")) {
        ++interrupted_writes;
        fs::remove(entry.path());
      }

    auto model = make_big();
    auto sgd = make_sgd(*model);
    const auto extra = ag::nn::load_checkpoint(path, *model, sgd.get());
    const double generation = extra.at(0).second.item();
    INFO("kill " << kill << ": generation " << generation);
    REQUIRE(generation >= last_generation);
    for (const ag::Tensor& parameter : model->parameters()) REQUIRE(holds_only(parameter, generation));
    for (std::size_t i = 0; i < sgd->parameters().size(); ++i)
      REQUIRE(holds_only(sgd->state(i, "momentum_buffer"), generation));
    last_generation = generation;
  }
  INFO(interrupted_writes << " of " << kKills << " kills interrupted a write");
  CHECK(interrupted_writes >= kKills / 10);
  CHECK(last_generation > 0);
}
