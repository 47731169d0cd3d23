package ir

import (
	"cmp"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math/big"
	"math/bits"
	"strings"
)

// MaxWidth is the widest value the interval domain accepts, in bits. The
// kernel's widest key is 64 bytes (sixteen 32-bit registers of a
// concatenation); 1024 bits leaves room without accepting nonsense.
const MaxWidth = 1024

// Value is an unsigned bit-vector of a fixed width: the value of one
// field (or of a concatenation key) as the interval domain sees it. The
// numeric order of values is the order of their big-endian bytes, which
// is the order nft uses for ranges and interval sets.
//
// Representation. Almost every field is at most 128 bits wide (ports,
// protocols, marks, IPv4 and IPv6 addresses, interface names), so a value
// of width <= 128 lives inline in two uint64 words: comparing,
// incrementing and masking are a few instructions and never allocate,
// which keeps the sets of the equivalence checker cheap. Wider values
// (concatenations such as ipv6_addr . inet_service) keep their
// big-endian bytes in a string and do their rare arithmetic through
// math/big. Both forms are canonical (bits above the width are zero; a
// value has exactly one form for its width), so a Value is immutable and
// comparable: == is equality of width and value, and a Value can be a map
// key. The zero Value has width 0 and is not a valid value.
//
// Operations panic when given values of different widths: that is a bug
// in the caller, which takes widths from the field registry.
type Value struct {
	hi, lo uint64 // the value when width <= 128
	wide   string // big-endian bytes, (width+7)/8 of them, when width > 128
	width  int
}

// appendKey appends the value's canonical bytes, for IntervalSet.Key.
func (v Value) appendKey(b []byte) []byte {
	if narrow(v.width) {
		b = binary.BigEndian.AppendUint64(b, v.hi)
		return binary.BigEndian.AppendUint64(b, v.lo)
	}
	return append(b, v.wide...)
}

// narrow reports whether a value of width w uses the inline form.
func narrow(w int) bool { return w <= 128 }

func checkWidth(w int) {
	if w < 1 || w > MaxWidth {
		panic(fmt.Sprintf("ir: value width %d outside 1..%d", w, MaxWidth))
	}
}

func (v Value) sameWidth(u Value) {
	if v.width != u.width {
		panic(fmt.Sprintf("ir: values of widths %d and %d mixed", v.width, u.width))
	}
}

// ValueOf makes a value of width bits from big-endian bytes, as held in
// Const.Val. b may be shorter or longer than the width's bytes; it is an
// error when b has a bit set at or above the width.
func ValueOf(b []byte, width int) (Value, error) {
	checkWidth(width)
	for len(b) > 0 && b[0] == 0 {
		b = b[1:]
	}
	if n := len(b); n > 0 && (n-1)*8+bits.Len8(b[0]) > width {
		return Value{}, fmt.Errorf("value 0x%x does not fit in %d bits", b, width)
	}
	if !narrow(width) {
		buf := make([]byte, (width+7)/8)
		copy(buf[len(buf)-len(b):], b)
		return Value{wide: string(buf), width: width}, nil
	}
	var buf [16]byte
	copy(buf[16-len(b):], b)
	return Value{hi: binary.BigEndian.Uint64(buf[:8]), lo: binary.BigEndian.Uint64(buf[8:]), width: width}, nil
}

// Uint64Value makes a value of width bits from x. It panics when x does
// not fit, since x comes from the program rather than from input.
func Uint64Value(x uint64, width int) Value {
	checkWidth(width)
	if width < 64 && x>>width != 0 {
		panic(fmt.Sprintf("ir: %#x does not fit in %d bits", x, width))
	}
	if !narrow(width) {
		return fromBig(new(big.Int).SetUint64(x), width)
	}
	return Value{lo: x, width: width}
}

// ZeroValue returns the value 0 of width bits.
func ZeroValue(width int) Value {
	checkWidth(width)
	if !narrow(width) {
		return Value{wide: strings.Repeat("\x00", (width+7)/8), width: width}
	}
	return Value{width: width}
}

// MaxValue returns the largest value of width bits, all ones.
func MaxValue(width int) Value { return lowMask(width, width) }

// lowMask returns the value of width bits whose k lowest bits are set.
func lowMask(width, k int) Value {
	checkWidth(width)
	if !narrow(width) {
		m := new(big.Int).Lsh(big.NewInt(1), uint(k))
		return fromBig(m.Sub(m, big.NewInt(1)), width)
	}
	hi, lo := maxWords(k)
	return Value{hi: hi, lo: lo, width: width}
}

// Width returns the width of v in bits.
func (v Value) Width() int { return v.width }

// Bytes returns v big-endian in (width+7)/8 bytes, the layout of
// Const.Val. The slice is fresh.
func (v Value) Bytes() []byte {
	if !narrow(v.width) {
		return []byte(v.wide)
	}
	var buf [16]byte
	binary.BigEndian.PutUint64(buf[:8], v.hi)
	binary.BigEndian.PutUint64(buf[8:], v.lo)
	return append([]byte(nil), buf[16-(v.width+7)/8:]...)
}

// Uint64 returns v as an integer; ok is false when v does not fit in 64 bits.
func (v Value) Uint64() (x uint64, ok bool) {
	if !narrow(v.width) {
		b := v.toBig()
		return b.Uint64(), b.IsUint64()
	}
	return v.lo, v.hi == 0
}

