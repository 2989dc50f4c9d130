// A Figure: its panels side by side, saved through a file beside the target that replaces it
// only when complete.
#include <fcntl.h>
#include <plplot.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "viz/plot_internal.h"

namespace tg::viz {

Figure::Figure(int width, int height) : width_(width), height_(height) {
  TG_CHECK(width >= 64 && height >= 64 && width <= 16384 && height <= 16384,
           "viz::Figure: size must be between 64 and 16384 pixels, got ", width, " x ", height);
}
Figure::~Figure() = default;
Figure::Figure(Figure&&) noexcept = default;
Figure& Figure::operator=(Figure&&) noexcept = default;

Axes& Figure::add_axes() {
  axes_.push_back(std::make_unique<Axes>());
  return *axes_.back();
}

Axes& Figure::axes(size_t i) {
  TG_CHECK(i < axes_.size(), "viz::Figure::axes: index ", i, " out of range for ", axes_.size(),
           " axes");
  return *axes_[i];
}

Figure& Figure::set_font_size(double pixels) {
  TG_CHECK(pixels > 0 && pixels < 200, "viz::Figure::set_font_size: bad size ", pixels);
  font_size_ = pixels;
  return *this;
}

void Figure::save(const std::string& path) const {
  const char* device = detail::device_for(path);
  TG_CHECK(!axes_.empty(), "viz::Figure::save: the figure has no axes (call add_axes() first)");
  // Draw into a new file next to `path` and rename it over `path` when complete, so that a failed
  // save leaves any earlier file alone. Creating it here also proves the directory writable:
  // PLplot reacts to a file it cannot open by asking for another name on stdin. (open() rather
  // than mkstemp(), whose mode 0600 would stay on the figure.)
  static std::atomic<unsigned> counter{0};
  const std::string part =
      path + ".part-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
  const int fd = ::open(part.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
  TG_CHECK(fd >= 0, "viz::Figure::save: cannot write '", path, "': ", std::strerror(errno));
  ::close(fd);
  try {
    {
      std::lock_guard<std::mutex> lock(detail::plplot_mutex());
      detail::Session session(device, part, width_, height_);
      pladv(0);
      const detail::Fonts fonts{font_size_, font_size_ * 1.15, font_size_ * 1.3};
      const double cell_w = static_cast<double>(width_) / static_cast<double>(axes_.size());
      for (size_t i = 0; i < axes_.size(); ++i) {
        const Rect cell{cell_w * static_cast<double>(i), 0, cell_w * static_cast<double>(i + 1),
                        static_cast<double>(height_)};
        detail::paint_panel(*axes_[i]->d_, cell, fonts, width_, height_);
      }
      session.finish();  // writes the file
    }
    struct stat st {};
    TG_CHECK(::stat(part.c_str(), &st) == 0 && st.st_size > 0,
             "viz::Figure::save: PLplot wrote nothing for '", path, "'");
    TG_CHECK(std::rename(part.c_str(), path.c_str()) == 0, "viz::Figure::save: cannot write '",
             path, "': ", std::strerror(errno));
  } catch (...) {
    std::remove(part.c_str());
    throw;
  }
}

}  // namespace tg::viz
