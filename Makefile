# Boxless — `make demo` and `make test` work on a fresh Debian/Ubuntu machine with Swift.
SWIFT ?= swift
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
APT_PACKAGES := libpcap-dev qemu-system-x86 e2fsprogs linux-source-6.1 busybox-static flex bison bc
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: deps build release demo test bench clean linux

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

## Build, show the emulated machine, and replay the bundled trace through the 82540EM and its driver.
demo: build
	.build/debug/boxless devices
	.build/debug/boxless lspci -v --devices e1000
	.build/debug/boxless replay Traces/mixed-200.pcap --nic e1000

## The Linux host's guest: a User-Mode Linux kernel, busybox and the guest agent in .build-linux/
## (about 5 minutes the first time on 2 cores; nothing there is committed).
linux: deps
	scripts/build-uml.sh .build-linux

## The whole suite.
test: deps linux
	$(SWIFT) build --build-tests -j $(JOBS)
	$(SWIFT) test --skip-build --parallel --num-workers $(JOBS)

## Throughput figures (release build): replay at line rate, a 1M-frame pcap, disk IOPS, DMA accessors.
bench: release
	.build/release/boxless bench --size 64 --frames 1000000
	.build/release/boxless bench --size 64 --frames 1000000 --nic e1000e
	.build/release/boxless bench --size 1514 --frames 300000
	.build/release/boxless bench --size trace --frames 1000000
	.build/release/boxless disk-bench
	.build/release/boxless bench --size dma --frames 100000
	.build/release/boxless bench --host qemu --size 64 --frames 5000
	.build/release/boxless bench --host qemu --size 1514 --frames 5000

clean:
	rm -rf .build .build-linux
