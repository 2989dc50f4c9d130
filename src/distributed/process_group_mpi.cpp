// ProcessGroupMPI: every MPI call of a group runs on its communication threads (one for
// collectives, one for point-to-point). A collective first waits, by polling a non-blocking
// operation until a deadline, for every rank to arrive (and to agree on the shapes); only then
// does it run MPI's blocking collective. Polling is what lets a dead or diverged peer become a
// tg::Error instead of a hang. Calls from several threads are serialised by one mutex
// (MPI_THREAD_SERIALIZED).
#include <mpi.h>

#include <algorithm>
#include <atomic>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <sstream>
#include <thread>

#include "tensorgrad/autograd.h"
#include "tensorgrad/distributed/process_group.h"

namespace tg::distributed {

const char* reduce_op_name(ReduceOp op) {
  switch (op) {
    case ReduceOp::SUM:
      return "sum";
    case ReduceOp::AVG:
      return "avg";
    case ReduceOp::PRODUCT:
      return "product";
    case ReduceOp::MIN:
      return "min";
    case ReduceOp::MAX:
      return "max";
  }
  return "?";
}

// ---------------------------------------------------------------------------------------------
// Work

bool Work::isCompleted() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return completed_;
}

bool Work::isSuccess() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return completed_ && !error_;
}

std::exception_ptr Work::exception() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return error_;
}

std::vector<Tensor> Work::result() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return outputs_;
}

bool Work::wait(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mutex_);
  if (timeout.count() >= 0) {
    TG_CHECK(cv_.wait_for(lock, timeout, [this] { return completed_; }),
             "Work::wait: the operation did not complete within ", timeout.count(), " ms");
  } else {
    cv_.wait(lock, [this] { return completed_; });
  }
  if (error_) std::rethrow_exception(error_);
  return true;
}

void Work::add_callback(std::function<void()> fn) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!finishing_) {
      callbacks_.push_back(std::move(fn));
      return;
    }
  }
  fn();
}

// The callbacks run before waiters are released, so that a returned wait() has seen them all.
void Work::finish(std::exception_ptr error) {
  std::vector<std::function<void()>> callbacks;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    finishing_ = true;
    error_ = std::move(error);
    callbacks.swap(callbacks_);
  }
  for (auto& fn : callbacks) fn();
  {
    std::lock_guard<std::mutex> lock(mutex_);
    completed_ = true;
  }
  cv_.notify_all();
}

// ---------------------------------------------------------------------------------------------
// MPI environment

