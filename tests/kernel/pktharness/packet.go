package pktharness

import (
	"encoding/binary"
	"fmt"
	"net"
	"net/netip"
	"strings"
)

// Packet is one crafted packet.
//
// Fields that do not apply to Proto (ports for ICMP, ICMP type for TCP,
// ...) are ignored. Fields the struct does not name get fixed values: no IP
// options or extension headers, IPv4 fragment offset and flags 0, ECN 0,
// TCP data offset 5 (no options), window 64240, sequence number 1, ack
// number 1 when the ACK flag is set and 0 otherwise, urgent pointer 0. An
// ICMP query (echo, timestamp, information, address mask) or ICMPv6 echo
// carries ID as its identifier and 1 as its sequence number; other ICMP
// types carry a zero rest-of-header. Padding up to Length is zero bytes.
type Packet struct {
	ID       int    // unique per run, < 65536
	Family   string // "ip" or "ip6"
	Iif      string // ingress interface name; the harness creates it (veth) in the namespace
	Src, Dst netip.Addr
	// Proto is the IPv4 protocol or IPv6 next header: 6 tcp, 17 udp, 1
	// icmp (ip only), 58 icmpv6 (ip6 only), or any other number (raw
	// payload).
	Proto              uint8
	Sport, Dport       uint16 // tcp/udp
	TCPFlags           uint8  // tcp
	ICMPType, ICMPCode uint8
	TTL                uint8 // 0 means 64
	DSCP               uint8 // 6 bits
	Length             int   // total L3 length to pad to, 0 = minimal
}

// IP protocol numbers the harness builds headers for.
const (
	protoICMP   = 1
	protoTCP    = 6
	protoUDP    = 17
	protoICMPv6 = 58
)

// Ethernet types and header length.
const (
	etherTypeIPv4 = 0x0800
	etherTypeIPv6 = 0x86dd
	etherLen      = 14
)

// maxLength is the largest Length the harness sends: the MTU it gives the
// veth pairs, so no packet is fragmented.
const maxLength = 65535

// harnessMAC is the Ethernet source address of every injected frame. The
// sentinel chains count and record only frames from it, so traffic the
// kernel sends by itself (neighbour discovery, replies) never mixes with
// the answers.
var harnessMAC = net.HardwareAddr{0x02, 0x6e, 0x66, 0x74, 0x6f, 0x70}

// ipv6ExtHeaders are the next-header values the kernel parses as IPv6
// extension headers. The harness sends no extension header chain, so a
// zero payload under one of these values would be a malformed header
// rather than a packet of that protocol.
var ipv6ExtHeaders = map[uint8]string{
	0:  "hop-by-hop options",
	43: "routing",
	44: "fragment",
	51: "authentication",
	60: "destination options",
}

// l3Len is the length of p's network header.
func (p Packet) l3Len() int {
	if p.Family == "ip6" {
		return 40
	}
	return 20
}

// l4Len is the length of the transport header the harness builds for p,
// 0 for a raw payload.
func (p Packet) l4Len() int {
	switch {
	case p.Proto == protoTCP:
		return 20
	case p.Proto == protoUDP, p.isICMP():
		return 8
	}
	return 0
}

// isICMP reports whether p carries the ICMP of its family: icmp in ip,
// icmpv6 in ip6.
func (p Packet) isICMP() bool {
	return p.Family == "ip" && p.Proto == protoICMP || p.Family == "ip6" && p.Proto == protoICMPv6
}

// icmpQuery reports whether p is an ICMP message whose rest-of-header is
// an identifier and a sequence number, which conntrack tracks by
// identifier.
func (p Packet) icmpQuery() bool {
	if p.Family == "ip" {
		switch p.ICMPType {
		case 0, 8, 13, 14, 15, 16, 17, 18: // echo, timestamp, information, address mask
			return true
		}
		return false
	}
	return p.ICMPType == 128 || p.ICMPType == 129 // echo request, echo reply
}

// totalLen is the L3 length of p on the wire.
func (p Packet) totalLen() int {
	return max(p.Length, p.l3Len()+p.l4Len())
}

