// Embedding and EmbeddingBag. The lookups are index_select under no-grad plus one node with
// PyTorch's name; the backward rules are written with differentiable ops (where, index_add), so
// gradients of gradients follow.
#include "tensorgrad/nn/embedding.h"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <vector>

#include "autograd/function.h"
#include "nn/repr.h"
#include "tensorgrad/autograd.h"
#include "tensorgrad/nn/init.h"

namespace tg::nn {

EmbeddingBagMode::EmbeddingBagMode(Reduction r) : m_(r == kSum ? 0 : 1) {
  TG_CHECK(r != kNone, "EmbeddingBag: mode has to be one of sum, mean or max");
}

namespace functional {

using autograd::save;
using autograd::tensor_list;

namespace {

// Checks indices' dtype with PyTorch's words (int32 indices do not exist here).
Tensor long_indices(const Tensor& indices, const char* arg, const char* op) {
  TG_CHECK(indices.defined(), op, ": undefined ", arg);
  const ScalarType t = indices.scalar_type();
  TG_CHECK(t == kLong, "Expected tensor for argument #1 '", arg,
           "' to have one of the following scalar types: Long, Int; but got ",
           t == kFloat32   ? "torch.FloatTensor"
           : t == kFloat64 ? "torch.DoubleTensor"
           : t == kBool    ? "torch.BoolTensor"
                           : "another type",
           " instead (while checking arguments for ", op, ")");
  return indices;
}

// Indices as a host vector, each checked against [0, n).
std::vector<int64_t> checked_values(const Tensor& idx, int64_t n, const char* what,
                                    bool append_index = false) {
  const Tensor c = idx.contiguous();
  const int64_t* p = c.data_ptr<int64_t>();
  std::vector<int64_t> v(p, p + c.numel());
  for (int64_t i : v) {
    if (i >= 0 && i < n) continue;
    if (append_index) TG_ERROR(what, i);
    TG_ERROR(what);
  }
  return v;
}

int64_t normalize_padding_idx(std::optional<int64_t> padding_idx, int64_t n) {
  if (!padding_idx) return -1;
  const int64_t p = *padding_idx;
  TG_CHECK(p < n && p >= -n, "Padding_idx must be within num_embeddings");
  return p < 0 ? p + n : p;
}

void check_weight(const Tensor& weight) {
  TG_CHECK(weight.defined(), "embedding: undefined weight");
  TG_CHECK(weight.dim() == 2, "'weight' must be 2-D");
}

}  // namespace

Tensor& embedding_renorm_(Tensor& self, const Tensor& indices, double max_norm, double norm_type) {
  TG_CHECK(self.defined() && self.dim() == 2, "embedding_renorm_: 'self' must be 2-D");
  const Tensor idx = long_indices(indices, "indices", "embedding_renorm_");
  std::vector<int64_t> rows = checked_values(idx, self.size(0), "index out of range in self");
  std::sort(rows.begin(), rows.end());
  rows.erase(std::unique(rows.begin(), rows.end()), rows.end());
  NoGradGuard guard;
  for (int64_t r : rows) {
    Tensor row = self.select(0, r);
    const double norm = row.norm(norm_type).item<double>();
    // PyTorch's scale: max_norm / (norm + 1e-7), applied only to rows above max_norm.
    if (norm > max_norm) row.mul_(max_norm / (norm + 1e-7));
  }
  return self;
}

Tensor embedding_backward(const Tensor& grad, const Tensor& indices, int64_t num_weights,
                          int64_t padding_idx, bool scale_grad_by_freq) {
  const Tensor idx = long_indices(indices, "indices", "embedding_backward").reshape({-1});
  const int64_t n = idx.numel();
  const int64_t d = grad.size(-1);
  Tensor g = grad.reshape({n, d});
  if (padding_idx >= 0) g = tg::where((idx != padding_idx).unsqueeze(1), g, 0.0);
  if (scale_grad_by_freq) {
    Tensor counts =
        zeros({num_weights}, grad.scalar_type()).index_add(0, idx, ones({n}, grad.scalar_type()));
    // PyTorch adds grad * (1 / count) per row.
    g = g * counts.index_select(0, idx).reciprocal().unsqueeze(1);
  }
  return zeros({num_weights, d}, grad.scalar_type()).index_add(0, idx, g);
}

Tensor embedding(const Tensor& input, const Tensor& weight, const EmbeddingFuncOptions& o) {
  check_weight(weight);
  const Tensor idx = long_indices(input, "indices", "embedding");
  const int64_t n = weight.size(0);
  const int64_t pad = normalize_padding_idx(o.padding_idx(), n);
  checked_values(idx, n, "index out of range in self");
  if (o.max_norm()) {
    Tensor w = weight;
    embedding_renorm_(w, idx, *o.max_norm(), o.norm_type());
  }
  std::vector<int64_t> shape = idx.sizes().vec();
  shape.push_back(weight.size(1));
  Tensor out;
  {
    NoGradGuard guard;
    out = weight.index_select(0, idx.reshape({-1})).view(shape);
  }
  if (autograd::should_record({&weight})) {
    const bool scale = o.scale_grad_by_freq();
    autograd::record("EmbeddingBackward0", {&weight}, {&out}, {save(idx)},
                     [n, pad, scale](const tensor_list& g, const tensor_list& s) {
                       return tensor_list{embedding_backward(g[0], s[0], n, pad, scale)};
                     });
  }
  return out;
}

Tensor embedding_bag(const Tensor& input, const Tensor& weight, const EmbeddingBagFuncOptions& o) {
  check_weight(weight);
  const EmbeddingBagMode mode = o.mode();
  Tensor idx = long_indices(input, "indices", "embedding_bag");
  Tensor offsets = o.offsets();
  Tensor psw = o.per_sample_weights();
  if (psw.defined())
    TG_CHECK(input.sizes().equals(psw.sizes()), "embedding_bag: If per_sample_weights (",
             psw.sizes(), ") is not None, then it must have the same shape as the input (",
             input.sizes(), ")");
  if (idx.dim() == 2) {
    TG_CHECK(!offsets.defined(),
             "embedding_bag: If input is 2D, then offsets has to be None, as input is treated is a "
             "mini-batch of fixed length sequences. However, found offsets of type Tensor");
    offsets = arange(0, idx.numel(), std::max<int64_t>(idx.size(1), 1), kLong);
    if (idx.size(1) == 0) offsets = zeros({idx.size(0)}, kLong);
    idx = idx.reshape({-1});
    if (psw.defined()) psw = psw.reshape({-1});
  } else {
    TG_CHECK(idx.dim() == 1,
             "embedding_bag: input has to be 1D or 2D Tensor, but got Tensor of "
             "dimension ",
             idx.dim());
    TG_CHECK(offsets.defined(), "embedding_bag: offsets has to be a 1D Tensor but got None");
    TG_CHECK(offsets.dim() == 1, "embedding_bag: offsets has to be a 1D Tensor");
    offsets = long_indices(offsets, "offsets", "embedding_bag");
  }
  if (psw.defined())
    TG_CHECK(mode.is_sum(),
             "embedding_bag: per_sample_weights was not None. per_sample_weights "
             "is only supported for mode='sum' (got mode='",
             mode.name(), "'). Please open a feature request on GitHub.");
  TG_CHECK(!(mode.is_max() && o.scale_grad_by_freq()),
           "embedding_bag: max mode does not support scaling the gradient by the frequency");
  const int64_t n = weight.size(0), dim = weight.size(1), len = idx.numel();
  const int64_t pad = normalize_padding_idx(o.padding_idx(), n);
  // Each entry's bag, from the offsets.
  std::vector<int64_t> offs;
  {
    const Tensor c = offsets.contiguous();
    offs.assign(c.data_ptr<int64_t>(), c.data_ptr<int64_t>() + c.numel());
  }
  if (!offs.empty()) {
    TG_CHECK(offs[0] == 0,
             "offsets[0] has to be 0, i.e., the first sequence in the mini-batch "
             "has to start from position 0. However, got ",
             offs[0]);
    TG_CHECK(offs.back() <= len, "offsets[-1] can not be greater than input's length ", len,
             " but got offsets[-1] of ", offs.back());
  }
  for (size_t b = 1; b < offs.size(); ++b)
    TG_CHECK(offs[b] >= offs[b - 1], "embedding_bag: offsets must be non-decreasing, got ",
             offs[b - 1], " before ", offs[b]);
  const int64_t bags = o.include_last_offset() ? std::max<int64_t>(int64_t(offs.size()) - 1, 0)
                                               : int64_t(offs.size());
  const std::vector<int64_t> vals = checked_values(
      idx, n, "embedding_bag: Expected idx >= 0 && idx < num_embeddings but found idx to be ",
      true);
  if (o.max_norm()) {
    Tensor w = weight;
    embedding_renorm_(w, idx, *o.max_norm(), o.norm_type());
  }
  // The entries that count (not padding and inside a bag), their bag, and each bag's count.
  std::vector<int64_t> keep, bag_of, count(bags, 0);
  for (int64_t b = 0; b < bags; ++b) {
    const int64_t end = b + 1 < int64_t(offs.size()) ? offs[b + 1] : len;
    for (int64_t i = offs[b]; i < end; ++i) {
      if (vals[i] == pad) continue;
      keep.push_back(i);
      bag_of.push_back(b);
      ++count[b];
    }
  }
  const int64_t kept = int64_t(keep.size());
  const Tensor keep_t = tensor(keep, kLong).reshape({kept});
  const Tensor rows_idx = idx.index_select(0, keep_t);
  const Tensor bag_t = tensor(bag_of, kLong).reshape({kept});
  const ScalarType dt = weight.scalar_type();
  Tensor out, aux;  // aux: the selected weight row of each output element (max)
  {
    NoGradGuard guard;
    Tensor rows = weight.index_select(0, rows_idx);
    if (mode.is_max()) {
      // Bags laid out as [bags, longest, dim], missing entries at -inf; the first maximum wins.
      int64_t longest = 0;
      for (int64_t c : count) longest = std::max(longest, c);
      std::vector<int64_t> slot(kept), missing(bags * longest, 1), filled(bags, 0);
      for (int64_t k = 0; k < kept; ++k) {
        slot[k] = bag_of[k] * longest + filled[bag_of[k]]++;
        missing[slot[k]] = 0;
      }
      const Tensor slot_t = tensor(slot, kLong).reshape({kept});
      const Tensor hole = tensor(missing, kLong).reshape({bags * longest}).eq(1);
      Tensor dense = zeros({bags * longest, dim}, dt)
                         .index_add(0, slot_t, rows)
                         .masked_fill(hole.unsqueeze(1), -INFINITY)
                         .view({bags, longest, dim});
      Tensor src = full({bags * longest}, -1, kLong)
                       .index_add(0, slot_t, rows_idx + 1)
                       .view({bags, longest});
      if (longest == 0) {
        out = zeros({bags, dim}, dt);
        aux = full({bags, dim}, -1, kLong);
      } else {
        auto [v, at] = dense.max(1);
        aux = src.gather(1, at);
        Tensor empty_bag = tensor(count, kLong).reshape({bags}).eq(0).unsqueeze(1);
        out = v.masked_fill(empty_bag, 0.0);
        aux = aux.masked_fill(empty_bag, -1);
      }
    } else {
      if (psw.defined()) rows = rows * psw.index_select(0, keep_t).unsqueeze(1);
      out = zeros({bags, dim}, dt).index_add(0, bag_t, rows);
      if (mode.is_mean()) {
        Tensor c = tensor(count, kLong).reshape({bags}).clamp_min(1).to(dt).unsqueeze(1);
        out = out / c;
      }
    }
  }
  if (autograd::should_record({&weight, &psw})) {
    const bool scale = o.scale_grad_by_freq();
    const bool psw_grad = autograd::needs_grad(psw);
    Tensor inv_count = tensor(count, kLong).reshape({bags}).clamp_min(1).to(dt).reciprocal();
    autograd::record(
        "EmbeddingBagBackward0", {&weight, &psw}, {&out},
        {save(weight), save(psw), save(rows_idx), save(bag_t), save(aux), save(keep_t),
         save(inv_count)},
        [n, dim, len, mode, scale, psw_grad](const tensor_list& g, const tensor_list& s) {
          const Tensor& w = s[0];
          const Tensor& p = s[1];
          const Tensor& rows_idx = s[2];
          const Tensor& bag = s[3];
          const Tensor& keep = s[5];
          Tensor gw, gp;
          if (mode.is_max()) {
            // Each output element's gradient goes to the row that held the maximum.
            const Tensor sel = s[4].reshape({-1});
            const Tensor valid = sel.ge(0);
            const Tensor flat = (sel.clamp_min(0) * dim + arange(dim, kLong).repeat({s[4].size(0)}))
                                    .masked_select(valid);
            gw = zeros({n * dim}, g[0].scalar_type())
                     .index_add(0, flat, g[0].reshape({-1}).masked_select(valid))
                     .view({n, dim});
          } else {
            Tensor per_row = g[0].index_select(0, bag);
            if (mode.is_mean()) per_row = per_row * s[6].index_select(0, bag).unsqueeze(1);
            if (psw_grad)
              gp = zeros({len}, g[0].scalar_type())
                       .index_add(0, keep, (per_row * w.index_select(0, rows_idx)).sum({1}))
                       .view(p.sizes());
            if (p.defined()) per_row = per_row * p.reshape({-1}).index_select(0, keep).unsqueeze(1);
            gw = embedding_backward(per_row, rows_idx, n, -1, scale);
          }
          return tensor_list{gw, gp};
        });
  }
  return out;
}

}  // namespace functional

using detail::py_float;

EmbeddingImpl::EmbeddingImpl(EmbeddingOptions o) : options(std::move(o)) { reset(); }

void EmbeddingImpl::reset() {
  const int64_t n = options.num_embeddings();
  if (options.padding_idx()) {
    int64_t& p = *options.padding_idx();
    TG_CHECK(p < n && p >= -n, "Padding_idx must be within num_embeddings");
    if (p < 0) p += n;
  }
  if (!options._weight().defined()) {
    weight = register_parameter("weight", empty({n, options.embedding_dim()}));
    reset_parameters();
  } else {
    TG_CHECK(options._weight().sizes().equals({n, options.embedding_dim()}),
             "Shape of _weight does not match num_embeddings and embedding_dim");
    weight = register_parameter("weight", options._weight());
  }
}

void EmbeddingImpl::reset_parameters() {
  init::normal_(weight);
  if (options.padding_idx()) {
    NoGradGuard guard;
    weight.select(0, *options.padding_idx()).fill_(0);
  }
}

Tensor EmbeddingImpl::forward(const Tensor& input) {
  return functional::embedding(input, weight,
                               functional::EmbeddingFuncOptions()
                                   .padding_idx(options.padding_idx())
                                   .max_norm(options.max_norm())
                                   .norm_type(options.norm_type())
                                   .scale_grad_by_freq(options.scale_grad_by_freq())
                                   .sparse(options.sparse()));
}

std::string EmbeddingImpl::extra_repr() const {
  std::ostringstream ss;
  ss << options.num_embeddings() << ", " << options.embedding_dim();
  if (options.padding_idx()) ss << ", padding_idx=" << *options.padding_idx();
  if (options.max_norm()) ss << ", max_norm=" << py_float(*options.max_norm());
  if (options.norm_type() != 2) ss << ", norm_type=" << py_float(options.norm_type());
  if (options.scale_grad_by_freq()) ss << ", scale_grad_by_freq=True";
  if (options.sparse()) ss << ", sparse=True";
  return ss.str();
}

Embedding Embedding::from_pretrained(const Tensor& embeddings,
                                     const EmbeddingFromPretrainedOptions& o) {
  TG_CHECK(embeddings.defined() && embeddings.dim() == 2,
           "Embeddings parameter is expected to be 2-dimensional");
  Embedding e(EmbeddingOptions(embeddings.size(0), embeddings.size(1))
                  ._weight(embeddings)
                  .padding_idx(o.padding_idx())
                  .max_norm(o.max_norm())
                  .norm_type(o.norm_type())
                  .scale_grad_by_freq(o.scale_grad_by_freq())
                  .sparse(o.sparse()));
  e->weight.set_requires_grad(!o.freeze());
  return e;
}

EmbeddingBagImpl::EmbeddingBagImpl(EmbeddingBagOptions o) : options(std::move(o)) { reset(); }

void EmbeddingBagImpl::reset() {
  const int64_t n = options.num_embeddings();
  if (options.padding_idx()) {
    int64_t& p = *options.padding_idx();
    TG_CHECK(p < n && p >= -n, "padding_idx must be within num_embeddings");
    if (p < 0) p += n;
  }
  if (!options._weight().defined()) {
    weight = register_parameter("weight", empty({n, options.embedding_dim()}));
    reset_parameters();
  } else {
    TG_CHECK(options._weight().sizes().equals({n, options.embedding_dim()}),
             "Shape of weight does not match num_embeddings and embedding_dim");
    weight = register_parameter("weight", options._weight());
  }
}

void EmbeddingBagImpl::reset_parameters() {
  init::normal_(weight);
  if (options.padding_idx()) {
    NoGradGuard guard;
    weight.select(0, *options.padding_idx()).fill_(0);
  }
}

Tensor EmbeddingBagImpl::forward(const Tensor& input, const Tensor& offsets,
                                 const Tensor& per_sample_weights) {
  return functional::embedding_bag(input, weight,
                                   functional::EmbeddingBagFuncOptions()
                                       .offsets(offsets)
                                       .max_norm(options.max_norm())
                                       .norm_type(options.norm_type())
                                       .scale_grad_by_freq(options.scale_grad_by_freq())
                                       .mode(options.mode())
                                       .sparse(options.sparse())
                                       .per_sample_weights(per_sample_weights)
                                       .include_last_offset(options.include_last_offset())
                                       .padding_idx(options.padding_idx()));
}

std::string EmbeddingBagImpl::extra_repr() const {
  std::ostringstream ss;
  ss << options.num_embeddings() << ", " << options.embedding_dim();
  if (options.max_norm()) ss << ", max_norm=" << py_float(*options.max_norm());
  if (options.norm_type() != 2) ss << ", norm_type=" << py_float(options.norm_type());
  if (options.scale_grad_by_freq()) ss << ", scale_grad_by_freq=True";
  ss << ", mode=" << options.mode().name();
  if (options.padding_idx()) ss << ", padding_idx=" << *options.padding_idx();
  return ss.str();
}

EmbeddingBag EmbeddingBag::from_pretrained(const Tensor& embeddings,
                                           const EmbeddingBagFromPretrainedOptions& o) {
  TG_CHECK(embeddings.defined() && embeddings.dim() == 2,
           "Embeddings parameter is expected to be 2-dimensional");
  EmbeddingBag e(EmbeddingBagOptions(embeddings.size(0), embeddings.size(1))
                     ._weight(embeddings)
                     .max_norm(o.max_norm())
                     .norm_type(o.norm_type())
                     .scale_grad_by_freq(o.scale_grad_by_freq())
                     .mode(o.mode())
                     .sparse(o.sparse())
                     .include_last_offset(o.include_last_offset())
                     .padding_idx(o.padding_idx()));
  e->weight.set_requires_grad(!o.freeze());
  return e;
}

}  // namespace tg::nn
