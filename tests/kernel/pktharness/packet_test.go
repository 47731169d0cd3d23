package pktharness

import (
	"encoding/binary"
	"net"
	"net/netip"
	"strings"
	"testing"
)

// ingressMAC stands for the MAC of an ingress interface in frames built
// by the tests.
var ingressMAC = net.HardwareAddr{0x0a, 0, 0, 0, 0, 1}

// onesSum is the one's complement sum of b as big-endian 16-bit words,
// written independently of the harness's checksum code.
func onesSum(parts ...[]byte) uint16 {
	var all []byte
	for _, p := range parts {
		all = append(all, p...)
	}
	if len(all)%2 == 1 {
		all = append(all, 0)
	}
	var s uint64
	for i := 0; i < len(all); i += 2 {
		s += uint64(binary.BigEndian.Uint16(all[i:]))
	}
	for s > 0xffff {
		s = s>>16 + s&0xffff
	}
	return uint16(s)
}

// decoded is what decode reads back from a frame.
type decoded struct {
	family             string
	id                 int
	src, dst           netip.Addr
	proto, ttl, dscp   uint8
	total              int
	sport, dport       uint16
	flags              uint8
	icmpType, icmpCode uint8
}

// decode parses frame as the kernel would and fails t on a bad length or
// checksum.
func decode(t *testing.T, frame []byte) decoded {
	t.Helper()
	if got := net.HardwareAddr(frame[0:6]); got.String() != ingressMAC.String() {
		t.Fatalf("destination MAC %v, want %v", got, ingressMAC)
	}
	if got := net.HardwareAddr(frame[6:12]); got.String() != harnessMAC.String() {
		t.Fatalf("source MAC %v, want %v", got, harnessMAC)
	}
	l3 := frame[etherLen:]
	var d decoded
	var l4, pseudo []byte
	switch et := binary.BigEndian.Uint16(frame[12:]); et {
	case etherTypeIPv4:
		d.family = "ip"
		if l3[0] != 0x45 {
			t.Fatalf("version/IHL %#x", l3[0])
		}
		if onesSum(l3[:20]) != 0xffff {
			t.Fatalf("bad IPv4 header checksum")
		}
		d.dscp, d.total = l3[1]>>2, int(binary.BigEndian.Uint16(l3[2:]))
		d.id, d.ttl, d.proto = int(binary.BigEndian.Uint16(l3[4:])), l3[8], l3[9]
		if frag := binary.BigEndian.Uint16(l3[6:]); frag != 0 {
			t.Fatalf("flags/fragment offset %#x", frag)
		}
		d.src, d.dst = netip.AddrFrom4([4]byte(l3[12:16])), netip.AddrFrom4([4]byte(l3[16:20]))
		l4 = l3[20:]
		pseudo = append(append(append([]byte{}, l3[12:20]...), 0, d.proto), binary.BigEndian.AppendUint16(nil, uint16(len(l4)))...)
	case etherTypeIPv6:
		d.family = "ip6"
		w := binary.BigEndian.Uint32(l3)
		if w>>28 != 6 || w>>20&3 != 0 {
			t.Fatalf("version/ECN in %#x", w)
		}
		d.dscp, d.id = uint8(w>>22&0x3f), int(w&0xfffff)
		d.total = 40 + int(binary.BigEndian.Uint16(l3[4:]))
		d.proto, d.ttl = l3[6], l3[7]
		d.src, d.dst = netip.AddrFrom16([16]byte(l3[8:24])), netip.AddrFrom16([16]byte(l3[24:40]))
		l4 = l3[40:]
		pseudo = append(append(append([]byte{}, l3[8:40]...), binary.BigEndian.AppendUint32(nil, uint32(len(l4)))...), 0, 0, 0, d.proto)
	default:
		t.Fatalf("ethertype %#x", et)
	}
	if d.total != len(l3) {
		t.Fatalf("L3 length field %d, frame carries %d", d.total, len(l3))
	}
	switch {
	case d.proto == protoTCP:
		d.sport, d.dport, d.flags = binary.BigEndian.Uint16(l4), binary.BigEndian.Uint16(l4[2:]), l4[13]
		if l4[12] != 5<<4 {
			t.Fatalf("TCP data offset %#x", l4[12])
		}
		if onesSum(pseudo, l4) != 0xffff {
			t.Fatalf("bad TCP checksum")
		}
	case d.proto == protoUDP:
		d.sport, d.dport = binary.BigEndian.Uint16(l4), binary.BigEndian.Uint16(l4[2:])
		if int(binary.BigEndian.Uint16(l4[4:])) != len(l4) {
			t.Fatalf("UDP length %d, want %d", binary.BigEndian.Uint16(l4[4:]), len(l4))
		}
		if binary.BigEndian.Uint16(l4[6:]) == 0 || onesSum(pseudo, l4) != 0xffff {
			t.Fatalf("bad UDP checksum")
		}
	case d.family == "ip" && d.proto == protoICMP:
		d.icmpType, d.icmpCode = l4[0], l4[1]
		if onesSum(l4) != 0xffff {
			t.Fatalf("bad ICMP checksum")
		}
	case d.family == "ip6" && d.proto == protoICMPv6:
		d.icmpType, d.icmpCode = l4[0], l4[1]
		if onesSum(pseudo, l4) != 0xffff {
			t.Fatalf("bad ICMPv6 checksum")
		}
	}
	return d
}

