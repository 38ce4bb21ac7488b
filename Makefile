# Boxless — `make demo` and `make test` work on a fresh Debian/Ubuntu machine with Swift.
SWIFT ?= swift
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
APT_PACKAGES := libpcap-dev qemu-system-x86 tshark e2fsprogs linux-source-6.1 busybox-static flex bison bc
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: deps build release demo test bench clean linux example planted-bugs

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
	$(MAKE) example

## The example package (Examples/WhiteboxDriver), as a driver author has it: copied out of the tree,
## its path dependency pointed at this checkout, built and tested; then its own command line lists
## its device and replays a trace it made, and its planted bug must fail the replay. The copy keeps
## its .build between runs.
EXAMPLE_DIR ?= $(or $(TMPDIR),/tmp)/boxless-example
WHITEBOX := $(EXAMPLE_DIR)/.build/debug/whitebox
example: deps
	mkdir -p $(EXAMPLE_DIR)
	rsync -a --delete --exclude .build --exclude Package.resolved Examples/WhiteboxDriver/ $(EXAMPLE_DIR)/
	sed -i 's|path: "../.."|path: "$(CURDIR)"|' $(EXAMPLE_DIR)/Package.swift
	grep -q 'path: "$(CURDIR)"' $(EXAMPLE_DIR)/Package.swift
	cd $(EXAMPLE_DIR) && $(SWIFT) build --build-tests -j $(JOBS)
	cd $(EXAMPLE_DIR) && $(SWIFT) test --skip-build
	$(WHITEBOX) lspci -v --devices wbx100,e1000 > $(EXAMPLE_DIR)/lspci.txt && cat $(EXAMPLE_DIR)/lspci.txt
	grep -q 'Whitebox WBX-100' $(EXAMPLE_DIR)/lspci.txt
	$(WHITEBOX) gen-trace $(EXAMPLE_DIR)/trace.pcap --count 200 --seed 7
	$(WHITEBOX) replay $(EXAMPLE_DIR)/trace.pcap --nic wbx100
	@if $(WHITEBOX) replay $(EXAMPLE_DIR)/trace.pcap --nic wbx100 --param bug=short-rx >/dev/null; then \
	  echo "example: the planted bug (bug=short-rx) was not caught"; exit 1; \
	else echo "example: the planted bug (bug=short-rx) was caught"; fi

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

## The planted-bug catalogue (Tests/PlantedBugs): every bug caught, the correct drivers pass the
## same commands. Patches are applied to a copy in .build-planted/ (incremental builds, ~2 min).
planted-bugs: deps
	scripts/planted-bugs.sh .build-planted

clean:
	rm -rf .build .build-linux
