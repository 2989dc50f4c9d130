// The Reducer: a gradient hook on every parameter copies its local gradient into the parameter's
// slot of a flat bucket; when a bucket is full its allreduce (sum, then divide by the group size)
// goes to the process group's communication thread, in bucket order on every rank, so that ranks
// that find different unused parameters still issue the same sequence of collectives. The hook of
// the last parameter waits for all buckets and writes the averages into the gradients: the engine
// has no end-of-backward callback, and that hook is the last point where the pass can still hand
// a gradient to a parameter.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <sstream>
#include <unordered_set>

#include "autograd/function.h"
#include "tensorgrad/autograd.h"
#include "tensorgrad/distributed/distributed_data_parallel.h"

namespace tg::distributed {

namespace {
using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}
}  // namespace

struct Reducer::Impl {
  struct Slot {
    size_t bucket = 0;
    int64_t offset = 0;
    int64_t numel = 0;
  };
  struct Bucket {
    Tensor flat;
    std::vector<size_t> params;
    size_t pending = 0;
    std::shared_ptr<Work> work;
  };

  std::vector<Tensor> params;
  std::vector<Tensor> buffers;
  std::shared_ptr<ProcessGroupMPI> pg;
  DistributedDataParallelOptions options;
  std::vector<Slot> slots;
  std::vector<std::unique_ptr<Bucket>> buckets;
  std::vector<unsigned> hook_handles;

  // Per-iteration state, touched by the hooks on the backward thread.
  std::mutex mutex;
  bool expect_sync = false;       // a synchronised backward is expected for the last forward
  bool backward_started = false;  // a hook of that backward has run
  bool finished = true;           // its reduction completed
  bool marked_unused = false;
  std::vector<char> ready;
  std::vector<size_t> unused;
  size_t next_bucket = 0;
  Clock::time_point start;
  ReducerStats stats;

  Tensor slot_view(size_t i) {
    const Slot& s = slots[i];
    return buckets[s.bucket]->flat.narrow(0, s.offset, s.numel).view(params[i].sizes());
  }

  void build_buckets() {
    const double cap_bytes = options.bucket_cap_mb * 1024.0 * 1024.0;
    slots.resize(params.size());
    // Reverse order of registration: roughly the order in which backward produces the gradients,
    // so the first bucket fills early. One dtype per bucket.
    std::vector<std::vector<size_t>> groups;
    std::vector<ScalarType> group_dtype;
    std::vector<double> group_bytes;
    std::vector<int> open_group(4, -1);
    for (size_t k = params.size(); k-- > 0;) {
      const Tensor& p = params[k];
      auto dt = static_cast<size_t>(p.scalar_type());
      double bytes = static_cast<double>(p.numel()) * static_cast<double>(p.element_size());
      int g = open_group[dt];
      if (g < 0 || (group_bytes[static_cast<size_t>(g)] > 0 &&
                    group_bytes[static_cast<size_t>(g)] + bytes > cap_bytes)) {
        g = static_cast<int>(groups.size());
        groups.emplace_back();
        group_dtype.push_back(p.scalar_type());
        group_bytes.push_back(0);
        open_group[dt] = g;
      }
      groups[static_cast<size_t>(g)].push_back(k);
      group_bytes[static_cast<size_t>(g)] += bytes;
    }
    for (size_t g = 0; g < groups.size(); ++g) {
      auto b = std::make_unique<Bucket>();
      int64_t total = 0;
      for (size_t k : groups[g]) {
        slots[k] = {buckets.size(), total, params[k].numel()};
        total += params[k].numel();
      }
      b->flat = tg::zeros({total}, tg::dtype(group_dtype[g]));
      b->params = groups[g];
      buckets.push_back(std::move(b));
    }
  }

  // Every rank must hold the same parameters (count, dtypes, shapes) and the same bucket layout;
  // checked once, so that the bucket allreduces can skip the per-call shape check.
  void check_same_layout_across_ranks() {
    std::vector<int64_t> sig = {static_cast<int64_t>(params.size()),
                                static_cast<int64_t>(buffers.size()),
                                static_cast<int64_t>(buckets.size())};
    uint64_t h = 1469598103934665603ULL;
    auto mix = [&h](int64_t v) { h = (h ^ static_cast<uint64_t>(v)) * 1099511628211ULL; };
    for (const auto& p : params) {
      mix(static_cast<int64_t>(p.scalar_type()));
      for (int64_t s : p.sizes()) mix(s);
      mix(-1);
    }
    for (const auto& b : buffers) {
      mix(static_cast<int64_t>(b.scalar_type()));
      for (int64_t s : b.sizes()) mix(s);
      mix(-2);
    }
    sig.push_back(static_cast<int64_t>(h >> 1));
    Tensor hi = tg::empty({static_cast<int64_t>(sig.size())}, tg::dtype(kLong));
    std::copy(sig.begin(), sig.end(), hi.data_ptr<int64_t>());
    Tensor lo = hi.neg();
    std::vector<Tensor> vh{hi}, vl{lo};
    auto w1 = pg->allreduce(vh, {ReduceOp::MAX});
    auto w2 = pg->allreduce(vl, {ReduceOp::MAX});
    w1->wait();
    w2->wait();
    const int64_t* a = hi.data_ptr<int64_t>();
    const int64_t* b = lo.data_ptr<int64_t>();
    static const char* what[] = {"number of parameters", "number of buffers",
                                 "number of gradient buckets", "parameter and buffer shapes"};
    for (size_t i = 0; i < sig.size(); ++i) {
      TG_CHECK(a[i] == -b[i], "DistributedDataParallel: the ranks' modules differ in their ",
               what[i], " (this rank, ", pg->getRank(), ", has ", params.size(), " parameters and ",
               buffers.size(), " buffers)");
    }
  }