// Compare returns -1, 0 or +1 as v is less than, equal to or greater than u.
func (v Value) Compare(u Value) int {
	v.sameWidth(u)
	// One form is all zero: hi and lo for wide values, wide for narrow.
	if v.hi != u.hi {
		return cmp.Compare(v.hi, u.hi)
	}
	if v.lo != u.lo {
		return cmp.Compare(v.lo, u.lo)
	}
	return strings.Compare(v.wide, u.wide)
}

// Next returns v+1; ok is false when v is the largest value of its width.
func (v Value) Next() (next Value, ok bool) {
	if v.isMax() {
		return Value{}, false
	}
	return v.add1(), true
}

// Prev returns v-1; ok is false when v is zero.
func (v Value) Prev() (prev Value, ok bool) {
	if v.isZero() {
		return Value{}, false
	}
	return v.sub1(), true
}

// String prints v in hexadecimal, zero padded to its width: 0x0a000001.
func (v Value) String() string {
	if v.width == 0 {
		return "<invalid>"
	}
	s := hex.EncodeToString(v.Bytes())
	return "0x" + s[len(s)-(v.width+3)/4:]
}

func (v Value) isZero() bool {
	if !narrow(v.width) {
		return strings.Trim(v.wide, "\x00") == ""
	}
	return v.hi|v.lo == 0
}

func (v Value) isMax() bool {
	if !narrow(v.width) {
		return v == MaxValue(v.width)
	}
	hi, lo := maxWords(v.width)
	return v.hi == hi && v.lo == lo
}

// add1 returns v+1; v must not be the largest value.
func (v Value) add1() Value {
	if !narrow(v.width) {
		return v.viaBig(func(b *big.Int) *big.Int { return b.Add(b, big.NewInt(1)) })
	}
	lo, c := bits.Add64(v.lo, 1, 0)
	return Value{hi: v.hi + c, lo: lo, width: v.width}
}

// sub1 returns v-1; v must not be zero.
func (v Value) sub1() Value { return v.sub(Uint64Value(1, v.width)) }

// sub returns v-u; u must not exceed v.
func (v Value) sub(u Value) Value {
	v.sameWidth(u)
	if !narrow(v.width) {
		return v.viaBig(func(b *big.Int) *big.Int { return b.Sub(b, u.toBig()) })
	}
	lo, borrow := bits.Sub64(v.lo, u.lo, 0)
	return Value{hi: v.hi - u.hi - borrow, lo: lo, width: v.width}
}

func (v Value) and(u Value) Value {
	v.sameWidth(u)
	if !narrow(v.width) {
		return v.viaBig(func(b *big.Int) *big.Int { return b.And(b, u.toBig()) })
	}
	return Value{hi: v.hi & u.hi, lo: v.lo & u.lo, width: v.width}
}

func (v Value) or(u Value) Value {
	v.sameWidth(u)
	if !narrow(v.width) {
		return v.viaBig(func(b *big.Int) *big.Int { return b.Or(b, u.toBig()) })
	}
	return Value{hi: v.hi | u.hi, lo: v.lo | u.lo, width: v.width}
}

// not returns the complement of v within its width.
func (v Value) not() Value {
	if !narrow(v.width) {
		return v.viaBig(func(b *big.Int) *big.Int { return b.Xor(b, MaxValue(v.width).toBig()) })
	}
	hi, lo := maxWords(v.width)
	return Value{hi: ^v.hi & hi, lo: ^v.lo & lo, width: v.width}
}

// bitLen returns the number of bits needed to write v; 0 for zero.
func (v Value) bitLen() int {
	if !narrow(v.width) {
		return v.toBig().BitLen()
	}
	if v.hi != 0 {
		return 64 + bits.Len64(v.hi)
	}
	return bits.Len64(v.lo)
}

// trailingZeros returns the number of trailing zero bits; the width for zero.
func (v Value) trailingZeros() int {
	switch {
	case !narrow(v.width):
		if v.isZero() {
			return v.width
		}
		return int(v.toBig().TrailingZeroBits())
	case v.lo != 0:
		return bits.TrailingZeros64(v.lo)
	case v.hi != 0:
		return 64 + bits.TrailingZeros64(v.hi)
	}
	return v.width
}

func (v Value) onesCount() int {
	if !narrow(v.width) {
		n := 0
		for i := 0; i < len(v.wide); i++ {
			n += bits.OnesCount8(v.wide[i])
		}
		return n
	}
	return bits.OnesCount64(v.hi) + bits.OnesCount64(v.lo)
}

// maxWords returns the largest value of width w <= 128 in the inline form.
func maxWords(w int) (hi, lo uint64) {
	if w < 64 {
		return 0, 1<<w - 1
	}
	return 1<<(w-64) - 1, ^uint64(0) // 1<<64 is 0, so width 128 gets all ones
}

// viaBig applies f to v as a big.Int, for the wide form.
func (v Value) viaBig(f func(b *big.Int) *big.Int) Value { return fromBig(f(v.toBig()), v.width) }

// toBig returns v as a fresh big.Int.
func (v Value) toBig() *big.Int {
	if !narrow(v.width) {
		return new(big.Int).SetBytes([]byte(v.wide))
	}
	b := new(big.Int).SetUint64(v.hi)
	return b.Lsh(b, 64).Or(b, new(big.Int).SetUint64(v.lo))
}

// fromBig makes a value of width bits from b, which must be in range.
func fromBig(b *big.Int, width int) Value {
	v, err := ValueOf(b.Bytes(), width)
	if err != nil || b.Sign() < 0 {
		panic(fmt.Sprintf("ir: %v out of range for width %d", b, width))
	}
	return v
}
