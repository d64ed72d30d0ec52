// + - * / and negation of Values; a number on either side is a constant with no node of its own.

#include "value/record.hpp"

namespace ag {

using detail::input_data;
using detail::record;

Value operator+(const Value& a, const Value& b) {
  return record("+", input_data("+", a) + input_data("+", b), a, 1.0, b, 1.0);
}
Value operator+(const Value& a, double b) { return record("+", input_data("+", a) + b, a, 1.0); }
Value operator+(double a, const Value& b) { return record("+", a + input_data("+", b), b, 1.0); }

Value operator-(const Value& a, const Value& b) {
  return record("-", input_data("-", a) - input_data("-", b), a, 1.0, b, -1.0);
}
Value operator-(const Value& a, double b) { return record("-", input_data("-", a) - b, a, 1.0); }
Value operator-(double a, const Value& b) { return record("-", a - input_data("-", b), b, -1.0); }

Value operator*(const Value& a, const Value& b) {
  const double x = input_data("*", a);
  const double y = input_data("*", b);
  return record("*", x * y, a, y, b, x);
}
Value operator*(const Value& a, double b) { return record("*", input_data("*", a) * b, a, b); }
Value operator*(double a, const Value& b) { return record("*", a * input_data("*", b), b, a); }

Value operator/(const Value& a, const Value& b) {
  const double x = input_data("/", a);
  const double y = input_data("/", b);
  return record("/", x / y, a, 1.0 / y, b, -x / (y * y));
}
Value operator/(const Value& a, double b) { return record("/", input_data("/", a) / b, a, 1.0 / b); }
Value operator/(double a, const Value& b) {
  const double y = input_data("/", b);
  return record("/", a / y, b, -a / (y * y));
}

Value operator-(const Value& a) { return record("neg", -input_data("neg", a), a, -1.0); }

}  // namespace ag
