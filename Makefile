# Boxless — `make demo` and `make test` work on a fresh Debian/Ubuntu machine with Swift.
SWIFT ?= swift
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
APT_PACKAGES := libpcap-dev qemu-system-x86 e2fsprogs
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: deps build release demo test bench clean

## Install missing system packages (libpcap-dev; tshark is optional, for capture checks).
deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

build: deps
	$(SWIFT) build -j $(JOBS)

release: deps
	$(SWIFT) build -c release -j $(JOBS)

## Build, show the emulated machine, and run the exerciser end to end.
demo: build
	.build/debug/boxless devices
	.build/debug/boxless lspci -v
	.build/debug/boxless exercise --seed 1

## The whole suite.
test: deps
	$(SWIFT) build --build-tests -j $(JOBS)
	$(SWIFT) test --skip-build --parallel --num-workers $(JOBS)

bench: release
	.build/release/boxless exercise --ops 20000 --lenient

clean:
	rm -rf .build
