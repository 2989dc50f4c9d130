// L-BFGS as torch/optim/lbfgs.py (1.13) computes it. Where Python keeps a quantity as a 0-dim
// tensor of the parameters' dtype (the curvature ys, ro, al, H_diag, the first step length),
// it is one here too, and the line search tracks which of its numbers are tensors (Num), so
// that the roundings match Python's.
#include "tensorgrad/optim/lbfgs.h"

#include <algorithm>
#include <cmath>

#include "optim/common.h"

namespace tg::optim {

LBFGSOptions::LBFGSOptions(double lr) : lr_(lr) {}
double LBFGSOptions::get_lr() const { return lr(); }
void LBFGSOptions::set_lr(const double lr) { this->lr(lr); }

namespace {

double value(const Tensor& t) { return t.item<double>(); }

// A number as Python's line search holds it: a Python float (double arithmetic) or a 0-dim
// tensor of the parameters' dtype. torch.optim.LBFGS mixes the two (losses are floats, the
// directional derivatives and the first step length are tensors), and an operation with a float32
// tensor operand is computed and rounded in float32; the step lengths it finds depend on that.
struct Num {
  double v = 0;
  bool single = false;  // a float32 tensor

  static Num of(const Tensor& t) { return {t.item<double>(), t.scalar_type() == kFloat}; }
  static Num combine(const Num& a, const Num& b, double (*op)(double, double),
                     float (*opf)(float, float)) {
    if (a.single || b.single)
      return {static_cast<double>(opf(static_cast<float>(a.v), static_cast<float>(b.v))), true};
    return {op(a.v, b.v), false};
  }
  // Comparison in the type the operands would be computed in.
  static int compare(const Num& a, const Num& b) {
    if (a.single || b.single) {
      const float x = static_cast<float>(a.v), y = static_cast<float>(b.v);
      return x < y ? -1 : x > y ? 1 : 0;
    }
    return a.v < b.v ? -1 : a.v > b.v ? 1 : 0;
  }
};
Num py(double v) { return {v, false}; }
Num operator+(Num a, Num b) {
  return Num::combine(
      a, b, [](double x, double y) { return x + y; }, [](float x, float y) { return x + y; });
}
Num operator-(Num a, Num b) {
  return Num::combine(
      a, b, [](double x, double y) { return x - y; }, [](float x, float y) { return x - y; });
}
Num operator*(Num a, Num b) {
  return Num::combine(
      a, b, [](double x, double y) { return x * y; }, [](float x, float y) { return x * y; });
}
Num operator/(Num a, Num b) {
  return Num::combine(
      a, b, [](double x, double y) { return x / y; }, [](float x, float y) { return x / y; });
}
Num operator-(Num a) { return {-a.v, a.single}; }
bool operator<(Num a, Num b) { return Num::compare(a, b) < 0; }
bool operator<=(Num a, Num b) { return Num::compare(a, b) <= 0; }
bool operator>(Num a, Num b) { return Num::compare(a, b) > 0; }
bool operator>=(Num a, Num b) { return Num::compare(a, b) >= 0; }
Num abs(Num a) { return {std::abs(a.v), a.single}; }
Num sqrt(Num a) {
  return a.single ? Num{static_cast<double>(std::sqrt(static_cast<float>(a.v))), true}
                  : Num{std::sqrt(a.v), false};
}
// Python's min and max return one of their arguments (the first of equals), type included.
Num min(Num a, Num b) { return b < a ? b : a; }
Num max(Num a, Num b) { return b > a ? b : a; }

// The minimiser of the cubic through (x1, f1, g1) and (x2, f2, g2), clamped to the bounds
// (default: the interval between x1 and x2); the bounds' midpoint when the cubic has none.
Num cubic_interpolate(Num x1, Num f1, Num g1, Num x2, Num f2, Num g2,
                      std::optional<std::pair<Num, Num>> bounds = std::nullopt) {
  Num xmin_bound, xmax_bound;
  if (bounds) {
    std::tie(xmin_bound, xmax_bound) = *bounds;
  } else if (x1 <= x2) {
    xmin_bound = x1;
    xmax_bound = x2;
  } else {
    xmin_bound = x2;
    xmax_bound = x1;
  }
  const Num d1 = g1 + g2 - py(3) * (f1 - f2) / (x1 - x2);
  const Num d2_square = d1 * d1 - g1 * g2;
  if (d2_square >= py(0)) {
    const Num d2 = sqrt(d2_square);
    const Num min_pos = x1 <= x2 ? x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + py(2) * d2))
                                 : x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + py(2) * d2));
    return min(max(min_pos, xmin_bound), xmax_bound);
  }
  return (xmin_bound + xmax_bound) / py(2.);
}

