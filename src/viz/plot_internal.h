// Internals of src/viz/plot.cpp that the tests reach for.
#pragma once

#include <string>

namespace tg::viz::detail {

// Takes PLplot's fatal-error path (plexit) inside an open stream of its null device. It must come
// back as a tg::Error that carries `message`, end the stream and leave PLplot usable, instead of
// calling exit() as PLplot does by default.
void raise_plplot_fatal_error(const std::string& message);

}  // namespace tg::viz::detail