// check reports why the harness cannot send p faithfully, or nil.
func (p Packet) check() error {
	if p.ID < 0 || p.ID > 0xffff {
		return fmt.Errorf("id %d out of range 0-65535", p.ID)
	}
	if err := checkIfname(p.Iif); err != nil {
		return err
	}
	if !p.Src.IsValid() || !p.Dst.IsValid() {
		return fmt.Errorf("source and destination addresses are required")
	}
	if p.Src.Zone() != "" || p.Dst.Zone() != "" {
		return fmt.Errorf("addresses carry no zone on the wire")
	}
	switch p.Family {
	case "ip":
		if !p.Src.Is4() || !p.Dst.Is4() {
			return fmt.Errorf("family ip needs IPv4 addresses, have %v > %v", p.Src, p.Dst)
		}
	case "ip6":
		if !p.Src.Is6() || !p.Dst.Is6() {
			return fmt.Errorf("family ip6 needs IPv6 addresses, have %v > %v", p.Src, p.Dst)
		}
		if name, ok := ipv6ExtHeaders[p.Proto]; ok {
			return fmt.Errorf("next header %d is the %s extension header, which the harness cannot build", p.Proto, name)
		}
	default:
		return fmt.Errorf("family %q is not ip or ip6", p.Family)
	}
	if err := checkAddrs(p.Src, p.Dst); err != nil {
		return err
	}
	if p.DSCP > 63 {
		return fmt.Errorf("dscp %d does not fit in 6 bits", p.DSCP)
	}
	if p.Length != 0 {
		if minLen := p.l3Len() + p.l4Len(); p.Length < minLen {
			return fmt.Errorf("length %d is shorter than the headers (%d bytes)", p.Length, minLen)
		}
		if p.Length > maxLength {
			return fmt.Errorf("length %d exceeds the harness MTU %d", p.Length, maxLength)
		}
	}
	return nil
}

// checkIfname reports why name cannot be an ingress interface of the
// harness: it must be a valid Linux interface name of letters, digits,
// '.', '_' and '-', other than lo, all and default (which name sysctl
// directories) and outside the harness's own "nftopt-" names.
func checkIfname(name string) error {
	if name == "" || len(name) > 15 || name == "." || name == ".." {
		return fmt.Errorf("interface name %q is not 1-15 characters", name)
	}
	for _, c := range name {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '_' || c == '-') {
			return fmt.Errorf("interface name %q: character %q is not a letter, digit, '.', '_' or '-'", name, c)
		}
	}
	if name == "lo" || name == "all" || name == "default" || strings.HasPrefix(name, peerPrefix) {
		return fmt.Errorf("interface name %q is reserved by the harness", name)
	}
	return nil
}

// Address ranges the kernel drops on receipt before the input hook, or
// delivers only to group members, even with the harness's sysctls and
// routes (see checkAddrs).
var (
	v4ZeroNet   = netip.MustParsePrefix("0.0.0.0/8")
	v4Multicast = netip.MustParsePrefix("224.0.0.0/4")
	v4AllHosts  = netip.MustParseAddr("224.0.0.1")
	v4Broadcast = netip.MustParseAddr("255.255.255.255")
	v6Multicast = netip.MustParsePrefix("ff00::/8")
	v6AllNodes  = netip.MustParseAddr("ff02::1")
)

// checkAddrs reports why the kernel would (or, on some kernel version,
// could) drop a packet from src to dst before the input hook whatever the
// ruleset says, or nil. Run refuses such packets rather than report them
// dropped. The cases come from the kernel's receive path
// (ip_route_input_slow, ip_route_input_mc, ip6_rcv_core, ip6_mc_input)
// and TestUnsendable checks them against the running kernel:
//
//   - IPv4 source in 224.0.0.0/4 or 255.255.255.255 (martian source);
//   - IPv4 source in 0.0.0.0/8 unless the destination is the local
//     broadcast 255.255.255.255 (martian source: Linux 5.3 and later drop
//     only 0.0.0.0, earlier kernels all of 0.0.0.0/8);
//   - IPv4 destination in 0.0.0.0/8 (martian destination, likewise);
//   - IPv4 multicast destination other than 224.0.0.1 (all hosts, the one
//     group every interface joins);
//   - IPv6 source ::1 or multicast;
//   - IPv6 destination ::1, or multicast other than ff02::1 (all nodes).
//
// Everything else reaches the input hook, among others 127.0.0.0/8 in
// both directions (the harness sets route_localnet), 240.0.0.0/4, the
// local broadcast as destination, the source and destination ::,
// IPv4-mapped and link-local addresses.
func checkAddrs(src, dst netip.Addr) error {
	if src.Is4() {
		switch {
		case v4Multicast.Contains(src), src == v4Broadcast,
			v4ZeroNet.Contains(src) && dst != v4Broadcast:
			return fmt.Errorf("the kernel drops IPv4 packets from %v to %v (martian source)", src, dst)
		case v4ZeroNet.Contains(dst):
			return fmt.Errorf("the kernel drops IPv4 packets to %v (martian destination)", dst)
		case v4Multicast.Contains(dst) && dst != v4AllHosts:
			return fmt.Errorf("the kernel delivers IPv4 multicast to %v only to group members; only %v is supported", dst, v4AllHosts)
		}
		return nil
	}
	switch {
	case src.IsLoopback() || v6Multicast.Contains(src):
		return fmt.Errorf("the kernel drops IPv6 packets from %v arriving on a non-loopback interface", src)
	case dst.IsLoopback():
		return fmt.Errorf("the kernel drops IPv6 packets to %v arriving on a non-loopback interface", dst)
	case v6Multicast.Contains(dst) && dst != v6AllNodes:
		return fmt.Errorf("the kernel delivers IPv6 multicast to %v only to group members; only %v is supported", dst, v6AllNodes)
	}
	return nil
}

