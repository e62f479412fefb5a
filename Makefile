# The two commands of the README: `make run` and `make test`.
BUILD ?= build
JOBS ?= 2
CMAKE_FLAGS ?= -DCMAKE_BUILD_TYPE=Release
# Paths relative to the checkout let ccache reuse objects across clones.
export CCACHE_BASEDIR := $(CURDIR)

.PHONY: run test build setup configure clean bench bench-setup

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

# Side-by-side benchmarks against Brian2 and PyTorch (bench/README.md);
# BENCH_FLAGS=--repeat 1 for a quick pass.
bench: build bench-setup
	/usr/bin/python3 bench/run.py $(BENCH_FLAGS)

bench-setup:
	@bench/setup.sh

clean:
	rm -rf $(BUILD)
