// boxless-agent: the guest side of Boxless's Linux host. Runs inside the User-Mode Linux guest's
// initramfs (built static by scripts/build-uml.sh) and reports to the host, one line per fact,
// on standard output (the init script points it at /dev/tty1, a pipe on the host).
//
//   boxless-agent rx IFACE [batch] turn GRO and RX VLAN stripping off, receive every frame on IFACE through a packet socket (packet(7))
//                                 and print "RX <length> <fnv1a64>" for each, in order, until the
//                                 end-marker frame (EtherType 0x88B5, payload "BOXLESS-END");
//                                 then "END <frames> <socket-drops>". When ready it also sends a
//                                 broadcast frame (EtherType 0x88B5, "BOXLESS-READY"), and at the
//                                 end "BOXLESS-DONE". With batch, lines are written only at the end.
//   boxless-agent tx IFACE FILE   send every frame of FILE (u32 little-endian length + bytes,
//                                 repeated) on IFACE; print "TX <index> ok" or "TX <index> err
//                                 <errno>", then "TXEND <sent>" (all written at the end).
//   boxless-agent mark IFACE WORD send the milestone frame WORD (e.g. BOXLESS-DONE); it is queued
//                                 behind every frame sent before it, so it reaches the wire last.
//   boxless-agent udp DST PORT SIZE...
//                                 send one UDP datagram of each SIZE to DST:PORT from port 40000
//                                 through the guest's own IP stack (so the driver's checksum
//                                 offload and, above the MTU, IP fragmentation are in play);
//                                 byte i of a datagram of n bytes is (31n + 7i) mod 256; print
//                                 "UDP <size> ok" or "UDP <size> err <errno>".
//
// A VLAN tag the NIC stripped is put back from the packet's auxiliary data (PACKET_AUXDATA), as
// libpcap does, so the host compares frames as they were on the wire.
#include <arpa/inet.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <sys/ioctl.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define END_ETHERTYPE 0x88B5
#define END_MAGIC "BOXLESS-END"
#define MAX_FRAME 65536

static uint64_t fnv1a64(const uint8_t *p, size_t n) {
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < n; i++) { h ^= p[i]; h *= 0x100000001b3ULL; }
    return h;
}

static int open_socket(const char *ifname) {
    int s = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
    if (s < 0) { printf("ERROR socket %d\n", errno); return -1; }
    struct sockaddr_ll a;
    memset(&a, 0, sizeof a);
    a.sll_family = AF_PACKET;
    a.sll_protocol = htons(ETH_P_ALL);
    a.sll_ifindex = (int)if_nametoindex(ifname);
    if (a.sll_ifindex == 0 || bind(s, (struct sockaddr *)&a, sizeof a) < 0) {
        printf("ERROR bind %s %d\n", ifname, errno);
        return -1;
    }
    return s;
}

// Generic receive offload merges TCP segments and holds them to the end of a NAPI poll, so a
// packet socket would see merged frames, out of order with other traffic: turn it off (ethtool(8)
// -K IFACE gro off, through the ETHTOOL_SGRO ioctl), so frames arrive as the NIC delivered them.
static int gro_off(int s, const char *ifname) {
    struct ethtool_value v = { .cmd = ETHTOOL_SGRO, .data = 0 };
    struct ifreq r;
    memset(&r, 0, sizeof r);
    strncpy(r.ifr_name, ifname, IFNAMSIZ - 1);
    r.ifr_data = (void *)&v;
    if (ioctl(s, SIOCETHTOOL, &r) < 0) { printf("ERROR gro-off %s %d\n", ifname, errno); return -1; }
    return 0;
}

// A broadcast frame of EtherType 0x88B5 carrying `word` ("BOXLESS-READY", "BOXLESS-DONE"): the
// agent's milestones as events on the wire, at simulated times a time-travel host can rely on.
static void milestone(int s, const char *word) {
    uint8_t f[60] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0, 0, 0, 0, 1, 0x88, 0xB5 };
    memcpy(f + 14, word, strlen(word));
    if (send(s, f, sizeof f, 0) != (ssize_t)sizeof f) printf("ERROR milestone-frame %d\n", errno);
}

