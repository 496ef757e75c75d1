# ccmsync: the two quick-start targets (README) and the developer targets.
#   make demo   install missing packages, build, run `ccmsync demo build/demo`
#               (the report stays in build/demo/report.html)
#   make test   install missing packages, build with gcc (-Werror) and run every
#               test, then again with clang under ASan+UBSan, then a short
#               libFuzzer run of every parser of untrusted bytes
#   make bench  the benchmarks in bench/ (not part of make test)
#   make format apply .clang-format;  make fuzz  short libFuzzer runs
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
BUILD ?= build
SAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 10

.PHONY: all setup build demo test test-gcc test-asan test-fuzz bench format check-format fuzz clean

all: build

setup:
	@scripts/setup

$(BUILD)/Makefile: CMakeLists.txt
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_COMPILER=gcc >/dev/null

build: setup $(BUILD)/Makefile
	cmake --build $(BUILD) -j $(JOBS)

demo: build
	rm -rf $(BUILD)/demo
	./$(BUILD)/ccmsync demo $(BUILD)/demo

test: setup check-format test-gcc test-asan test-fuzz

test-gcc: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

test-asan: setup
	cmake -S . -B $(SAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DCMAKE_C_COMPILER=clang \
	      -DCCM_SANITIZE=ON >/dev/null
	cmake --build $(SAN_BUILD) -j $(JOBS)
	cd $(SAN_BUILD) && ctest --output-on-failure -j $(JOBS)

bench: build
	bench/run.sh $(BUILD)/ccmsync

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

check-format:
	@bad=$$(for f in $$(git ls-files '*.c' '*.h'); do \
	    clang-format --dry-run -Werror "$$f" >/dev/null 2>&1 || echo "$$f"; done); \
	if [ -n "$$bad" ]; then echo "not clang-formatted: $$bad" >&2; exit 1; fi

test-fuzz: setup
	cmake -S . -B $(FUZZ_BUILD) -DCMAKE_C_COMPILER=clang -DCCM_FUZZ=ON -DCCM_SANITIZE=ON >/dev/null
	cmake --build $(FUZZ_BUILD) -j $(JOBS)
	tests/fuzz/run.sh $(FUZZ_BUILD) $(FUZZ_SECONDS)

# A longer run (make fuzz FUZZ_SECONDS=600).
fuzz: FUZZ_SECONDS = 60
fuzz: test-fuzz

clean:
	rm -rf $(BUILD) $(SAN_BUILD) $(FUZZ_BUILD)