namespace {

std::mutex& mpi_mutex() {
  static std::mutex m;
  return m;
}

// Set once an operation was abandoned: MPI_Finalize would wait for it forever, so the process
// leaves without finalising (mpirun then reports the failed rank, which is what happened).
std::atomic<bool> g_abandoned{false};

void finalize_mpi() {
  std::lock_guard<std::mutex> lock(mpi_mutex());
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (!finalized && !g_abandoned.load()) MPI_Finalize();
}

void init_mpi() {
  static std::once_flag once;
  std::call_once(once, [] {
    std::lock_guard<std::mutex> lock(mpi_mutex());
    int initialized = 0;
    MPI_Initialized(&initialized);
    int provided = MPI_THREAD_SINGLE;
    if (!initialized) {
      TG_CHECK(MPI_Init_thread(nullptr, nullptr, MPI_THREAD_SERIALIZED, &provided) == MPI_SUCCESS,
               "ProcessGroupMPI: MPI_Init_thread failed");
      std::atexit(finalize_mpi);
    } else {
      MPI_Query_thread(&provided);
    }
    TG_CHECK(provided >= MPI_THREAD_SERIALIZED,
             "ProcessGroupMPI: the MPI library provides thread level ", provided,
             ", MPI_THREAD_SERIALIZED is needed (the collectives run on their own thread)");
    // Errors come back as return codes, so that they become tg::Error rather than an abort.
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
  });
}

std::string mpi_error_string(int code) {
  char buf[MPI_MAX_ERROR_STRING];
  int len = 0;
  if (MPI_Error_string(code, buf, &len) != MPI_SUCCESS) return "MPI error " + std::to_string(code);
  return std::string(buf, static_cast<size_t>(len));
}

#define TG_MPI_CALL(op, call)                                                          \
  do {                                                                                 \
    int rc_;                                                                           \
    {                                                                                  \
      std::lock_guard<std::mutex> mpi_lock_(mpi_mutex());                              \
      rc_ = (call);                                                                    \
    }                                                                                  \
    TG_CHECK(rc_ == MPI_SUCCESS, op, ": ", #call, " failed: ", mpi_error_string(rc_)); \
  } while (0)

MPI_Datatype mpi_type(ScalarType t) {
  switch (t) {
    case ScalarType::Bool:
      return MPI_C_BOOL;
    case ScalarType::Long:
      return MPI_INT64_T;
    case ScalarType::Float:
      return MPI_FLOAT;
    case ScalarType::Double:
      return MPI_DOUBLE;
  }
  return MPI_BYTE;
}

MPI_Op mpi_op(ReduceOp op, ScalarType t) {
  if (t == kBool) {
    return (op == ReduceOp::SUM || op == ReduceOp::MAX) ? MPI_LOR : MPI_LAND;
  }
  switch (op) {
    case ReduceOp::SUM:
    case ReduceOp::AVG:
      return MPI_SUM;
    case ReduceOp::PRODUCT:
      return MPI_PROD;
    case ReduceOp::MIN:
      return MPI_MIN;
    case ReduceOp::MAX:
      return MPI_MAX;
  }
  return MPI_SUM;
}

// Divides n elements in place by the group size (AVG after a SUM). Division rather than a
// multiplication by the reciprocal, so that the result is the serial mean's rounding.
void divide(void* data, ScalarType t, size_t n, int size) {
  switch (t) {
    case ScalarType::Float: {
      auto* p = static_cast<float*>(data);
      for (size_t i = 0; i < n; ++i) p[i] /= static_cast<float>(size);
      break;
    }
    case ScalarType::Double: {
      auto* p = static_cast<double*>(data);
      for (size_t i = 0; i < n; ++i) p[i] /= static_cast<double>(size);
      break;
    }
    case ScalarType::Long: {
      auto* p = static_cast<int64_t*>(data);
      for (size_t i = 0; i < n; ++i) p[i] /= size;
      break;
    }
    case ScalarType::Bool:
      break;
  }
}

std::string describe(const Tensor& t) {
  std::ostringstream os;
  os << dtype_name(t.scalar_type()) << " " << t.sizes();
  return os.str();
}

int checked_count(const char* op, const Tensor& t) {
  TG_CHECK(t.numel() <= INT_MAX, op, ": tensor of ", t.numel(),
           " elements is larger than one MPI message (", INT_MAX, " elements)");
  return static_cast<int>(t.numel());
}

// A contiguous view of a tensor's data for MPI: the tensor itself when it is contiguous, else a
// contiguous copy that write_back() copies into the tensor.
struct Staged {
  Tensor target;
  Tensor buffer;
  void* ptr() const { return buffer.data_ptr(); }
  void write_back() const {
    if (buffer.is_same(target)) return;
    NoGradGuard no_grad;
    target.detach().copy_(buffer);
  }
};

Staged stage(const Tensor& t) {
  NoGradGuard no_grad;
  Staged s;
  s.target = t;
  s.buffer = t.is_contiguous() ? t : t.detach().contiguous();
  return s;
}

// The tensors of a list side by side in one contiguous buffer (rank order), and back.
Tensor flatten_list(const std::vector<Tensor>& list) {
  NoGradGuard no_grad;
  std::vector<Tensor> flat;
  flat.reserve(list.size());
  for (const auto& t : list) flat.push_back(t.detach().reshape({-1}));
  return tg::cat(flat, 0);
}

void unflatten_into(const Tensor& flat, std::vector<Tensor>& list) {
  NoGradGuard no_grad;
  int64_t offset = 0;
  for (auto& t : list) {
    int64_t n = t.numel();
    t.detach().copy_(flat.narrow(0, offset, n).view(t.sizes()));
    offset += n;
  }
}

struct TimeoutError : Error {
  using Error::Error;
};

}  // namespace

// ---------------------------------------------------------------------------------------------
// Entries of the communication thread's queue

namespace detail {

struct Context {
  MPI_Comm comm;
  std::chrono::steady_clock::time_point deadline;
  std::chrono::milliseconds timeout;
  const std::atomic<bool>* aborted;
  const char* op;

