// Turns what bench/run.sh measured into bench/results/results.md (the summary table against the
// targets, and the small-op details) and ratios.png (a bar chart of libtorch / tensorgrad, drawn
// with tensorgrad's own plotting API).
//
//   bench_report RESULTS_DIR RUN_DIR...
//
// Each RUN_DIR holds one run of the suite: one Google Benchmark JSON file per library and workload
// (tensorgrad_widenet.json, libtorch_mlp_2t.json, ...) and measurements.txt, lines of
// "key value..." for everything measured outside Google Benchmark (peak memory, library sizes,
// compile times) and a few facts about the run (CPU, load, repetitions). With several runs, every
// number is the median over them. The outputs go to RESULTS_DIR.
#include <tensorgrad/tensorgrad.h>
#include <tensorgrad/viz/plot.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

namespace {

using Medians = std::map<std::string, double>;

double to_unit(double value, const std::string& from, const std::string& to) {
  auto ns = [](const std::string& u) {
    if (u == "ns") return 1.0;
    if (u == "us") return 1e3;
    if (u == "ms") return 1e6;
    if (u == "s") return 1e9;
    throw std::runtime_error("unknown time unit " + u);
  };
  return value * ns(from) / ns(to);
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

// The median of every benchmark in a Google Benchmark JSON file, in `unit`: CPU time, or
// wall-clock time for the benchmarks that run more than one thread. Google Benchmark's own median
// when it computed one (two or more repetitions), otherwise the median of the plain runs. Empty if
// the file is missing. `order`, when given, receives the names in the order the file lists them.
Medians load_medians(const std::string& path, const std::string& unit, bool real_time,
                     std::vector<std::string>* order = nullptr) {
  Medians out;
  std::ifstream in(path);
  if (!in) return out;
  const nlohmann::json doc = nlohmann::json::parse(in);
  std::map<std::string, double> aggregate;
  std::map<std::string, std::vector<double>> plain;
  std::vector<std::string> names;
  for (const auto& b : doc.at("benchmarks")) {
    // UseRealTime() appends "/real_time" to the name; the table does not need to know.
    std::string name = b.at("run_name").get<std::string>();
    if (const auto slash = name.find('/'); slash != std::string::npos) name.resize(slash);
    const double t = to_unit(b.at(real_time ? "real_time" : "cpu_time").get<double>(),
                             b.at("time_unit").get<std::string>(), unit);
    if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
    if (b.value("run_type", "") != "aggregate")
      plain[name].push_back(t);
    else if (b.value("aggregate_name", "") == "median")
      aggregate[name] = t;
  }
  for (const std::string& name : names) {
    const auto it = aggregate.find(name);
    out[name] = it != aggregate.end() ? it->second : median(plain.at(name));
  }
  if (order) *order = names;
  return out;
}

// measurements.txt: the first word of a line is the key, the rest its value.
std::map<std::string, std::string> load_measurements(const std::string& path) {
  std::map<std::string, std::string> out;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    const auto space = line.find(' ');
    if (space == std::string::npos) continue;
    out[line.substr(0, space)] = line.substr(space + 1);
  }
  return out;
}

std::optional<double> number(const std::map<std::string, std::string>& m, const std::string& key) {
  const auto it = m.find(key);
  if (it == m.end() || it->second.empty()) return std::nullopt;
  return std::stod(it->second);
}

std::optional<double> lookup(const Medians& m, const std::string& key) {
  const auto it = m.find(key);
  if (it == m.end()) return std::nullopt;
  return it->second;
}

std::string format(std::optional<double> v, int precision) {
  if (!v) return "—";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", precision, *v);
  return buf;
}

// What a row is compared against: the ratio libtorch / tensorgrad, the tensorgrad value itself
// (library size, two-thread speedup), or nothing (rows shown for context).
enum class Check { Ratio, ValueAtLeast, ValueBelow, None };

struct Row {
  std::string name;        // as in the table
  std::string short_name;  // as in the chart's legend
  std::string unit;
  std::optional<double> tg, torch;
  Check check = Check::None;
  double target = 0;
  int precision = 1;
  bool footprint = false;      // charted in the footprint panel rather than the speed panel
  bool ratio_is_speed = true;  // false: the row's values are not times (the speedup row)

