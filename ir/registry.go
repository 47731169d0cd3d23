package ir

import "sync"

// Base is where a field is read from.
type Base uint8

// Field bases.
const (
	BaseLL     Base = iota // link layer header
	BaseNH                 // network header
	BaseTH                 // transport header
	BaseInner              // inner (tunnelled) header
	BaseMeta               // meta key
	BaseCT                 // conntrack key
	BaseExthdr             // IPv6 extension header, IP option, TCP option, SCTP chunk
	BaseOther              // rt, socket, ipsec, osf and other keyed expressions
)

// ByteOrder is the byte order of a field in the packet or kernel.
type ByteOrder uint8

// Byte orders.
const (
	BigEndian ByteOrder = iota
	HostEndian
)

// Field is one entry of the field registry: a selector nft knows, with
// its layout, datatype and implied dependency. Parser, printer, JSON,
// netlink lifting, BPF code generation and equivalence all read it.
type Field struct {
	// Name is the selector as nft prints it: "tcp dport", "meta mark".
	Name string
	// Proto is the first word: "tcp", "meta", "ct".
	Proto string
	// Key is the rest: "dport", "mark", "original saddr".
	Key    string
	Base   Base
	Offset int // bits from the start of the header (payload fields)
	Width  int // bits
	Order  ByteOrder
	Type   *Type
	// Dep is the match the field implies, nil when none.
	Dep *Dependency
	// NeedsDir marks ct keys that may take a direction (original/reply).
	NeedsDir bool
	// Bare marks meta keys nft prints without "meta" (iif, oifname, ...).
	Bare bool
	// Exthdr marks extension header and option fields, which nft lists
	// with an implicit presence check.
	Exthdr bool
}

// OneHot reports a bitmask field that holds exactly one flag at a time
// (ct state: a packet is in one state), so that "any of these flags" is
// "one of these values".
func (f *Field) OneHot() bool { return f.Name == "ct state" }

// Dependency is a protocol match that a selector implies.
type Dependency struct {
	// L3 is the network protocol the field needs ("ip", "ip6", "arp"),
	// checked with meta nfproto in inet, bridge and netdev tables.
	L3 string
	// L4 is the transport protocol number the field needs, checked
	// with meta l4proto (or ip protocol / ip6 nexthdr); -1 when none.
	L4 int
	// L4Name is the protocol's name as nft prints it.
	L4Name string
}

var (
	byName     = map[string]*Field{}
	protoWords = map[string]bool{}
)

func reg(f *Field) *Field {
	f.Name = f.Proto + " " + f.Key
	if f.Type.Width == 0 && f.Width > 0 {
		f.Type = f.Type.WithWidth(f.Width)
	}
	if f.Width == 0 {
		f.Width = f.Type.Width
	}
	byName[f.Name] = f
	protoWords[f.Proto] = true
	return f
}

// alias makes old spelling name another name for the field canon; the
// printer uses the canonical name.
func alias(old, canon string) { byName[old] = byName[canon] }

// LookupField finds a field by its full name ("tcp dport").
func LookupField(name string) *Field { return byName[name] }

// IsProtoWord reports whether w starts some registered selector.
func IsProtoWord(w string) bool { return protoWords[w] }

// MatchField finds the longest registered selector that words starts
// with and returns it with the number of words it used.
func MatchField(words []string) (*Field, int) {
	if len(words) == 0 || !protoWords[words[0]] {
		return nil, 0
	}
	// The keys are the first n words joined by spaces, built once in a
	// buffer: a map index by string(bytes) does not allocate.
	var buf [64]byte
	var ends [5]int
	key := buf[:0]
	m := min(len(words), 5)
	for i, w := range words[:m] {
		if i > 0 {
			key = append(key, ' ')
		}
		key = append(key, w...)
		ends[i] = len(key)
	}
	for n := m; n >= 2; n-- {
		if f := byName[string(key[:ends[n-1]])]; f != nil {
			return f, n
		}
	}
	return nil, 0
}

type pf struct {
	key    string
	off, w int
	t      *Type
}

func payload(proto string, base Base, dep *Dependency, fields ...pf) {
	for _, x := range fields {
		reg(&Field{Proto: proto, Key: x.key, Base: base, Offset: x.off, Width: x.w, Type: x.t, Dep: dep})
	}
}

func l4(num int, name string) *Dependency { return &Dependency{L4: num, L4Name: name} }

