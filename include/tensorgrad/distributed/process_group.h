// Collective communication between processes, with c10d's names: a ProcessGroupMPI over an MPI
// communicator, whose collectives return a Work handle at once and run on the group's own
// communication thread. Part of tensorgrad::distributed; the core library never links MPI.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "tensorgrad/tensor.h"

namespace tg::distributed {

// c10d::ReduceOp. AVG sums and divides by the group size (integers: truncated toward zero). On
// bool tensors SUM and MAX are a logical or, PRODUCT and MIN a logical and; AVG is refused.
struct ReduceOp {
  enum RedOpType : uint8_t { SUM = 0, AVG = 1, PRODUCT = 2, MIN = 3, MAX = 4 };
  ReduceOp(RedOpType op = SUM) : op_(op) {}   // NOLINT(google-explicit-constructor)
  operator RedOpType() const { return op_; }  // NOLINT(google-explicit-constructor)
  RedOpType op_;
};
const char* reduce_op_name(ReduceOp op);

constexpr std::chrono::milliseconds kUnsetTimeout{-1};

struct AllreduceOptions {
  ReduceOp reduceOp = ReduceOp::SUM;
  std::chrono::milliseconds timeout = kUnsetTimeout;
};
struct BroadcastOptions {
  int64_t rootRank = 0;
  std::chrono::milliseconds timeout = kUnsetTimeout;
};
struct AllgatherOptions {
  std::chrono::milliseconds timeout = kUnsetTimeout;
};
struct ReduceScatterOptions {
  ReduceOp reduceOp = ReduceOp::SUM;
  std::chrono::milliseconds timeout = kUnsetTimeout;
};
struct GatherOptions {
  int64_t rootRank = 0;
  std::chrono::milliseconds timeout = kUnsetTimeout;
};
struct ScatterOptions {
  int64_t rootRank = 0;
  std::chrono::milliseconds timeout = kUnsetTimeout;
};
struct BarrierOptions {
  std::chrono::milliseconds timeout = kUnsetTimeout;
};

// The handle of one operation. It completes on the communication thread; wait() blocks until then
// and rethrows the operation's tg::Error (a timeout, a shape mismatch across ranks, an MPI error).
class Work {
 public:
  Work() = default;
  virtual ~Work() = default;
  Work(const Work&) = delete;
  Work& operator=(const Work&) = delete;

  bool isCompleted() const;
  bool is_completed() const { return isCompleted(); }
  // Completed without an error; false while still running.
  bool isSuccess() const;
  // Waits for completion (at most `timeout` when given) and throws the operation's error. Returns
  // true when it completed; a wait that runs out throws.
  bool wait(std::chrono::milliseconds timeout = kUnsetTimeout);
  // The output tensors of the operation (for allgather and gather, flattened in rank order).
  std::vector<Tensor> result() const;
  // The error that ended the operation, or null.
  std::exception_ptr exception() const;
  // Runs fn on the communication thread when the operation completes (at once, on this thread,
  // when it already has). fn must not throw.
  void add_callback(std::function<void()> fn);

  // Called by the process group.
  void finish(std::exception_ptr error = nullptr);
  std::vector<Tensor> outputs_;

 private:
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  bool completed_ = false;
  bool finishing_ = false;
  std::exception_ptr error_;
  std::vector<std::function<void()>> callbacks_;
};

struct ProcessGroupOptions {
  // How long any one operation may take before it fails with a tg::Error, the group being marked
  // broken: a rank that died, hangs, or raised before reaching the collective.
  std::chrono::milliseconds timeout = std::chrono::minutes(30);
  // Before each collective, the ranks compare the operation, dtype and shapes (one small extra
  // allreduce) and all fail with the same error on a mismatch, before any data moves.
  bool check_shapes = true;
};

namespace detail {
struct Entry;
}

// c10d::ProcessGroupMPI: the ranks of an MPI communicator (a copy of MPI_COMM_WORLD by default).
// MPI is initialised by the first group (MPI_THREAD_SERIALIZED) and finalised at exit. One
// tensor per call, as with c10d's MPI backend; tensors of any dtype and layout (non-contiguous
// tensors go through a contiguous copy).
class ProcessGroupMPI {
 public:
  using Work = distributed::Work;

  // A group of the given ranks of MPI_COMM_WORLD (all ranks when empty). Ranks outside `ranks`
  // get nullptr, as with c10d.
  static std::shared_ptr<ProcessGroupMPI> createProcessGroupMPI(std::vector<int> ranks = {},
                                                                ProcessGroupOptions options = {});
  ~ProcessGroupMPI();
  ProcessGroupMPI(const ProcessGroupMPI&) = delete;
  ProcessGroupMPI& operator=(const ProcessGroupMPI&) = delete;

  int getRank() const { return rank_; }
  int getSize() const { return size_; }
  int rank() const { return rank_; }
  int size() const { return size_; }
  const ProcessGroupOptions& options() const { return options_; }
  // Whether an earlier operation timed out: later ones fail at once.
  bool is_broken() const;

  std::shared_ptr<Work> allreduce(std::vector<Tensor>& tensors, const AllreduceOptions& opts = {});
  std::shared_ptr<Work> broadcast(std::vector<Tensor>& tensors, const BroadcastOptions& opts = {});
  // outputTensors[0][r] receives rank r's inputTensors[0].
  std::shared_ptr<Work> allgather(std::vector<std::vector<Tensor>>& outputTensors,
                                  std::vector<Tensor>& inputTensors,
                                  const AllgatherOptions& opts = {});
  // outputTensors[0] receives the reduction over ranks of each rank's inputTensors[0][rank].
  std::shared_ptr<Work> reduce_scatter(std::vector<Tensor>& outputTensors,
                                       std::vector<std::vector<Tensor>>& inputTensors,
                                       const ReduceScatterOptions& opts = {});
  // On the root, outputTensors[0][r] receives rank r's inputTensors[0]; elsewhere outputTensors
  // is empty.
  std::shared_ptr<Work> gather(std::vector<std::vector<Tensor>>& outputTensors,
                               std::vector<Tensor>& inputTensors, const GatherOptions& opts = {});
  // Rank r's outputTensors[0] receives the root's inputTensors[0][r]; elsewhere inputTensors is
  // empty.
  std::shared_ptr<Work> scatter(std::vector<Tensor>& outputTensors,
                                std::vector<std::vector<Tensor>>& inputTensors,
                                const ScatterOptions& opts = {});
  std::shared_ptr<Work> barrier(const BarrierOptions& opts = {});
  // Point to point. The receiver checks dtype and shape against what was sent.
  std::shared_ptr<Work> send(std::vector<Tensor>& tensors, int dstRank, int tag);
  std::shared_ptr<Work> recv(std::vector<Tensor>& tensors, int srcRank, int tag);

  // Allreduce without the cross-rank shape check, for callers that checked the layout once
  // (DistributedDataParallel's buckets). Same contract as allreduce otherwise.
  std::shared_ptr<Work> allreduce_unchecked(Tensor& tensor, ReduceOp op = ReduceOp::SUM);

  // Fails every pending operation and marks the group broken; used after a failed wait.
  void abort();

 private:
  ProcessGroupMPI(void* comm, ProcessGroupOptions options);
  std::shared_ptr<Work> enqueue(std::unique_ptr<detail::Entry> entry);
  void run_worker(int lane);
  std::chrono::milliseconds timeout_of(std::chrono::milliseconds t) const;

  struct State;
  std::unique_ptr<State> state_;
  int rank_ = 0;
  int size_ = 1;
  ProcessGroupOptions options_;
};

}  // namespace tg::distributed