  std::optional<double> ratio() const {
    if (!tg || !torch || !ratio_is_speed || *tg <= 0) return std::nullopt;
    return *torch / *tg;
  }
  std::string target_text() const {
    char buf[64];
    switch (check) {
      case Check::Ratio:
        std::snprintf(buf, sizeof buf, "≥ %gx", target);
        return buf;
      case Check::ValueAtLeast:
        std::snprintf(buf, sizeof buf, "tensorgrad ≥ %g%s", target, unit.c_str());
        return buf;
      case Check::ValueBelow:
        std::snprintf(buf, sizeof buf, "tensorgrad < %g %s", target, unit.c_str());
        return buf;
      case Check::None:
        return "—";
    }
    return "—";
  }
  std::optional<bool> met() const {
    switch (check) {
      case Check::Ratio:
        if (!ratio()) return std::nullopt;
        return *ratio() >= target;
      case Check::ValueAtLeast:
        if (!tg) return std::nullopt;
        return *tg >= target;
      case Check::ValueBelow:
        if (!tg) return std::nullopt;
        return *tg < target;
      case Check::None:
        return std::nullopt;
    }
    return std::nullopt;
  }
};

std::optional<double> geometric_mean(const std::vector<double>& v) {
  if (v.empty()) return std::nullopt;
  double log_sum = 0;
  for (double x : v) log_sum += std::log(x);
  return std::exp(log_sum / static_cast<double>(v.size()));
}

// Vertical bars numbered 1, 2, ... left to right, with the numbers on the x axis and in the legend
// (the plotting API has no category labels, so the legend names the bars and gives their values).
// Green: target met, red: missed, grey: no target for that row. A black bar across the column
// marks the target where it is a ratio; the dashed line marks parity (ratio 1). Bars are filled by
// stacking thin lines, whose round caps would otherwise stick out past the bar's value.
void chart_panel(tg::viz::Axes& ax, const std::vector<const Row*>& rows, const std::string& title,
                 int first_number) {
  namespace viz = tg::viz;
  const double n = static_cast<double>(rows.size());
  double top = 1;
  for (const Row* r : rows) {
    top = std::max(top, r->ratio().value_or(0));
    if (r->check == Check::Ratio) top = std::max(top, r->target);
  }
  // The axis ticks fall on whole numbers only when the x range spans more than 4.5 units (it
  // picks at most nine "nice" steps), so a panel with few bars gets room on the right.
  const double x0 = first_number - 0.6;
  const double x1 = first_number + std::max(n, 4.6) - 0.4;
  ax.set_title(title)
      .set_xlabel("bar (numbered as in the legend)")
      .set_ylabel("libtorch / tensorgrad (higher: tensorgrad better)")
      .set_xlim(x0, x1)
      .set_ylim(0, top * 1.75)  // headroom for the legend above the bars
      .grid();
  const double half = 0.3;  // half a bar's width, in x units
  const int strokes = 160;
  auto x_of = [&](size_t i) { return static_cast<double>(first_number) + static_cast<double>(i); };
  for (size_t i = 0; i < rows.size(); ++i) {
    const Row& r = *rows[i];
    const double x = x_of(i);
    const double ratio = r.ratio().value_or(0);
    const auto met = r.met();
    const viz::Color color = !met   ? viz::Color("#8c8c8c")
                             : *met ? viz::Color("#2ca02c")
                                    : viz::Color("#d62728");
    for (int k = 0; k <= strokes; ++k) {
      const double xk = x - half + 2 * half * k / strokes;
      ax.plot({xk, xk}, {0, ratio}, viz::LineStyle().color(color).width(2.5));
    }
    std::string label = std::to_string(first_number + static_cast<int>(i)) + "  " + r.short_name +
                        ": " + format(r.ratio(), ratio < 10 ? 2 : 1) + "x";
    if (r.check != Check::None) label += "  (target " + r.target_text() + ")";
    // The legend entry: a square marker hidden inside the bar, so the legend shows a swatch.
    ax.scatter({x}, {ratio / 2},
               viz::ScatterStyle().color(color).marker(viz::Marker::Square).size(14).label(label));
  }
  bool target_labelled = false;
  for (size_t i = 0; i < rows.size(); ++i) {
    const Row& r = *rows[i];
    if (r.check != Check::Ratio) continue;
    viz::LineStyle tick = viz::LineStyle().color("k").width(3);
    if (!target_labelled) tick.label("target");
    target_labelled = true;
    ax.plot({x_of(i) - half - 0.06, x_of(i) + half + 0.06}, {r.target, r.target}, tick);
  }
  ax.plot({x0, x1}, {1, 1},
          viz::LineStyle().color("gray").width(1.5).dashed(true).label("parity (1x)"));
  ax.legend(viz::LegendLoc::UpperRight);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: bench_report RESULTS_DIR RUN_DIR...\n";
    return 2;
  }
  const std::string dir = argv[1];
  std::vector<std::string> runs(argv + 2, argv + argc);
  for (auto& r : runs) r += '/';
  std::filesystem::create_directories(dir);