func init() {
	ip := &Dependency{L3: "ip", L4: -1}
	ip6 := &Dependency{L3: "ip6", L4: -1}
	payload("ip", BaseNH, ip,
		pf{"version", 0, 4, TypeInteger}, pf{"hdrlength", 4, 4, TypeInteger},
		pf{"dscp", 8, 6, TypeDscp}, pf{"ecn", 14, 2, TypeEcn},
		pf{"length", 16, 16, TypeInteger}, pf{"id", 32, 16, TypeInteger},
		pf{"frag-off", 48, 16, TypeRawHex}, pf{"ttl", 64, 8, TypeInteger},
		pf{"protocol", 72, 8, TypeInetProto}, pf{"checksum", 80, 16, TypeInteger},
		pf{"saddr", 96, 32, TypeIPv4}, pf{"daddr", 128, 32, TypeIPv4})
	payload("ip6", BaseNH, ip6,
		pf{"version", 0, 4, TypeInteger}, pf{"dscp", 4, 6, TypeDscp}, pf{"ecn", 10, 2, TypeEcn},
		pf{"flowlabel", 12, 20, TypeInteger}, pf{"length", 32, 16, TypeInteger},
		pf{"nexthdr", 48, 8, TypeInetProto}, pf{"hoplimit", 56, 8, TypeInteger},
		pf{"saddr", 64, 128, TypeIPv6}, pf{"daddr", 192, 128, TypeIPv6})
	ports := func(proto string, num int, extra ...pf) {
		payload(proto, BaseTH, l4(num, proto), append([]pf{{"sport", 0, 16, TypeService}, {"dport", 16, 16, TypeService}}, extra...)...)
	}
	ports("tcp", 6, pf{"sequence", 32, 32, TypeInteger}, pf{"ackseq", 64, 32, TypeInteger},
		pf{"doff", 96, 4, TypeInteger}, pf{"reserved", 100, 4, TypeInteger},
		pf{"flags", 104, 8, TypeTCPFlag}, pf{"window", 112, 16, TypeInteger},
		pf{"checksum", 128, 16, TypeInteger}, pf{"urgptr", 144, 16, TypeInteger})
	ports("udp", 17, pf{"length", 32, 16, TypeInteger}, pf{"checksum", 48, 16, TypeInteger})
	ports("udplite", 136, pf{"csumcov", 32, 16, TypeInteger}, pf{"checksum", 48, 16, TypeInteger})
	ports("sctp", 132, pf{"vtag", 32, 32, TypeInteger}, pf{"checksum", 64, 32, TypeInteger})
	ports("dccp", 33, pf{"type", 68, 4, TypeDccpType})
	payload("th", BaseTH, &Dependency{L4: -1}, pf{"sport", 0, 16, TypeService}, pf{"dport", 16, 16, TypeService})
	payload("icmp", BaseTH, l4(1, "icmp"),
		pf{"type", 0, 8, TypeIcmpType}, pf{"code", 8, 8, TypeIcmpCodeNum}, pf{"checksum", 16, 16, TypeInteger},
		pf{"id", 32, 16, TypeInteger}, pf{"sequence", 48, 16, TypeInteger},
		pf{"gateway", 32, 32, TypeInteger}, pf{"mtu", 48, 16, TypeInteger})
	payload("icmpv6", BaseTH, l4(58, "icmpv6"),
		pf{"type", 0, 8, TypeIcmp6Type}, pf{"code", 8, 8, TypeIcmp6CodeNum}, pf{"checksum", 16, 16, TypeInteger},
		pf{"parameter-problem", 32, 32, TypeInteger}, pf{"mtu", 32, 32, TypeInteger},
		pf{"id", 32, 16, TypeInteger}, pf{"sequence", 48, 16, TypeInteger}, pf{"max-delay", 32, 16, TypeInteger},
		pf{"taddr", 64, 128, TypeIPv6}, pf{"daddr", 192, 128, TypeIPv6})
	payload("igmp", BaseTH, l4(2, "igmp"),
		pf{"type", 0, 8, TypeIgmpType}, pf{"mrt", 8, 8, TypeInteger},
		pf{"checksum", 16, 16, TypeInteger}, pf{"group", 32, 32, TypeInteger})
	payload("ah", BaseTH, l4(51, "ah"),
		pf{"nexthdr", 0, 8, TypeInetProto}, pf{"hdrlength", 8, 8, TypeInteger}, pf{"reserved", 16, 16, TypeInteger},
		pf{"spi", 32, 32, TypeInteger}, pf{"sequence", 64, 32, TypeInteger})
	payload("esp", BaseTH, l4(50, "esp"), pf{"spi", 0, 32, TypeInteger}, pf{"sequence", 32, 32, TypeInteger})
	payload("comp", BaseTH, l4(108, "comp"),
		pf{"nexthdr", 0, 8, TypeInetProto}, pf{"flags", 8, 8, TypeRawHex}, pf{"cpi", 16, 16, TypeInteger})
	payload("gre", BaseTH, l4(47, "gre"),
		pf{"flags", 0, 5, TypeInteger}, pf{"version", 13, 3, TypeInteger}, pf{"protocol", 16, 16, TypeEtherType})
	payload("ether", BaseLL, nil, pf{"daddr", 0, 48, TypeEther}, pf{"saddr", 48, 48, TypeEther}, pf{"type", 96, 16, TypeEtherType})
	payload("vlan", BaseLL, nil, pf{"pcp", 112, 3, TypeInteger}, pf{"dei", 115, 1, TypeInteger},
		pf{"id", 116, 12, TypeInteger}, pf{"type", 128, 16, TypeEtherType})
	arp := &Dependency{L3: "arp", L4: -1}
	payload("arp", BaseNH, arp,
		pf{"htype", 0, 16, TypeInteger}, pf{"ptype", 16, 16, TypeEtherType},
		pf{"hlen", 32, 8, TypeInteger}, pf{"plen", 40, 8, TypeInteger}, pf{"operation", 48, 16, TypeArpOp},
		pf{"saddr ether", 64, 48, TypeEther}, pf{"saddr ip", 112, 32, TypeIPv4},
		pf{"daddr ether", 144, 48, TypeEther}, pf{"daddr ip", 192, 32, TypeIPv4})

	// IPv6 extension headers (nft "exthdr"): offsets inside the header.
	ext := func(proto string, fields ...pf) {
		for _, x := range fields {
			reg(&Field{Proto: proto, Key: x.key, Base: BaseExthdr, Offset: x.off, Width: x.w, Type: x.t, Exthdr: true})
		}
	}
	ext("hbh", pf{"nexthdr", 0, 8, TypeInetProto}, pf{"hdrlength", 8, 8, TypeInteger})
	ext("rt", pf{"nexthdr", 0, 8, TypeInetProto}, pf{"hdrlength", 8, 8, TypeInteger}, pf{"type", 16, 8, TypeInteger}, pf{"seg-left", 24, 8, TypeInteger})
	ext("rt0", pf{"reserved", 32, 32, TypeInteger})
	ext("rt2", pf{"addr", 64, 128, TypeIPv6})
	ext("srh", pf{"last-entry", 32, 8, TypeInteger}, pf{"flags", 40, 8, TypeInteger}, pf{"tag", 48, 16, TypeInteger})
	ext("frag", pf{"nexthdr", 0, 8, TypeInetProto}, pf{"reserved", 8, 8, TypeInteger}, pf{"frag-off", 16, 13, TypeInteger},
		pf{"reserved2", 29, 2, TypeInteger}, pf{"more-fragments", 31, 1, TypeInteger}, pf{"id", 32, 32, TypeInteger})
	ext("dst", pf{"nexthdr", 0, 8, TypeInetProto}, pf{"hdrlength", 8, 8, TypeInteger})
	ext("mh", pf{"nexthdr", 0, 8, TypeInetProto}, pf{"hdrlength", 8, 8, TypeInteger}, pf{"type", 16, 8, TypeMhType},
		pf{"reserved", 24, 8, TypeInteger}, pf{"checksum", 32, 16, TypeInteger})

	meta := func(key string, w int, t *Type, bare bool) {
		reg(&Field{Proto: "meta", Key: key, Base: BaseMeta, Width: w, Type: t, Order: HostEndian, Bare: bare})
	}
	meta("length", 32, TypeInteger, false)
	meta("protocol", 16, TypeEtherType, false)
	meta("nfproto", 8, TypeNfproto, false)
	meta("l4proto", 8, TypeInetProto, false)
	meta("mark", 32, TypeMark, false)
	meta("iif", 32, TypeIface, true)
	meta("iifname", 128, TypeIfname, true)
	meta("iiftype", 16, TypeIfType, false)
	meta("oif", 32, TypeIface, true)
	meta("oifname", 128, TypeIfname, true)
	meta("oiftype", 16, TypeIfType, false)
	meta("skuid", 32, TypeUID, false)
	meta("skgid", 32, TypeGID, false)
	meta("nftrace", 1, TypeInteger, false)
	meta("rtclassid", 32, TypeRealm, false)
	meta("ibrname", 128, TypeIfname, false)
	meta("obrname", 128, TypeIfname, false)
	meta("ibriport", 128, TypeIfname, false)
	meta("obriport", 128, TypeIfname, false)
	meta("ibrpvid", 16, TypeInteger, false)
	meta("ibrvproto", 16, TypeEtherType, false)
	meta("pkttype", 8, TypePktType, false)
	meta("cpu", 32, TypeInteger, false)
	meta("iifgroup", 32, TypeDevgroup, true)
	meta("oifgroup", 32, TypeDevgroup, true)
	meta("cgroup", 32, TypeInteger, false)
	meta("random", 32, TypeInteger, false)
	meta("ipsec", 1, TypeBool, false)
	meta("iifkind", 128, TypeIfname, false)
	meta("oifkind", 128, TypeIfname, false)
	meta("time", 64, TypeDate, false)
	meta("day", 8, TypeDay, false)
	meta("hour", 32, TypeHour, false)
	meta("secmark", 32, TypeInteger, false)
	meta("sdif", 32, TypeIface, false)
	meta("sdifname", 128, TypeIfname, false)
	meta("broute", 8, TypeInteger, false)
	meta("priority", 32, TypeClassid, false)

	alias("vlan cfi", "vlan dei")
	alias("meta secpath", "meta ipsec")

	ct := func(key string, w int, t *Type, dir bool) {
		reg(&Field{Proto: "ct", Key: key, Base: BaseCT, Width: w, Type: t, Order: HostEndian, NeedsDir: dir})
	}
	ct("state", 32, TypeCtState, false)
	ct("direction", 8, TypeCtDir, false)
	ct("status", 32, TypeCtStatus, false)
	ct("mark", 32, TypeMark, false)
	ct("expiration", 32, TypeTime, false)
	ct("helper", 128, TypeString, false)
	ct("l3proto", 8, TypeNfproto, true)
	ct("protocol", 8, TypeInetProto, true)
	ct("saddr", 0, TypeInetAddr, true)
	ct("daddr", 0, TypeInetAddr, true)
	ct("ip saddr", 32, TypeIPv4, true)
	ct("ip daddr", 32, TypeIPv4, true)
	ct("ip6 saddr", 128, TypeIPv6, true)
	ct("ip6 daddr", 128, TypeIPv6, true)
	ct("proto-src", 16, TypeService, true)
	ct("proto-dst", 16, TypeService, true)
	ct("label", 128, TypeCtLabel, false)
	ct("bytes", 64, TypeInteger, true)
	ct("packets", 64, TypeInteger, true)
	ct("avgpkt", 64, TypeInteger, true)
	ct("zone", 16, TypeInteger, true)
	ct("event", 32, TypeCtEvent, false)
	ct("secmark", 32, TypeInteger, false)
	ct("id", 32, TypeInteger, false)
	ct("count", 32, TypeInteger, false)

	other := func(proto, key string, w int, t *Type) {
		reg(&Field{Proto: proto, Key: key, Base: BaseOther, Width: w, Type: t})
	}
	other("rt", "classid", 32, TypeRealm)
	other("rt", "nexthop", 0, TypeInetAddr)
	other("rt", "ip nexthop", 32, TypeIPv4)
	other("rt", "ip6 nexthop", 128, TypeIPv6)
	other("rt", "mtu", 16, TypeInteger)
	other("rt", "ipsec", 1, TypeBool)
	other("socket", "transparent", 1, TypeInteger)
	other("socket", "mark", 32, TypeMark)
	other("socket", "wildcard", 1, TypeInteger)
	other("osf", "name", 128, TypeString)
	other("osf", "version", 128, TypeString)
}

