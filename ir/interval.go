package ir

import (
	"fmt"
	"math/big"
	"slices"
	"strings"
)

// Interval is the inclusive range of values Lo..Hi, Lo <= Hi, both of
// the same width.
type Interval struct{ Lo, Hi Value }

// Contains reports whether v lies in the interval.
func (iv Interval) Contains(v Value) bool { return iv.Lo.Compare(v) <= 0 && v.Compare(iv.Hi) <= 0 }

// Size returns the number of values in the interval.
func (iv Interval) Size() *big.Int {
	n := iv.Hi.sub(iv.Lo).toBig()
	return n.Add(n, big.NewInt(1))
}

// IsPrefix reports whether the interval is exactly one CIDR block, so
// that it can be printed as 10.0.0.0/23 rather than as a range.
func (iv Interval) IsPrefix() (CIDR, bool) {
	d := iv.Hi.sub(iv.Lo)
	host := d.bitLen() // the host bits, if d is all ones
	if d != lowMask(d.width, host) || iv.Lo.trailingZeros() < host {
		return CIDR{}, false
	}
	return CIDR{Addr: iv.Lo, Len: iv.Lo.width - host}, true
}

// String prints the interval as lo-hi, or as one value when Lo == Hi.
func (iv Interval) String() string {
	if iv.Lo == iv.Hi {
		return iv.Lo.String()
	}
	return iv.Lo.String() + "-" + iv.Hi.String()
}

// CIDR is a prefix block: the values whose Len leading bits are those of
// Addr. Addr has no bits set past Len.
type CIDR struct {
	Addr Value
	Len  int
}

// Interval returns the values of the block as an interval.
func (c CIDR) Interval() Interval {
	return Interval{c.Addr, c.Addr.or(lowMask(c.Addr.width, c.Addr.width-c.Len))}
}

// String prints the block as addr/len.
func (c CIDR) String() string { return fmt.Sprintf("%v/%d", c.Addr, c.Len) }

// IntervalSet is a set of values of one width held as a sorted list of
// disjoint, non-adjacent intervals: the normal form every match of a
// field reduces to (singletons, prefixes, ranges, anonymous sets), so two
// sets are equal exactly when their lists are. Sets are immutable: every
// operation returns a new set, and sets may share their backing arrays.
//
// The zero IntervalSet has width 0 and is not usable; make sets with
// EmptySet, FullSet, PointSet, RangeSet, PrefixSet, MaskSet or
// NewIntervalSet. Combining sets of different widths panics.
type IntervalSet struct {
	width int
	ivs   []Interval
}

// EmptySet returns the set of no values of width bits.
func EmptySet(width int) IntervalSet {
	checkWidth(width)
	return IntervalSet{width: width}
}

// FullSet returns the set of all values of width bits.
func FullSet(width int) IntervalSet {
	return IntervalSet{width: width, ivs: []Interval{{ZeroValue(width), MaxValue(width)}}}
}

// PointSet returns the set holding v alone.
func PointSet(v Value) IntervalSet { return RangeSet(v, v) }

// RangeSet returns the set of values lo..hi inclusive; it is empty when
// lo > hi.
func RangeSet(lo, hi Value) IntervalSet {
	checkWidth(lo.width)
	if lo.Compare(hi) > 0 {
		return IntervalSet{width: lo.width}
	}
	return IntervalSet{width: lo.width, ivs: []Interval{{lo, hi}}}
}

// PrefixSet returns the CIDR block addr/prefixLen over addr's width.
// Bits of addr past the prefix are ignored, as nft does. It panics when
// prefixLen is outside 0..width.
func PrefixSet(addr Value, prefixLen int) IntervalSet {
	checkWidth(addr.width)
	if prefixLen < 0 || prefixLen > addr.width {
		panic(fmt.Sprintf("ir: prefix length %d outside 0..%d", prefixLen, addr.width))
	}
	c := CIDR{addr.and(lowMask(addr.width, addr.width-prefixLen).not()), prefixLen}
	return IntervalSet{width: addr.width, ivs: []Interval{c.Interval()}}
}

