// DOT export of backward graphs: nodes carry PyTorch's op names and the given leaf names, edges
// follow the forward direction, and render() writes real SVG/PNG files.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>

#include <tensorgrad/tensorgrad.h>
#include <tensorgrad/viz/graph.h>

namespace {

// Node id -> label, and the set of "from -> to" edges, parsed from our DOT output.
struct Parsed {
  std::map<std::string, std::string> labels;
  std::set<std::pair<std::string, std::string>> edges;
};

Parsed parse(const std::string& dot) {
  Parsed p;
  std::regex node(R"re(^\s*(\w+) \[.*label="([^"]*)"\];)re");
  std::regex edge(R"re(^\s*(\w+) -> (\w+);)re");
  std::istringstream ss(dot);
  std::string line;
  std::smatch m;
  while (std::getline(ss, line)) {
    if (std::regex_search(line, m, edge)) p.edges.insert({m[1], m[2]});
    else if (std::regex_search(line, m, node)) p.labels[m[1]] = m[2];
  }
  return p;
}

std::string id_with_label_prefix(const Parsed& p, const std::string& prefix) {
  for (const auto& [id, label] : p.labels)
    if (label.rfind(prefix, 0) == 0) return id;
  return "";
}

}  // namespace

TEST(GraphDot, TutorialFunctionHasExpectedNodesAndEdges) {
  auto x = tg::tensor({3.0}, tg::requires_grad());
  auto y = tg::tensor({1.0}, tg::requires_grad());
  auto z = tg::tensor({5.0}, tg::requires_grad());
  auto a = 2 * x;
  auto b = tg::sin(y);
  auto c = a / b;
  auto d = c * z;
  auto e = tg::log(d + 1);
  auto f = tg::tanh(e);
  tg::viz::GraphOptions o;
  o.names = {{"x", x}, {"y", y}, {"z", z}, {"a", a}, {"b", b}, {"c", c}, {"d", d}, {"e", e}};
  Parsed p = parse(tg::viz::to_dot(f, o));
  // 3 leaves + 7 ops (mul, sin, div, mul, add, log, tanh) + the output.
  EXPECT_EQ(p.labels.size(), 11u);
  const std::string ix = id_with_label_prefix(p, "x"), iy = id_with_label_prefix(p, "y"),
                    iz = id_with_label_prefix(p, "z"), ia = id_with_label_prefix(p, "a = MulBackward0"),
                    ib = id_with_label_prefix(p, "b = SinBackward0"), ic = id_with_label_prefix(p, "c = DivBackward0"),
                    id = id_with_label_prefix(p, "d = MulBackward0"), iadd = id_with_label_prefix(p, "AddBackward0"),
                    ie = id_with_label_prefix(p, "e = LogBackward0"), itanh = id_with_label_prefix(p, "TanhBackward0");
  for (const auto& s : {ix, iy, iz, ia, ib, ic, id, iadd, ie, itanh}) ASSERT_FALSE(s.empty());
  const std::set<std::pair<std::string, std::string>> want = {
      {ix, ia}, {iy, ib}, {ia, ic}, {ib, ic}, {ic, id}, {iz, id}, {id, iadd}, {iadd, ie}, {ie, itanh}, {itanh, "output"}};
  EXPECT_EQ(p.edges, want);
}

TEST(GraphDot, ValuesGradsAndShapes) {
  auto w = tg::tensor({-0.5}, tg::requires_grad());
  auto b = tg::tensor({0.5}, tg::requires_grad());
  auto pred = tg::tanh(w * tg::tensor({1}) + b);
  auto loss = (tg::tensor({7}) - pred).pow(2);
  loss.backward();
  tg::viz::GraphOptions o;
  o.names = {{"w", w}, {"b", b}};
  o.show_values = o.show_grads = true;
  std::string dot = tg::viz::to_dot(loss, o);
  EXPECT_NE(dot.find("PowBackward0"), std::string::npos);
  EXPECT_NE(dot.find("SubBackward0"), std::string::npos);
  EXPECT_NE(dot.find("w (1,)\\nvalue -0.5\\ngrad -14"), std::string::npos) << dot;
  EXPECT_NE(dot.find("b (1,)\\nvalue 0.5\\ngrad -14"), std::string::npos) << dot;
}

TEST(GraphDot, SharedSubgraphAppearsOnce) {
  auto x = tg::ones({2, 3}, tg::requires_grad());
  auto s = x.sum();
  auto y = s * s;
  Parsed p = parse(tg::viz::to_dot(y));
  int sums = 0;
  for (const auto& [id, label] : p.labels) sums += label.rfind("SumBackward0", 0) == 0;
  EXPECT_EQ(sums, 1);
  // Both operands of the product come from the one sum: a single deduplicated edge.
  EXPECT_EQ(p.edges.size(), 3u);
}

TEST(GraphRender, WritesSvgAndPng) {
  auto x = tg::ones({2}, tg::requires_grad());
  std::string dot = tg::viz::to_dot((x * 2).sum());
  auto dir = std::filesystem::temp_directory_path() / ("tg_graph_test_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  tg::viz::render(dot, (dir / "g.svg").string());
  tg::viz::render(dot, (dir / "g.png").string());
  std::ifstream svg(dir / "g.svg");
  std::string text((std::istreambuf_iterator<char>(svg)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("<svg"), std::string::npos);
  EXPECT_NE(text.find("MulBackward0"), std::string::npos);
  std::ifstream png(dir / "g.png", std::ios::binary);
  char sig[8];
  png.read(sig, 8);
  EXPECT_EQ(std::string(sig + 1, 3), "PNG");
  EXPECT_GT(std::filesystem::file_size(dir / "g.png"), 1000u);
  EXPECT_THROW(tg::viz::render(dot, (dir / "g.bmpx").string()), tg::Error);
  EXPECT_THROW(tg::viz::render("digraph {", (dir / "bad.svg").string()), tg::Error);
  std::filesystem::remove_all(dir);
}
