#include <autograd/autograd.hpp>

#include <catch2/catch.hpp>

#include <thread>

using Catch::Contains;

TEST_CASE("anomaly mode names the forward op that made a NaN, its inputs and its place", "[anomaly]") {
  auto x = ag::tensor({1.0, -1.0}, ag::requires_grad());
  x.set_label("x");
  ag::DetectAnomalyGuard anomaly;
  CHECK_THROWS_WITH(ag::log(x), Contains("anomaly") && Contains("forward") && Contains("'log'") &&
                                    Contains("[2] 'x'") && Contains("element 1") && Contains("#"));
}

TEST_CASE("anomaly mode names the backward op that sent an Inf", "[anomaly]") {
  auto x = ag::tensor({0.0, 4.0}, ag::requires_grad());
  auto y = ag::sqrt(x).sum();  // finite forward, infinite derivative at 0
  ag::DetectAnomalyGuard anomaly;
  CHECK_THROWS_WITH(y.backward(), Contains("anomaly") && Contains("backward") && Contains("'sqrt'") &&
                                      Contains("input 0") && Contains("inf"));
}

TEST_CASE("anomaly mode is off by default, restored by the guard, and per thread", "[anomaly][threads]") {
  CHECK_FALSE(ag::is_anomaly_enabled());
  {
    ag::DetectAnomalyGuard anomaly;
    CHECK(ag::is_anomaly_enabled());
    bool other_thread_sees_it = true;
    std::thread([&] { other_thread_sees_it = ag::is_anomaly_enabled(); }).join();
    CHECK_FALSE(other_thread_sees_it);
  }
  CHECK_FALSE(ag::is_anomaly_enabled());
  auto x = ag::tensor({-1.0}, ag::requires_grad());
  CHECK(std::isnan(ag::log(x).item()));  // off: NaN passes through as in PyTorch
}