  void broadcast_from_rank0(const std::vector<Tensor>& tensors) {
    NoGradGuard no_grad;
    std::vector<std::shared_ptr<Work>> works;
    for (const auto& t : tensors) {
      std::vector<Tensor> v{t.detach()};
      works.push_back(pg->broadcast(v, {0}));
    }
    for (auto& w : works) w->wait();
  }

  void launch_ready_buckets() {
    while (next_bucket < buckets.size() && buckets[next_bucket]->pending == 0) {
      Bucket* b = buckets[next_bucket].get();
      b->work = pg->allreduce_unchecked(b->flat, ReduceOp::AVG);
      ++next_bucket;
    }
  }

  // Runs on the backward thread, in AccumulateGrad, before the gradient is added to .grad.
  Tensor on_gradient(size_t i, const Tensor& g) {
    std::lock_guard<std::mutex> lock(mutex);
    if (!expect_sync) return g;
    NoGradGuard no_grad;
    if (!backward_started) {
      backward_started = true;
      start = Clock::now();
    }
    TG_CHECK(!ready[i], "DistributedDataParallel: parameter ", i,
             " received its gradient twice in one backward pass (a second backward through the "
             "same forward, or a parameter used by two forwards); call forward again before each "
             "backward");
    if (!marked_unused) {
      marked_unused = true;
      for (size_t u : unused) mark_ready(u, Tensor());
    }
    mark_ready(i, g);
    launch_ready_buckets();
    if (next_bucket < buckets.size()) return g;
    // All buckets launched: this is the last gradient of the pass.
    finalize(i);
    // This parameter's own .grad is set by AccumulateGrad from what the hook returns.
    params[i].mutable_grad() = Tensor();
    return slot_view(i).clone();
  }

  void mark_ready(size_t i, const Tensor& g) {
    ready[i] = 1;
    Tensor slot = slot_view(i);
    const Tensor& acc = params[i].grad();
    if (g.defined() && acc.defined()) {
      slot.copy_(acc);
      slot.add_(g);
    } else if (g.defined()) {
      slot.copy_(g);
    } else if (acc.defined()) {
      slot.copy_(acc);
    } else {
      slot.zero_();
    }
    Bucket& b = *buckets[slots[i].bucket];
    --b.pending;
  }

  void finalize(size_t current) {
    auto t_wait = Clock::now();
    std::exception_ptr error;
    for (auto& b : buckets) {
      try {
        b->work->wait();
      } catch (...) {
        if (!error) error = std::current_exception();
      }
    }
    stats.wait_seconds = seconds_since(t_wait);
    stats.backward_seconds = seconds_since(start);
    stats.buckets = buckets.size();
    finished = true;
    expect_sync = false;
    if (error) std::rethrow_exception(error);
    for (size_t k = 0; k < params.size(); ++k) {
      if (k == current) continue;
      Tensor& grad = params[k].mutable_grad();
      if (grad.defined()) {
        grad.copy_(slot_view(k));
      } else {
        grad = slot_view(k).clone();
      }
    }
  }

  // The parameters whose gradient accumulator the outputs' graph does not reach.
  void find_unused(const std::vector<Tensor>& outputs) {
    std::unordered_set<const autograd::Node*> seen;
    std::vector<const autograd::Node*> stack;
    for (const auto& o : outputs) {
      if (o.defined() && o.grad_fn()) stack.push_back(o.grad_fn().get());
    }
    while (!stack.empty()) {
      const autograd::Node* n = stack.back();
      stack.pop_back();
      if (!seen.insert(n).second) continue;
      for (const auto& e : n->next_functions()) {
        if (e.function) stack.push_back(e.function.get());
      }
    }
    unused.clear();
    for (size_t k = 0; k < params.size(); ++k) {
      auto acc = autograd::grad_accumulator(params[k]);
      // A parameter that is an output itself reaches its accumulator directly.
      bool is_output = std::any_of(outputs.begin(), outputs.end(),
                                   [&](const Tensor& o) { return o.is_same(params[k]); });
      if (!seen.count(acc.get()) && !is_output) unused.push_back(k);
    }
  }
};