// rawFields holds the fields RawField made; goroutines (the passes and
// the proof's compilers) ask for them at once.
var rawFields = struct {
	sync.Mutex
	m map[string]*Field
}{m: map[string]*Field{}}

// RawField returns the field a raw payload read @base,offset,length
// denotes, so that raw reads can be compared and merged like registry
// selectors. Its Name is the raw syntax, which is also how it prints.
func RawField(base string, offset, length int) *Field {
	name := "@" + base + "," + itoa(offset) + "," + itoa(length)
	rawFields.Lock()
	defer rawFields.Unlock()
	if f, ok := rawFields.m[name]; ok {
		return f
	}
	f := &Field{Name: name, Proto: "@" + base, Base: BaseOther, Offset: offset, Width: length, Type: TypeRawHex.WithWidth(length)}
	rawFields.m[name] = f
	return f
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	for ; n > 0; n /= 10 {
		i--
		b[i] = byte('0' + n%10)
	}
	return string(b[i:])
}

// optionFieldWidths gives the widths of tcp option, ip option and sctp
// chunk fields, by field name.
var optionFieldWidths = map[string]int{
	"kind": 8, "length": 8, "size": 16, "count": 8, "left": 32, "right": 32, "tsval": 32, "tsecr": 32,
	"subtype": 4, "type": 8, "value": 32, "ptr": 8, "addr": 32, "flags": 8, "tsn": 32, "stream": 16,
	"ssn": 16, "ppid": 32, "cum-tsn-ack": 32, "a-rwnd": 32, "num-gap-ack-blocks": 16,
	"num-dup-tsns": 16, "init-tag": 32, "num-outbound-streams": 16, "num-inbound-streams": 16,
	"initial-tsn": 32, "lowest-tsn": 32, "seqno": 32, "new-cum-tsn": 32,
}

// OptionFieldWidth returns the width in bits of a tcp option, ip option
// or sctp chunk field ("size", "tsval", ...).
func OptionFieldWidth(name string) (int, bool) {
	w, ok := optionFieldWidths[name]
	return w, ok
}
