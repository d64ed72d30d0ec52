// The tutorial example's steps against the numbers the NumPy tutorial prints.

#include <catch2/catch.hpp>

#include "tutorial/tutorial.hpp"

namespace {
// The tutorial computes in float64; the example sets that default, and so do these tests.
struct Float64Default {
  Float64Default() { ag::set_default_dtype(ag::kFloat64); }
  ~Float64Default() { ag::set_default_dtype(ag::kFloat32); }
};
}  // namespace

TEST_CASE("step 1: the dot products are the tutorial's", "[examples][tutorial]") {
  Float64Default f64;
  const auto dots = tutorial::step1_dot_products();
  CHECK(dots.with_weights_1 == Approx(2.1672).epsilon(1e-12));
  CHECK(dots.with_weights_2 == Approx(4.1259999999999994).epsilon(1e-15));
}

TEST_CASE("step 2: the two predictions are the tutorial's", "[examples][tutorial]") {
  Float64Default f64;
  const auto predictions = tutorial::step2_predictions();
  CHECK(predictions.right == Approx(0.7985731).margin(5e-8));
  CHECK(predictions.wrong == Approx(0.87101915).margin(5e-9));
}

TEST_CASE("step 3: error, derivative and the updated prediction are the tutorial's", "[examples][tutorial]") {
  Float64Default f64;
  const auto step3 = tutorial::step3_error_and_update();
  CHECK(step3.mse_of_printed_prediction == Approx(0.7586743596667225).epsilon(1e-15));
  CHECK(step3.mse == Approx(0.7586743596667225).margin(5e-9));
  CHECK(step3.derivative == Approx(1.7420383).margin(5e-8));
  CHECK(step3.updated_prediction == Approx(0.01496248).margin(5e-9));
  CHECK(step3.updated_error == Approx(0.00022388).margin(5e-9));
}

TEST_CASE("step 4: backward() gives the tutorial's hand-derived chain rule", "[examples][tutorial]") {
  Float64Default f64;
  const auto chain = tutorial::step4_chain_rule();
  CHECK(chain.derror_dbias_by_engine == Approx(chain.derror_dbias_by_hand).epsilon(1e-14));
  REQUIRE(chain.derror_dweights_by_engine.size() == 2);
  for (std::size_t i = 0; i < 2; ++i)
    CHECK(chain.derror_dweights_by_engine[i] == Approx(chain.derror_dweights_by_hand[i]).epsilon(1e-14));
  // 2 * 0.87101915 * sigmoid'(1.91) * [2, 1.5]
  CHECK(chain.derror_dweights_by_hand[0] == Approx(0.3914178597).margin(1e-9));
  CHECK_THAT(
      chain.weights_explained,
      Catch::Contains("derror_dprediction * dprediction_dlayer_1 * dlayer_1_dweights") && Catch::Contains("1.7420383"));
  CHECK_THAT(chain.bias_explained, Catch::Contains("dlayer_1_dbias") && Catch::Contains("0.19570893"));
  CHECK_THAT(chain.graph_dot, Catch::Contains("digraph") && Catch::Contains("grad [0.3914"));
}

TEST_CASE("step 5: training lowers the cumulative error and repeats with the same seed", "[examples][tutorial]") {
  Float64Default f64;
  const tutorial::TrainingSettings settings{2000, 0.1, 7};
  const auto first = tutorial::step5_train(settings);
  const auto second = tutorial::step5_train(settings);
  REQUIRE(first.cumulative_errors.size() == 20);
  CHECK(first.cumulative_errors == second.cumulative_errors);
  CHECK(first.predictions == second.predictions);
  double late = 0.0;
  for (std::size_t k = 10; k < 20; ++k) late += first.cumulative_errors[k] / 10.0;
  CHECK(late < first.cumulative_errors.front());
}

TEST_CASE("step 5 replayed from a trace gives bitwise the parameters and errors of eager steps",
          "[examples][tutorial][trace]") {
  for (const ag::DType dtype : {ag::kFloat32, ag::kFloat64}) {
    INFO("dtype " << ag::dtype_name(dtype));
    struct DefaultDtype {
      explicit DefaultDtype(ag::DType dtype) { ag::set_default_dtype(dtype); }
      ~DefaultDtype() { ag::set_default_dtype(ag::kFloat32); }
    } default_dtype(dtype);
    tutorial::TrainingSettings settings{10000, 0.1, 42};
    const auto eager = tutorial::step5_train(settings);
    settings.replay = true;
    const auto replayed = tutorial::step5_train(settings);
    REQUIRE(eager.parameters.size() == 3);
    CHECK(replayed.parameters == eager.parameters);
    CHECK(replayed.cumulative_errors == eager.cumulative_errors);
    CHECK(replayed.predictions == eager.predictions);
  }
}
