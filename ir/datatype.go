package ir

import (
	"encoding/binary"
	"fmt"
	"math/big"
	"net/netip"
	"strconv"
	"strings"
)

// Kind says how values of a datatype are parsed and printed.
type Kind uint8

// Datatype kinds.
const (
	KindInteger  Kind = iota // decimal
	KindHex                  // hexadecimal, zero padded to the width (marks)
	KindRawHex               // hexadecimal without padding (raw payload, flags fields)
	KindSymbolic             // integer with a symbol table, printed by name
	KindBitmask              // flags: names joined by ","
	KindIPv4
	KindIPv6
	KindEther
	KindString   // interface names and other strings, printed quoted
	KindIfindex  // interface index, written and printed as a quoted name
	KindTime     // durations such as 1m30s, stored in milliseconds or seconds
	KindBool     // exists / missing
	KindClassid  // tc handle major:minor
	KindVerdict  // verdicts in verdict maps
	KindInetAddr // ct original saddr and friends: IPv4 or IPv6 by spelling
)

// Type is an nft datatype: its name, kind, width and symbol table.
type Type struct {
	Name  string
	Kind  Kind
	Width int // bits; 0 when the width comes from the selector
	// Symbols names the symbol table in SymbolsOf; empty when none.
	Symbols string
	// Numeric prints symbolic values as numbers (nft's default for
	// services and the one that --numeric-protocol picks for protocols).
	Numeric bool
	// Proto marks protocol numbers, which print numerically only when
	// the printer asks for numeric protocols.
	Proto bool
	// Quoted prints symbols in double quotes ("default" device groups).
	Quoted bool
	// TimeUnit is the unit of KindTime values: 1 for seconds, 1000 for ms.
	TimeUnit int
}

// IsBitmask reports whether the type is a bitmask, for which a bare
// list "a,b" and an implicit operator mean "any of these bits".
func (t *Type) IsBitmask() bool { return t != nil && t.Kind == KindBitmask }

// Bytes returns the width in bytes.
func (t *Type) Bytes() int { return (t.Width + 7) / 8 }

var types = map[string]*Type{}

func newType(t *Type) *Type { types[t.Name] = t; return t }