// expectFrame builds p's frame and fails t unless it decodes back to p.
func expectFrame(t *testing.T, p Packet) {
	t.Helper()
	d := decode(t, p.frame(ingressMAC))
	ttl := p.TTL
	if ttl == 0 {
		ttl = 64
	}
	want := decoded{family: p.Family, id: p.ID, src: p.Src, dst: p.Dst, proto: p.Proto, ttl: ttl, dscp: p.DSCP, total: p.totalLen()}
	switch {
	case p.Proto == protoTCP:
		want.sport, want.dport, want.flags = p.Sport, p.Dport, p.TCPFlags
	case p.Proto == protoUDP:
		want.sport, want.dport = p.Sport, p.Dport
	case p.isICMP():
		want.icmpType, want.icmpCode = p.ICMPType, p.ICMPCode
	}
	if d != want {
		t.Errorf("frame of %+v decodes to %+v, want %+v", p, d, want)
	}
}

func TestFrame(t *testing.T) {
	a := netip.MustParseAddr
	for _, p := range []Packet{
		{ID: 1, Family: "ip", Src: a("192.0.2.1"), Dst: a("198.51.100.1"), Proto: protoTCP, Sport: 1234, Dport: 22, TCPFlags: 0x12},
		{ID: 2, Family: "ip", Src: a("192.0.2.1"), Dst: a("198.51.100.1"), Proto: protoUDP, Sport: 53, Dport: 53, Length: 101, DSCP: 46, TTL: 1},
		{ID: 3, Family: "ip", Src: a("192.0.2.1"), Dst: a("198.51.100.1"), Proto: protoICMP, ICMPType: 8},
		{ID: 4, Family: "ip", Src: a("192.0.2.1"), Dst: a("198.51.100.1"), Proto: protoICMP, ICMPType: 3, ICMPCode: 3, Length: 57},
		{ID: 5, Family: "ip", Src: a("192.0.2.1"), Dst: a("198.51.100.1"), Proto: 47, Length: maxLength},
		{ID: 6, Family: "ip", Src: a("192.0.2.1"), Dst: a("198.51.100.1"), Proto: protoICMPv6},
		{ID: 65535, Family: "ip6", Src: a("2001:db8::1"), Dst: a("2001:db8::2"), Proto: protoTCP, Sport: 1, Dport: 65535, TCPFlags: 0xff, DSCP: 63, TTL: 255},
		{ID: 8, Family: "ip6", Src: a("fe80::1"), Dst: a("ff02::1"), Proto: protoUDP, Length: 1001},
		{ID: 9, Family: "ip6", Src: a("::ffff:192.0.2.1"), Dst: a("2001:db8::2"), Proto: protoICMPv6, ICMPType: 128, Length: 99},
		{ID: 10, Family: "ip6", Src: a("2001:db8::1"), Dst: a("2001:db8::2"), Proto: protoICMP},
		{ID: 11, Family: "ip6", Src: a("2001:db8::1"), Dst: a("2001:db8::2"), Proto: 59, Length: 40},
	} {
		p.Iif = "lan0"
		if err := p.check(); err != nil {
			t.Fatalf("check(%+v): %v", p, err)
		}
		expectFrame(t, p)
	}
}

// FuzzFrame checks that every packet check accepts becomes a frame that
// decodes back to it with valid lengths and checksums.
func FuzzFrame(f *testing.F) {
	f.Add(1, true, []byte{192, 0, 2, 1}, []byte{198, 51, 100, 1}, uint8(6), uint16(1234), uint16(22), uint8(2), uint8(0), uint8(0), uint8(0), uint8(0), 0)
	f.Add(2, false, []byte("0123456789abcdef"), []byte("fedcba9876543210"), uint8(58), uint16(0), uint16(0), uint8(0), uint8(128), uint8(0), uint8(1), uint8(63), 333)
	f.Fuzz(func(t *testing.T, id int, v4 bool, src, dst []byte, proto uint8, sport, dport uint16, flags, icmpType, icmpCode, ttl, dscp uint8, length int) {
		p := Packet{ID: id, Family: "ip6", Iif: "lan0", Proto: proto, Sport: sport, Dport: dport, TCPFlags: flags, ICMPType: icmpType, ICMPCode: icmpCode, TTL: ttl, DSCP: dscp, Length: length}
		if v4 {
			p.Family = "ip"
		}
		p.Src, _ = netip.AddrFromSlice(src)
		p.Dst, _ = netip.AddrFromSlice(dst)
		if p.check() != nil {
			return
		}
		expectFrame(t, p)
	})
}

