# Face ID Boom — the two commands a fresh Debian 12 machine needs:
#   make run    install what is missing, build Release, start the service
#   make test   install what is missing, build, run every test (and the unit tests under ASan+UBSan)
#   make fuzz   build the libFuzzer targets with clang and run each for FUZZ_SECONDS (default 60)
.PHONY: setup build run test test-release test-asan format fuzz clean

JOBS ?= $(shell nproc)
HOST ?= 127.0.0.1
PORT ?= 8000
DATA ?= data
FUZZ_SECONDS ?= 60

setup:
	@scripts/setup.sh

build: setup
	@cmake --preset release >/dev/null
	@cmake --build --preset release -j $(JOBS)

run: build
	@build/release/faceid serve --host $(HOST) --port $(PORT) --data $(DATA) --models models

test: build
	@scripts/run-tests.sh

fuzz: setup
	@FUZZ_SECONDS=$(FUZZ_SECONDS) JOBS=$(JOBS) scripts/run-fuzz.sh

format:
	@git ls-files '*.cpp' '*.h' | xargs clang-format -i

clean:
	rm -rf build
