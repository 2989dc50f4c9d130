// Checkpoints in the safetensors format (https://github.com/huggingface/safetensors): a module's
// parameters and buffers under PyTorch's dotted names ("layers.0.weight"), so that a file written
// here loads in PyTorch with safetensors.torch.load_file + load_state_dict, and back.
//
// Supported element types: F32, F64, I64 and BOOL (tensorgrad's dtypes). Reading validates the
// whole file before anything is returned or written into a module; every problem is a tg::Error
// naming the file.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <type_traits>

#include "tensorgrad/nn/module.h"
#include "tensorgrad/ordered_dict.h"
#include "tensorgrad/tensor.h"

namespace tg {

// ---- writing

// Writes named tensors. Data is laid out as the reference writer does (8-byte types first, then by
// name, the header padded with spaces to a multiple of 8 so every tensor is aligned); the header
// lists the tensors in the given order, after "__metadata__": {"format": "pt"}. Non-contiguous
// tensors are written in row-major order. The file is written to a temporary name and renamed, so
// an existing checkpoint is never left half-written.
void save(const OrderedDict<std::string, Tensor>& tensors, const std::filesystem::path& path);
void save(const std::map<std::string, Tensor>& tensors, const std::filesystem::path& path);

// Writes the module's parameters, then its buffers, with their dotted names. A path ending in
// ".pt" or ".pth" gets PyTorch's format instead (a state_dict; see tensorgrad/serialize.h).
void save(const nn::Module& module, const std::filesystem::path& path);

template <typename M, typename = std::enable_if_t<std::is_base_of_v<nn::Module, M>>>
void save(const std::shared_ptr<M>& module, const std::filesystem::path& path) {
  TG_CHECK(module != nullptr, "save: the module pointer is empty (writing ", path.string(), ")");
  save(static_cast<const nn::Module&>(*module), path);
}

template <typename M>
void save(const nn::ModuleHolder<M>& module, const std::filesystem::path& path) {
  TG_CHECK(!module.is_empty(), "save: the module holder is empty (writing ", path.string(), ")");
  save(static_cast<const nn::Module&>(*module.ptr()), path);
}

// ---- reading

// Every tensor of the file, in the order of its header, as new tensors (requires_grad false).
OrderedDict<std::string, Tensor> load(const std::filesystem::path& path);

// load() from bytes in memory (a file read or mapped by the caller, a network message): the same
// checks, errors naming "safetensors buffer". The bytes are copied; the buffer may go afterwards.
OrderedDict<std::string, Tensor> load_from_buffer(const void* data, size_t size);

// A PyTorch or libtorch file (a zip archive, recognised by its content) is loaded through
// Module::load_state_dict (see tensorgrad/serialize.h). A safetensors file:
// copies the file's tensors into the module's existing parameters and buffers (without recording
// autograd history), matching them by name. The dtype and shape of each must match exactly. With
// strict (the default), a module tensor missing from the file and a file tensor that the module
// does not have are errors; without it they are skipped. On any error the module is unchanged.
void load(nn::Module& module, const std::filesystem::path& path, bool strict = true);

template <typename M, typename = std::enable_if_t<std::is_base_of_v<nn::Module, M>>>
void load(const std::shared_ptr<M>& module, const std::filesystem::path& path, bool strict = true) {
  TG_CHECK(module != nullptr, "load: the module pointer is empty (reading ", path.string(), ")");
  load(static_cast<nn::Module&>(*module), path, strict);
}

template <typename M>
void load(const nn::ModuleHolder<M>& module, const std::filesystem::path& path,
          bool strict = true) {
  TG_CHECK(!module.is_empty(), "load: the module holder is empty (reading ", path.string(), ")");
  load(static_cast<nn::Module&>(*module.ptr()), path, strict);
}

}  // namespace tg