// NewIntervalSet returns the set of the values in any of ivs, which may
// come in any order and overlap; intervals with Lo > Hi are ignored.
func NewIntervalSet(width int, ivs ...Interval) IntervalSet {
	checkWidth(width)
	sorted := make([]Interval, 0, len(ivs))
	for _, iv := range ivs {
		iv.Lo.sameWidth(iv.Hi)
		if iv.Lo.width != width {
			panic(fmt.Sprintf("ir: interval of width %d in a set of width %d", iv.Lo.width, width))
		}
		if iv.Lo.Compare(iv.Hi) <= 0 {
			sorted = append(sorted, iv)
		}
	}
	slices.SortFunc(sorted, func(a, b Interval) int { return a.Lo.Compare(b.Lo) })
	c := coalescer{out: sorted[:0]} // merging in place: it only shortens
	for _, iv := range sorted {
		c.add(iv)
	}
	return IntervalSet{width: width, ivs: slices.Clip(c.out)}
}

// MaxMaskIntervals bounds the intervals MaskSet produces: 4096, so that
// every mask over an 8-bit field such as tcp flags (at most 128
// intervals) and every mask whose clear bits sit low fit.
const MaxMaskIntervals = 1 << maxMaskFreeBits

const maxMaskFreeBits = 12

// MaskSet returns the set of values v with v & mask == value, the meaning
// of "x & mask == value" on bitmask fields (tcp flags, ct state). The
// match "tcp flags syn", which nft reads as "tcp flags & syn != 0", is
// MaskSet(syn, 0).Complement().
//
// Such a set is a union of 2^f intervals, f the number of bits clear in
// mask above its lowest set bit (free low bits make each interval
// contiguous; every free bit above splits them). When that exceeds
// MaxMaskIntervals (a one-bit mask low in a 32-bit ct state, say) ok is
// false and the set is not built: the caller must treat the match as an
// uninterpreted predicate rather than as a set of values. The set is
// empty when value has bits outside mask.
func MaskSet(mask, value Value) (set IntervalSet, ok bool) {
	mask.sameWidth(value)
	w := mask.width
	if !value.and(mask.not()).isZero() {
		return EmptySet(w), true
	}
	low := lowMask(w, mask.trailingZeros())
	free := mask.or(low).not() // the free bits above the lowest mask bit
	if free.onesCount() > maxMaskFreeBits {
		return IntervalSet{}, false
	}
	// Walk the submasks s of free in increasing order, so the intervals
	// value|s .. value|s|low come out sorted: next(s) = ((s | ^free) + 1) & free.
	var out []Interval
	for s := ZeroValue(w); ; s = s.or(free.not()).add1().and(free) {
		lo := value.or(s)
		out = append(out, Interval{lo, lo.or(low)})
		if s == free {
			break
		}
	}
	return IntervalSet{width: w, ivs: out}, true
}

// Width returns the width of the set's values in bits.
func (s IntervalSet) Width() int { return s.width }

// Len returns the number of intervals in the set's normal form.
func (s IntervalSet) Len() int { return len(s.ivs) }

// Intervals returns the normal form: sorted, disjoint, non-adjacent
// intervals. The slice is a copy.
func (s IntervalSet) Intervals() []Interval { return slices.Clone(s.ivs) }

// Interval returns the i-th interval of the set's normal form, without
// copying the list (0 <= i < Len()).
func (s IntervalSet) Interval(i int) Interval { return s.ivs[i] }

// IsEmpty reports whether the set has no values.
func (s IntervalSet) IsEmpty() bool { return len(s.ivs) == 0 }

// IsFull reports whether the set holds every value of its width.
func (s IntervalSet) IsFull() bool {
	return len(s.ivs) == 1 && s.ivs[0].Lo.isZero() && s.ivs[0].Hi.isMax()
}

// Min returns the smallest value of the set, a witness for
// counterexamples; ok is false when the set is empty.
func (s IntervalSet) Min() (v Value, ok bool) {
	if len(s.ivs) == 0 {
		return Value{}, false
	}
	return s.ivs[0].Lo, true
}

// Size returns the number of values in the set.
func (s IntervalSet) Size() *big.Int {
	n := new(big.Int)
	for _, iv := range s.ivs {
		n.Add(n, iv.Size())
	}
	return n
}

// Contains reports whether v is in the set.
func (s IntervalSet) Contains(v Value) bool {
	s.check(v.width)
	i, _ := slices.BinarySearchFunc(s.ivs, v, func(iv Interval, v Value) int { return iv.Hi.Compare(v) })
	return i < len(s.ivs) && s.ivs[i].Lo.Compare(v) <= 0
}

