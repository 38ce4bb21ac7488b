// Umbrella header for the CPcap system library module: exposes libpcap's public API to Swift.
#ifndef BOXLESS_CPCAP_SHIM_H
#define BOXLESS_CPCAP_SHIM_H

#include <pcap/pcap.h>

#endif