// Datatypes nftopt knows, by nft name.
var (
	TypeInteger   = newType(&Type{Name: "integer", Kind: KindInteger})
	TypeMark      = newType(&Type{Name: "mark", Kind: KindHex, Width: 32})
	TypeRawHex    = newType(&Type{Name: "raw", Kind: KindRawHex})
	TypeIPv4      = newType(&Type{Name: "ipv4_addr", Kind: KindIPv4, Width: 32})
	TypeIPv6      = newType(&Type{Name: "ipv6_addr", Kind: KindIPv6, Width: 128})
	TypeInetAddr  = newType(&Type{Name: "ct_addr", Kind: KindInetAddr})
	TypeEther     = newType(&Type{Name: "ether_addr", Kind: KindEther, Width: 48})
	TypeIfname    = newType(&Type{Name: "ifname", Kind: KindString, Width: 128})
	TypeString    = newType(&Type{Name: "string", Kind: KindString})
	TypeIface     = newType(&Type{Name: "iface_index", Kind: KindIfindex, Width: 32})
	TypeInetProto = newType(&Type{Name: "inet_proto", Kind: KindSymbolic, Width: 8, Symbols: "inet_proto", Proto: true})
	TypeService   = newType(&Type{Name: "inet_service", Kind: KindSymbolic, Width: 16, Symbols: "inet_service", Numeric: true})
	TypeEtherType = newType(&Type{Name: "ether_type", Kind: KindSymbolic, Width: 16, Symbols: "ether_type"})
	TypeNfproto   = newType(&Type{Name: "nf_proto", Kind: KindSymbolic, Width: 8, Symbols: "nf_proto"})
	TypePktType   = newType(&Type{Name: "pkt_type", Kind: KindSymbolic, Width: 8, Symbols: "pkt_type"})
	TypeIcmpType  = newType(&Type{Name: "icmp_type", Kind: KindSymbolic, Width: 8, Symbols: "icmp_type"})
	TypeIcmpCode  = newType(&Type{Name: "icmp_code", Kind: KindSymbolic, Width: 8, Symbols: "icmp_code"})
	TypeIcmp6Type = newType(&Type{Name: "icmpv6_type", Kind: KindSymbolic, Width: 8, Symbols: "icmpv6_type"})
	TypeIcmp6Code = newType(&Type{Name: "icmpv6_code", Kind: KindSymbolic, Width: 8, Symbols: "icmpv6_code"})
	// TypeIcmpCodeNum and TypeIcmp6CodeNum are the types of the icmp
	// code header fields: names are accepted, numbers are listed.
	TypeIcmpCodeNum  = &Type{Name: "icmp_code", Kind: KindSymbolic, Width: 8, Symbols: "icmp_code", Numeric: true}
	TypeIcmp6CodeNum = &Type{Name: "icmpv6_code", Kind: KindSymbolic, Width: 8, Symbols: "icmpv6_code", Numeric: true}
	TypeIcmpxCode    = newType(&Type{Name: "icmpx_code", Kind: KindSymbolic, Width: 8, Symbols: "icmpx_code"})
	TypeIgmpType     = newType(&Type{Name: "igmp_type", Kind: KindSymbolic, Width: 8, Symbols: "igmp_type"})
	TypeArpOp        = newType(&Type{Name: "arp_op", Kind: KindSymbolic, Width: 16, Symbols: "arp_op"})
	TypeDscp         = newType(&Type{Name: "dscp", Kind: KindSymbolic, Width: 6, Symbols: "dscp"})
	TypeEcn          = newType(&Type{Name: "ecn", Kind: KindSymbolic, Width: 2, Symbols: "ecn"})
	TypeDccpType     = newType(&Type{Name: "dccp_pkttype", Kind: KindSymbolic, Width: 4, Symbols: "dccp_pkttype"})
	TypeMhType       = newType(&Type{Name: "mh_type", Kind: KindSymbolic, Width: 8, Symbols: "mh_type"})
	TypeCtState      = newType(&Type{Name: "ct_state", Kind: KindBitmask, Width: 32, Symbols: "ct_state"})
	TypeCtStatus     = newType(&Type{Name: "ct_status", Kind: KindBitmask, Width: 32, Symbols: "ct_status"})
	TypeCtEvent      = newType(&Type{Name: "ct_event", Kind: KindBitmask, Width: 32, Symbols: "ct_event"})
	TypeCtDir        = newType(&Type{Name: "ct_dir", Kind: KindSymbolic, Width: 8, Symbols: "ct_dir"})
	TypeCtLabel      = newType(&Type{Name: "ct_label", Kind: KindBitmask, Width: 128, Symbols: "ct_label"})
	TypeTCPFlag      = newType(&Type{Name: "tcp_flag", Kind: KindBitmask, Width: 8, Symbols: "tcp_flag"})
	TypeFibAddr      = newType(&Type{Name: "fib_addrtype", Kind: KindSymbolic, Width: 32, Symbols: "fib_addrtype"})
	TypeDevgroup     = newType(&Type{Name: "devgroup", Kind: KindSymbolic, Width: 32, Symbols: "devgroup", Quoted: true})
	TypeRealm        = newType(&Type{Name: "realm", Kind: KindSymbolic, Width: 32, Symbols: "realm", Quoted: true})
	TypeUID          = newType(&Type{Name: "uid", Kind: KindInteger, Width: 32})
	TypeGID          = newType(&Type{Name: "gid", Kind: KindInteger, Width: 32})
	TypeIfType       = newType(&Type{Name: "iface_type", Kind: KindSymbolic, Width: 16, Symbols: "iface_type"})
	TypeClassid      = newType(&Type{Name: "classid", Kind: KindClassid, Width: 32})
	TypeTime         = newType(&Type{Name: "time", Kind: KindTime, Width: 32, TimeUnit: 1000})
	TypeBool         = newType(&Type{Name: "boolean", Kind: KindBool, Width: 1})
	TypeVerdict      = newType(&Type{Name: "verdict", Kind: KindVerdict})
	TypeDay          = newType(&Type{Name: "day", Kind: KindSymbolic, Width: 8, Symbols: "day", Quoted: true})
	TypeHour         = newType(&Type{Name: "hour", Kind: KindString, Width: 32})
	TypeDate         = newType(&Type{Name: "time_of_day", Kind: KindString, Width: 64})
	TypeCgroupv2     = newType(&Type{Name: "cgroupsv2", Kind: KindString, Width: 64})
)

