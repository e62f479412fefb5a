# The two commands of the README: `make run` and `make test`.
BUILD ?= build
JOBS ?= 2
CMAKE_FLAGS ?= -DCMAKE_BUILD_TYPE=Release
# Paths relative to the checkout let ccache reuse objects across clones.
export CCACHE_BASEDIR := $(CURDIR)

ASAN_BUILD ?= build-asan
FUZZ_SECONDS ?= 300

.PHONY: run test build setup configure clean bench bench-setup test-asan \
  build-asan fuzz

run: build
	$(BUILD)/bin/hebb run examples/song2000.hebb --out out/song2000

test: build
	cd $(BUILD) && ctest --output-on-failure -j$(JOBS)

build: configure
	ninja -C $(BUILD) -j$(JOBS)

configure: setup
	@if [ ! -f $(BUILD)/build.ninja ]; then \
	  cmake -S . -B $(BUILD) -G Ninja $(CMAKE_FLAGS) \
	    -DCMAKE_C_COMPILER=clang-22 -DCMAKE_CXX_COMPILER=clang++-22 \
	    -DLLVM_USE_LINKER=lld; \
	fi

setup:
	@scripts/setup.sh

# Every unit and end-to-end test under AddressSanitizer and
# UndefinedBehaviorSanitizer (docs/reliability.md).
test-asan: build-asan
	cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1 \
	  LSAN_OPTIONS=suppressions=$(CURDIR)/tests/fuzz/lsan.supp \
	  UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	  ctest --output-on-failure -j$(JOBS) -E '^install$$'

build-asan: setup
	@if [ ! -f $(ASAN_BUILD)/build.ninja ]; then \
	  cmake -S . -B $(ASAN_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release \
	    -DHEBB_SANITIZE=ON -DCMAKE_C_COMPILER=clang-22 \
	    -DCMAKE_CXX_COMPILER=clang++-22; \
	fi
	ninja -C $(ASAN_BUILD) -j$(JOBS)

# Each libFuzzer target for FUZZ_SECONDS (tests/fuzz/run.sh).
fuzz: build-asan
	tests/fuzz/run.sh $(ASAN_BUILD) $(FUZZ_SECONDS)

# Side-by-side benchmarks against Brian2 and PyTorch (bench/README.md);
# BENCH_FLAGS=--repeat 1 for a quick pass.
bench: build bench-setup
	/usr/bin/python3 bench/run.py $(BENCH_FLAGS)

bench-setup:
	@bench/setup.sh

clean:
	rm -rf $(BUILD)
