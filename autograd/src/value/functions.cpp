// The elementary functions of a Value, each with its derivative.

#include "value/record.hpp"

namespace ag {

using detail::input_data;
using detail::record;

Value Value::pow(double exponent) const {
  const double x = input_data("pow", *this);
  return record("pow", std::pow(x, exponent), *this, exponent * std::pow(x, exponent - 1.0));
}

Value Value::exp() const {
  const double e = std::exp(input_data("exp", *this));
  return record("exp", e, *this, e);
}

Value Value::log() const {
  const double v = input_data("log", *this);
  return record("log", std::log(v), *this, 1.0 / v);
}

Value Value::sqrt() const {
  const double root = std::sqrt(input_data("sqrt", *this));
  return record("sqrt", root, *this, 0.5 / root);
}

Value Value::abs() const {
  const double v = input_data("abs", *this);
  return record("abs", std::abs(v), *this, v > 0.0 ? 1.0 : v < 0.0 ? -1.0 : 0.0);
}

Value Value::tanh() const {
  const double t = std::tanh(input_data("tanh", *this));
  return record("tanh", t, *this, 1.0 - t * t);
}

Value Value::sigmoid() const {
  const double s = 1.0 / (1.0 + std::exp(-input_data("sigmoid", *this)));
  return record("sigmoid", s, *this, s * (1.0 - s));
}

Value Value::relu() const {
  const double v = input_data("relu", *this);
  return record("relu", v > 0.0 ? v : 0.0, *this, v > 0.0 ? 1.0 : 0.0);
}

}  // namespace ag