// LookupType finds a datatype by its nft name, as used in "type" declarations.
func LookupType(name string) *Type { return types[name] }

// WithWidth returns t with its width set to bits, sharing t when it already has that width.
func (t *Type) WithWidth(bits int) *Type {
	if t.Width == bits {
		return t
	}
	c := *t
	c.Width = bits
	return &c
}

// ParseError explains why a literal is not a value of a datatype.
type ParseError struct{ Msg string }

func (e *ParseError) Error() string { return e.Msg }

func perr(format string, args ...any) error { return &ParseError{fmt.Sprintf(format, args...)} }

// ParseValue parses the literal s as a value of t. It returns the
// big-endian value in t's width. ok is false (with a nil error) when s is a
// symbol that nftopt cannot resolve but nft might (a user name, say):
// the caller then keeps the spelling.
func (t *Type) ParseValue(s string) (val []byte, ok bool, err error) {
	switch t.Kind {
	case KindIPv4:
		if n, good := parseNumber(s); good && n.BitLen() <= 32 {
			return fitBytes(n.Bytes(), 4), true, nil
		}
		a, e := netip.ParseAddr(s)
		if e != nil || !a.Is4() {
			return nil, false, perr("%q is not an IPv4 address", s)
		}
		b := a.As4()
		return b[:], true, nil
	case KindIPv6:
		a, e := netip.ParseAddr(s)
		if e != nil || !a.Is6() {
			return nil, false, perr("%q is not an IPv6 address", s)
		}
		b := a.As16()
		return b[:], true, nil
	case KindInetAddr:
		a, e := netip.ParseAddr(s)
		if e != nil {
			return nil, false, perr("%q is not an address", s)
		}
		return a.AsSlice(), true, nil
	case KindEther:
		parts := strings.Split(s, ":")
		if len(parts) != 6 {
			return nil, false, perr("%q is not an ethernet address", s)
		}
		b := make([]byte, 6)
		for i, p := range parts {
			v, e := strconv.ParseUint(p, 16, 8)
			if e != nil {
				return nil, false, perr("%q is not an ethernet address", s)
			}
			b[i] = byte(v)
		}
		return b, true, nil
	case KindString, KindIfindex:
		return []byte(s), true, nil
	case KindTime:
		v, e := ParseDuration(s)
		if e != nil {
			return nil, false, e
		}
		if t.TimeUnit == 1 {
			v /= 1000
		}
		return t.uintBytes(v), true, nil
	case KindBool:
		switch s {
		case "exists", "true", "1":
			return []byte{1}, true, nil
		case "missing", "false", "0":
			return []byte{0}, true, nil
		}
		return nil, false, perr("%q is not a boolean (exists or missing)", s)
	case KindClassid:
		switch s {
		case "root":
			return t.uintBytes(0xffffffff), true, nil
		case "none":
			return t.uintBytes(0), true, nil
		}
		if maj, min, found := strings.Cut(s, ":"); found {
			a, e1 := strconv.ParseUint(maj, 16, 16)
			b, e2 := strconv.ParseUint(min, 16, 16)
			if (maj != "" && e1 != nil) || e2 != nil {
				return nil, false, perr("%q is not a class id", s)
			}
			return t.uintBytes(a<<16 | b), true, nil
		}
	}
	if t.Symbols != "" {
		if v, found := LookupSymbol(t.Symbols, s); found {
			return t.uintBytes(v), true, nil
		}
	}
	if n, good := parseNumber(s); good {
		if t.Width > 0 && t.Width < n.BitLen() {
			return nil, false, perr("value %s exceeds valid range 0-%s", s, new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), uint(t.Width)), big.NewInt(1)))
		}
		return fitBytes(n.Bytes(), t.Bytes()), true, nil
	}
	switch t.Kind {
	case KindHex, KindInteger, KindRawHex:
		if t == TypeUID || t == TypeGID || t.Name == "uid" || t.Name == "gid" {
			if s == "root" {
				return t.uintBytes(0), true, nil
			}
			return nil, false, nil
		}
		return nil, false, perr("%q is not a number", s)
	}
	return nil, false, nil
}