  // Polls the request until it completes. On a timeout the request is abandoned (MPI has no way
  // to cancel a collective), which marks the process as unable to finalise MPI.
  void complete(MPI_Request& req) const {
    int spins = 0;
    auto nap = std::chrono::microseconds(20);
    const auto begin = std::chrono::steady_clock::now();
    for (;;) {
      int flag = 0;
      int rc;
      {
        std::lock_guard<std::mutex> lock(mpi_mutex());
        rc = MPI_Test(&req, &flag, MPI_STATUS_IGNORE);
      }
      TG_CHECK(rc == MPI_SUCCESS, op, ": MPI_Test failed: ", mpi_error_string(rc));
      if (flag) return;
      if (aborted->load()) {
        g_abandoned = true;
        throw TimeoutError(tg::detail::concat(op, ": the process group was aborted"));
      }
      if (std::chrono::steady_clock::now() > deadline) {
        g_abandoned = true;
        throw TimeoutError(tg::detail::concat(
            op, ": timed out after ", timeout.count(),
            " ms waiting for the other ranks (a rank died, raised, or called a different "
            "operation); the process group is now broken"));
      }
      // Spin first (the other ranks are usually about to arrive), yielding the core to the
      // backward pass this thread overlaps with; sleep only once the wait is long.
      ++spins;
      if (spins < 64) continue;
      if (std::chrono::steady_clock::now() - begin < std::chrono::milliseconds(2)) {
        std::this_thread::yield();
        continue;
      }
      std::this_thread::sleep_for(nap);
      nap = std::min(nap * 2, std::chrono::microseconds(500));
    }
  }
};

struct Entry {
  const char* op = "";
  std::shared_ptr<Work> work;
  std::chrono::milliseconds timeout{0};
  // What must agree across ranks (empty: no check), and a description of this rank's tensors for
  // the error message.
  std::vector<int64_t> signature;
  std::string description;
  std::function<void(const Context&)> run;
  // Point-to-point operations run on their own thread.
  bool p2p = false;
  // Requests posted when the operation was called (sends), completed by run.
  std::vector<MPI_Request> posted;
};

}  // namespace detail

namespace {

enum OpCode : int64_t {
  kAllreduce = 1,
  kBroadcast,
  kAllgather,
  kReduceScatter,
  kGather,
  kScatter,
  kBarrier
};
constexpr size_t kSignatureDims = 8;
// Every signature has the same length, whatever the operation: the check is itself an allreduce.
constexpr size_t kSignatureLength = 3 + 3 + kSignatureDims + 1 + 1;

// op, reduce op, root, dtype, numel, ndim, sizes (padded with -1; the rest folded into one hash),
// list length.
std::vector<int64_t> signature_of(OpCode op, int64_t reduce, int64_t root, const Tensor* t,
                                  int64_t list_len) {
  std::vector<int64_t> sig = {op, reduce, root};
  sig.reserve(kSignatureLength);
  if (t) {
    sig.push_back(static_cast<int64_t>(t->scalar_type()));
    sig.push_back(t->numel());
    sig.push_back(t->dim());
    auto sizes = t->sizes();
    for (size_t i = 0; i < kSignatureDims; ++i) sig.push_back(i < sizes.size() ? sizes[i] : -1);
    uint64_t rest = 1469598103934665603ULL;
    for (size_t i = kSignatureDims; i < sizes.size(); ++i) {
      rest = (rest ^ static_cast<uint64_t>(sizes[i])) * 1099511628211ULL;
    }
    sig.push_back(static_cast<int64_t>(rest >> 1));
  } else {
    sig.resize(kSignatureLength - 1, 0);
  }
  sig.push_back(list_len);
  return sig;
}

const char* signature_field(size_t i) {
  static const char* names[] = {"operation", "reduce op", "root rank", "dtype",
                                "numel",     "dim",       "size"};
  return i < 7 ? names[i] : "size";
}

void check_signature(const detail::Entry& e, const detail::Context& ctx, int rank) {
  const size_t n = e.signature.size();
  std::vector<int64_t> buf(2 * n);
  for (size_t i = 0; i < n; ++i) {
    buf[i] = e.signature[i];
    buf[n + i] = -e.signature[i];
  }
  MPI_Request req;
  TG_MPI_CALL(e.op, MPI_Iallreduce(MPI_IN_PLACE, buf.data(), static_cast<int>(2 * n), MPI_INT64_T,
                                   MPI_MAX, ctx.comm, &req));
  ctx.complete(req);
  for (size_t i = 0; i < n; ++i) {
    int64_t hi = buf[i];
    int64_t lo = -buf[n + i];
    if (hi != lo) {
      TG_ERROR(e.op, ": the ranks disagree on the ", signature_field(std::min<size_t>(i, 6)),
               " (from ", lo, " to ", hi, "); rank ", rank, " has ", e.description,
               ". Nothing was communicated.");
    }
  }
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// ProcessGroupMPI

// One queue and thread per lane: collectives on one, point-to-point on the other, so that a
// posted recv waiting for its sender never holds up a collective (or a send) behind it.
struct Lane {
  std::thread worker;
  std::mutex mutex;
  std::condition_variable cv;
  std::deque<std::unique_ptr<detail::Entry>> queue;
  bool stop = false;
};

struct ProcessGroupMPI::State {
  MPI_Comm comm = MPI_COMM_NULL;
  Lane lanes[2];
  std::atomic<bool> broken{false};
};

namespace {
// Entries whose MPI operation was abandoned keep their buffers alive: should the peer ever arrive,
// MPI still writes into them.
std::mutex& abandoned_mutex() {
  static std::mutex m;
  return m;
}
std::vector<std::unique_ptr<detail::Entry>>& abandoned_entries() {
  static auto* v = new std::vector<std::unique_ptr<detail::Entry>>();
  return *v;
}
void abandon(std::unique_ptr<detail::Entry> e) {
  g_abandoned = true;
  std::lock_guard<std::mutex> lock(abandoned_mutex());
  abandoned_entries().push_back(std::move(e));
}
}  // namespace

std::shared_ptr<ProcessGroupMPI> ProcessGroupMPI::createProcessGroupMPI(
    std::vector<int> ranks, ProcessGroupOptions options) {
  init_mpi();
  MPI_Comm comm = MPI_COMM_NULL;
  if (ranks.empty()) {
    TG_MPI_CALL("createProcessGroupMPI", MPI_Comm_dup(MPI_COMM_WORLD, &comm));
  } else {
    int world = 0;
    TG_MPI_CALL("createProcessGroupMPI", MPI_Comm_size(MPI_COMM_WORLD, &world));
    for (int r : ranks) {
      TG_CHECK(r >= 0 && r < world, "createProcessGroupMPI: rank ", r,
               " is not a rank of MPI_COMM_WORLD (size ", world, ")");
    }
    MPI_Group world_group, group;
    TG_MPI_CALL("createProcessGroupMPI", MPI_Comm_group(MPI_COMM_WORLD, &world_group));
    TG_MPI_CALL("createProcessGroupMPI",
                MPI_Group_incl(world_group, static_cast<int>(ranks.size()), ranks.data(), &group));
    TG_MPI_CALL("createProcessGroupMPI", MPI_Comm_create(MPI_COMM_WORLD, group, &comm));
    MPI_Group_free(&group);
    MPI_Group_free(&world_group);
    if (comm == MPI_COMM_NULL) return nullptr;
  }
  TG_MPI_CALL("createProcessGroupMPI", MPI_Comm_set_errhandler(comm, MPI_ERRORS_RETURN));
  return std::shared_ptr<ProcessGroupMPI>(new ProcessGroupMPI(comm, options));
}

ProcessGroupMPI::ProcessGroupMPI(void* comm, ProcessGroupOptions options)
    : state_(std::make_unique<State>()), options_(options) {
  state_->comm = static_cast<MPI_Comm>(comm);
  TG_MPI_CALL("ProcessGroupMPI", MPI_Comm_rank(state_->comm, &rank_));
  TG_MPI_CALL("ProcessGroupMPI", MPI_Comm_size(state_->comm, &size_));
  for (int lane = 0; lane < 2; ++lane) {
    state_->lanes[lane].worker = std::thread([this, lane] { run_worker(lane); });
  }
}

ProcessGroupMPI::~ProcessGroupMPI() {
  for (auto& lane : state_->lanes) {
    {
      std::lock_guard<std::mutex> lock(lane.mutex);
      lane.stop = true;
    }
    lane.cv.notify_all();
    if (lane.worker.joinable()) lane.worker.join();
  }
  if (!state_->broken.load()) {
    std::lock_guard<std::mutex> lock(mpi_mutex());
    int finalized = 0;
    MPI_Finalized(&finalized);
    if (!finalized) MPI_Comm_free(&state_->comm);
  }
}

bool ProcessGroupMPI::is_broken() const { return state_->broken.load(); }

void ProcessGroupMPI::abort() {
  state_->broken = true;
  for (auto& lane : state_->lanes) {
    std::deque<std::unique_ptr<detail::Entry>> pending;
    {
      std::lock_guard<std::mutex> lock(lane.mutex);
      pending.swap(lane.queue);
    }
    for (auto& e : pending) {
      e->work->finish(std::make_exception_ptr(
          Error(tg::detail::concat(e->op, ": the process group was aborted"))));
      if (!e->posted.empty()) abandon(std::move(e));
    }
  }
}

std::chrono::milliseconds ProcessGroupMPI::timeout_of(std::chrono::milliseconds t) const {
  return t.count() >= 0 ? t : options_.timeout;
}

std::shared_ptr<Work> ProcessGroupMPI::enqueue(std::unique_ptr<detail::Entry> entry) {
  auto work = std::make_shared<Work>();
  entry->work = work;
  if (!options_.check_shapes) entry->signature.clear();
  Lane& lane = state_->lanes[entry->p2p ? 1 : 0];
  {
    std::lock_guard<std::mutex> lock(lane.mutex);
    lane.queue.push_back(std::move(entry));
  }
  lane.cv.notify_one();
  return work;
}

void ProcessGroupMPI::run_worker(int lane_index) {
  NoGradGuard no_grad;
  Lane& lane = state_->lanes[lane_index];
  for (;;) {
    std::unique_ptr<detail::Entry> e;
    {
      std::unique_lock<std::mutex> lock(lane.mutex);
      lane.cv.wait(lock, [&lane] { return lane.stop || !lane.queue.empty(); });
      if (lane.queue.empty()) return;
      e = std::move(lane.queue.front());
      lane.queue.pop_front();
    }
    if (state_->broken.load()) {
      e->work->finish(std::make_exception_ptr(Error(tg::detail::concat(
          e->op,
          ": the process group is broken (an earlier operation timed out or was aborted)"))));
      if (!e->posted.empty()) abandon(std::move(e));
      continue;
    }
    detail::Context ctx{state_->comm, std::chrono::steady_clock::now() + e->timeout, e->timeout,
                        &state_->broken, e->op};
    try {
      // The collective itself is MPI's blocking call (its tuned algorithms are several times
      // faster than the non-blocking ones, which progress only when polled); it starts once
      // every rank has arrived, which is what can time out: a polled check of the signature or,
      // without one, a polled barrier.
      if (!e->signature.empty()) {
        check_signature(*e, ctx, rank_);
      } else if (!e->p2p) {
        MPI_Request req;
        TG_MPI_CALL(e->op, MPI_Ibarrier(ctx.comm, &req));
        ctx.complete(req);
      }
      e->run(ctx);
      e->work->finish();
    } catch (const TimeoutError&) {
      state_->broken = true;
      e->work->finish(std::current_exception());
      abandon(std::move(e));
      continue;
    } catch (...) {
      e->work->finish(std::current_exception());
    }
    // The entry's tensors are released here, on this thread, before the next one runs.
    e.reset();
  }
}

namespace {
void check_single(const char* op, const std::vector<Tensor>& tensors) {
  TG_CHECK(tensors.size() == 1, op, ": ProcessGroupMPI takes exactly one tensor per call, got ",
           tensors.size());
  TG_CHECK(tensors[0].defined(), op, ": the tensor is undefined");
}
void check_root(const char* op, int64_t root, int size) {
  TG_CHECK(root >= 0 && root < size, op, ": root rank ", root, " is not in [0, ", size, ")");
}
void check_list(const char* op, const char* what, const std::vector<Tensor>& list,
                const Tensor& like, int size) {
  TG_CHECK(static_cast<int>(list.size()) == size, op, ": ", what,
           " must hold one tensor per rank (", size, "), got ", list.size());
  for (size_t r = 0; r < list.size(); ++r) {
    TG_CHECK(list[r].defined() && list[r].scalar_type() == like.scalar_type() &&
                 list[r].sizes() == like.sizes(),
             op, ": ", what, "[", r, "] is ", list[r].defined() ? describe(list[r]) : "undefined",
             ", expected ", describe(like));
  }
}
}  // namespace

std::shared_ptr<Work> ProcessGroupMPI::allreduce(std::vector<Tensor>& tensors,
                                                 const AllreduceOptions& opts) {
  check_single("allreduce", tensors);
  const Tensor& t = tensors[0];
  TG_CHECK(!(t.scalar_type() == kBool && opts.reduceOp == ReduceOp::AVG),
           "allreduce: avg is not defined for bool tensors");
  auto e = std::make_unique<detail::Entry>();
  e->op = "allreduce";
  e->timeout = timeout_of(opts.timeout);
  e->signature = signature_of(kAllreduce, opts.reduceOp, 0, &t, 1);
  e->description = describe(t);
  int count = checked_count("allreduce", t);
  Staged s = stage(t);
  ReduceOp op = opts.reduceOp;
  int size = size_;
  e->run = [s, count, op, size](const detail::Context& ctx) {
    ScalarType dt = s.buffer.scalar_type();
    TG_MPI_CALL("allreduce", MPI_Allreduce(MPI_IN_PLACE, s.ptr(), count, mpi_type(dt),
                                           mpi_op(op, dt), ctx.comm));
    if (op == ReduceOp::AVG) divide(s.ptr(), dt, static_cast<size_t>(count), size);
    s.write_back();
  };
  auto work = enqueue(std::move(e));
  work->outputs_ = tensors;
  return work;
}

std::shared_ptr<Work> ProcessGroupMPI::allreduce_unchecked(Tensor& tensor, ReduceOp op) {
  std::vector<Tensor> tensors{tensor};
  auto e = std::make_unique<detail::Entry>();
  check_single("allreduce", tensors);
  TG_CHECK(tensor.is_contiguous(), "allreduce_unchecked: the tensor must be contiguous");
  e->op = "allreduce";
  e->timeout = options_.timeout;
  int count = checked_count("allreduce", tensor);
  Tensor t = tensor;
  int size = size_;
  e->run = [t, count, op, size](const detail::Context& ctx) {
    ScalarType dt = t.scalar_type();
    TG_MPI_CALL("allreduce", MPI_Allreduce(MPI_IN_PLACE, t.data_ptr(), count, mpi_type(dt),
                                           mpi_op(op, dt), ctx.comm));
    if (op == ReduceOp::AVG) divide(t.data_ptr(), dt, static_cast<size_t>(count), size);
  };
  auto work = enqueue(std::move(e));
  work->outputs_ = tensors;
  return work;
}

std::shared_ptr<Work> ProcessGroupMPI::broadcast(std::vector<Tensor>& tensors,
                                                 const BroadcastOptions& opts) {
  check_single("broadcast", tensors);
  check_root("broadcast", opts.rootRank, size_);
  const Tensor& t = tensors[0];
  auto e = std::make_unique<detail::Entry>();
  e->op = "broadcast";
  e->timeout = timeout_of(opts.timeout);
  e->signature = signature_of(kBroadcast, 0, opts.rootRank, &t, 1);
  e->description = describe(t);
  int count = checked_count("broadcast", t);
  Staged s = stage(t);
  int root = static_cast<int>(opts.rootRank);
  e->run = [s, count, root](const detail::Context& ctx) {
    TG_MPI_CALL("broadcast",
                MPI_Bcast(s.ptr(), count, mpi_type(s.buffer.scalar_type()), root, ctx.comm));
    s.write_back();
  };
  auto work = enqueue(std::move(e));
  work->outputs_ = tensors;
  return work;
}

std::shared_ptr<Work> ProcessGroupMPI::allgather(std::vector<std::vector<Tensor>>& outputTensors,
                                                 std::vector<Tensor>& inputTensors,
                                                 const AllgatherOptions& opts) {
  check_single("allgather", inputTensors);
  TG_CHECK(outputTensors.size() == 1, "allgather: expected one output list, got ",
           outputTensors.size());
  const Tensor& in = inputTensors[0];
  check_list("allgather", "outputTensors[0]", outputTensors[0], in, size_);
  auto e = std::make_unique<detail::Entry>();
  e->op = "allgather";
  e->timeout = timeout_of(opts.timeout);
  e->signature = signature_of(kAllgather, 0, 0, &in, 1);
  e->description = describe(in);
  int count = checked_count("allgather", in);
  Staged s = stage(in);
  Tensor flat = tg::empty({in.numel() * size_}, TensorOptions().dtype(in.scalar_type()));
  std::vector<Tensor> outs = outputTensors[0];
  e->run = [s, flat, outs, count](const detail::Context& ctx) mutable {
    MPI_Datatype dt = mpi_type(s.buffer.scalar_type());
    TG_MPI_CALL("allgather",
                MPI_Allgather(s.ptr(), count, dt, flat.data_ptr(), count, dt, ctx.comm));
    unflatten_into(flat, outs);
  };
  auto work = enqueue(std::move(e));
  work->outputs_ = outputTensors[0];
  return work;
}

std::shared_ptr<Work> ProcessGroupMPI::reduce_scatter(
    std::vector<Tensor>& outputTensors, std::vector<std::vector<Tensor>>& inputTensors,
    const ReduceScatterOptions& opts) {
  check_single("reduce_scatter", outputTensors);
  TG_CHECK(inputTensors.size() == 1, "reduce_scatter: expected one input list, got ",
           inputTensors.size());
  const Tensor& out = outputTensors[0];
  check_list("reduce_scatter", "inputTensors[0]", inputTensors[0], out, size_);
  TG_CHECK(!(out.scalar_type() == kBool && opts.reduceOp == ReduceOp::AVG),
           "reduce_scatter: avg is not defined for bool tensors");
  auto e = std::make_unique<detail::Entry>();
  e->op = "reduce_scatter";
  e->timeout = timeout_of(opts.timeout);
  e->signature = signature_of(kReduceScatter, opts.reduceOp, 0, &out, 1);
  e->description = describe(out);
  int count = checked_count("reduce_scatter", out);
  Tensor flat = flatten_list(inputTensors[0]);
  Staged s = stage(out);
  ReduceOp op = opts.reduceOp;
  int size = size_;
  e->run = [s, flat, count, op, size](const detail::Context& ctx) {
    ScalarType dt = s.buffer.scalar_type();
    TG_MPI_CALL("reduce_scatter", MPI_Reduce_scatter_block(flat.data_ptr(), s.ptr(), count,
                                                           mpi_type(dt), mpi_op(op, dt), ctx.comm));
    if (op == ReduceOp::AVG) divide(s.ptr(), dt, static_cast<size_t>(count), size);
    s.write_back();
  };
  auto work = enqueue(std::move(e));
  work->outputs_ = outputTensors;
  return work;
}

std::shared_ptr<Work> ProcessGroupMPI::gather(std::vector<std::vector<Tensor>>& outputTensors,
                                              std::vector<Tensor>& inputTensors,
                                              const GatherOptions& opts) {
  check_single("gather", inputTensors);
  check_root("gather", opts.rootRank, size_);
  const Tensor& in = inputTensors[0];
  const bool is_root = rank_ == opts.rootRank;
  if (is_root) {
    TG_CHECK(outputTensors.size() == 1, "gather: the root expects one output list, got ",
             outputTensors.size());
    check_list("gather", "outputTensors[0]", outputTensors[0], in, size_);
  } else {
    TG_CHECK(outputTensors.empty() || (outputTensors.size() == 1 && outputTensors[0].empty()),
             "gather: only the root rank takes output tensors");
  }
  auto e = std::make_unique<detail::Entry>();
  e->op = "gather";
  e->timeout = timeout_of(opts.timeout);
  e->signature = signature_of(kGather, 0, opts.rootRank, &in, 1);
  e->description = describe(in);
  int count = checked_count("gather", in);
  Staged s = stage(in);
  Tensor flat;
  std::vector<Tensor> outs;
  if (is_root) {
    flat = tg::empty({in.numel() * size_}, TensorOptions().dtype(in.scalar_type()));
    outs = outputTensors[0];
  }
  int root = static_cast<int>(opts.rootRank);
  e->run = [s, flat, outs, count, root, is_root](const detail::Context& ctx) mutable {
    MPI_Datatype dt = mpi_type(s.buffer.scalar_type());
    TG_MPI_CALL("gather", MPI_Gather(s.ptr(), count, dt, is_root ? flat.data_ptr() : nullptr, count,
                                     dt, root, ctx.comm));
    if (is_root) unflatten_into(flat, outs);
  };
  auto work = enqueue(std::move(e));
  if (is_root) work->outputs_ = outputTensors[0];
  return work;
}

std::shared_ptr<Work> ProcessGroupMPI::scatter(std::vector<Tensor>& outputTensors,
                                               std::vector<std::vector<Tensor>>& inputTensors,
                                               const ScatterOptions& opts) {
  check_single("scatter", outputTensors);
  check_root("scatter", opts.rootRank, size_);
  const Tensor& out = outputTensors[0];
  const bool is_root = rank_ == opts.rootRank;
  Tensor flat;
  if (is_root) {
    TG_CHECK(inputTensors.size() == 1, "scatter: the root expects one input list, got ",
             inputTensors.size());
    check_list("scatter", "inputTensors[0]", inputTensors[0], out, size_);
    flat = flatten_list(inputTensors[0]);
  } else {
    TG_CHECK(inputTensors.empty() || (inputTensors.size() == 1 && inputTensors[0].empty()),
             "scatter: only the root rank takes input tensors");
  }
  auto e = std::make_unique<detail::Entry>();
  e->op = "scatter";
  e->timeout = timeout_of(opts.timeout);
  e->signature = signature_of(kScatter, 0, opts.rootRank, &out, 1);
  e->description = describe(out);
  int count = checked_count("scatter", out);
  Staged s = stage(out);
  int root = static_cast<int>(opts.rootRank);
  e->run = [s, flat, count, root, is_root](const detail::Context& ctx) {
    MPI_Datatype dt = mpi_type(s.buffer.scalar_type());
    TG_MPI_CALL("scatter", MPI_Scatter(is_root ? flat.data_ptr() : nullptr, count, dt, s.ptr(),
                                       count, dt, root, ctx.comm));
    s.write_back();
  };
  auto work = enqueue(std::move(e));
  work->outputs_ = outputTensors;
  return work;
}

std::shared_ptr<Work> ProcessGroupMPI::barrier(const BarrierOptions& opts) {
  auto e = std::make_unique<detail::Entry>();
  e->op = "barrier";
  e->timeout = timeout_of(opts.timeout);
  e->signature = signature_of(kBarrier, 0, 0, nullptr, 0);
  e->description = "a barrier";
  // Every rank's arrival, which the communication thread waits for before any collective, is
  // the barrier itself.
  e->run = [](const detail::Context&) {};
  return enqueue(std::move(e));
}

namespace {
// The header sent ahead of a tensor: dtype, numel, dim, sizes.
constexpr int kMaxSendDims = 16;
constexpr int kHeaderLen = 3 + kMaxSendDims;
std::vector<int64_t> header_of(const Tensor& t) {
  std::vector<int64_t> h(kHeaderLen, -1);
  h[0] = static_cast<int64_t>(t.scalar_type());
  h[1] = t.numel();
  h[2] = t.dim();
  for (int64_t i = 0; i < t.dim(); ++i)
    h[static_cast<size_t>(3 + i)] = t.sizes()[static_cast<size_t>(i)];
  return h;
}
std::string describe_header(const std::vector<int64_t>& h) {
  std::ostringstream os;
  os << dtype_name(static_cast<ScalarType>(h[0])) << " [";
  for (int64_t i = 0; i < h[2] && i < kMaxSendDims; ++i)
    os << (i ? ", " : "") << h[static_cast<size_t>(3 + i)];
  os << "]";
  return os.str();
}
}  // namespace

std::shared_ptr<Work> ProcessGroupMPI::send(std::vector<Tensor>& tensors, int dstRank, int tag) {
  check_single("send", tensors);
  check_root("send", dstRank, size_);
  const Tensor& t = tensors[0];
  TG_CHECK(t.dim() <= kMaxSendDims, "send: at most ", kMaxSendDims, " dimensions, got ", t.dim());
  TG_CHECK(tag >= 0, "send: the tag must be non-negative, got ", tag);
  auto e = std::make_unique<detail::Entry>();
  e->op = "send";
  e->timeout = options_.timeout;
  int count = checked_count("send", t);
  Staged s = stage(t);
  // Posted now, from the calling thread, so that a send called after a recv on the same rank never
  // waits behind it (a ring of send/recv pairs).
  auto header = std::make_shared<std::vector<int64_t>>(header_of(t));
  e->p2p = true;
  e->posted.resize(2);
  TG_MPI_CALL("send", MPI_Isend(header->data(), kHeaderLen, MPI_INT64_T, dstRank, tag, state_->comm,
                                &e->posted[0]));
  TG_MPI_CALL("send", MPI_Isend(s.ptr(), count, mpi_type(s.buffer.scalar_type()), dstRank, tag,
                                state_->comm, &e->posted[1]));
  detail::Entry* raw = e.get();
  e->run = [s, header, raw](const detail::Context& ctx) {
    ctx.complete(raw->posted[0]);
    ctx.complete(raw->posted[1]);
  };
  auto work = enqueue(std::move(e));
  work->outputs_ = tensors;
  return work;
}

std::shared_ptr<Work> ProcessGroupMPI::recv(std::vector<Tensor>& tensors, int srcRank, int tag) {
  check_single("recv", tensors);
  check_root("recv", srcRank, size_);
  TG_CHECK(tag >= 0, "recv: the tag must be non-negative, got ", tag);
  const Tensor& t = tensors[0];
  auto e = std::make_unique<detail::Entry>();
  e->op = "recv";
  e->timeout = options_.timeout;
  int count = checked_count("recv", t);
  Staged s = stage(t);
  std::vector<int64_t> expected = header_of(t);
  e->p2p = true;
  e->run = [s, expected, count, srcRank, tag](const detail::Context& ctx) {
    std::vector<int64_t> header(kHeaderLen);
    MPI_Request req;
    TG_MPI_CALL("recv",
                MPI_Irecv(header.data(), kHeaderLen, MPI_INT64_T, srcRank, tag, ctx.comm, &req));
    ctx.complete(req);
    if (header != expected) {
      // Drain the payload so that the sender completes and the channel stays in step.
      int64_t bytes =
          header[1] * static_cast<int64_t>(element_size(static_cast<ScalarType>(header[0])));
      std::vector<char> scratch(static_cast<size_t>(std::max<int64_t>(bytes, 1)));
      TG_MPI_CALL("recv", MPI_Irecv(scratch.data(), static_cast<int>(bytes), MPI_BYTE, srcRank, tag,
                                    ctx.comm, &req));
      ctx.complete(req);
      TG_ERROR("recv: rank ", srcRank, " sent ", describe_header(header), " but this rank expects ",
               describe_header(expected), "; the tensor was left unchanged");
    }
    TG_MPI_CALL("recv", MPI_Irecv(s.ptr(), count, mpi_type(s.buffer.scalar_type()), srcRank, tag,
                                  ctx.comm, &req));
    ctx.complete(req);
    s.write_back();
  };
  auto work = enqueue(std::move(e));
  work->outputs_ = tensors;
  return work;
}

}  // namespace tg::distributed