// Equal reports whether s and t have the same width and values.
func (s IntervalSet) Equal(t IntervalSet) bool {
	return s.width == t.width && slices.Equal(s.ivs, t.ivs)
}

// Subset reports whether every value of s is in t.
func (s IntervalSet) Subset(t IntervalSet) bool {
	s.check(t.width)
	j := 0
	for _, a := range s.ivs {
		for j < len(t.ivs) && t.ivs[j].Hi.Compare(a.Lo) < 0 {
			j++
		}
		// t is normalized, so a must lie within the one interval of t
		// that reaches a.Lo.
		if j == len(t.ivs) || t.ivs[j].Lo.Compare(a.Lo) > 0 || t.ivs[j].Hi.Compare(a.Hi) < 0 {
			return false
		}
	}
	return true
}

// Overlaps reports whether s and t have a value in common.
func (s IntervalSet) Overlaps(t IntervalSet) bool {
	s.check(t.width)
	for i, j := 0, 0; i < len(s.ivs) && j < len(t.ivs); {
		a, b := s.ivs[i], t.ivs[j]
		switch {
		case a.Hi.Compare(b.Lo) < 0:
			i++
		case b.Hi.Compare(a.Lo) < 0:
			j++
		default:
			return true
		}
	}
	return false
}

// Union returns the values in s or t.
func (s IntervalSet) Union(t IntervalSet) IntervalSet {
	s.check(t.width)
	switch {
	case len(t.ivs) == 0:
		return s
	case len(s.ivs) == 0:
		return t
	}
	c := coalescer{out: make([]Interval, 0, len(s.ivs)+len(t.ivs))}
	i, j := 0, 0
	for i < len(s.ivs) || j < len(t.ivs) {
		if j == len(t.ivs) || (i < len(s.ivs) && s.ivs[i].Lo.Compare(t.ivs[j].Lo) <= 0) {
			c.add(s.ivs[i])
			i++
		} else {
			c.add(t.ivs[j])
			j++
		}
	}
	return IntervalSet{width: s.width, ivs: slices.Clip(c.out)}
}

// Intersect returns the values in both s and t.
func (s IntervalSet) Intersect(t IntervalSet) IntervalSet {
	s.check(t.width)
	var out []Interval
	// The pieces come out sorted and disjoint, and never adjacent: the
	// value after a piece is past the end of an interval of s or of t,
	// so it is missing from that set.
	for i, j := 0, 0; i < len(s.ivs) && j < len(t.ivs); {
		a, b := s.ivs[i], t.ivs[j]
		lo, hi := maxValue(a.Lo, b.Lo), minValue(a.Hi, b.Hi)
		if lo.Compare(hi) <= 0 {
			out = append(out, Interval{lo, hi})
		}
		if a.Hi.Compare(b.Hi) < 0 {
			i++
		} else {
			j++
		}
	}
	return IntervalSet{width: s.width, ivs: out}
}

// Subtract returns the values in s and not in t.
func (s IntervalSet) Subtract(t IntervalSet) IntervalSet {
	s.check(t.width)
	if len(s.ivs) == 0 || len(t.ivs) == 0 {
		return s
	}
	var out []Interval
	j := 0
	for _, a := range s.ivs {
		for j < len(t.ivs) && t.ivs[j].Hi.Compare(a.Lo) < 0 {
			j++
		}
		lo, covered := a.Lo, false
		// Cut each interval of t that meets a out of a. An interval
		// reaching past a may meet the next one too, so j stays on it.
		for k := j; k < len(t.ivs) && t.ivs[k].Lo.Compare(a.Hi) <= 0; k++ {
			b := t.ivs[k]
			if b.Lo.Compare(lo) > 0 {
				out = append(out, Interval{lo, b.Lo.sub1()})
			}
			if b.Hi.Compare(a.Hi) >= 0 {
				covered = true
				break
			}
			lo = b.Hi.add1()
			j = k + 1
		}
		if !covered {
			out = append(out, Interval{lo, a.Hi})
		}
	}
	return IntervalSet{width: s.width, ivs: out}
}

