#pragma once

// Reads rnn_attention_reference.agt: weights, inputs and PyTorch's outputs written by
// make_rnn_attention_reference.py, shared by test_rnn.cpp, test_attention.cpp and test_transformer.cpp.

#include <nn/nn.hpp>

#include <autograd/autograd.hpp>

#include <catch2/catch.hpp>

#include "tensor_matchers.hpp"

#include <cmath>

#include <string>

inline const ag::nn::StateDict& rnn_attention_reference() {
  static const ag::nn::StateDict entries = ag::nn::load(AG_TESTS_DIR "/nn/reference/rnn_attention_reference.agt");
  return entries;
}

// The entry "<case_name>.<what>"; fails the test if there is none.
inline ag::Tensor reference(const std::string& case_name, const std::string& what) {
  const std::string name = case_name + "." + what;
  for (const auto& [entry, tensor] : rnn_attention_reference())
    if (entry == name) return tensor;
  FAIL("rnn_attention_reference.agt has no entry " << name);
  return {};
}

// The PyTorch state_dict of `case_name`, under PyTorch's names.
inline ag::nn::StateDict reference_parameters(const std::string& case_name) {
  const std::string prefix = case_name + ".param.";
  ag::nn::StateDict parameters;
  for (const auto& [entry, tensor] : rnn_attention_reference())
    if (entry.starts_with(prefix)) parameters.emplace_back(entry.substr(prefix.size()), tensor);
  return parameters;
}

// Checks that `actual` has `expected`'s shape and values to within `margin` (both float64, so PyTorch's and ours
// differ by rounding only).
inline void check_matches(const ag::Tensor& actual, const ag::Tensor& expected, double margin = 1e-12) {
  REQUIRE(actual.defined());
  REQUIRE(actual.shape() == expected.shape());
  const std::vector<double> got = actual.to_vector();
  const std::vector<double> want = expected.to_vector();
  double worst = 0.0;
  std::size_t worst_index = 0;
  for (std::size_t i = 0; i < got.size(); ++i)
    if (const double error = std::abs(got[i] - want[i]); !(error <= worst)) {
      worst = error;
      worst_index = i;
    }
  INFO("largest difference " << worst << " at element " << worst_index << " of shape "
                             << fmt::format("{}", actual.shape()));
  CHECK(worst <= margin);
}
