#pragma once

// Makes a gradient check one line in a test: CHECK_THAT(ag::gradcheck(f, {x, y}), PassesGradcheck());
// On failure Catch prints the report: the worst element, both gradients and the errors.

#include <autograd/gradcheck.hpp>

#include <catch2/catch.hpp>

namespace Catch {
template <>
struct StringMaker<ag::GradcheckReport> {
  static std::string convert(const ag::GradcheckReport& report) { return report.message; }
};
}  // namespace Catch

class PassesGradcheck : public Catch::MatcherBase<ag::GradcheckReport> {
 public:
  bool match(const ag::GradcheckReport& report) const override { return report.passed; }
  std::string describe() const override { return "passes gradcheck"; }
};