// Complement returns the values of s's width not in s.
func (s IntervalSet) Complement() IntervalSet {
	out := make([]Interval, 0, len(s.ivs)+1)
	next := ZeroValue(s.width)
	for _, iv := range s.ivs {
		if iv.Lo.Compare(next) > 0 {
			out = append(out, Interval{next, iv.Lo.sub1()})
		}
		if iv.Hi.isMax() {
			return IntervalSet{width: s.width, ivs: out}
		}
		next = iv.Hi.add1()
	}
	return IntervalSet{width: s.width, ivs: append(out, Interval{next, MaxValue(s.width)})}
}

// ToPrefixes splits the set into the fewest CIDR blocks whose union it
// is, in increasing order. Each interval splits greedily: from its low
// end, the largest aligned block that fits, which is optimal for one
// interval; blocks never span the gaps between intervals, so the whole
// list is minimal too.
func (s IntervalSet) ToPrefixes() []CIDR {
	var out []CIDR
	for _, iv := range s.ivs {
		lo := iv.Lo
		for {
			host := lo.trailingZeros()
			if d := iv.Hi.sub(lo); !d.isMax() {
				host = min(host, d.add1().bitLen()-1)
			}
			c := CIDR{lo, s.width - host}
			out = append(out, c)
			end := c.Interval().Hi
			if end == iv.Hi {
				break
			}
			lo = end.add1()
		}
	}
	return out
}

// String prints the set as {a, b-c, …} in hexadecimal.
// Key returns a compact binary encoding of the set: equal sets of one
// width have equal keys. It is for map keys, not for reading.
func (s IntervalSet) Key() string {
	b := make([]byte, 0, len(s.ivs)*32)
	for _, iv := range s.ivs {
		b = iv.Lo.appendKey(b)
		b = iv.Hi.appendKey(b)
	}
	return string(b)
}

func (s IntervalSet) String() string {
	var sb strings.Builder
	sb.WriteByte('{')
	for i, iv := range s.ivs {
		if i > 0 {
			sb.WriteString(", ")
		}
		sb.WriteString(iv.String())
	}
	sb.WriteByte('}')
	return sb.String()
}

// Cuts returns the elementary intervals that sets induce on the values
// of width bits: the coarsest partition of 0..max into intervals such
// that each piece lies wholly inside or wholly outside every set. Pieces
// come in increasing order and cover every value, including those in no
// set; whether piece p is in set s is s.Contains(p.Lo). With no sets
// there is one piece, the full range. This is what symbolic packet-class
// enumeration iterates over: one representative per piece decides every
// match on the field.
func Cuts(width int, sets ...IntervalSet) []Interval {
	checkWidth(width)
	// A piece starts at 0 and wherever some set's membership changes:
	// at the low end of an interval and just past the high end.
	var starts []Value
	for _, s := range sets {
		s.check(width)
		for _, iv := range s.ivs {
			starts = append(starts, iv.Lo)
			if !iv.Hi.isMax() {
				starts = append(starts, iv.Hi.add1())
			}
		}
	}
	starts = append(starts, ZeroValue(width))
	slices.SortFunc(starts, Value.Compare)
	starts = slices.Compact(starts)
	out := make([]Interval, len(starts))
	for i, lo := range starts {
		hi := MaxValue(width)
		if i+1 < len(starts) {
			hi = starts[i+1].sub1()
		}
		out[i] = Interval{lo, hi}
	}
	return out
}

func (s IntervalSet) check(width int) {
	if s.width != width || width == 0 {
		panic(fmt.Sprintf("ir: interval set of width %d used with width %d", s.width, width))
	}
}

// coalescer builds a normal form from intervals added in order of Lo,
// merging each with the last one when they overlap or touch.
type coalescer struct{ out []Interval }

func (c *coalescer) add(iv Interval) {
	if n := len(c.out); n > 0 {
		last := &c.out[n-1]
		if last.Hi.isMax() || iv.Lo.Compare(last.Hi.add1()) <= 0 {
			last.Hi = maxValue(last.Hi, iv.Hi)
			return
		}
	}
	c.out = append(c.out, iv)
}

func minValue(a, b Value) Value {
	if a.Compare(b) <= 0 {
		return a
	}
	return b
}

func maxValue(a, b Value) Value {
	if a.Compare(b) >= 0 {
		return a
	}
	return b
}