func TestCheck(t *testing.T) {
	a := netip.MustParseAddr
	good := Packet{ID: 1, Family: "ip", Iif: "lan0", Src: a("192.0.2.1"), Dst: a("198.51.100.1"), Proto: protoTCP}
	if err := good.check(); err != nil {
		t.Fatalf("check(%+v): %v", good, err)
	}
	for _, tc := range []struct {
		change func(*Packet)
		want   string
	}{
		{func(p *Packet) { p.ID = 65536 }, "id 65536 out of range"},
		{func(p *Packet) { p.ID = -1 }, "id -1 out of range"},
		{func(p *Packet) { p.Family = "inet" }, `family "inet" is not ip or ip6`},
		{func(p *Packet) { p.Iif = "" }, "is not 1-15 characters"},
		{func(p *Packet) { p.Iif = "a-very-long-name" }, "is not 1-15 characters"},
		{func(p *Packet) { p.Iif = "eth 0" }, "character ' '"},
		{func(p *Packet) { p.Iif = "lo" }, "reserved"},
		{func(p *Packet) { p.Iif = "default" }, "reserved"},
		{func(p *Packet) { p.Iif = "nftopt-p0" }, "reserved"},
		{func(p *Packet) { p.Src = netip.Addr{} }, "addresses are required"},
		{func(p *Packet) { p.Dst = a("fe80::1%lan0") }, "zone"},
		{func(p *Packet) { p.Dst = a("2001:db8::1") }, "family ip needs IPv4 addresses"},
		{func(p *Packet) { p.Family = "ip6" }, "family ip6 needs IPv6 addresses"},
		{func(p *Packet) {
			p.Family, p.Src, p.Dst, p.Proto = "ip6", a("2001:db8::1"), a("2001:db8::2"), 44
		}, "fragment extension header"},
		{func(p *Packet) { p.DSCP = 64 }, "dscp 64 does not fit"},
		{func(p *Packet) { p.Length = 39 }, "shorter than the headers (40 bytes)"},
		{func(p *Packet) { p.Length = maxLength + 1 }, "exceeds the harness MTU"},
		{func(p *Packet) { p.Src = a("0.1.2.3") }, "martian source"},
		{func(p *Packet) { p.Dst = a("0.1.2.3") }, "martian destination"},
		{func(p *Packet) { p.Dst = a("239.0.0.1") }, "only to group members"},
		{func(p *Packet) {
			p.Family, p.Src, p.Dst = "ip6", a("::1"), a("2001:db8::2")
		}, "from ::1"},
		{func(p *Packet) {
			p.Family, p.Src, p.Dst = "ip6", a("2001:db8::1"), a("ff02::2")
		}, "only to group members"},
	} {
		p := good
		tc.change(&p)
		if err := p.check(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("check(%+v) = %v, want an error containing %q", p, err, tc.want)
		}
	}
}

func TestFlowKey(t *testing.T) {
	a := netip.MustParseAddr
	p := Packet{ID: 1, Family: "ip", Src: a("192.0.2.1"), Dst: a("198.51.100.1"), Proto: protoUDP, Sport: 1234, Dport: 53}
	reply := p
	reply.ID, reply.Src, reply.Dst, reply.Sport, reply.Dport = 2, p.Dst, p.Src, p.Dport, p.Sport
	if p.flow() != reply.flow() {
		t.Errorf("a packet and its reply have different flow keys")
	}
	other := p
	other.Dport = 54
	if p.flow() == other.flow() {
		t.Errorf("packets to different ports have one flow key")
	}
	selfReply := p
	selfReply.Dst, selfReply.Sport, selfReply.Dport = p.Src, 53, 1234
	self := selfReply
	self.Sport, self.Dport = 1234, 53
	if self.flow() != selfReply.flow() {
		t.Errorf("a packet to its own address and its reply have different flow keys")
	}
	echo := Packet{ID: 3, Family: "ip", Src: p.Src, Dst: p.Dst, Proto: protoICMP, ICMPType: 8}
	echo2 := echo
	echo2.ID = 4
	if echo.flow() == echo2.flow() {
		t.Errorf("ICMP packets with different identifiers have one flow key")
	}
	raw := Packet{ID: 5, Family: "ip", Src: p.Src, Dst: p.Dst, Proto: 47, Sport: 1}
	raw2 := raw
	raw2.ID, raw2.Src, raw2.Dst, raw2.Sport = 6, raw.Dst, raw.Src, 2
	if raw.flow() != raw2.flow() {
		t.Errorf("raw packets between one address pair have different flow keys")
	}
}
