// Optimizer state in Python's Optimizer.state_dict() layout (torch/optim/optimizer.py), with the
// group keys and per-parameter state of PyTorch 1.13's SGD, Adam, AdamW, RMSprop and Adagrad, and
// the conversion from libtorch 1.13's optimizer archives (torch/optim/serialize.h: "state" keyed by
// TensorImpl addresses, "param_groups" with "params/<i>" naming those keys, "options").
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "tensorgrad/autograd.h"
#include "tensorgrad/optim.h"
#include "tensorgrad/serialize.h"

namespace tg::optim {
namespace {

// What a group's options hold, field by field, for one optimizer type.
struct Field {
  enum Kind { Double, Bool, Betas } kind;
  const char* name;
};

// A field's value as Python writes it: None for PyTorch's options that tensorgrad has no use for.
struct Constant {
  const char* name;
  IValue value;
};

struct Kind {
  const char* name;
  std::vector<Field> fields;
  std::vector<Constant> constants;   // written for Python's sake, ignored on reading
  std::vector<const char*> tensors;  // per-parameter state tensors
  enum Step { NoStep, StepTensor, StepInt } step;
};

const Kind kSGD{"SGD",
                {{Field::Double, "lr"},
                 {Field::Double, "momentum"},
                 {Field::Double, "dampening"},
                 {Field::Double, "weight_decay"},
                 {Field::Bool, "nesterov"}},
                {{"maximize", false}, {"foreach", IValue()}, {"differentiable", false}},
                {"momentum_buffer"},
                Kind::NoStep};
const Kind kAdam{"Adam",
                 {{Field::Double, "lr"},
                  {Field::Betas, "betas"},
                  {Field::Double, "eps"},
                  {Field::Double, "weight_decay"},
                  {Field::Bool, "amsgrad"}},
                 {{"maximize", false},
                  {"foreach", IValue()},
                  {"capturable", false},
                  {"differentiable", false},
                  {"fused", false}},
                 {"exp_avg", "exp_avg_sq", "max_exp_avg_sq"},
                 Kind::StepTensor};
const Kind kAdamW{"AdamW",
                  {{Field::Double, "lr"},
                   {Field::Betas, "betas"},
                   {Field::Double, "eps"},
                   {Field::Double, "weight_decay"},
                   {Field::Bool, "amsgrad"}},
                  {{"foreach", IValue()}, {"maximize", false}, {"capturable", false}},
                  {"exp_avg", "exp_avg_sq", "max_exp_avg_sq"},
                  Kind::StepTensor};
const Kind kRMSprop{"RMSprop",
                    {{Field::Double, "lr"},
                     {Field::Double, "momentum"},
                     {Field::Double, "alpha"},
                     {Field::Double, "eps"},
                     {Field::Bool, "centered"},
                     {Field::Double, "weight_decay"}},
                    {{"foreach", IValue()}, {"maximize", false}, {"differentiable", false}},
                    {"square_avg", "momentum_buffer", "grad_avg"},
                    Kind::StepInt};
const Kind kAdagrad{"Adagrad",
                    {{Field::Double, "lr"},
                     {Field::Double, "lr_decay"},
                     {Field::Double, "eps"},
                     {Field::Double, "weight_decay"},
                     {Field::Double, "initial_accumulator_value"}},
                    {{"foreach", IValue()}, {"maximize", false}},
                    {"sum"},
                    Kind::StepTensor};

// Reads and writes one optimizer type's options and state through their TG_ARG accessors.
struct Access {
  const Kind* kind = nullptr;
  std::function<IValue(const OptimizerOptions&, const Field&)> get_option;
  std::function<void(OptimizerOptions&, const Field&, const IValue&)> set_option;
  std::function<std::unique_ptr<OptimizerParamState>()> make_state;
  std::function<Tensor*(OptimizerParamState&, const std::string&)> state_tensor;
  std::function<int64_t*(OptimizerParamState&)> state_step;
};

template <typename O>
IValue get_field(const O& o, const Field& f) {
  const std::string n = f.name;
  if constexpr (std::is_same_v<O, SGDOptions>) {
    if (n == "lr") return o.lr();
    if (n == "momentum") return o.momentum();
    if (n == "dampening") return o.dampening();
    if (n == "weight_decay") return o.weight_decay();
    if (n == "nesterov") return o.nesterov();
  } else if constexpr (std::is_same_v<O, AdamOptions> || std::is_same_v<O, AdamWOptions>) {
    if (n == "lr") return o.lr();
    if (n == "betas") return IValue::tuple({std::get<0>(o.betas()), std::get<1>(o.betas())});
    if (n == "eps") return o.eps();
    if (n == "weight_decay") return o.weight_decay();
    if (n == "amsgrad") return o.amsgrad();
  } else if constexpr (std::is_same_v<O, RMSpropOptions>) {
    if (n == "lr") return o.lr();
    if (n == "momentum") return o.momentum();
    if (n == "alpha") return o.alpha();
    if (n == "eps") return o.eps();
    if (n == "centered") return o.centered();
    if (n == "weight_decay") return o.weight_decay();
  } else if constexpr (std::is_same_v<O, AdagradOptions>) {
    if (n == "lr") return o.lr();
    if (n == "lr_decay") return o.lr_decay();
    if (n == "eps") return o.eps();
    if (n == "weight_decay") return o.weight_decay();
    if (n == "initial_accumulator_value") return o.initial_accumulator_value();
  }
  TG_ERROR("optimizer state: no option '", n, "'");
}

double number(const IValue& v, const std::string& what) {
  if (v.isDouble()) return v.toDouble();
  if (v.isInt()) return static_cast<double>(v.toInt());
  if (v.isTensor() && v.toTensor().numel() == 1) return v.toTensor().item<double>();
  TG_ERROR("optimizer state: ", what, " is a ", v.tagKind(), ", not a number");
}

bool boolean(const IValue& v, const std::string& what) {
  if (v.isBool()) return v.toBool();
  TG_ERROR("optimizer state: ", what, " is a ", v.tagKind(), ", not a bool");
}

template <typename O>
void set_field(O& o, const Field& f, const IValue& v) {
  const std::string n = f.name;
  if (f.kind == Field::Bool) {
    const bool b = boolean(v, n);
    if constexpr (std::is_same_v<O, SGDOptions>) o.nesterov(b);
    if constexpr (std::is_same_v<O, AdamOptions> || std::is_same_v<O, AdamWOptions>) o.amsgrad(b);
    if constexpr (std::is_same_v<O, RMSpropOptions>) o.centered(b);
    return;
  }
  if (f.kind == Field::Betas) {
    TG_CHECK(v.isTuple() || v.isGenericList() || v.isDoubleList(), "optimizer state: betas is a ",
             v.tagKind(), ", not a pair of numbers");
    std::vector<double> b;
    if (v.isDoubleList()) {
      b = v.toDoubleList();
    } else {
      for (const auto& e : v.isTuple() ? v.toTupleRef() : v.toList()) b.push_back(number(e, n));
    }
    TG_CHECK(b.size() == 2, "optimizer state: betas has ", b.size(), " numbers, not 2");
    if constexpr (std::is_same_v<O, AdamOptions> || std::is_same_v<O, AdamWOptions>)
      o.betas(std::make_tuple(b[0], b[1]));
    return;
  }
  const double d = number(v, n);
  if constexpr (std::is_same_v<O, SGDOptions>) {
    if (n == "lr") o.lr(d);
    if (n == "momentum") o.momentum(d);
    if (n == "dampening") o.dampening(d);
    if (n == "weight_decay") o.weight_decay(d);
  } else if constexpr (std::is_same_v<O, AdamOptions> || std::is_same_v<O, AdamWOptions>) {
    if (n == "lr") o.lr(d);
    if (n == "eps") o.eps(d);
    if (n == "weight_decay") o.weight_decay(d);
  } else if constexpr (std::is_same_v<O, RMSpropOptions>) {
    if (n == "lr") o.lr(d);
    if (n == "momentum") o.momentum(d);
    if (n == "alpha") o.alpha(d);
    if (n == "eps") o.eps(d);
    if (n == "weight_decay") o.weight_decay(d);
  } else if constexpr (std::is_same_v<O, AdagradOptions>) {
    if (n == "lr") o.lr(d);
    if (n == "lr_decay") o.lr_decay(d);
    if (n == "eps") o.eps(d);
    if (n == "weight_decay") o.weight_decay(d);
    if (n == "initial_accumulator_value") o.initial_accumulator_value(d);
  }
}

template <typename O, typename S>
Access make_access(const Kind& kind) {
  Access a;
  a.kind = &kind;
  a.get_option = [](const OptimizerOptions& o, const Field& f) {
    return get_field(static_cast<const O&>(o), f);
  };
  a.set_option = [](OptimizerOptions& o, const Field& f, const IValue& v) {
    set_field(static_cast<O&>(o), f, v);
  };
  a.make_state = [] { return std::make_unique<S>(); };
  a.state_tensor = [](OptimizerParamState& st, const std::string& n) -> Tensor* {
    auto& s = static_cast<S&>(st);
    if constexpr (std::is_same_v<S, SGDParamState>) {
      if (n == "momentum_buffer") return &s.momentum_buffer();
    } else if constexpr (std::is_same_v<S, AdamParamState> || std::is_same_v<S, AdamWParamState>) {
      if (n == "exp_avg") return &s.exp_avg();
      if (n == "exp_avg_sq") return &s.exp_avg_sq();
      if (n == "max_exp_avg_sq") return &s.max_exp_avg_sq();
    } else if constexpr (std::is_same_v<S, RMSpropParamState>) {
      if (n == "square_avg") return &s.square_avg();
      if (n == "momentum_buffer") return &s.momentum_buffer();
      if (n == "grad_avg") return &s.grad_avg();
    } else if constexpr (std::is_same_v<S, AdagradParamState>) {
      if (n == "sum") return &s.sum();
    }
    return nullptr;
  };
  a.state_step = [](OptimizerParamState& st) -> int64_t* {
    if constexpr (std::is_same_v<S, SGDParamState>) {
      (void)st;
      return nullptr;
    } else {
      return &static_cast<S&>(st).step();
    }
  };
  return a;
}

Access access_of(const Optimizer& optimizer) {
  if (dynamic_cast<const SGD*>(&optimizer)) return make_access<SGDOptions, SGDParamState>(kSGD);
  if (dynamic_cast<const Adam*>(&optimizer)) return make_access<AdamOptions, AdamParamState>(kAdam);
  if (dynamic_cast<const AdamW*>(&optimizer))
    return make_access<AdamWOptions, AdamWParamState>(kAdamW);
  if (dynamic_cast<const RMSprop*>(&optimizer))
    return make_access<RMSpropOptions, RMSpropParamState>(kRMSprop);
  if (dynamic_cast<const Adagrad*>(&optimizer))
    return make_access<AdagradOptions, AdagradParamState>(kAdagrad);
  TG_ERROR("optimizer state: saving and loading support SGD, Adam, AdamW, RMSprop and Adagrad");
}

// libtorch's layout to Python's: parameters numbered in group order; each group's "params/<j>"
// names the key of that parameter's state in "state".
IValue from_libtorch(const IValue& v) {
  serialize::InputArchive archive(v);
  serialize::InputArchive state_archive, groups_archive;
  archive.read("state", state_archive);
  archive.read("param_groups", groups_archive);
  Tensor n_groups;
  groups_archive.read("param_groups/size", n_groups);
  TG_CHECK(n_groups.numel() == 1, "optimizer state: param_groups/size is not a number");
  const int64_t ng = static_cast<int64_t>(n_groups.item<double>());
  TG_CHECK(ng >= 0 && ng <= 1'000'000, "optimizer state: ", ng, " param groups");
  IValue::Dict state;
  IValue::List groups;
  int64_t index = 0;
  for (int64_t i = 0; i < ng; ++i) {
    serialize::InputArchive g;
    groups_archive.read("param_groups/" + std::to_string(i), g);
    Tensor n_params;
    g.read("params/size", n_params);
    TG_CHECK(n_params.numel() == 1, "optimizer state: params/size is not a number");
    const int64_t np = static_cast<int64_t>(n_params.item<double>());
    TG_CHECK(np >= 0 && np <= 100'000'000, "optimizer state: ", np, " parameters in a group");
    serialize::InputArchive options;
    g.read("options", options);
    IValue::Dict group = options.value().toGenericDict();
    IValue::List params;
    for (int64_t j = 0; j < np; ++j) {
      IValue key;
      g.read("params/" + std::to_string(j), key);
      TG_CHECK(key.isString(), "optimizer state: params/", j, " is not a string");
      IValue s;
      if (state_archive.try_read(key.toStringRef(), s)) state.emplace_back(index, s);
      params.emplace_back(index++);
    }
    group.emplace_back("params", IValue::list(std::move(params)));
    groups.push_back(IValue::dict(std::move(group)));
  }
  return IValue::dict({{"state", IValue::dict(std::move(state))},
                       {"param_groups", IValue::list(std::move(groups))}});
}

}  // namespace

IValue state_dict(const Optimizer& optimizer) {
  const Access a = access_of(optimizer);
  IValue::Dict state;
  IValue::List groups;
  int64_t index = 0;
  for (const auto& group : optimizer.param_groups()) {
    IValue::Dict g;
    for (const auto& f : a.kind->fields) g.emplace_back(f.name, a.get_option(group.options(), f));
    for (const auto& c : a.kind->constants) g.emplace_back(c.name, c.value);
    IValue::List params;
    for (const auto& p : group.params()) {
      auto it = optimizer.state().find(param_state_key(p));
      if (it != optimizer.state().end()) {
        OptimizerParamState& st = *it->second;
        IValue::Dict s;
        if (int64_t* step = a.state_step(st)) {
          if (a.kind->step == Kind::StepTensor)
            s.emplace_back("step",
                           tg::tensor(static_cast<double>(*step), TensorOptions().dtype(kFloat)));
          else
            s.emplace_back("step", *step);
        }
        for (const char* name : a.kind->tensors) {
          const Tensor* t = a.state_tensor(st, name);
          if (t && t->defined()) s.emplace_back(name, *t);
        }
        state.emplace_back(index, IValue::dict(std::move(s)));
      }
      params.emplace_back(index++);
    }
    g.emplace_back("params", IValue::list(std::move(params)));
    groups.push_back(IValue::dict(std::move(g)));
  }
  return IValue::dict({{"state", IValue::dict(std::move(state))},
                       {"param_groups", IValue::list(std::move(groups))}});
}

void load_state_dict(Optimizer& optimizer, const IValue& value) {
  const Access a = access_of(optimizer);
  TG_CHECK(value.isGenericDict(), "optimizer state: a ", value.tagKind(), ", not a dict");
  const IValue v = value.find("pytorch_version") ? from_libtorch(value) : value;
  const IValue* state = v.find("state");
  const IValue* groups = v.find("param_groups");
  TG_CHECK(state && state->isGenericDict() && groups && groups->isGenericList(),
           "optimizer state: expected a dict with 'state' (a dict) and 'param_groups' (a list)");
  const auto& saved_groups = groups->toList();
  auto& own_groups = optimizer.param_groups();
  TG_CHECK(saved_groups.size() == own_groups.size(),
           "loaded state dict has a different number of parameter groups");

  // Everything is built aside and checked first; the optimizer changes only at the end.
  std::vector<std::unique_ptr<OptimizerOptions>> options;
  std::vector<std::pair<std::string, std::unique_ptr<OptimizerParamState>>> states;
  std::map<int64_t, const Tensor*> param_of;
  for (size_t i = 0; i < saved_groups.size(); ++i) {
    const IValue& g = saved_groups[i];
    TG_CHECK(g.isGenericDict(), "optimizer state: param group ", i, " is not a dict");
    const IValue* params = g.find("params");
    TG_CHECK(params && params->isGenericList(), "optimizer state: param group ", i,
             " has no 'params' list");
    TG_CHECK(params->toList().size() == own_groups[i].params().size(),
             "loaded state dict contains a parameter group that doesn't match the size of "
             "optimizer's group");
    auto opts = own_groups[i].options().clone();
    for (const auto& f : a.kind->fields)
      if (const IValue* fv = g.find(f.name)) a.set_option(*opts, f, *fv);
    TG_CHECK(g.find("lr") != nullptr, "optimizer state: param group ", i, " has no 'lr'");
    options.push_back(std::move(opts));
    for (size_t j = 0; j < params->toList().size(); ++j) {
      const IValue& id = params->toList()[j];
      TG_CHECK(id.isInt(), "optimizer state: a parameter id that is not an integer");
      TG_CHECK(param_of.emplace(id.toInt(), &own_groups[i].params()[j]).second,
               "optimizer state: parameter id ", id.toInt(), " appears twice");
    }
  }
  for (const auto& kv : state->toGenericDict()) {
    TG_CHECK(kv.first.isInt(), "optimizer state: a state key that is not a parameter id");
    auto p = param_of.find(kv.first.toInt());
    TG_CHECK(p != param_of.end(), "optimizer state: state for parameter id ", kv.first.toInt(),
             ", which no group lists");
    const Tensor& param = *p->second;
    TG_CHECK(kv.second.isGenericDict(), "optimizer state: the state of parameter ",
             kv.first.toInt(), " is not a dict");
    auto st = a.make_state();
    for (const auto& item : kv.second.toGenericDict()) {
      TG_CHECK(item.first.isString(), "optimizer state: a state entry without a name");
      const std::string& name = item.first.toStringRef();
      if (name == "step") {
        int64_t* step = a.state_step(*st);
        TG_CHECK(step != nullptr, "optimizer state: ", a.kind->name, " keeps no step");
        const double d = number(item.second, "step");
        TG_CHECK(d >= 0 && d < 9.2e18 && d == static_cast<double>(static_cast<int64_t>(d)),
                 "optimizer state: step ", d, " is not a count");
        *step = static_cast<int64_t>(d);
        continue;
      }
      Tensor* slot = a.state_tensor(*st, name);
      TG_CHECK(slot != nullptr, "optimizer state: ", a.kind->name, " has no state '", name, "'");
      if (item.second.isNone()) continue;
      TG_CHECK(item.second.isTensor(), "optimizer state: '", name, "' is a ", item.second.tagKind(),
               ", not a tensor");
      const Tensor& t = item.second.toTensor();
      if (!t.defined()) continue;
      TG_CHECK(t.sizes() == param.sizes(), "optimizer state: '", name, "' of parameter ",
               kv.first.toInt(), " has shape ", t.sizes(), " but the parameter has shape ",
               param.sizes());
      *slot = t.detach().to(param.scalar_type()).clone();
    }
    states.emplace_back(param_state_key(param), std::move(st));
  }
  for (size_t i = 0; i < options.size(); ++i) own_groups[i].set_options(std::move(options[i]));
  optimizer.state().clear();
  for (auto& s : states) optimizer.state()[s.first] = std::move(s.second);
}

}  // namespace tg::optim