  // Numbers measured outside Google Benchmark: the median over the runs. Facts about the run
  // (date, CPU, load): the first run's, except the load afterwards, which is the last run's.
  std::map<std::string, std::string> info = load_measurements(runs.front() + "measurements.txt");
  {
    std::map<std::string, std::vector<double>> values;
    for (const auto& run : runs) {
      for (const auto& [key, value] : load_measurements(run + "measurements.txt")) {
        if (key == "load_after") info[key] = value;
        if (key.find('.') == std::string::npos || key.ends_with(".closure") ||
            key.ends_with(".final_loss"))
          continue;
        values[key].push_back(std::stod(value));
      }
    }
    for (const auto& [key, v] : values) {
      char buf[64];
      std::snprintf(buf, sizeof buf, "%.6g", median(v));
      info[key] = buf;
    }
  }

  // Google Benchmark's medians over the repetitions, then the median of those over the runs.
  auto medians = [&](const std::string& lib, const std::string& workload, const std::string& unit,
                     bool real_time = false, std::vector<std::string>* order = nullptr) {
    std::map<std::string, std::vector<double>> values;
    for (size_t i = 0; i < runs.size(); ++i) {
      const Medians m = load_medians(runs[i] + lib + "_" + workload + ".json", unit, real_time,
                                     i == 0 ? order : nullptr);
      for (const auto& [name, t] : m) values[name].push_back(t);
    }
    Medians out;
    for (const auto& [name, v] : values) out[name] = median(v);
    return out;
  };
  std::vector<std::string> small_order;
  const Medians tg_small = medians("tensorgrad", "small_ops", "ns", false, &small_order);
  const Medians torch_small = medians("libtorch", "small_ops", "ns");
  const Medians tg_wide = medians("tensorgrad", "widenet", "us");
  const Medians torch_wide = medians("libtorch", "widenet", "us");
  const Medians tg_mlp1 = medians("tensorgrad", "mlp_1t", "ms", true);
  const Medians torch_mlp1 = medians("libtorch", "mlp_1t", "ms", true);
  const Medians tg_mlp2 = medians("tensorgrad", "mlp_2t", "ms", true);
  const Medians torch_mlp2 = medians("libtorch", "mlp_2t", "ms", true);
  const Medians torch_mlp2_passive = medians("libtorch", "mlp_2t_passive", "ms", true);
  const Medians tg_mlp1_prescott = medians("tensorgrad", "mlp_1t_prescott", "ms", true);
  const Medians tg_elem = medians("tensorgrad", "elementwise", "ms");
  const Medians torch_elem = medians("libtorch", "elementwise", "ms");

  // Small ops: one summary row, the geometric means over the benchmarks both libraries ran (the
  // geometric mean of the ratios equals the ratio of the geometric means).
  std::vector<double> small_tg, small_torch;
  for (const auto& [name, t] : tg_small) {
    if (const auto it = torch_small.find(name); it != torch_small.end()) {
      small_tg.push_back(t);
      small_torch.push_back(it->second);
    }
  }
  if (small_torch.empty())
    for (const auto& [name, t] : tg_small) small_tg.push_back(t);

  auto speedup = [](std::optional<double> one, std::optional<double> two) -> std::optional<double> {
    if (!one || !two || *two <= 0) return std::nullopt;
    return *one / *two;
  };
  auto mib = [&](const std::string& key) -> std::optional<double> {
    const auto kib = number(info, key);
    if (!kib) return std::nullopt;
    return *kib / 1024;
  };
  auto mb = [&](const std::string& key) -> std::optional<double> {
    const auto bytes = number(info, key);
    if (!bytes) return std::nullopt;
    return *bytes / 1e6;
  };

