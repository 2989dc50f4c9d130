// What the trajectory suites (test_optimizers.cpp, test_optimizers_more.cpp) share: reading a
// fixture file of scripts/make_optim_fixtures.py, its tensors and cases, the problems' data and
// losses, and a case's parameter groups.
#pragma once

#include <tensorgrad/optim.h>
#include <tensorgrad/tensorgrad.h>

#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace tg_optim_test {

using nlohmann::json;

// The parsed file tests/fixtures/optim/<name>, or null when it is missing.
inline json load_fixture(const std::string& name) {
  std::ifstream f(std::string(TG_FIXTURE_DIR) + "/optim/" + name);
  if (!f) return json();
  return json::parse(f);
}

inline tg::Tensor from_json(const json& t) {
  return tg::tensor(t.at("values").get<std::vector<float>>())
      .reshape(t.at("shape").get<std::vector<int64_t>>());
}

inline std::vector<float> to_vector(const tg::Tensor& t) {
  tg::Tensor c = t.detach().contiguous();
  return std::vector<float>(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
}

// A case is named by its name and its problem ("sgd_momentum_quad").
inline std::string case_name(const json& c) {
  return c["name"].get<std::string>() + "_" + c["problem"].get<std::string>();
}
inline std::vector<std::string> case_names(const json& fixture) {
  std::vector<std::string> names;
  if (!fixture.is_null())
    for (const auto& c : fixture["cases"]) names.push_back(case_name(c));
  return names;
}
inline const json* find_case(const json& fixture, const std::string& name) {
  for (const auto& c : fixture["cases"])
    if (case_name(c) == name) return &c;
  return nullptr;
}

// A problem's data and its initial parameters W and b (requiring grad).
struct Problem {
  std::map<std::string, tg::Tensor> data, params;
};
inline Problem load_problem(const json& fixture, const std::string& problem) {
  const json& p = fixture["problems"][problem];
  Problem out;
  for (const auto& [k, v] : p["data"].items()) out.data[k] = from_json(v);
  for (const auto& [k, v] : p["init"].items()) out.params[k] = from_json(v).requires_grad_();
  return out;
}

// "quad": a separable quartic whose gradients are PyTorch's bit for bit; "mlp": a tanh layer.
inline tg::Tensor loss_fn(const std::string& problem, const std::map<std::string, tg::Tensor>& d,
                          const tg::Tensor& W, const tg::Tensor& b) {
  if (problem == "quad")
    return (d.at("A") * (W - d.at("T")).pow(2)).sum() + 0.1 * W.pow(4).sum() +
           (d.at("B") * (b - d.at("U")).pow(2)).sum();
  tg::Tensor h = tg::tanh(d.at("X").matmul(W) + b);
  return (h - d.at("Y")).pow(2).sum() + 0.01 * W.pow(2).sum();
}

// The case's parameter groups (each with options_for(kind, its options)), or one group of W and b.
template <typename OptionsFor>
std::vector<tg::optim::OptimizerParamGroup> param_groups(
    const json& c, const std::map<std::string, tg::Tensor>& params, OptionsFor options_for) {
  const std::string kind = c.at("optimizer");
  std::vector<tg::optim::OptimizerParamGroup> groups;
  if (c.contains("groups")) {
    for (const auto& g : c["groups"]) {
      std::vector<tg::Tensor> ps;
      for (const auto& n : g.at("params")) ps.push_back(params.at(n.get<std::string>()));
      groups.emplace_back(ps, options_for(kind, g.at("options")));
    }
  } else {
    groups.emplace_back(std::vector<tg::Tensor>{params.at("W"), params.at("b")});
  }
  return groups;
}

}  // namespace tg_optim_test
