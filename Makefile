# calendard — the two commands are `make run` and `make test`.
#   make         build the release binary (build/release/calendard)
#   make run     install what is missing, build, migrate ./data/calendard.db, serve on 127.0.0.1:8080
#   make test    install what is missing, build with ASan+UBSan, run every test (unit, store contract, integration)
#   make bench   build the release binary and run the benchmarks (bench/), results in docs/BENCHMARKS.md
SHELL := /bin/bash
JOBS ?= $(shell nproc)
RELEASE := build/release
ASAN := build/asan

.PHONY: all build build-asan deps run test bench clean

all: build

deps:
	@scripts/install-deps
	@[ -d node_modules ] && [ node_modules/.package-lock.json -nt package-lock.json ] || npm ci --no-audit --no-fund --loglevel=error

$(RELEASE)/Makefile: CMakeLists.txt
	@cmake -S . -B $(RELEASE) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null

$(ASAN)/Makefile: CMakeLists.txt
	@cmake -S . -B $(ASAN) -DCMAKE_BUILD_TYPE=Debug -DCALENDARD_SANITIZE=ON >/dev/null

build: $(RELEASE)/Makefile
	@cmake --build $(RELEASE) -j $(JOBS) --target calendard

build-asan: $(ASAN)/Makefile
	@cmake --build $(ASAN) -j $(JOBS)

run: deps build
	@scripts/run-local $(RELEASE)/calendard

test: deps build build-asan
	@scripts/test $(ASAN)

bench: deps build
	@cmake --build $(RELEASE) -j $(JOBS) --target bench_alarm_tick
	@bench/run $(RELEASE)/calendard

clean:
	rm -rf build