func parseNumber(s string) (*big.Int, bool) {
	if s == "" {
		return nil, false
	}
	// Plain decimal and 0x numbers of up to 64 bits, the usual case,
	// without big.Int's scanner; SetString reads the same values.
	if v, ok := parseSmallNumber(s); ok {
		return new(big.Int).SetUint64(v), true
	}
	for i := 0; i < len(s); i++ {
		// Addresses and names: no number literal holds these characters.
		if c := s[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '_' || c == '+' || c == '-') {
			return nil, false
		}
	}
	n, ok := new(big.Int).SetString(s, 0)
	if !ok || n.Sign() < 0 {
		return nil, false
	}
	return n, true
}

// parseSmallNumber reads s when it is a decimal number without leading
// zeros or a 0x hexadecimal number, without underscores, that fits in
// 64 bits.
func parseSmallNumber(s string) (uint64, bool) {
	if len(s) > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') {
		h := s[2:]
		for i := 0; i < len(h); i++ {
			c := h[i]
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
				return 0, false
			}
		}
		v, err := strconv.ParseUint(h, 16, 64)
		return v, err == nil
	}
	if len(s) > 1 && s[0] == '0' {
		return 0, false // octal
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	v, err := strconv.ParseUint(s, 10, 64)
	return v, err == nil
}

// fitBytes left-pads (or trims from the left) b to n bytes.
func fitBytes(b []byte, n int) []byte {
	if n <= 0 {
		n = len(b)
		if n == 0 {
			n = 1
		}
	}
	out := make([]byte, n)
	if len(b) > n {
		b = b[len(b)-n:]
	}
	copy(out[n-len(b):], b)
	return out
}

func (t *Type) uintBytes(v uint64) []byte {
	var buf [8]byte
	binary.BigEndian.PutUint64(buf[:], v)
	return fitBytes(buf[:], t.Bytes())
}

// Uint returns a value of up to 64 bits as an integer.
func Uint(val []byte) uint64 {
	var v uint64
	for _, b := range val {
		v = v<<8 | uint64(b)
	}
	return v
}

// UintBytes encodes v big-endian in the width of t.
func (t *Type) UintBytes(v uint64) []byte { return t.uintBytes(v) }

// ParseDuration parses nft's time syntax ("1d2h3m4s5ms", or a bare
// number of seconds) into milliseconds.
func ParseDuration(s string) (uint64, error) {
	if n, err := strconv.ParseUint(s, 10, 64); err == nil {
		return n * 1000, nil
	}
	var total uint64
	rest := s
	if rest == "" {
		return 0, perr("empty time")
	}
	for rest != "" {
		i := 0
		for i < len(rest) && rest[i] >= '0' && rest[i] <= '9' {
			i++
		}
		if i == 0 {
			return 0, perr("%q is not a time (like 1h30m)", s)
		}
		n, _ := strconv.ParseUint(rest[:i], 10, 64)
		rest = rest[i:]
		j := 0
		for j < len(rest) && (rest[j] < '0' || rest[j] > '9') {
			j++
		}
		unit := rest[:j]
		rest = rest[j:]
		var mult uint64
		switch unit {
		case "ms":
			mult = 1
		case "s":
			mult = 1000
		case "m":
			mult = 60 * 1000
		case "h":
			mult = 3600 * 1000
		case "d":
			mult = 86400 * 1000
		case "w":
			mult = 7 * 86400 * 1000
		default:
			return 0, perr("%q is not a time (like 1h30m): unknown unit %q", s, unit)
		}
		total += n * mult
	}
	return total, nil
}

// FormatDuration prints milliseconds the way nft does: 1d2h3m4s5ms.
func FormatDuration(ms uint64) string {
	if ms == 0 {
		return "0s"
	}
	var sb strings.Builder
	for _, u := range []struct {
		n    uint64
		name string
	}{{86400000, "d"}, {3600000, "h"}, {60000, "m"}, {1000, "s"}, {1, "ms"}} {
		if ms >= u.n {
			fmt.Fprintf(&sb, "%d%s", ms/u.n, u.name)
			ms %= u.n
		}
	}
	return sb.String()
}
