// float32 convolutions on oneDNN's primitives: forward, backward data and backward weights. ag's tensors are NCHW;
// the primitives are left to pick their own layouts (blocked, nChw8c and the like, where their fastest kernels run),
// and the operands are reordered from and to NCHW around each call. Measured against computing on NCHW directly
// (oneDNN then runs its own im2col and sgemm, "gemm:jit"), the blocked kernels with their reorders took 0.4x-0.6x of
// the time on the Fashion-MNIST CNN's layers (bench/conv_kernels.cpp).

#include <autograd/error.hpp>

#include "../kernels.hpp"
#include "convolution_kernels.hpp"

#include <oneapi/dnnl/dnnl.hpp>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <unordered_map>
#include <vector>

namespace ag::kernels::conv {

namespace {

using dnnl::memory;
using Tag = memory::format_tag;

const dnnl::engine& cpu_engine() {
  static const dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

memory::desc nchw_desc(const memory::dims& dims) { return {dims, memory::data_type::f32, Tag::nchw}; }
memory::desc any_desc(const memory::dims& dims) { return {dims, memory::data_type::f32, Tag::any}; }

memory::dims src_dims(const Geometry& g) { return {g.batch, g.channels, g.height, g.width}; }
memory::dims dst_dims(const Geometry& g) { return {g.batch, g.out_channels, g.out_h, g.out_w}; }
// With groups, oneDNN reads the same OIHW buffer as [groups, out / groups, in / groups, kH, kW].
memory::dims weight_dims(const Geometry& g) {
  if (g.p.groups == 1) return {g.out_channels, g.channels, g.kernel_h, g.kernel_w};
  return {g.p.groups, g.group_out_channels(), g.group_channels(), g.kernel_h, g.kernel_w};
}
memory::desc user_weight_desc(const Geometry& g) {
  return {weight_dims(g), memory::data_type::f32, g.p.groups == 1 ? Tag::oihw : Tag::goihw};
}
memory::desc bias_desc(const Geometry& g) { return {{g.out_channels}, memory::data_type::f32, Tag::x}; }
memory::dims strides(const Geometry& g) { return {g.p.stride[0], g.p.stride[1]}; }
memory::dims dilates(const Geometry& g) { return {g.p.dilation[0] - 1, g.p.dilation[1] - 1}; }  // 0 is undilated
memory::dims padding(const Geometry& g) { return {g.p.padding[0], g.p.padding[1]}; }

dnnl::convolution_forward::primitive_desc forward_pd(const Geometry& g, bool with_bias) {
  const auto desc =
      with_bias
          ? dnnl::convolution_forward::desc(dnnl::prop_kind::forward_training, dnnl::algorithm::convolution_direct,
                                            any_desc(src_dims(g)), any_desc(weight_dims(g)), bias_desc(g),
                                            any_desc(dst_dims(g)), strides(g), dilates(g), padding(g), padding(g))
          : dnnl::convolution_forward::desc(dnnl::prop_kind::forward_training, dnnl::algorithm::convolution_direct,
                                            any_desc(src_dims(g)), any_desc(weight_dims(g)), any_desc(dst_dims(g)),
                                            strides(g), dilates(g), padding(g), padding(g));
  return {desc, cpu_engine()};
}

// An operand of the primitive: its NCHW (or OIHW) layout in ag, the layout the primitive computes on, and the reorder
// between the two (from ag's for an input, to ag's for the output), an empty handle when they agree.
struct Operand {
  memory::desc user;
  memory::desc wanted;
  dnnl::primitive reorder;
};

Operand input_operand(const memory::desc& user, const memory::desc& wanted) {
  if (user == wanted) return {user, wanted, {}};
  return {user, wanted, dnnl::reorder(dnnl::reorder::primitive_desc(cpu_engine(), user, cpu_engine(), wanted))};
}

Operand output_operand(const memory::desc& user, const memory::desc& wanted) {
  if (user == wanted) return {user, wanted, {}};
  return {user, wanted, dnnl::reorder(dnnl::reorder::primitive_desc(cpu_engine(), wanted, cpu_engine(), user))};
}

}  // namespace

// A convolution pass ready to run: the primitive and its two inputs and output, made once per thread, pass and
// geometry (making the primitive descriptors costs more than a small convolution).
struct OnednnPlan {
  Pass pass;
  bool with_bias;
  int threads;  // oneDNN fixes a primitive's thread count when it creates it
  Geometry geometry;
  dnnl::primitive primitive;
  Operand a, b, out;  // forward: src, weights, dst; backward data: diff_dst, weights, diff_src;
                      // backward weights: src, diff_dst, diff_weights
};

namespace {

bool same_geometry(const Geometry& x, const Geometry& y) {
  return x.p.stride == y.p.stride && x.p.padding == y.p.padding && x.p.dilation == y.p.dilation &&
         x.p.groups == y.p.groups && x.batch == y.batch && x.channels == y.channels && x.height == y.height &&
         x.width == y.width && x.out_channels == y.out_channels && x.kernel_h == y.kernel_h && x.kernel_w == y.kernel_w;
}

OnednnPlan make_plan(Pass pass, const Geometry& g, bool with_bias, int threads) {
  OnednnPlan plan{pass, with_bias, threads, g, {}, {}, {}, {}};
  const memory::desc src = nchw_desc(src_dims(g));
  const memory::desc dst = nchw_desc(dst_dims(g));
  const memory::desc weights = user_weight_desc(g);
  const auto hint = forward_pd(g, with_bias);
  switch (pass) {
    case Pass::Forward:
      plan.primitive = dnnl::convolution_forward(hint);
      plan.a = input_operand(src, hint.src_desc());
      plan.b = input_operand(weights, hint.weights_desc());
      plan.out = output_operand(dst, hint.dst_desc());
      break;
    case Pass::BackwardData: {
      const dnnl::convolution_backward_data::primitive_desc pd(
          dnnl::convolution_backward_data::desc(dnnl::algorithm::convolution_direct, any_desc(src_dims(g)),
                                                any_desc(weight_dims(g)), any_desc(dst_dims(g)), strides(g), dilates(g),
                                                padding(g), padding(g)),
          cpu_engine(), hint);
      plan.primitive = dnnl::convolution_backward_data(pd);
      plan.a = input_operand(dst, pd.diff_dst_desc());
      plan.b = input_operand(weights, pd.weights_desc());
      plan.out = output_operand(src, pd.diff_src_desc());
      break;
    }
    case Pass::BackwardWeights: {
      const dnnl::convolution_backward_weights::primitive_desc pd(
          dnnl::convolution_backward_weights::desc(dnnl::algorithm::convolution_direct, any_desc(src_dims(g)),
                                                   any_desc(weight_dims(g)), any_desc(dst_dims(g)), strides(g),
                                                   dilates(g), padding(g), padding(g)),
          cpu_engine(), hint);
      plan.primitive = dnnl::convolution_backward_weights(pd);
      plan.a = input_operand(src, pd.src_desc());
      plan.b = input_operand(dst, pd.diff_dst_desc());
      plan.out = output_operand(weights, pd.diff_weights_desc());
      break;
    }
  }
  return plan;
}

PlanRef plan_for(Pass pass, const Geometry& g, bool with_bias) {
  // A model has a handful of convolutions; the list is dropped whole if shapes keep changing (a trace holding one of
  // its plans keeps that one).
  constexpr std::size_t kMaxPlans = 64;
  thread_local std::vector<PlanRef> plans;
  const int threads = kernels::apply_dnnl_threads();  // before creating a primitive, which takes the count in effect
  for (const PlanRef& plan : plans)
    if (plan->pass == pass && plan->with_bias == with_bias && plan->threads == threads &&
        same_geometry(plan->geometry, g))
      return plan;
  if (plans.size() == kMaxPlans) plans.clear();
  try {
    plans.push_back(std::make_shared<const OnednnPlan>(make_plan(pass, g, with_bias, threads)));
  } catch (const dnnl::error& e) {
    fail(
        "convolution: oneDNN has no float32 convolution of input [{}, {}, {}, {}] with weight [{}, {}, {}, {}] "
        "(stride ({}, {}), padding ({}, {}), dilation ({}, {}), groups {}): {}",
        g.batch, g.channels, g.height, g.width, g.out_channels, g.group_channels(), g.kernel_h, g.kernel_w,
        g.p.stride[0], g.p.stride[1], g.p.padding[0], g.p.padding[1], g.p.dilation[0], g.p.dilation[1], g.p.groups,
        e.what());
  }
  return plans.back();
}

dnnl::stream& thread_stream() {
  thread_local dnnl::stream stream(cpu_engine());
  return stream;
}

// The operand's values in the layout the primitive wants: ag's buffer itself, or a reordered copy.
memory prepare_input(const Operand& operand, const float* data) {
  memory given(operand.user, cpu_engine(), const_cast<float*>(data));  // oneDNN only reads its inputs
  if (!operand.reorder) return given;
  memory converted(operand.wanted, cpu_engine());
  operand.reorder.execute(thread_stream(), {{DNNL_ARG_FROM, given}, {DNNL_ARG_TO, converted}});
  return converted;
}

// Runs the plan's primitive on a and b into `out` (ag's buffer), with `extra` (the bias) if not null.
void run(const OnednnPlan& plan, const float* a, const float* b, const float* extra, float* out) {
  try {
    const memory a_memory = prepare_input(plan.a, a);
    const memory b_memory = prepare_input(plan.b, b);
    const memory user_out(plan.out.user, cpu_engine(), out);
    const memory computed = plan.out.reorder ? memory(plan.out.wanted, cpu_engine()) : user_out;
    std::unordered_map<int, memory> args;
    switch (plan.pass) {
      case Pass::Forward:
        args = {{DNNL_ARG_SRC, a_memory}, {DNNL_ARG_WEIGHTS, b_memory}, {DNNL_ARG_DST, computed}};
        if (extra)
          args.emplace(DNNL_ARG_BIAS, memory(bias_desc(plan.geometry), cpu_engine(), const_cast<float*>(extra)));
        break;
      case Pass::BackwardData:
        args = {{DNNL_ARG_DIFF_DST, a_memory}, {DNNL_ARG_WEIGHTS, b_memory}, {DNNL_ARG_DIFF_SRC, computed}};
        break;
      case Pass::BackwardWeights:
        args = {{DNNL_ARG_SRC, a_memory}, {DNNL_ARG_DIFF_DST, b_memory}, {DNNL_ARG_DIFF_WEIGHTS, computed}};
        break;
    }
    plan.primitive.execute(thread_stream(), args);
    if (plan.out.reorder)
      plan.out.reorder.execute(thread_stream(), {{DNNL_ARG_FROM, computed}, {DNNL_ARG_TO, user_out}});
    thread_stream().wait();
  } catch (const dnnl::error& e) {  // an allocation for a reordered copy, say
    const Geometry& g = plan.geometry;
    fail("convolution: oneDNN failed on input [{}, {}, {}, {}] with weight [{}, {}, {}, {}]: {}", g.batch, g.channels,
         g.height, g.width, g.out_channels, g.group_channels(), g.kernel_h, g.kernel_w, e.what());
  }
}

// oneDNN refuses tensors with a zero size; their convolutions are sums over nothing.
bool is_empty(const Geometry& g) {
  return g.batch == 0 || g.channels == 0 || g.out_channels == 0 || g.out_plane() == 0;
}

// The plan to run now: `plan`, or the one for the thread count in effect if that changed since `plan` was made.
const OnednnPlan& current(PlanRef& plan) {
  if (plan->threads != kernels::apply_dnnl_threads()) plan = plan_for(plan->pass, plan->geometry, plan->with_bias);
  return *plan;
}

}  // namespace

PlanRef onednn_plan(Pass pass, const Geometry& g, bool with_bias) {
  return is_empty(g) ? nullptr : plan_for(pass, g, with_bias);
}

void onednn_forward(PlanRef& plan, const Geometry& g, const float* x, const float* weight, const float* bias,
                    float* y) {
  if (!plan) {
    for (std::int64_t n = 0; n < g.batch; ++n)
      for (std::int64_t o = 0; o < g.out_channels; ++o)
        std::fill_n(y + (n * g.out_channels + o) * g.out_plane(), g.out_plane(), bias ? bias[o] : 0.0f);
    return;
  }
  run(current(plan), x, weight, bias, y);
}

void onednn_input_grad(PlanRef& plan, const Geometry& g, const float* dy, const float* weight, float* dx) {
  if (!plan) {
    std::fill_n(dx, g.batch * g.channels * g.in_plane(), 0.0f);
    return;
  }
  run(current(plan), dy, weight, nullptr, dx);
}

void onednn_weight_grad(PlanRef& plan, const Geometry& g, const float* x, const float* dy, float* dweight) {
  if (!plan) {
    std::fill_n(dweight, g.out_channels * g.col_rows(), 0.0f);
    return;
  }
  run(current(plan), x, dy, nullptr, dweight);
}

}  // namespace ag::kernels::conv