// Hardware VLAN stripping hands the tag over in the descriptor, and a driver may keep only part of
// it (Linux's e1000 keeps the VLAN ID and drops the priority bits), so the frame could not be
// rebuilt as it was on the wire: turn it off (ethtool -K IFACE rxvlan off, through the legacy
// ETHTOOL_SFLAGS ioctl and ETH_FLAG_RXVLAN), so tagged frames arrive with their tag inline.
static int rxvlan_off(int s, const char *ifname) {
    struct ethtool_value v = { .cmd = ETHTOOL_GFLAGS };
    struct ifreq r;
    memset(&r, 0, sizeof r);
    strncpy(r.ifr_name, ifname, IFNAMSIZ - 1);
    r.ifr_data = (void *)&v;
    if (ioctl(s, SIOCETHTOOL, &r) < 0) { printf("ERROR rxvlan-get %s %d\n", ifname, errno); return -1; }
    if (!(v.data & ETH_FLAG_RXVLAN)) return 0;
    v.cmd = ETHTOOL_SFLAGS;
    v.data &= ~ETH_FLAG_RXVLAN;
    if (ioctl(s, SIOCETHTOOL, &r) < 0) { printf("ERROR rxvlan-off %s %d\n", ifname, errno); return -1; }
    return 0;
}

static int receive(const char *ifname, int batch) {
    int s = open_socket(ifname);
    if (s < 0 || gro_off(s, ifname) < 0 || rxvlan_off(s, ifname) < 0) return 1;
    // Some drivers reset the NIC to change offloads (e1000e): wait for the link to come back.
    char path[128];
    snprintf(path, sizeof path, "/sys/class/net/%s/carrier", ifname);
    for (int i = 0; i < 300; i++) {
        FILE *c = fopen(path, "r");
        int up = c && fgetc(c) == '1';
        if (c) fclose(c);
        if (up) break;
        usleep(100000);
    }
    int one = 1, big = 64 << 20;
    setsockopt(s, SOL_PACKET, PACKET_AUXDATA, &one, sizeof one);
    if (setsockopt(s, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof big) < 0)
        setsockopt(s, SOL_SOCKET, SO_RCVBUF, &big, sizeof big);
    static uint8_t buf[MAX_FRAME + 4];
    static char out[16 << 20];
    setvbuf(stdout, out, _IOFBF, sizeof out);
    // Tell the host on the wire too: a frame is an event at a simulated time, so a host in
    // time-travel mode can start the replay at the same point every run.
    milestone(s, "BOXLESS-READY");
    printf("READY\n");
    fflush(stdout);
    unsigned long frames = 0;
    for (;;) {
        struct sockaddr_ll from;
        union { struct cmsghdr c; char b[CMSG_SPACE(sizeof(struct tpacket_auxdata))]; } control;
        struct iovec iov = { buf + 4, MAX_FRAME };
        struct msghdr m;
        memset(&m, 0, sizeof m);
        m.msg_name = &from; m.msg_namelen = sizeof from;
        m.msg_iov = &iov; m.msg_iovlen = 1;
        m.msg_control = &control; m.msg_controllen = sizeof control;
        // Report promptly: flush what is buffered before waiting for more (the host paces its
        // sending on these lines).
        // (In batch mode nothing is written until the end: a guest blocked on its console would
        // move with the host's wall clock, not with simulated time.)
        ssize_t n = recvmsg(s, &m, MSG_TRUNC | (batch ? 0 : MSG_DONTWAIT));
        if (n < 0 && !batch && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            fflush(stdout);
            m.msg_controllen = sizeof control;
            m.msg_namelen = sizeof from;
            n = recvmsg(s, &m, MSG_TRUNC);
        }
        if (n < 0) { if (errno == EINTR) continue; printf("ERROR recv %d\n", errno); break; }
        if (from.sll_pkttype == PACKET_OUTGOING) continue;
        uint8_t *frame = buf + 4;
        size_t len = (size_t)n > MAX_FRAME ? MAX_FRAME : (size_t)n;
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
            if (c->cmsg_level != SOL_PACKET || c->cmsg_type != PACKET_AUXDATA) continue;
            struct tpacket_auxdata aux;
            memcpy(&aux, CMSG_DATA(c), sizeof aux);
            if ((aux.tp_status & TP_STATUS_VLAN_VALID) && len >= 12) {
                uint16_t tpid = (aux.tp_status & TP_STATUS_VLAN_TPID_VALID) ? aux.tp_vlan_tpid : ETH_P_8021Q;
                memmove(buf, buf + 4, 12);
                frame = buf;
                frame[12] = tpid >> 8; frame[13] = tpid & 0xFF;
                frame[14] = aux.tp_vlan_tci >> 8; frame[15] = aux.tp_vlan_tci & 0xFF;
                len += 4;
            }
        }
        if (len >= 14 + sizeof END_MAGIC - 1 && ((frame[12] << 8) | frame[13]) == END_ETHERTYPE
            && memcmp(frame + 14, END_MAGIC, sizeof END_MAGIC - 1) == 0) {
            struct tpacket_stats st;
            socklen_t sl = sizeof st;
            memset(&st, 0, sizeof st);
            getsockopt(s, SOL_PACKET, PACKET_STATISTICS, &st, &sl);
            milestone(s, "BOXLESS-DONE");
            printf("END %lu %u\n", frames, st.tp_drops);
            fflush(stdout);
            return 0;
        }
        frames++;
        printf("RX %zu %016llx\n", len, (unsigned long long)fnv1a64(frame, len));
    }
    fflush(stdout);
    return 1;
}

