// Replays of traced creation functions (full and its kin, arange, tensors from host values, rand and randn) write
// their values again, and random ones draw new numbers from the generator as eager steps would.

#include <autograd/autograd.hpp>
#include <autograd/random.hpp>

#include <catch2/catch.hpp>

#include "trace_check.hpp"

#include <algorithm>
#include <functional>
#include <string>
#include <utility>
#include <vector>

using Catch::Contains;

namespace {

using Inputs = std::vector<ag::Tensor>;

ag::Tensor leaf(const ag::Shape& shape, ag::DType dtype) { return ag::randn(shape, dtype).requires_grad_(); }

// A tensor the step makes, then adds the input into in place: a replay that did not write the made tensor's values
// again would add into the previous replay's sum.
ag::Tensor accumulated(ag::Tensor made, const ag::Tensor& x) {
  made.add_(x.detach());
  made.add_(x.detach());
  return made * x;
}

}  // namespace

TEST_CASE("traced full, zeros, ones and their _like forms write their values again at each replay",
          "[trace][trace-creation]") {
  const std::vector<std::pair<std::string, TracedFunction>> makers = {
      {"zeros",
       [](const Inputs& in) {
         return accumulated(ag::zeros({2, 3}, in[0].dtype()), in[0]);
       }},
      {"ones",
       [](const Inputs& in) {
         return accumulated(ag::ones({2, 3}, in[0].dtype()), in[0]);
       }},
      {"full",
       [](const Inputs& in) {
         return accumulated(ag::full({2, 3}, -2.5, in[0].dtype()), in[0]);
       }},
      {"zeros_like", [](const Inputs& in) { return accumulated(ag::zeros_like(in[0]), in[0]); }},
      {"ones_like", [](const Inputs& in) { return accumulated(ag::ones_like(in[0]), in[0]); }},
      {"full_like", [](const Inputs& in) { return accumulated(ag::full_like(in[0], 0.125), in[0]); }},
      {"scalar",
       [](const Inputs& in) {
         ag::Tensor factor = ag::scalar(3.0, in[0].dtype());
         factor.mul_(2.0);
         return factor * in[0];
       }},
  };
  for (const auto& [name, f] : makers)
    for (const ag::DType dtype : {ag::kFloat32, ag::kFloat64}) {
      INFO(name << " " << ag::dtype_name(dtype));
      check_replay_matches_eager(f, {leaf({2, 3}, dtype)}, {leaf({2, 3}, dtype)});
    }
  INFO("int64 and bool tensors");
  const TracedFunction integers = [](const Inputs& in) {
    ag::Tensor count = ag::full({2, 3}, 7.0, ag::kInt64);
    count.add_((in[0] > 0.0).to(ag::kInt64));
    return count * ag::ones({3}, ag::kBool).to(ag::kInt64);
  };
  check_replay_matches_eager(integers, {ag::randn({2, 3})}, {ag::randn({2, 3})});
}

TEST_CASE("a traced backward seeded with ones_like replays like eager", "[trace][trace-creation]") {
  // backward() of a scalar loss starts from ones_like(loss); the gradients then flow through ops that add into it.
  for (const ag::DType dtype : {ag::kFloat32, ag::kFloat64}) {
    INFO(ag::dtype_name(dtype));
    ag::Tensor w = leaf({3}, dtype);
    const Inputs recorded{leaf({2, 3}, dtype)};
    const Inputs replayed{leaf({2, 3}, dtype)};
    const auto step = [&w](const ag::Tensor& x) {
      w.zero_grad();
      ag::sum(ag::tanh(x * w) + w * w).backward();
      return w.grad().clone();
    };
    const ag::Tensor eager = step(replayed[0]);
    ag::Trace trace = ag::trace(recorded, [&](const Inputs& in) { return std::vector<ag::Tensor>{step(in[0])}; });
    CHECK(trace.replay(replayed)[0].to_vector() == eager.to_vector());
    CHECK(trace.replay(replayed)[0].to_vector() == eager.to_vector());
  }
}

TEST_CASE("traced arange writes its values again at each replay", "[trace][trace-creation]") {
  const std::vector<std::pair<std::string, TracedFunction>> ranges = {
      {"arange(end)",
       [](const Inputs& in) {
         return accumulated(ag::arange(6.0, in[0].dtype()).reshape({2, 3}), in[0]);
       }},
      {"arange with a step",
       [](const Inputs& in) {
         return accumulated(ag::arange(-1.0, 2.0, 0.5, in[0].dtype()).reshape({2, 3}), in[0]);
       }},
      {"arange counting down",
       [](const Inputs& in) {
         return accumulated(ag::arange(3.0, -3.0, -1.0, in[0].dtype()).reshape({2, 3}), in[0]);
       }},
      {"arange int64",
       [](const Inputs& in) {
         return in[0] * ag::arange(0.0, 12.0, 2.0, ag::kInt64).reshape({2, 3});
       }},
  };
  for (const auto& [name, f] : ranges)
    for (const ag::DType dtype : {ag::kFloat32, ag::kFloat64}) {
      INFO(name << " " << ag::dtype_name(dtype));
      check_replay_matches_eager(f, {leaf({2, 3}, dtype)}, {leaf({2, 3}, dtype)});
    }
}

