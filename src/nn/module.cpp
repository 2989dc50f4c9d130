#include "tensorgrad/nn/module.h"

#include <cxxabi.h>

#include <cctype>
#include <cstdlib>
#include <memory>
#include <sstream>

#include "core/tensor_impl.h"
#include "tensorgrad/autograd.h"

namespace tg::nn {

const std::string& Module::name() const {
  if (name_.empty()) {
    // Demangle the dynamic type, then keep the last component without an "Impl" suffix, which is
    // how PyTorch names modules when printing (WideNetImpl -> WideNet).
    int status = 0;
    std::unique_ptr<char, void (*)(void*)> dem(
        abi::__cxa_demangle(typeid(*this).name(), nullptr, nullptr, &status), std::free);
    std::string full = status == 0 && dem ? dem.get() : typeid(*this).name();
    auto pos = full.rfind("::");
    std::string last = pos == std::string::npos ? full : full.substr(pos + 2);
    if (last.size() > 4 && last.compare(last.size() - 4, 4, "Impl") == 0) last.resize(last.size() - 4);
    name_ = last;
  }
  return name_;
}

Tensor& Module::register_parameter(std::string name, Tensor tensor, bool requires_grad) {
  TG_CHECK(!name.empty(), "register_parameter: parameter name must not be empty");
  TG_CHECK(name.find('.') == std::string::npos, "register_parameter: parameter name must not contain a dot (got '",
           name, "')");
  if (tensor.defined() && tensor.requires_grad() != requires_grad) {
    if (!tensor.is_leaf()) tensor = tensor.detach();
    tensor.set_requires_grad(requires_grad);
  }
  return parameters_.insert(std::move(name), std::move(tensor));
}

Tensor& Module::register_buffer(std::string name, Tensor tensor) {
  TG_CHECK(!name.empty(), "register_buffer: buffer name must not be empty");
  TG_CHECK(name.find('.') == std::string::npos, "register_buffer: buffer name must not contain a dot (got '", name, "')");
  return buffers_.insert(std::move(name), std::move(tensor));
}

void Module::register_module_impl(std::string name, std::shared_ptr<Module> module) {
  TG_CHECK(!name.empty(), "register_module: submodule name must not be empty");
  TG_CHECK(name.find('.') == std::string::npos, "register_module: submodule name must not contain a dot (got '",
           name, "')");
  TG_CHECK(module != nullptr, "register_module: submodule '", name, "' is empty");
  children_.insert(std::move(name), std::move(module));
}

OrderedDict<std::string, Tensor> Module::named_parameters(bool recurse) const {
  OrderedDict<std::string, Tensor> out("Parameter");
  for (const auto& p : parameters_)
    if (p.value().defined()) out.insert(p.key(), p.value());
  if (recurse)
    for (const auto& c : children_)
      for (const auto& p : c.value()->named_parameters(true)) out.insert(c.key() + "." + p.key(), p.value());
  return out;
}

std::vector<Tensor> Module::parameters(bool recurse) const { return named_parameters(recurse).values(); }

OrderedDict<std::string, Tensor> Module::named_buffers(bool recurse) const {
  OrderedDict<std::string, Tensor> out("Buffer");
  for (const auto& b : buffers_)
    if (b.value().defined()) out.insert(b.key(), b.value());
  if (recurse)
    for (const auto& c : children_)
      for (const auto& b : c.value()->named_buffers(true)) out.insert(c.key() + "." + b.key(), b.value());
  return out;
}

std::vector<Tensor> Module::buffers(bool recurse) const { return named_buffers(recurse).values(); }

std::vector<std::shared_ptr<Module>> Module::children() const { return children_.values(); }

OrderedDict<std::string, std::shared_ptr<Module>> Module::named_children() const {
  OrderedDict<std::string, std::shared_ptr<Module>> out("Submodule");
  for (const auto& c : children_) out.insert(c.key(), c.value());
  return out;
}

void Module::collect_modules(const std::string& prefix, OrderedDict<std::string, std::shared_ptr<Module>>& out,
                             bool include_self) {
  if (include_self) out.insert(prefix, shared_from_this());
  for (const auto& c : children_)
    c.value()->collect_modules(prefix.empty() ? c.key() : prefix + "." + c.key(), out, true);
}

OrderedDict<std::string, std::shared_ptr<Module>> Module::named_modules(const std::string& prefix,
                                                                        bool include_self) {
  OrderedDict<std::string, std::shared_ptr<Module>> out("Module");
  if (include_self) {
    TG_CHECK(weak_from_this().lock() != nullptr,
             "named_modules: the module must be owned by a shared_ptr (or a holder) to list itself");
  }
  collect_modules(prefix, out, include_self);
  return out;
}

std::vector<std::shared_ptr<Module>> Module::modules(bool include_self) {
  return named_modules("", include_self).values();
}

void Module::train(bool on) {
  is_training_ = on;
  for (auto& c : children_) c.value()->train(on);
}

void Module::zero_grad(bool set_to_none) {
  for (auto& p : parameters()) {
    Tensor& g = p.mutable_grad();
    if (!g.defined()) continue;
    if (set_to_none) {
      g = Tensor();
    } else {
      if (g.grad_fn()) g = g.detach();
      NoGradGuard guard;
      g.zero_();
    }
  }
}

void Module::to(ScalarType dtype, bool) {
  NoGradGuard guard;
  auto convert = [dtype](Tensor& t) {
    if (!t.defined() || t.scalar_type() == dtype || !t.is_floating_point()) return;
    // Swap the data in place so that existing handles (e.g. an optimizer's) see the new dtype.
    Tensor converted = t.to(dtype);
    auto* dst = t.unsafeGetTensorImpl();
    auto* src = converted.unsafeGetTensorImpl();
    dst->storage = src->storage;
    dst->offset = src->offset;
    dst->sizes = src->sizes;
    dst->strides = src->strides;
    dst->dtype = src->dtype;
    dst->refresh();
    if (t.grad().defined()) t.mutable_grad() = t.grad().to(dtype);
  };
  for (auto& p : parameters_) convert(p.value());
  for (auto& b : buffers_) convert(b.value());
  for (auto& c : children_) c.value()->to(dtype);
}

void Module::to(Device device, bool) { detail::check_cpu(device, "Module::to"); }
void Module::to(Device device, ScalarType dtype, bool non_blocking) {
  detail::check_cpu(device, "Module::to");
  to(dtype, non_blocking);
}

void Module::apply(const std::function<void(Module&)>& fn) {
  fn(*this);
  for (auto& c : children_) c.value()->apply(fn);
}

void Module::pretty_print(std::ostream& stream) const {
  stream << name() << "(" << extra_repr() << ")";
}

// Mirrors torch.nn.Module.__repr__: a leaf prints on one line; a module with children prints
// its extra text (if any), then one "(name): child" line per child, indented by two spaces.
void print_module(std::ostream& os, const Module& m, int indent) {
  if (m.children_.empty()) {
    // A leaf may print several lines (ParameterList): indent its continuation lines as Python's
    // _addindent does.
    std::ostringstream leaf;
    m.pretty_print(leaf);
    for (char c : leaf.str()) {
      os << c;
      if (c == '\n') os << std::string(indent, ' ');
    }
    return;
  }
  os << m.name() << "(";
  std::string extra = m.extra_repr();
  std::string pad(indent + 2, ' ');
  if (!extra.empty()) os << "\n" << pad << extra;
  for (const auto& c : m.children_) {
    os << "\n" << pad << "(" << c.key() << "): ";
    print_module(os, *c.value(), indent + 2);
  }
  os << "\n" << std::string(indent, ' ') << ")";
}

namespace {

// "True" and "False" of the Python-style extra text as C++ prints bools: "true", "false".
std::string cpp_bools(std::string s) {
  for (const auto& [from, to] :
       {std::pair<std::string, std::string>{"True", "true"}, {"False", "false"}}) {
    for (size_t pos = 0; (pos = s.find(from, pos)) != std::string::npos; pos += to.size()) {
      const bool starts = pos == 0 || !std::isalnum(static_cast<unsigned char>(s[pos - 1]));
      const size_t end = pos + from.size();
      const bool ends = end == s.size() || !std::isalnum(static_cast<unsigned char>(s[end]));
      if (starts && ends) s.replace(pos, from.size(), to);
    }
  }
  return s;
}

// libtorch's layout (its Module::pretty_print_recursive): tensorgrad's own modules spelled as
// libtorch's ("torch::nn::Linear(in_features=1, out_features=512, bias=true)", containers bare:
// "torch::nn::Sequential"), a user's module by its C++ type ("NetImpl"), then, when it has
// children, "(", one "  (key): child" line each, and ")".
void print_module_libtorch(std::ostream& os, const Module& m, const std::string& indent) {
  int status = 0;
  std::unique_ptr<char, void (*)(void*)> dem(
      abi::__cxa_demangle(typeid(m).name(), nullptr, nullptr, &status), std::free);
  const std::string type = status == 0 && dem ? dem.get() : typeid(m).name();
  if (type.rfind("tg::nn::", 0) == 0) {
    const std::string& name = m.name();
    const bool container = name == "Sequential" || name == "ModuleList" || name == "ModuleDict" ||
                           name == "ParameterList" || name == "ParameterDict";
    os << "torch::nn::" << name;
    if (!container) os << "(" << cpp_bools(m.extra_repr()) << ")";
  } else {
    os << type;
  }
  const auto children = m.named_children();
  if (children.is_empty()) return;
  os << "(\n";
  const std::string next = indent + "  ";
  for (const auto& c : children) {
    os << next << "(" << c.key() << "): ";
    print_module_libtorch(os, *c.value(), next);
    os << "\n";
  }
  os << indent << ")";
}

}  // namespace

std::ostream& operator<<(std::ostream& stream, const Module& module) {
  if (get_dialect() == Dialect::Libtorch)
    print_module_libtorch(stream, module, "");
  else
    print_module(stream, module, 0);
  return stream;
}

}  // namespace tg::nn