static int transmit(const char *ifname, const char *path) {
    int s = open_socket(ifname);
    if (s < 0) return 1;
    FILE *f = fopen(path, "rb");
    if (!f) { printf("ERROR open %s %d\n", path, errno); return 1; }
    static uint8_t buf[MAX_FRAME * 4];
    static char out[16 << 20];
    setvbuf(stdout, out, _IOFBF, sizeof out);   // written at the end (see receive)
    unsigned long index = 0, sent = 0;
    for (;;) {
        uint8_t h[4];
        if (fread(h, 1, 4, f) != 4) break;
        uint32_t len = (uint32_t)h[0] | (uint32_t)h[1] << 8 | (uint32_t)h[2] << 16 | (uint32_t)h[3] << 24;
        if (len > sizeof buf || fread(buf, 1, len, f) != len) { printf("ERROR frame %lu cut short\n", index); break; }
        int tries = 0;
        for (;;) {
            ssize_t n = send(s, buf, len, 0);
            if (n == (ssize_t)len) { printf("TX %lu ok\n", index); sent++; break; }
            // A full queue is back-pressure, not a verdict: wait for the NIC and try again.
            if (n < 0 && (errno == ENOBUFS || errno == EAGAIN || errno == EINTR) && tries++ < 2000) { usleep(1000); continue; }
            printf("TX %lu err %d\n", index, n < 0 ? errno : -1);
            break;
        }
        index++;
    }
    printf("TXEND %lu\n", sent);
    fflush(stdout);
    return 0;
}

static int mark(const char *ifname, const char *word) {
    int s = open_socket(ifname);
    if (s < 0) return 1;
    milestone(s, word);
    return 0;
}

static int udp(const char *dst, const char *port, int count, char **sizes) {
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    if (s < 0) { printf("ERROR udp-socket %d\n", errno); return 1; }
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(40000) };
    if (bind(s, (struct sockaddr *)&a, sizeof a) < 0) { printf("ERROR udp-bind %d\n", errno); return 1; }
    a.sin_port = htons((uint16_t)atoi(port));
    if (inet_pton(AF_INET, dst, &a.sin_addr) != 1) { printf("ERROR udp-address %s\n", dst); return 1; }
    static uint8_t buf[MAX_FRAME];
    for (int k = 0; k < count; k++) {
        int n = atoi(sizes[k]);
        if (n < 0 || n > 65507) { printf("UDP %d err %d\n", n, EINVAL); continue; }
        for (int i = 0; i < n; i++) buf[i] = (uint8_t)(31 * n + 7 * i);
        ssize_t r = sendto(s, buf, (size_t)n, 0, (struct sockaddr *)&a, sizeof a);
        if (r == n) printf("UDP %d ok\n", n); else printf("UDP %d err %d\n", n, r < 0 ? errno : -1);
    }
    fflush(stdout);
    return 0;
}

int main(int argc, char **argv) {
    if (argc >= 3 && strcmp(argv[1], "rx") == 0) return receive(argv[2], argc >= 4 && strcmp(argv[3], "batch") == 0);
    if (argc >= 4 && strcmp(argv[1], "tx") == 0) return transmit(argv[2], argv[3]);
    if (argc >= 4 && strcmp(argv[1], "mark") == 0) return mark(argv[2], argv[3]);
    if (argc >= 4 && strcmp(argv[1], "udp") == 0) return udp(argv[2], argv[3], argc - 4, argv + 4);
    fprintf(stderr, "usage: boxless-agent rx IFACE [batch] | tx IFACE FILE | mark IFACE WORD | udp DST PORT SIZE...\n");
    return 2;
}
