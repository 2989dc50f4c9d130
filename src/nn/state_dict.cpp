// Module::state_dict and load_state_dict, with PyTorch's order of keys and its error messages
// (torch/nn/modules/module.py, _load_from_state_dict and load_state_dict).
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "tensorgrad/autograd.h"
#include "tensorgrad/nn/module.h"

namespace tg::nn {
namespace {

std::string torch_size(IntArrayRef sizes) {
  std::ostringstream s;
  s << "torch.Size([";
  for (size_t i = 0; i < sizes.size(); ++i) s << (i ? ", " : "") << sizes[i];
  s << "])";
  return s.str();
}

std::string quoted_list(const std::vector<std::string>& keys) {
  std::string s;
  for (const auto& k : keys) s += (s.empty() ? "\"" : ", \"") + k + "\"";
  return s;
}

}  // namespace

OrderedDict<std::string, Tensor> Module::state_dict() const {
  OrderedDict<std::string, Tensor> out("Tensor");
  auto collect = [&out](auto& self, const Module& m, const std::string& prefix) -> void {
    for (const auto& p : m.parameters_)
      if (p.value().defined()) out.insert(prefix + p.key(), p.value());
    for (const auto& b : m.buffers_)
      if (b.value().defined()) out.insert(prefix + b.key(), b.value());
    for (const auto& c : m.children_) self(self, *c.value(), prefix + c.key() + ".");
  };
  collect(collect, *this, "");
  return out;
}

Module::IncompatibleKeys Module::load_state_dict(const OrderedDict<std::string, Tensor>& state_dict,
                                                 bool strict) {
  OrderedDict<std::string, Tensor> own = this->state_dict();
  IncompatibleKeys keys;
  std::vector<std::string> errors;
  std::vector<std::pair<Tensor, Tensor>> copies;
  for (const auto& item : own) {
    const Tensor* given = state_dict.find(item.key());
    if (!given) {
      keys.missing_keys.push_back(item.key());
      continue;
    }
    if (!given->defined()) {
      errors.push_back("While copying the parameter named \"" + item.key() +
                       "\", the value in the checkpoint is undefined.");
      continue;
    }
    if (given->sizes() != item.value().sizes()) {
      errors.push_back("size mismatch for " + item.key() + ": copying a param with shape " +
                       torch_size(given->sizes()) +
                       " from checkpoint, the shape in current model is " +
                       torch_size(item.value().sizes()) + ".");
      continue;
    }
    copies.emplace_back(item.value(), *given);
  }
  for (const auto& item : state_dict)
    if (!own.contains(item.key())) keys.unexpected_keys.push_back(item.key());

  if (strict) {
    if (!keys.unexpected_keys.empty())
      errors.insert(errors.begin(),
                    "Unexpected key(s) in state_dict: " + quoted_list(keys.unexpected_keys) + ". ");
    if (!keys.missing_keys.empty())
      errors.insert(errors.begin(),
                    "Missing key(s) in state_dict: " + quoted_list(keys.missing_keys) + ". ");
  }
  if (!errors.empty()) {
    std::string msg = "Error(s) in loading state_dict for " + name() + ":";
    for (const auto& e : errors) msg += "\n\t" + e;
    throw Error(msg);
  }
  NoGradGuard no_grad;
  for (auto& c : copies) c.first.copy_(c.second);
  return keys;
}

}  // namespace tg::nn
