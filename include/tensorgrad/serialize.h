// Checkpoints in PyTorch's own format, both ways, and libtorch's torch::save/torch::load.
//
// Python's torch.save writes a zip archive: "<name>/data.pkl" (a pickle of the saved object, its
// tensors as references to storages) and "<name>/data/<key>" (each storage's raw bytes). Files
// written here are that format, so Python reads them with torch.load(path, weights_only=True);
// files written by Python load here. libtorch's torch::save writes TorchScript modules in the
// same container; those load too, their objects read as dicts of their attributes.
//
// Loading never runs code: the unpickler builds only tensors, numbers, strings and containers and
// refuses any other Python name with an error naming it. Every problem with a file is a tg::Error
// naming it, raised before anything is written into a module or optimizer. See
// docs/checkpoints.md for the formats, the safety model and the limits.
#pragma once

#include <filesystem>
#include <istream>
#include <memory>
#include <ostream>
#include <string>
#include <type_traits>
#include <vector>

#include "tensorgrad/io.h"
#include "tensorgrad/ivalue.h"
#include "tensorgrad/nn/module.h"
#include "tensorgrad/optim/optimizer.h"
#include "tensorgrad/ordered_dict.h"
#include "tensorgrad/tensor.h"

namespace tg {

// ---- PyTorch's zip-and-pickle format, for any value

// The object of a file that torch.save wrote (its bytes), as libtorch's torch::pickle_load: a
// tensor, a dict (a state_dict, an optimizer's state_dict), a list, a tuple, a number, ...
IValue pickle_load(const std::vector<char>& data);
// The bytes of a file that Python's torch.load reads back as `value`: dicts become dicts, lists
// lists, tuples tuples, tensors tensors (sharing storages as they share them here).
std::vector<char> pickle_save(const IValue& value);

// The same from and to files; torch_load also reads libtorch's archives.
IValue torch_load(const std::filesystem::path& path);
void torch_save(const IValue& value, const std::filesystem::path& path);

// ---- state dicts

// The tensors of a checkpoint in any of the formats, recognised by its content: safetensors, a
// PyTorch file holding a state_dict (a dict of name -> tensor, nested dicts flattened with
// dots), or a libtorch module archive (its submodules' tensors under dotted names).
OrderedDict<std::string, Tensor> load_state_dict(const std::filesystem::path& path);

// A module's parameters and buffers as a dict value (name -> tensor), as Python's state_dict().
IValue state_dict_value(const nn::Module& module);

// ---- optimizers

namespace optim {
// The optimizer's state in the layout of Python's Optimizer.state_dict(): {"state": {index:
// {...}}, "param_groups": [{"lr": ..., ..., "params": [index, ...]}]}, with parameters numbered
// in group order and the keys PyTorch 1.13 writes for SGD, Adam, AdamW, RMSprop and Adagrad (so
// that Python's load_state_dict takes it).
IValue state_dict(const Optimizer& optimizer);
// Restores a state written by state_dict() here or by Python's Optimizer.state_dict(), or read
// from a libtorch optimizer archive: the groups' options and every parameter's state. The number
// of groups and of parameters in each must match; tensors are copied (cast to the parameter's
// dtype). On any error the optimizer is unchanged.
void load_state_dict(Optimizer& optimizer, const IValue& state);
}  // namespace optim

// ---- libtorch's archives

namespace serialize {

// A tree of named tensors, values and nested archives, written as a PyTorch file whose object is
// a dict of dicts (so Python's torch.load reads it too).
class OutputArchive {
 public:
  OutputArchive();
  void write(const std::string& key, const IValue& ivalue);
  void write(const std::string& key, const Tensor& tensor, bool is_buffer = false);
  void write(const std::string& key, OutputArchive& nested_archive);
  void save_to(const std::string& filename);
  void save_to(std::ostream& stream);
  // The archive as a value (a dict).
  const IValue& value() const { return value_; }

 private:
  IValue value_;
};

class InputArchive {
 public:
  InputArchive();
  // Reads a file written by OutputArchive, by libtorch's torch::save, or by Python's torch.save
  // (whose object must be a dict).
  void load_from(const std::string& filename);
  void load_from(std::istream& stream);
  void load_from(const char* data, size_t size);

  // read() throws a tg::Error naming a missing key; try_read() returns false instead. Reading a
  // tensor into a defined one copies the values (without autograd history, the shapes must
  // match); into an undefined one, assigns.
  void read(const std::string& key, IValue& ivalue);
  bool try_read(const std::string& key, IValue& ivalue);
  void read(const std::string& key, Tensor& tensor, bool is_buffer = false);
  bool try_read(const std::string& key, Tensor& tensor, bool is_buffer = false);
  void read(const std::string& key, InputArchive& archive);
  bool try_read(const std::string& key, InputArchive& archive);
  std::vector<std::string> keys() const;

  // Makes an archive over a value (a dict) read from elsewhere.
  explicit InputArchive(IValue value);
  const IValue& value() const { return value_; }

 private:
  const IValue* find(const std::string& key) const;
  IValue value_;
};

}  // namespace serialize

// ---- torch::save / torch::load

// A tensor: Python's torch.load gives the tensor back. load() reads a tensor file from either
// library (libtorch keeps it under the key "0").
void save(const Tensor& tensor, const std::filesystem::path& path);
void load(Tensor& tensor, const std::filesystem::path& path);
// A list of tensors (a Python list).
void save(const std::vector<Tensor>& tensors, const std::filesystem::path& path);
void load(std::vector<Tensor>& tensors, const std::filesystem::path& path);
// An optimizer: its state_dict() as above; load() also reads libtorch's optimizer archives.
void save(const optim::Optimizer& optimizer, const std::filesystem::path& path);
void load(optim::Optimizer& optimizer, const std::filesystem::path& path);

// Modules: tg::save(module, path) and tg::load(module, path, strict) of tensorgrad/io.h, which
// choose the format: by the file's name when saving (".pt" and ".pth": PyTorch's, a state_dict;
// otherwise safetensors) and by its content when loading (all three formats).

namespace detail {
void save_module_torch(const nn::Module& module, const std::filesystem::path& path);
void load_module_any(nn::Module& module, const std::filesystem::path& path, bool strict);
}  // namespace detail

}  // namespace tg
