# ccmsync: the two quick-start targets (README) and the developer targets.
#   make demo   install missing packages, build, run `ccmsync demo build/demo`
#               (the report stays in build/demo/report.html)
#   make test   install missing packages, then: the format and layer checks; a Release
#               build with gcc and one with clang (-Werror), installed and
#               checked (test-package); build with gcc (-Werror) and run every
#               test, then again with clang under ASan+UBSan; a short
#               libFuzzer run of every parser of untrusted bytes
#   make build  build with gcc (-Werror) in build/; installs nothing, runs no
#               apt-get (`make setup` installs the build dependencies)
#   make install  install build/ (PREFIX, default /usr/local; DESTDIR honoured)
#   make bench  the benchmarks in bench/ (not part of make test)
#   make bench-record  reading a record's plaintext, two ways (bench/record_parse.c)
#   make format apply .clang-format;  make fuzz  short libFuzzer runs
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
BUILD ?= build
SAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
PKG_BUILD ?= build-pkg
FUZZ_SECONDS ?= 10
PREFIX ?= /usr/local

.PHONY: all setup build install demo test test-gcc test-asan test-fuzz test-package bench \
        bench-record format check-format check-layers fuzz clean

all: build

setup:
	@scripts/setup

# The developers' build: -Werror on, as in make test (CMake's default is off,
# for packagers). It never installs packages: when one is missing, cmake says
# which, and `make setup` installs them all.
$(BUILD)/Makefile: CMakeLists.txt
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_COMPILER=gcc \
	      -DCCM_WERROR=ON >/dev/null || \
	  { echo "make: configuring failed ('make setup' installs the build dependencies)" >&2; exit 1; }

build: $(BUILD)/Makefile
	cmake --build $(BUILD) -j $(JOBS)

install: build
	cmake --install $(BUILD) --prefix $(PREFIX)

demo: setup build
	rm -rf $(BUILD)/demo
	./$(BUILD)/ccmsync demo $(BUILD)/demo

test: setup check-format check-layers test-package test-gcc test-asan test-fuzz

# Module boundaries: no include of a higher layer or of another module's
# private header (scripts/check-layers says which).
check-layers:
	scripts/check-layers

test-gcc: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

test-asan: setup
	cmake -S . -B $(SAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DCMAKE_C_COMPILER=clang \
	      -DCCM_SANITIZE=ON -DCCM_WERROR=ON >/dev/null
	cmake --build $(SAN_BUILD) -j $(JOBS)
	cd $(SAN_BUILD) && ctest --output-on-failure -j $(JOBS)

bench: build
	bench/run.sh $(BUILD)/ccmsync

bench-record: $(BUILD)/Makefile
	cmake --build $(BUILD) --target record_parse_bench -j $(JOBS)
	$(BUILD)/record_parse_bench $(BENCH_RECORD_ARGS)

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

check-format:
	@bad=$$(for f in $$(git ls-files '*.c' '*.h'); do \
	    clang-format --dry-run -Werror "$$f" >/dev/null 2>&1 || echo "$$f"; done); \
	if [ -n "$$bad" ]; then echo "not clang-formatted: $$bad" >&2; exit 1; fi

test-fuzz: setup
	cmake -S . -B $(FUZZ_BUILD) -DCMAKE_C_COMPILER=clang -DCCM_FUZZ=ON -DCCM_SANITIZE=ON \
	      -DCCM_WERROR=ON >/dev/null
	cmake --build $(FUZZ_BUILD) -j $(JOBS)
	tests/fuzz/run.sh $(FUZZ_BUILD) $(FUZZ_SECONDS)

# A packager's build, checked: Release with gcc and with clang (-Werror),
# make install DESTDIR=..., man -l on the installed page (scripts/test-package).
test-package: setup
	scripts/test-package $(PKG_BUILD) $(JOBS)

# A longer run (make fuzz FUZZ_SECONDS=600).
fuzz: FUZZ_SECONDS = 60
fuzz: test-fuzz

clean:
	rm -rf $(BUILD) $(SAN_BUILD) $(FUZZ_BUILD) $(PKG_BUILD)-gcc $(PKG_BUILD)-clang
