// DistributedDataParallel: a module trained by several processes, each on its own part of the
// batch. At construction every rank takes rank 0's parameters and buffers; during backward() the
// gradients are averaged across ranks in buckets of about 25 MB, each bucket's allreduce starting
// on the process group's communication thread as soon as its gradients are ready, while the rest
// of the backward pass runs. After backward() every rank holds the same averaged gradients.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "tensorgrad/distributed/process_group.h"
#include "tensorgrad/nn/module.h"
#include "tensorgrad/tensor.h"

namespace tg::distributed {

struct DistributedDataParallelOptions {
  // The size of a gradient bucket in MiB (PyTorch's bucket_cap_mb): larger buckets mean fewer,
  // larger allreduces; smaller ones start communicating earlier in the backward pass.
  double bucket_cap_mb = 25.0;
  // Looks through the autograd graph of each forward's output for parameters that will get no
  // gradient, and counts them as ready (contributing zeros); without it, every parameter must get
  // a gradient in every synchronised backward.
  bool find_unused_parameters = false;
  // Broadcast rank 0's buffers (running statistics) before every forward.
  bool broadcast_buffers = true;
};

// Measurements of the last synchronised backward pass, for overlap studies.
struct ReducerStats {
  size_t buckets = 0;
  // From the first gradient hook to the end of the last bucket's allreduce.
  double backward_seconds = 0;
  // How long the end of the backward pass waited for communication that was not hidden.
  double wait_seconds = 0;
};

// The bucketed gradient averaging behind DistributedDataParallel (PyTorch's Reducer).
class Reducer {
 public:
  Reducer(std::vector<Tensor> parameters, std::vector<Tensor> buffers,
          std::shared_ptr<ProcessGroupMPI> process_group, DistributedDataParallelOptions options);
  ~Reducer();
  Reducer(const Reducer&) = delete;
  Reducer& operator=(const Reducer&) = delete;

  // Called by DistributedDataParallel around the wrapped module's forward.
  void prepare_for_forward();
  void prepare_for_backward(const std::vector<Tensor>& outputs);

  void set_require_backward_grad_sync(bool on) { require_sync_ = on; }
  bool require_backward_grad_sync() const { return require_sync_; }
  size_t num_buckets() const;
  // Parameter indices of each bucket, in launch order.
  std::vector<std::vector<size_t>> bucket_indices() const;
  ReducerStats last_stats() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  bool require_sync_ = true;
};

template <typename ModuleType>
class DistributedDataParallel {
 public:
  // module: a module (or a holder's pointer, e.g. `linear.ptr()`) whose forward the wrapper calls.
  DistributedDataParallel(std::shared_ptr<ModuleType> module,
                          std::shared_ptr<ProcessGroupMPI> process_group,
                          DistributedDataParallelOptions options = {})
      : module_(std::move(module)), process_group_(std::move(process_group)) {
    TG_CHECK(module_ != nullptr, "DistributedDataParallel: the module is null");
    TG_CHECK(process_group_ != nullptr, "DistributedDataParallel: the process group is null");
    std::vector<Tensor> params;
    for (auto& p : module_->parameters()) {
      if (p.requires_grad()) params.push_back(p);
    }
    reducer_ =
        std::make_unique<Reducer>(std::move(params), module_->buffers(), process_group_, options);
  }

  template <typename... Args>
  auto forward(Args&&... args) {
    reducer_->prepare_for_forward();
    auto out = module_->forward(std::forward<Args>(args)...);
    reducer_->prepare_for_backward(tensors_of(out));
    return out;
  }
  template <typename... Args>
  auto operator()(Args&&... args) {
    return forward(std::forward<Args>(args)...);
  }

  // Forwards run while the guard lives skip the averaging in their backward: the gradients
  // accumulate locally, and the first synchronised backward afterwards averages the sum.
  class NoSyncGuard {
   public:
    explicit NoSyncGuard(Reducer& r) : reducer_(&r), previous_(r.require_backward_grad_sync()) {
      r.set_require_backward_grad_sync(false);
    }
    ~NoSyncGuard() {
      if (reducer_) reducer_->set_require_backward_grad_sync(previous_);
    }
    NoSyncGuard(NoSyncGuard&& o) noexcept : reducer_(o.reducer_), previous_(o.previous_) {
      o.reducer_ = nullptr;
    }
    NoSyncGuard(const NoSyncGuard&) = delete;
    NoSyncGuard& operator=(const NoSyncGuard&) = delete;
    NoSyncGuard& operator=(NoSyncGuard&&) = delete;

   private:
    Reducer* reducer_;
    bool previous_;
  };
  [[nodiscard]] NoSyncGuard no_sync() { return NoSyncGuard(*reducer_); }

  const std::shared_ptr<ModuleType>& module() const { return module_; }
  std::vector<Tensor> parameters() const { return module_->parameters(); }
  const std::shared_ptr<ProcessGroupMPI>& process_group() const { return process_group_; }
  Reducer& reducer() { return *reducer_; }
  void train(bool on = true) { module_->train(on); }
  void eval() { module_->eval(); }
  void zero_grad() { module_->zero_grad(); }

 private:
  template <typename T>
  static std::vector<Tensor> tensors_of(const T& out) {
    if constexpr (std::is_convertible_v<const T&, Tensor>) {
      return {Tensor(out)};
    } else if constexpr (std::is_convertible_v<const T&, std::vector<Tensor>>) {
      return std::vector<Tensor>(out);
    } else {
      return {};
    }
  }

  std::shared_ptr<ModuleType> module_;
  std::shared_ptr<ProcessGroupMPI> process_group_;
  std::unique_ptr<Reducer> reducer_;
};

}  // namespace tg::distributed