Reducer::Reducer(std::vector<Tensor> parameters, std::vector<Tensor> buffers,
                 std::shared_ptr<ProcessGroupMPI> process_group,
                 DistributedDataParallelOptions options)
    : impl_(std::make_unique<Impl>()) {
  TG_CHECK(options.bucket_cap_mb > 0,
           "DistributedDataParallel: bucket_cap_mb must be positive, got ", options.bucket_cap_mb);
  Impl& m = *impl_;
  m.params = std::move(parameters);
  m.buffers = std::move(buffers);
  m.pg = std::move(process_group);
  m.options = options;
  for (size_t k = 0; k < m.params.size(); ++k) {
    for (size_t j = 0; j < k; ++j) {
      TG_CHECK(!m.params[k].is_same(m.params[j]), "DistributedDataParallel: parameter ", k,
               " is the same tensor as parameter ", j);
    }
  }
  m.build_buckets();
  m.check_same_layout_across_ranks();
  m.broadcast_from_rank0(m.params);
  m.broadcast_from_rank0(m.buffers);
  m.ready.assign(m.params.size(), 0);
  Impl* raw = impl_.get();
  for (size_t k = 0; k < m.params.size(); ++k) {
    m.hook_handles.push_back(
        m.params[k].register_hook([raw, k](const Tensor& g) { return raw->on_gradient(k, g); }));
  }
}

Reducer::~Reducer() {
  for (size_t k = 0; k < impl_->params.size(); ++k) {
    try {
      impl_->params[k].remove_hook(impl_->hook_handles[k]);
    } catch (const Error&) {
      // The hook list changed under us; the parameter is being torn down anyway.
    }
  }
  // Outstanding bucket allreduces write into the buckets: let them finish first.
  for (auto& b : impl_->buckets) {
    if (b->work) {
      try {
        b->work->wait();
      } catch (const Error&) {
      }
    }
  }
}

void Reducer::prepare_for_forward() {
  Impl& m = *impl_;
  std::lock_guard<std::mutex> lock(m.mutex);
  if (m.expect_sync && m.backward_started && !m.finished) {
    std::ostringstream unready;
    size_t count = 0;
    for (size_t k = 0; k < m.params.size(); ++k) {
      if (!m.ready[k]) {
        if (count < 8) unready << (count ? ", " : "") << k;
        ++count;
      }
    }
    // Let the buckets already launched complete, so that the ranks stay in step after the error.
    for (size_t b = 0; b < m.next_bucket; ++b) {
      try {
        m.buckets[b]->work->wait();
      } catch (const Error&) {
      }
    }
    m.expect_sync = false;
    m.finished = true;
    TG_ERROR("DistributedDataParallel: the previous backward pass did not produce gradients for ",
             count, " parameter(s) (indices ", unready.str(), count > 8 ? ", ..." : "",
             "), so their averaging never finished. Construct DistributedDataParallel with "
             "find_unused_parameters = true if some parameters take no part in the loss.");
  }
  if (m.options.broadcast_buffers && !m.buffers.empty() && m.pg->getSize() > 1) {
    m.broadcast_from_rank0(m.buffers);
  }
}

void Reducer::prepare_for_backward(const std::vector<Tensor>& outputs) {
  Impl& m = *impl_;
  std::lock_guard<std::mutex> lock(m.mutex);
  bool needs_grad = GradMode::is_enabled() &&
                    std::any_of(outputs.begin(), outputs.end(),
                                [](const Tensor& o) { return o.defined() && o.requires_grad(); });
  m.expect_sync = require_sync_ && needs_grad && !m.params.empty();
  if (!m.expect_sync) return;
  m.backward_started = false;
  m.finished = false;
  m.marked_unused = false;
  std::fill(m.ready.begin(), m.ready.end(), 0);
  for (auto& b : m.buckets) {
    b->pending = b->params.size();
    b->work.reset();
  }
  m.next_bucket = 0;
  m.unused.clear();
  if (m.options.find_unused_parameters) {
    TG_CHECK(!outputs.empty(),
             "DistributedDataParallel: find_unused_parameters needs the "
             "forward to return a Tensor or a std::vector<Tensor>");
    m.find_unused(outputs);
  }
}

size_t Reducer::num_buckets() const { return impl_->buckets.size(); }

std::vector<std::vector<size_t>> Reducer::bucket_indices() const {
  std::vector<std::vector<size_t>> out;
  for (const auto& b : impl_->buckets) out.push_back(b->params);
  return out;
}

ReducerStats Reducer::last_stats() const {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  return impl_->stats;
}

}  // namespace tg::distributed