struct LineSearchResult {
  double f;
  Tensor g;
  Num t;
  int64_t evals;
};

// torch/optim/lbfgs.py's _strong_wolfe, step for step.
template <typename Obj>
LineSearchResult strong_wolfe(Obj&& obj_func, Num t, const Tensor& d, double f_value, Tensor g,
                              Num gtd, double c1_value = 1e-4, double c2_value = 0.9,
                              double tolerance_change_value = 1e-9, int64_t max_ls = 25) {
  const Num f = py(f_value), c1 = py(c1_value), c2 = py(c2_value);
  const Num tolerance_change = py(tolerance_change_value);
  const Num d_norm = Num::of(d.abs().max());
  g = g.clone();
  auto [f_new_value, g_new] = obj_func(t.v, d);
  Num f_new = py(f_new_value);
  int64_t ls_func_evals = 1;
  Num gtd_new = Num::of(g_new.dot(d));
  Num t_prev = py(0), f_prev = f, gtd_prev = gtd;
  Tensor g_prev = g;
  bool done = false;
  int64_t ls_iter = 0;
  std::vector<Num> bracket, bracket_f, bracket_gtd;
  std::vector<Tensor> bracket_g;
  while (ls_iter < max_ls) {
    if (f_new > (f + c1 * t * gtd) || (ls_iter > 1 && f_new >= f_prev)) {
      bracket = {t_prev, t};
      bracket_f = {f_prev, f_new};
      bracket_g = {g_prev, g_new.clone()};
      bracket_gtd = {gtd_prev, gtd_new};
      break;
    }
    if (abs(gtd_new) <= -c2 * gtd) {
      bracket = {t};
      bracket_f = {f_new};
      bracket_g = {g_new};
      done = true;
      break;
    }
    if (gtd_new >= py(0)) {
      bracket = {t_prev, t};
      bracket_f = {f_prev, f_new};
      bracket_g = {g_prev, g_new.clone()};
      bracket_gtd = {gtd_prev, gtd_new};
      break;
    }
    // Extrapolate within [t + 0.01 (t - t_prev), 10 t].
    const Num min_step = t + py(0.01) * (t - t_prev);
    const Num max_step = t * py(10);
    const Num tmp = t;
    t = cubic_interpolate(t_prev, f_prev, gtd_prev, t, f_new, gtd_new,
                          std::make_pair(min_step, max_step));
    t_prev = tmp;
    f_prev = f_new;
    g_prev = g_new.clone();
    gtd_prev = gtd_new;
    std::tie(f_new_value, g_new) = obj_func(t.v, d);
    f_new = py(f_new_value);
    ++ls_func_evals;
    gtd_new = Num::of(g_new.dot(d));
    ++ls_iter;
  }
  if (ls_iter == max_ls) {
    bracket = {py(0), t};
    bracket_f = {f, f_new};
    bracket_g = {g, g_new};
  }

  // Zoom into the bracket until the strong Wolfe conditions hold.
  bool insuf_progress = false;
  size_t low_pos = 0, high_pos = 1;
  if (bracket_f.size() == 2 && bracket_f[0] > bracket_f[1]) std::swap(low_pos, high_pos);
  while (!done && ls_iter < max_ls) {
    if (abs(bracket[1] - bracket[0]) * d_norm < tolerance_change) break;
    t = cubic_interpolate(bracket[0], bracket_f[0], bracket_gtd[0], bracket[1], bracket_f[1],
                          bracket_gtd[1]);
    const Num hi = max(bracket[0], bracket[1]), lo = min(bracket[0], bracket[1]);
    const Num eps = py(0.1) * (hi - lo);
    if (min(hi - t, t - lo) < eps) {
      // Too close to an end of the bracket: move away from it, unless progress was fine.
      if (insuf_progress || t >= hi || t <= lo) {
        t = abs(t - hi) < abs(t - lo) ? hi - eps : lo + eps;
        insuf_progress = false;
      } else {
        insuf_progress = true;
      }
    } else {
      insuf_progress = false;
    }
    std::tie(f_new_value, g_new) = obj_func(t.v, d);
    f_new = py(f_new_value);
    ++ls_func_evals;
    gtd_new = Num::of(g_new.dot(d));
    ++ls_iter;
    if (f_new > (f + c1 * t * gtd) || f_new >= bracket_f[low_pos]) {
      bracket[high_pos] = t;
      bracket_f[high_pos] = f_new;
      bracket_g[high_pos] = g_new.clone();
      bracket_gtd[high_pos] = gtd_new;
      if (bracket_f[0] <= bracket_f[1]) {
        low_pos = 0;
        high_pos = 1;
      } else {
        low_pos = 1;
        high_pos = 0;
      }
    } else {
      if (abs(gtd_new) <= -c2 * gtd) {
        done = true;
      } else if (gtd_new * (bracket[high_pos] - bracket[low_pos]) >= py(0)) {
        bracket[high_pos] = bracket[low_pos];
        bracket_f[high_pos] = bracket_f[low_pos];
        bracket_g[high_pos] = bracket_g[low_pos];
        bracket_gtd[high_pos] = bracket_gtd[low_pos];
      }
      bracket[low_pos] = t;
      bracket_f[low_pos] = f_new;
      bracket_g[low_pos] = g_new.clone();
      bracket_gtd[low_pos] = gtd_new;
    }
  }
  return {bracket_f[low_pos].v, bracket_g[low_pos], bracket[low_pos], ls_func_evals};
}

}  // namespace

