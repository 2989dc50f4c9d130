// ModuleList, ModuleDict, ParameterList and ParameterDict, and their Python-style printing.
#include "tensorgrad/nn/containers.h"

#include <sstream>

namespace tg::nn {

namespace detail {

std::string parameter_summary(const Tensor& p, bool type_name) {
  std::ostringstream ss;
  ss << "Parameter containing: [";
  if (type_name) {
    switch (p.scalar_type()) {
      case kFloat:
        ss << "torch.FloatTensor";
        break;
      case kDouble:
        ss << "torch.DoubleTensor";
        break;
      case kLong:
        ss << "torch.LongTensor";
        break;
      case kBool:
        ss << "torch.BoolTensor";
        break;
    }
  } else {
    ss << dtype_name(p.scalar_type());
  }
  ss << " of size ";
  for (int64_t d = 0; d < p.dim(); ++d) ss << (d ? "x" : "") << p.size(d);
  ss << "]";
  return ss.str();
}

void print_extra_lines(std::ostream& stream, const std::string& name, const std::string& extra) {
  if (extra.find('\n') == std::string::npos) {
    stream << name << "(" << extra << ")";
    return;
  }
  stream << name << "(\n  ";
  for (char c : extra) {
    stream << c;
    if (c == '\n') stream << "  ";
  }
  stream << "\n)";
}

}  // namespace detail

void ModuleListImpl::push_back(std::shared_ptr<Module> module) {
  register_module(std::to_string(modules_.size()), module);
  modules_.push_back(std::move(module));
}

void ModuleListImpl::insert(size_t index, std::shared_ptr<Module> module) {
  TG_CHECK(index <= modules_.size(), "ModuleList::insert: index ", index, " is out of range (size ",
           modules_.size(), ")");
  TG_CHECK(module != nullptr, "ModuleList::insert: the module is empty");
  if (index == modules_.size()) {
    push_back(std::move(module));
    return;
  }
  // Register one more name at the end, then shift the modules after index up by one.
  register_module(std::to_string(modules_.size()), modules_.back());
  modules_.insert(modules_.begin() + static_cast<std::ptrdiff_t>(index), std::move(module));
  for (size_t i = index; i < modules_.size(); ++i) replace_module(std::to_string(i), modules_[i]);
}

std::shared_ptr<Module> ModuleListImpl::ptr(size_t index) const {
  TG_CHECK(index < modules_.size(), "ModuleList: index ", index, " is out of range (size ",
           modules_.size(), ")");
  return modules_[index];
}

ModuleDictImpl::ModuleDictImpl(
    const std::vector<std::pair<std::string, std::shared_ptr<Module>>>& modules) {
  for (const auto& [k, m] : modules) insert(k, m);
}

ModuleDictImpl::ModuleDictImpl(const OrderedDict<std::string, std::shared_ptr<Module>>& modules) {
  for (const auto& item : modules) insert(item.key(), item.value());
}

std::shared_ptr<Module> ModuleDictImpl::insert(const std::string& key,
                                               std::shared_ptr<Module> module) {
  if (modules_.contains(key)) {
    replace_module(key, module);
    modules_[key] = module;
  } else {
    register_module(key, module);
    modules_.insert(key, module);
  }
  return module;
}

std::shared_ptr<Module> ModuleDictImpl::operator[](const std::string& key) const {
  return modules_[key];
}

void ParameterListImpl::append(const Tensor& param) {
  TG_CHECK(param.defined(), "ParameterList::append: the parameter is undefined");
  register_parameter(std::to_string(count_), param, param.requires_grad());
  ++count_;
}

Tensor& ParameterListImpl::operator[](size_t index) {
  TG_CHECK(index < count_, "ParameterList: index ", index, " is out of range (size ", count_, ")");
  return *find_parameter(std::to_string(index));
}
const Tensor& ParameterListImpl::operator[](size_t index) const {
  return const_cast<ParameterListImpl&>(*this)[index];
}

void ParameterListImpl::pretty_print(std::ostream& stream) const {
  std::ostringstream extra;
  for (size_t i = 0; i < count_; ++i)
    extra << (i ? "\n" : "") << "  (" << i << "): " << detail::parameter_summary((*this)[i], false);
  detail::print_extra_lines(stream, name(), extra.str());
}

ParameterDictImpl::ParameterDictImpl(const OrderedDict<std::string, Tensor>& params) {
  for (const auto& item : params) insert(item.key(), item.value());
}

Tensor& ParameterDictImpl::insert(const std::string& key, const Tensor& param) {
  TG_CHECK(param.defined(), "ParameterDict::insert: the parameter '", key, "' is undefined");
  if (Tensor* existing = find_parameter(key)) {
    *existing = param;
    return *existing;
  }
  keys_.push_back(key);
  return register_parameter(key, param, param.requires_grad());
}

Tensor& ParameterDictImpl::operator[](const std::string& key) {
  Tensor* p = find_parameter(key);
  TG_CHECK(p != nullptr, "Parameter '", key, "' is not defined");
  return *p;
}
const Tensor& ParameterDictImpl::operator[](const std::string& key) const {
  return const_cast<ParameterDictImpl&>(*this)[key];
}
bool ParameterDictImpl::contains(const std::string& key) const {
  return const_cast<ParameterDictImpl&>(*this).find_parameter(key) != nullptr;
}
std::vector<std::string> ParameterDictImpl::keys() const { return keys_; }
std::vector<Tensor> ParameterDictImpl::values() const {
  std::vector<Tensor> out;
  for (const auto& k : keys_) out.push_back((*this)[k]);
  return out;
}
size_t ParameterDictImpl::size() const { return keys_.size(); }

void ParameterDictImpl::pretty_print(std::ostream& stream) const {
  std::ostringstream extra;
  for (size_t i = 0; i < keys_.size(); ++i)
    extra << (i ? "\n" : "") << "  (" << keys_[i]
          << "): " << detail::parameter_summary((*this)[keys_[i]], true);
  detail::print_extra_lines(stream, name(), extra.str());
}

}  // namespace tg::nn