// frame returns p as an Ethernet frame from harnessMAC to dst, with
// correct checksums.
func (p Packet) frame(dst net.HardwareAddr) []byte {
	total := p.totalLen()
	b := make([]byte, etherLen+total)
	copy(b[0:6], dst)
	copy(b[6:12], harnessMAC)
	l3 := b[etherLen:]
	l4 := l3[p.l3Len():]
	ttl := p.TTL
	if ttl == 0 {
		ttl = 64
	}
	var pseudo uint32 // pseudo-header sum for transport checksums
	if p.Family == "ip" {
		binary.BigEndian.PutUint16(b[12:], etherTypeIPv4)
		src, dst := p.Src.As4(), p.Dst.As4()
		l3[0] = 0x45 // version 4, header length 5 words
		l3[1] = p.DSCP << 2
		binary.BigEndian.PutUint16(l3[2:], uint16(total))
		binary.BigEndian.PutUint16(l3[4:], uint16(p.ID))
		l3[8] = ttl
		l3[9] = p.Proto
		copy(l3[12:16], src[:])
		copy(l3[16:20], dst[:])
		binary.BigEndian.PutUint16(l3[10:], checksum(l3[:20], 0))
		pseudo = sum(src[:], sum(dst[:], uint32(p.Proto)+uint32(len(l4))))
	} else {
		binary.BigEndian.PutUint16(b[12:], etherTypeIPv6)
		src, dst := p.Src.As16(), p.Dst.As16()
		binary.BigEndian.PutUint32(l3[0:], 6<<28|uint32(p.DSCP)<<22|uint32(p.ID))
		binary.BigEndian.PutUint16(l3[4:], uint16(len(l4)))
		l3[6] = p.Proto
		l3[7] = ttl
		copy(l3[8:24], src[:])
		copy(l3[24:40], dst[:])
		pseudo = sum(src[:], sum(dst[:], uint32(p.Proto)+uint32(len(l4))))
	}
	switch {
	case p.Proto == protoTCP:
		binary.BigEndian.PutUint16(l4[0:], p.Sport)
		binary.BigEndian.PutUint16(l4[2:], p.Dport)
		binary.BigEndian.PutUint32(l4[4:], 1)
		if p.TCPFlags&0x10 != 0 { // ACK
			binary.BigEndian.PutUint32(l4[8:], 1)
		}
		l4[12] = 5 << 4
		l4[13] = p.TCPFlags
		binary.BigEndian.PutUint16(l4[14:], 64240)
		binary.BigEndian.PutUint16(l4[16:], checksum(l4, pseudo))
	case p.Proto == protoUDP:
		binary.BigEndian.PutUint16(l4[0:], p.Sport)
		binary.BigEndian.PutUint16(l4[2:], p.Dport)
		binary.BigEndian.PutUint16(l4[4:], uint16(len(l4)))
		c := checksum(l4, pseudo)
		if c == 0 {
			c = 0xffff // 0 means "no checksum"
		}
		binary.BigEndian.PutUint16(l4[6:], c)
	case p.isICMP():
		l4[0] = p.ICMPType
		l4[1] = p.ICMPCode
		if p.icmpQuery() {
			binary.BigEndian.PutUint16(l4[4:], uint16(p.ID))
			binary.BigEndian.PutUint16(l4[6:], 1)
		}
		if p.Family == "ip" {
			pseudo = 0 // ICMPv4 sums the message only
		}
		binary.BigEndian.PutUint16(l4[2:], checksum(l4, pseudo))
	}
	return b
}

// sum adds b, as big-endian 16-bit words padded with a zero byte, to the
// one's complement sum s (carries not yet folded).
func sum(b []byte, s uint32) uint32 {
	for ; len(b) >= 2; b = b[2:] {
		s += uint32(b[0])<<8 | uint32(b[1])
	}
	if len(b) == 1 {
		s += uint32(b[0]) << 8
	}
	return s
}

// checksum is the Internet checksum of b (its checksum field zero) with
// the pseudo-header sum s.
func checksum(b []byte, s uint32) uint16 {
	s = sum(b, s)
	for s>>16 != 0 {
		s = s&0xffff + s>>16
	}
	return ^uint16(s)
}