  std::vector<Row> rows;
  rows.push_back({"WideNet training, per epoch", "WideNet epoch", "µs",
                  lookup(tg_wide, "widenet_epoch"), lookup(torch_wide, "widenet_epoch"),
                  Check::Ratio, 10, 1});
  rows.push_back(
      {"Small ops, 8 elements (geometric mean of " + std::to_string(small_tg.size()) + ")",
       "small ops (geo. mean)", "ns", geometric_mean(small_tg), geometric_mean(small_torch),
       Check::Ratio, 10, 1});
  rows.push_back({"MLP 784-1024-1024-10 step, batch 256, 1 thread", "MLP step, 1 thread", "ms",
                  lookup(tg_mlp1, "mlp_step"), lookup(torch_mlp1, "mlp_step"), Check::Ratio, 0.95,
                  2});
  rows.push_back({"MLP step, 2 threads", "MLP 2 threads", "ms", lookup(tg_mlp2, "mlp_step"),
                  lookup(torch_mlp2, "mlp_step"), Check::None, 0, 2});
  rows.push_back({"MLP step, 2 threads, libtorch with OMP_WAIT_POLICY=PASSIVE",
                  "MLP 2 threads, libtorch passive OpenMP", "ms", lookup(tg_mlp2, "mlp_step"),
                  lookup(torch_mlp2_passive, "mlp_step"), Check::None, 0, 2});
  {
    Row r{"MLP speedup from 2 threads (1-thread time / 2-thread time)",
          "",
          "x",
          speedup(lookup(tg_mlp1, "mlp_step"), lookup(tg_mlp2, "mlp_step")),
          speedup(lookup(torch_mlp1, "mlp_step"), lookup(torch_mlp2, "mlp_step")),
          Check::ValueAtLeast,
          1.7,
          2};
    r.ratio_is_speed = false;
    rows.push_back(r);
  }
  // Present where the machine has the cores (run.sh runs them only then).
  for (int n : {4, 8, 16}) {
    const std::string t = std::to_string(n);
    const auto tg_n = lookup(medians("tensorgrad", "mlp_" + t + "t", "ms", true), "mlp_step");
    if (!tg_n) continue;
    rows.push_back({"MLP step, " + t + " threads", "MLP " + t + " threads", "ms", tg_n,
                    lookup(medians("libtorch", "mlp_" + t + "t", "ms", true), "mlp_step"),
                    Check::None, 0, 2});
  }
  {
    // tensorgrad alone: its time with OpenBLAS's CPU detection defeated over its normal time.
    const auto normal = lookup(tg_mlp1, "mlp_step");
    const auto prescott = lookup(tg_mlp1_prescott, "mlp_step");
    Row r{"MLP step, 1 thread, with OPENBLAS_CORETYPE=Prescott / without",
          "",
          "x",
          normal && prescott && *normal > 0 ? std::optional<double>(*prescott / *normal)
                                            : std::nullopt,
          std::nullopt,
          Check::ValueBelow,
          1.15,
          2};
    r.ratio_is_speed = false;
    rows.push_back(r);
  }
  rows.push_back({"Elementwise chain, 4M floats, forward", "elementwise fwd", "ms",
                  lookup(tg_elem, "elementwise_fwd"), lookup(torch_elem, "elementwise_fwd"),
                  Check::None, 0, 2});
  rows.push_back({"Elementwise chain, 4M floats, forward + backward", "elementwise fwd+bwd", "ms",
                  lookup(tg_elem, "elementwise_fwdbwd"), lookup(torch_elem, "elementwise_fwdbwd"),
                  Check::Ratio, 1.0, 2});
  {
    Row r{"Peak resident memory, WideNet 1847 epochs",
          "peak memory",
          "MiB",
          mib("tensorgrad.peak_rss_kib"),
          mib("libtorch.peak_rss_kib"),
          Check::Ratio,
          5,
          1};
    r.footprint = true;
    rows.push_back(r);
  }
  {
    Row r{"Library size (libtensorgrad.so vs libtorch_cpu + libc10 + libtorch)",
          "library size",
          "MB",
          mb("tensorgrad.lib_bytes"),
          mb("libtorch.lib_bytes"),
          Check::ValueBelow,
          5,
          1};
    r.footprint = true;
    rows.push_back(r);
  }
  {
    Row r{"Compile time of bench/client.cpp (c++ -O2 -c, median of 3)",
          "client compile",
          "s",
          number(info, "tensorgrad.compile_s"),
          number(info, "libtorch.compile_s"),
          Check::Ratio,
          5,
          2};
    r.footprint = true;
    rows.push_back(r);
  }

