# The two commands of the README: `make tutorial` and `make test`. Both install what is missing
# (Debian 12, as root), configure, build, and run.
BUILD ?= build
ASAN_BUILD ?= build-asan
BENCH_BUILD ?= build-bench
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=

# Debian packages the build, the tests and the tutorial need.
DEBS := cmake ninja-build g++ pkg-config libopenblas-dev libsleef-dev libgtest-dev \
        nlohmann-json3-dev libgraphviz-dev graphviz libcli11-dev libplplot-dev plplot-driver-cairo
# Only for `make bench` (libtorch-dev too, if the comparison with libtorch is wanted).
BENCH_DEBS := libbenchmark-dev

SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: all deps configure build tutorial test test-sanitize bench clean

all: build

deps:
	@missing=""; for p in $(DEBS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

configure: deps
	@cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS) > /dev/null

build: configure
	@cmake --build $(BUILD) -j $(JOBS)

# Builds only what the tutorial needs, then runs all its sections.
tutorial: configure
	@cmake --build $(BUILD) -j $(JOBS) --target tutorial
	@$(BUILD)/examples/tutorial

test: build
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

# The whole suite under AddressSanitizer and UndefinedBehaviorSanitizer.
test-sanitize: deps
	@cmake -S . -B $(ASAN_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DTG_SANITIZE=ON -DTG_BUILD_EXAMPLES=OFF > /dev/null
	@cmake --build $(ASAN_BUILD) -j $(JOBS)
	@cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1 ctest --output-on-failure -j $(JOBS)

# The benchmark suite against tensorgrad and, when libtorch-dev is installed, libtorch (speed on
# one pinned core, the MLP on two, peak memory, library size, compile time): writes
# bench/results/results.md and bench/results/ratios.png. Its own Release build directory, so that
# the benchmarks never reconfigure $(BUILD); run it on an otherwise idle machine.
bench:
	@$(MAKE) --no-print-directory deps DEBS="$(DEBS) $(BENCH_DEBS)"
	@cmake -S . -B $(BENCH_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release -DTG_BUILD_BENCH=ON \
	  -DTG_BUILD_TESTS=OFF -DTG_BUILD_EXAMPLES=OFF $(CMAKE_FLAGS) > /dev/null
	@cmake --build $(BENCH_BUILD) -j $(JOBS) --target benchmarks
	@bench/run.sh $(BENCH_BUILD)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(BENCH_BUILD)