TEST_CASE("traced tensors from host values write the values they were made from at each replay",
          "[trace][trace-creation]") {
  const std::vector<std::pair<std::string, TracedFunction>> makers = {
      {"tensor",
       [](const Inputs& in) {
         return accumulated(ag::tensor({{1, 2, 3}, {4, 5, 6}}, in[0].dtype()), in[0]);
       }},
      {"from_vector double",
       [](const Inputs& in) {
         return accumulated(ag::from_vector(std::vector<double>{0.1, -0.2, 0.3, 1e-3, 5, 6}, {2, 3}, in[0].dtype()),
                            in[0]);
       }},
      {"from_vector float",
       [](const Inputs& in) {
         return accumulated(ag::from_vector(std::vector<float>{0.1f, -0.2f, 0.3f, 1e-3f, 5, 6}, {2, 3}, in[0].dtype()),
                            in[0]);
       }},
      {"tensor as int64",
       [](const Inputs& in) {
         return in[0] * ag::tensor({-1.7, 2.9, 3.0}, ag::kInt64).to(in[0].dtype());
       }},
      {"tensor as bool",
       [](const Inputs& in) {
         return in[0] * ag::tensor({0.0, 0.5, -2.0}, ag::kBool);
       }},
  };
  for (const auto& [name, f] : makers)
    for (const ag::DType dtype : {ag::kFloat32, ag::kFloat64}) {
      INFO(name << " " << ag::dtype_name(dtype));
      check_replay_matches_eager(f, {leaf({2, 3}, dtype)}, {leaf({2, 3}, dtype)});
    }
}

namespace {

// Runs `draw` eagerly `1 + replays` times from `seed`, then traces it from the same seed and replays it `replays`
// times: the recording and each replay must give, bitwise, the eager step of the same rank.
void check_draws_follow_eager_steps(const std::function<ag::Tensor(const ag::Tensor&)>& draw, const ag::Tensor& x) {
  const int replays = 3;
  ag::manual_seed(2024);
  std::vector<std::vector<double>> eager;
  for (int i = 0; i <= replays; ++i) eager.push_back(draw(x).to_vector());

  ag::manual_seed(2024);
  ag::Trace trace = ag::trace({x}, [&](const Inputs& in) { return std::vector<ag::Tensor>{draw(in[0])}; });
  REQUIRE(trace.recordings() == 1);
  std::vector<std::vector<double>> traced{trace.outputs()[0].to_vector()};
  for (int i = 0; i < replays; ++i) traced.push_back(trace.replay({x})[0].to_vector());
  for (int i = 0; i <= replays; ++i) {
    INFO("step " << i << " (0: the recording)");
    CHECK(traced[i] == eager[i]);
  }
  CHECK(traced[1] != traced[2]);
}

}  // namespace

TEST_CASE("traced rand and randn draw new numbers at each replay, as many eager steps from the same seed do",
          "[trace][trace-creation]") {
  for (const ag::DType dtype : {ag::kFloat32, ag::kFloat64}) {
    INFO(ag::dtype_name(dtype));
    const ag::Tensor x = ag::randn({4, 5}, dtype);
    check_draws_follow_eager_steps([](const ag::Tensor& in) { return in + ag::rand(in.shape(), in.dtype()); }, x);
    check_draws_follow_eager_steps([](const ag::Tensor& in) { return in * ag::randn(in.shape(), in.dtype()); }, x);
    INFO("an odd count of normals, so that Box-Muller's spare carries over from one step to the next");
    check_draws_follow_eager_steps(
        [](const ag::Tensor& in) { return ag::randn({3}, in.dtype()).sum() + ag::rand({1}, in.dtype()); }, x);
  }
}

TEST_CASE("traced rand in float32 stays below 1 at every replay", "[trace][trace-creation]") {
  ag::Trace trace = ag::trace({ag::zeros({1})}, [](const Inputs& in) {
    return std::vector<ag::Tensor>{in[0] + ag::rand({4096}, ag::kFloat32)};
  });
  for (int i = 0; i < 4; ++i) {
    const std::vector<float> values = trace.replay()[0].to_vector<float>();
    CHECK(*std::max_element(values.begin(), values.end()) < 1.0f);
    CHECK(*std::min_element(values.begin(), values.end()) >= 0.0f);
  }
}

TEST_CASE("the global generator's host draws are refused while a trace records", "[trace][trace-creation]") {
  const std::vector<std::pair<std::string, std::function<void()>>> draws = {
      {"uniform", [] { ag::uniform(); }},
      {"normal", [] { ag::normal(); }},
      {"random_bits", [] { ag::random_bits(); }},
      {"manual_seed", [] { ag::manual_seed(1); }},
      {"fill_uniform",
       [] {
         double value = 0.0;
         ag::fill_uniform(&value, 1, 0.0, 1.0);
       }},
      {"fill_normal",
       [] {
         double value = 0.0;
         ag::fill_normal(&value, 1, 0.0, 1.0);
       }},
  };
  for (const auto& [name, draw] : draws) {
    INFO(name);
    const auto record = [&] {
      ag::trace({ag::ones({2})}, [&](const Inputs& in) {
        draw();
        return std::vector<ag::Tensor>{in[0] * 2.0};
      });
    };
    CHECK_THROWS_AS(record(), ag::Error);
    CHECK_THROWS_WITH(record(), Contains("ag::" + name + "() used the global random generator outside ag::run_kernel"));
    CHECK_NOTHROW(draw());  // outside a recording, as before
  }
  INFO("inside a custom op's kernel the draw is allowed, and repeated at each replay");
  ag::manual_seed(5);
  const double first = ag::uniform();
  const double second = ag::uniform();
  ag::manual_seed(5);
  ag::Trace trace = ag::trace({ag::zeros({1}, ag::kFloat64)}, [](const Inputs& in) {
    ag::Tensor out = ag::empty({1}, ag::kFloat64);
    ag::run_kernel(
        "draw",
        [](const ag::Tensor& x, ag::Tensor& out) {
          out.mutable_data<double>()[0] = x.data<double>()[0] + ag::uniform();
        },
        in[0], out);
    return std::vector<ag::Tensor>{out};
  });
  CHECK(trace.outputs()[0].item() == first);
  CHECK(trace.replay()[0].item() == second);
}