  // ---- results.md
  std::ostringstream md;
  md << "# tensorgrad vs libtorch\n\n";
  if (info.count("date")) md << "Measured " << info.at("date");
  if (info.count("cpu")) md << " on " << info.at("cpu");
  if (info.count("gemm_kernels"))
    md << " (tensorgrad's OpenBLAS kernels: " << info.at("gemm_kernels") << ")";
  md << ". Single-thread rows: one thread, pinned to CPU 0 (`taskset -c 0`), median CPU time over "
     << (info.count("reps") ? info.at("reps") : "?")
     << " repetitions; the MLP rows: median wall-clock time, the 2-thread run pinned to CPUs 0 "
        "and 1.";
  if (runs.size() > 1)
    md << " Every number is the median over " << runs.size() << " runs of the whole suite.";
  if (info.count("load_before"))
    md << " Load average before the " << (runs.size() > 1 ? "first " : "")
       << "run: " << info.at("load_before");
  if (info.count("load_after"))
    md << ", after the " << (runs.size() > 1 ? "last " : "") << "run: " << info.at("load_after");
  md << ".\n\n";
  md << "| workload | tensorgrad | libtorch | ratio libtorch/tensorgrad | target | met |\n";
  md << "|---|---:|---:|---:|---|---|\n";
  for (const Row& r : rows) {
    const auto met = r.met();
    const std::string unit = r.unit == "x" ? "x" : " " + r.unit;
    md << "| " << r.name << " | " << format(r.tg, r.precision) << (r.tg ? unit : "") << " | "
       << format(r.torch, r.precision) << (r.torch ? unit : "") << " | " << format(r.ratio(), 2)
       << " | " << r.target_text() << " | " << (met ? (*met ? "yes" : "**no**") : "—") << " |\n";
  }
  if (info.count("tensorgrad.final_loss"))
    md << "\nFinal WideNet loss after 1847 epochs (the footprint run): tensorgrad "
       << info.at("tensorgrad.final_loss") << ", libtorch "
       << (info.count("libtorch.final_loss") ? info.at("libtorch.final_loss") : "—") << ".\n";

  auto closure = [&](const std::string& lib) -> std::string {
    const auto it = info.find(lib + ".closure");
    if (it == info.end()) return "—";
    std::istringstream in(it->second);
    double count = 0, bytes = 0;
    in >> count >> bytes;
    char buf[96];
    std::snprintf(buf, sizeof buf, "%.0f shared libraries, %.1f MB", count, bytes / 1e6);
    return buf;
  };
  if (info.count("tensorgrad.closure"))
    md << "\nEverything the dynamic loader maps for the footprint program (the library and all its "
          "dependencies): tensorgrad "
       << closure("tensorgrad") << "; libtorch " << closure("libtorch") << ".\n";

  md << "\n## Small ops in detail (ns per call, median CPU time)\n\n";
  md << "| benchmark | tensorgrad | libtorch | ratio |\n|---|---:|---:|---:|\n";
  for (const std::string& name : small_order) {
    const double t = tg_small.at(name);
    const auto torch_t = lookup(torch_small, name);
    md << "| " << name << " | " << format(t, 1) << " | " << format(torch_t, 1) << " | "
       << format(torch_t ? std::optional<double>(*torch_t / t) : std::nullopt, 2) << " |\n";
  }
  md << "\nRaw Google Benchmark output and the other measurements, one folder per run: `raw/`. "
        "Chart: `ratios.png`.\n";
  {
    std::ofstream out(dir + "/results.md");
    out << md.str();
  }
  std::cout << md.str();

  // ---- ratios.png: speed on the left, footprint on the right
  std::vector<const Row*> speed, footprint;
  for (const Row& r : rows) {
    if (!r.ratio()) continue;
    (r.footprint ? footprint : speed).push_back(&r);
  }
  if (speed.empty()) return 0;
  tg::viz::Figure figure(1600, 700);
  figure.set_font_size(15);
  chart_panel(figure.add_axes(), speed, "Speed: libtorch time / tensorgrad time", 1);
  if (!footprint.empty())
    chart_panel(figure.add_axes(), footprint, "Footprint: libtorch / tensorgrad",
                static_cast<int>(speed.size()) + 1);
  figure.save(dir + "/ratios.png");
  return 0;
}