LBFGS::LBFGS(std::vector<OptimizerParamGroup> param_groups, LBFGSOptions defaults)
    : Optimizer(std::move(param_groups), std::make_unique<LBFGSOptions>(defaults)) {
  TG_CHECK(param_groups_.size() == 1,
           "LBFGS doesn't support per-parameter options (parameter groups)");
  const auto& o = detail::options_as<LBFGSOptions>(param_groups_[0], "LBFGS");
  TG_CHECK(!o.line_search_fn() || *o.line_search_fn() == "strong_wolfe",
           "LBFGS: only 'strong_wolfe' is supported");
  for (const auto& p : param_groups_[0].params()) numel_ += p.numel();
}

Tensor LBFGS::gather_flat_grad() const {
  std::vector<Tensor> views;
  for (const auto& p : param_groups_[0].params())
    views.push_back(p.grad().defined() ? p.grad().reshape({-1})
                                       : tg::zeros({p.numel()}, p.dtype()));
  return tg::cat(views, 0);
}

void LBFGS::add_grad(double step_size, const Tensor& update) {
  int64_t offset = 0;
  for (auto& p : param_groups_[0].params()) {
    const int64_t n = p.numel();
    p.add_(update.slice(0, offset, offset + n).view(p.sizes()), step_size);
    offset += n;
  }
}

std::pair<double, Tensor> LBFGS::directional_evaluate(const LossClosure& closure,
                                                      const std::vector<Tensor>& x, double t,
                                                      const Tensor& d) {
  add_grad(t, d);
  const double loss = value(detail::evaluate_closure(closure));
  Tensor flat_grad = gather_flat_grad();
  auto& params = param_groups_[0].params();
  for (size_t i = 0; i < params.size(); ++i) params[i].copy_(x[i]);
  return {loss, flat_grad};
}

