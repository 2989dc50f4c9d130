// The process-wide and per-thread modes of autograd besides grad mode: anomaly detection and
// inference mode.
#include <cxxabi.h>
#include <execinfo.h>

#include <cstdlib>
#include <memory>
#include <string>

#include "autograd/function.h"
#include "core/tensor_impl.h"
#include "tensorgrad/autograd.h"

namespace tg {

__thread bool inference_mode_enabled = false;

void throw_inplace_on_inference_tensor() {
  TG_ERROR(
      "Inplace update to inference tensor outside InferenceMode is not allowed.You can make a "
      "clone to get a normal tensor before doing inplace update.See "
      "https://github.com/pytorch/rfcs/pull/17 for more details.");
}

InferenceMode::InferenceMode(bool enabled)
    : prev_grad_mode_(autograd::GradMode::is_enabled()),
      prev_inference_mode_(inference_mode_enabled) {
  autograd::GradMode::set_enabled(!enabled);
  inference_mode_enabled = enabled;
}

InferenceMode::~InferenceMode() {
  autograd::GradMode::set_enabled(prev_grad_mode_);
  inference_mode_enabled = prev_inference_mode_;
}

bool InferenceMode::is_enabled() { return inference_mode_enabled; }

namespace autograd {

// Plain globals, as in libtorch: anomaly detection is switched for the whole process.
bool anomaly_mode_enabled = false;
namespace {
bool anomaly_check_nan = true;

// One line per frame: the demangled function and the module it is in, where the dynamic symbol
// table names it (functions of the library do; a program's own need -rdynamic).
std::string format_frame(const char* symbol) {
  std::string line(symbol);
  const auto open = line.find('(');
  const auto plus = line.find('+', open == std::string::npos ? 0 : open);
  if (open == std::string::npos || plus == std::string::npos || plus == open + 1) return line;
  const std::string mangled = line.substr(open + 1, plus - open - 1);
  int status = 0;
  char* demangled = abi::__cxa_demangle(mangled.c_str(), nullptr, nullptr, &status);
  std::string name = status == 0 && demangled ? demangled : mangled;
  std::free(demangled);  // NOLINT: __cxa_demangle's buffer comes from malloc
  return name + " (" + line.substr(0, open) + ")";
}
}  // namespace

bool AnomalyMode::is_enabled() { return anomaly_mode_enabled; }
bool AnomalyMode::should_check_nan() { return anomaly_check_nan; }
void AnomalyMode::set_enabled(bool enabled, bool check_nan) {
  anomaly_mode_enabled = enabled;
  anomaly_check_nan = check_nan;
}

DetectAnomalyGuard::DetectAnomalyGuard(bool check_nan)
    : prev_enabled_(AnomalyMode::is_enabled()), prev_check_nan_(AnomalyMode::should_check_nan()) {
  AnomalyMode::set_enabled(true, check_nan);
}
DetectAnomalyGuard::~DetectAnomalyGuard() {
  AnomalyMode::set_enabled(prev_enabled_, prev_check_nan_);
}

std::unique_ptr<std::string> capture_anomaly_trace() {
  constexpr int kMaxFrames = 48;
  constexpr int kSkip = 2;  // this function and Node's constructor
  void* frames[kMaxFrames];
  const int n = backtrace(frames, kMaxFrames);
  auto trace = std::make_unique<std::string>();
  if (char** symbols = backtrace_symbols(frames, n)) {
    for (int i = kSkip; i < n; ++i) {
      *trace += "  #" + std::to_string(i - kSkip) + " " + format_frame(symbols[i]) + "\n";
    }
    std::free(symbols);  // NOLINT: one malloc'd block, as backtrace_symbols documents
  }
  if (const Node* parent = engine_current_node()) {
    *trace += "\nPrevious calculation was induced by " + parent->name() + ".";
    if (const std::string* t = parent->anomaly_trace())
      *trace += " Traceback of forward call that induced the previous calculation:\n" + *t;
  }
  return trace;
}

}  // namespace autograd
}  // namespace tg
