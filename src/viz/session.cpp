// PLplot sessions: one stream per file, PLplot's errors turned into tg::Error, and the device for
// a file name.
#include <plplot.h>

#include <array>
#include <cctype>
#include <cstring>

#include "tensorgrad/error.h"
#include "viz/plot_internal.h"

// plexit() is PLplot's fatal-error report; libplplot exports it, its declaration is in a private
// header.
extern "C" void plexit(const char* message);

namespace tg::viz::detail {
namespace {

std::string& plplot_abort_message() {
  static std::string message;  // guarded by plplot_mutex()
  return message;
}

// PLplot's fatal errors go through plexit(), which calls exit() once the handler returns: the only
// way to keep the process alive is not to return. The exception unwinds through PLplot's C frames
// (compiled with unwind tables, gcc's default on x86-64 and arm64) back to Figure::save, which
// ends the stream. The checks before each PLplot call are meant to make this path unreachable.
int on_plplot_exit(const char* message) {
  throw Error(std::string("viz::Figure::save: PLplot: ") + (message ? message : "fatal error"));
}

// Non-fatal errors (plabort) make PLplot skip the call; remember the first one and report it.
void on_plplot_abort(const char* message) {
  if (plplot_abort_message().empty()) plplot_abort_message() = message ? message : "error";
}

// PLplot meets a device it does not have by asking for another one on stdin, so look first.
void require_device(const char* device) {
  std::array<const char*, 256> menu{}, names{};
  const char** menu_ptr = menu.data();
  const char** names_ptr = names.data();
  int n = static_cast<int>(names.size());
  plgDevs(&menu_ptr, &names_ptr, &n);
  for (int k = 0; k < n; ++k)
    if (names[k] != nullptr && std::strcmp(names[k], device) == 0) return;
  TG_ERROR("viz::Figure::save: PLplot has no '", device,
           "' device; install its cairo driver (Debian: plplot-driver-cairo)");
}

}  // namespace

std::mutex& plplot_mutex() {
  static std::mutex m;
  return m;
}

Session::Session(const char* device, const std::string& file, int width, int height) {
  plsexit(on_plplot_exit);
  plsabort(on_plplot_abort);
  plplot_abort_message().clear();
  require_device(device);  // before a stream exists that would need ending
  plgstrm(&previous_);
  plmkstrm(&stream_);
  TG_CHECK(stream_ >= 0, "viz::Figure::save: PLplot has no free output stream");
  plsError(&error_code_, error_text_);  // silences PLplot's own report on stderr
  try {
    plsdev(device);
    if (!file.empty()) plsfnam(file.c_str());
    plspage(0, 0, width, height, 0, 0);
    plscolbg(255, 255, 255);
    plinit();
  } catch (...) {
    end();
    throw;
  }
}

Session::~Session() { end(); }

void Session::finish() {
  end();
  TG_CHECK(plplot_abort_message().empty(), "viz::Figure::save: PLplot: ", plplot_abort_message());
}

void Session::end() noexcept {
  if (stream_ < 0) return;
  try {
    plsstrm(stream_);
    plend1();
  } catch (...) {  // an exit during cleanup: nothing left to save
  }
  plsstrm(previous_);
  stream_ = -1;
}

const char* device_for(const std::string& path) {
  const auto dot = path.find_last_of('.');
  const auto slash = path.find_last_of('/');
  std::string ext;
  if (dot != std::string::npos && (slash == std::string::npos || dot > slash)) {
    ext = path.substr(dot);
    for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  if (ext == ".png") return "pngcairo";
  if (ext == ".svg") return "svgcairo";
  if (ext == ".pdf") return "pdfcairo";
  TG_ERROR("viz::Figure::save: unknown file extension '", ext, "' in '", path,
           "' (use .png, .svg or .pdf)");
}

void raise_plplot_fatal_error(const std::string& message) {
  std::lock_guard<std::mutex> lock(plplot_mutex());
  Session session("null", "", 64, 64);
  plexit(message.c_str());
}

}  // namespace tg::viz::detail