Tensor LBFGS::step(LossClosure closure) {
  TG_CHECK(closure != nullptr, "LBFGS: step() requires a closure that reevaluates the model");
  NoGradGuard no_grad;
  const auto& o = detail::options_as<LBFGSOptions>(param_groups_[0], "LBFGS");
  const double lr = o.lr();
  const int64_t max_iter = o.max_iter();
  const int64_t max_eval = o.max_eval().value_or(max_iter * 5 / 4);
  const double tolerance_grad = o.tolerance_grad(), tolerance_change = o.tolerance_change();
  const int64_t history_size = o.history_size();
  auto& params = param_groups_[0].params();
  TG_CHECK(!params.empty(), "LBFGS: no parameters to optimize");

  auto& state =
      param_state<LBFGSParamState>(params[0], [] { return std::make_unique<LBFGSParamState>(); });

  Tensor orig_loss = detail::evaluate_closure(closure);
  double loss = value(orig_loss);
  int64_t current_evals = 1;
  state.func_evals(state.func_evals() + 1);
  Tensor flat_grad = gather_flat_grad();
  bool opt_cond = value(flat_grad.abs().max()) <= tolerance_grad;
  if (opt_cond) return orig_loss;

  Tensor d = state.d(), t = state.t(), H_diag = state.H_diag();
  Tensor prev_flat_grad = state.prev_flat_grad();
  double prev_loss = state.prev_loss();
  auto& old_dirs = state.old_dirs();
  auto& old_stps = state.old_stps();
  auto& ro = state.ro();
  auto& al = state.al();

  int64_t n_iter = 0;
  while (n_iter < max_iter) {
    ++n_iter;
    state.n_iter(state.n_iter() + 1);

    // The direction: steepest descent first, then the two-loop recursion.
    if (state.n_iter() == 1) {
      d = flat_grad.neg();
      old_dirs.clear();
      old_stps.clear();
      ro.clear();
      H_diag = tg::ones({}, flat_grad.dtype());
    } else {
      Tensor y = flat_grad.sub(prev_flat_grad);
      Tensor s = d.mul(t);
      Tensor ys = y.dot(s);
      if (value(ys) > 1e-10) {
        if (static_cast<int64_t>(old_dirs.size()) == history_size) {
          old_dirs.pop_front();
          old_stps.pop_front();
          ro.pop_front();
        }
        old_dirs.push_back(y);
        old_stps.push_back(s);
        ro.push_back(1. / ys);
        H_diag = ys / y.dot(y);
      }
      const size_t num_old = old_dirs.size();
      if (al.size() < static_cast<size_t>(history_size))
        al.resize(static_cast<size_t>(history_size));
      Tensor q = flat_grad.neg();
      for (size_t k = num_old; k-- > 0;) {
        al[k] = old_stps[k].dot(q) * ro[k];
        q.add_(old_dirs[k], -value(al[k]));
      }
      d = q.mul(H_diag);
      for (size_t k = 0; k < num_old; ++k) {
        Tensor be_i = old_dirs[k].dot(d) * ro[k];
        d.add_(old_stps[k], value(al[k] - be_i));
      }
    }
    if (!prev_flat_grad.defined()) {
      prev_flat_grad = flat_grad.clone();
    } else {
      prev_flat_grad.copy_(flat_grad);
    }
    prev_loss = loss;

    // The step length: the first is scaled by the gradient's size, min(1, 1 / |g|_1) * lr.
    if (state.n_iter() == 1) {
      Tensor inv = 1. / flat_grad.abs().sum();
      // A tensor of the gradient's dtype when 1 / |g|_1 wins, a double otherwise, as in Python.
      t = value(inv) < 1. ? inv * lr : tg::full({}, lr, kDouble);
    } else {
      t = tg::full({}, lr, kDouble);
    }
    Tensor gtd = flat_grad.dot(d);
    if (value(gtd) > -tolerance_change) break;

    int64_t ls_func_evals = 0;
    if (o.line_search_fn()) {
      std::vector<Tensor> x_init;
      for (const auto& p : params) x_init.push_back(p.clone());
      auto obj_func = [&](double step, const Tensor& dir) {
        return directional_evaluate(closure, x_init, step, dir);
      };
      // t is a Python float (held as a double tensor) or a tensor of the gradient's dtype.
      const Num t0{value(t), t.scalar_type() == kFloat};
      LineSearchResult r = strong_wolfe(obj_func, t0, d, loss, flat_grad, Num::of(gtd));
      loss = r.f;
      flat_grad = r.g;
      t = tg::full({}, r.t.v, r.t.single ? kFloat : kDouble);
      ls_func_evals = r.evals;
      add_grad(r.t.v, d);
      opt_cond = value(flat_grad.abs().max()) <= tolerance_grad;
    } else {
      add_grad(value(t), d);
      if (n_iter != max_iter) {
        loss = value(detail::evaluate_closure(closure));
        flat_grad = gather_flat_grad();
        opt_cond = value(flat_grad.abs().max()) <= tolerance_grad;
        ls_func_evals = 1;
      }
    }
    current_evals += ls_func_evals;
    state.func_evals(state.func_evals() + ls_func_evals);

    if (n_iter == max_iter) break;
    if (current_evals >= max_eval) break;
    if (opt_cond) break;
    if (value(d.mul(t).abs().max()) <= tolerance_change) break;
    if (std::abs(loss - prev_loss) < tolerance_change) break;
  }

  state.d(d);
  state.t(t);
  state.H_diag(H_diag);
  state.prev_flat_grad(prev_flat_grad);
  state.prev_loss(prev_loss);
  return orig_loss;
}

}  // namespace tg::optim
