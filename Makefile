# Thin wrapper over CMake + Ninja (+ ccache). `make demo` and `make check` are the
# README's Quick start; both install missing system packages first.
BUILD ?= build
CMAKE_FLAGS ?=
JOBS ?= $(shell nproc)

.PHONY: all setup configure build fuzz-build fuzz check check-lit check-unit check-e2e demo selfcontained format clean

all: build

setup:
	@bash scripts/setup-deps

$(BUILD)/build.ninja:
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release \
	  -DMLIR_DIR=/usr/lib/llvm-19/lib/cmake/mlir \
	  -DLLVM_EXTERNAL_LIT=/usr/lib/llvm-19/build/utils/lit/lit.py $(CMAKE_FLAGS)

configure: $(BUILD)/build.ninja

build: setup configure
	cmake --build $(BUILD) -j $(JOBS)

# The importer fuzzer: a second build with clang, libFuzzer and ASan
# (tools/fuzz/fuzz.sh), in $(BUILD)/fuzz. `check` builds it before the tests
# so that CTest's fuzz-import only runs it.
FUZZ_SECONDS ?= 60
fuzz-build: setup
	bash tools/fuzz/fuzz.sh --build-dir $(BUILD)/fuzz --build-only --jobs $(JOBS)

fuzz: fuzz-build
	bash tools/fuzz/fuzz.sh --build-dir $(BUILD)/fuzz --seconds $(FUZZ_SECONDS)

check: build fuzz-build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

check-lit: build
	cd $(BUILD) && ctest --output-on-failure -R lit

check-unit: build
	cd $(BUILD) && ctest --output-on-failure -E 'lit|e2e'

check-e2e: build
	cd $(BUILD) && ctest --output-on-failure -R e2e

demo: build
	@bash examples/demo.sh $(BUILD)

# Tools for the GPU machine: LLVM/MLIR, protobuf and libstdc++ linked in
# (toolchain.md); they need only libc and libnvrtc there. Carry `.carry`.
selfcontained: setup
	cmake -S . -B build-static -G Ninja -DCMAKE_BUILD_TYPE=Release -DDSC_SELF_CONTAINED=ON \
	  -DMLIR_DIR=/usr/lib/llvm-19/lib/cmake/mlir \
	  -DLLVM_EXTERNAL_LIT=/usr/lib/llvm-19/build/utils/lit/lit.py
	cmake --build build-static -j $(JOBS) --target dsc dsc-opt dsc_runtime_tests dsc_runtime_shared
	mkdir -p .carry/bin
	cp build-static/tools/dsc/dsc build-static/tools/dsc-opt/dsc-opt \
	  build-static/runtime/test/dsc_runtime_tests build-static/runtime/libdsc.so .carry/bin/
	strip .carry/bin/*

format:
	git ls-files '*.cpp' '*.h' | xargs clang-format -i

clean:
	rm -rf $(BUILD) build-static
