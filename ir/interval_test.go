package ir

import (
	"fmt"
	"math/big"
	"math/rand"
	"slices"
	"strings"
	"testing"
)

// val parses a number (decimal or 0x hex) as a value of width bits.
func val(t testing.TB, width int, s string) Value {
	t.Helper()
	n, ok := new(big.Int).SetString(s, 0)
	if !ok {
		t.Fatalf("bad number %q", s)
	}
	return bigValue(t, n, width)
}

// mk builds a set from "lo-hi,v,…"; "max" is the largest value.
func mk(t testing.TB, width int, spec string) IntervalSet {
	t.Helper()
	var ivs []Interval
	for _, item := range strings.Split(spec, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		lo, hi, found := strings.Cut(item, "-")
		if !found {
			hi = lo
		}
		num := func(s string) Value {
			if s == "max" {
				return MaxValue(width)
			}
			return val(t, width, s)
		}
		ivs = append(ivs, Interval{num(lo), num(hi)})
	}
	return NewIntervalSet(width, ivs...)
}

// checkNormal fails unless s is in normal form: sorted, disjoint,
// non-adjacent intervals with Lo <= Hi, all of the set's width.
func checkNormal(t testing.TB, what string, s IntervalSet) {
	t.Helper()
	for i, iv := range s.ivs {
		if iv.Lo.width != s.width || iv.Hi.width != s.width || iv.Lo.Compare(iv.Hi) > 0 {
			t.Fatalf("%s: bad interval %v in %v", what, iv, s)
		}
		if i > 0 {
			prev := s.ivs[i-1].Hi
			if prev.isMax() || iv.Lo.Compare(prev.add1()) <= 0 {
				t.Fatalf("%s: intervals %d and %d overlap or touch in %v", what, i-1, i, s)
			}
		}
	}
}

func expectSet(t testing.TB, what string, got, want IntervalSet) {
	t.Helper()
	checkNormal(t, what, got)
	if !got.Equal(want) {
		t.Errorf("%s = %v, want %v", what, got, want)
	}
}

func TestIntervalSetConstructors(t *testing.T) {
	v8 := func(x uint64) Value { return Uint64Value(x, 8) }
	for _, tc := range []struct {
		name string
		got  IntervalSet
		want string
	}{
		{"empty", EmptySet(8), "{}"},
		{"full", FullSet(8), "{0x00-0xff}"},
		{"full width 1", FullSet(1), "{0x0-0x1}"},
		{"point", PointSet(v8(22)), "{0x16}"},
		{"point 0", PointSet(v8(0)), "{0x00}"},
		{"range", RangeSet(v8(1), v8(5)), "{0x01-0x05}"},
		{"inverted range", RangeSet(v8(5), v8(1)), "{}"},
		{"prefix", PrefixSet(Uint64Value(0x0a000000, 32), 23), "{0x0a000000-0x0a0001ff}"},
		{"prefix masks host bits", PrefixSet(Uint64Value(0x0a0000ff, 32), 24), "{0x0a000000-0x0a0000ff}"},
		{"prefix /0", PrefixSet(Uint64Value(0x0a000000, 32), 0), "{0x00000000-0xffffffff}"},
		{"prefix /32", PrefixSet(Uint64Value(0x0a000001, 32), 32), "{0x0a000001}"},
		{"ifname wildcard eth*", PrefixSet(val(t, 128, "0x65746800000000000000000000000000"), 24),
			"{0x65746800000000000000000000000000-0x657468ffffffffffffffffffffffffff}"},
		{"new: unsorted, overlapping, adjacent", NewIntervalSet(8,
			Interval{v8(10), v8(20)}, Interval{v8(0), v8(3)}, Interval{v8(4), v8(4)},
			Interval{v8(15), v8(30)}, Interval{v8(9), v8(2)}, Interval{v8(32), v8(255)}),
			"{0x00-0x04, 0x0a-0x1e, 0x20-0xff}"},
		{"new: up to max", NewIntervalSet(8, Interval{v8(255), v8(255)}, Interval{v8(0), v8(255)}, Interval{v8(3), v8(4)}), "{0x00-0xff}"},
		{"new: none", NewIntervalSet(8), "{}"},
	} {
		checkNormal(t, tc.name, tc.got)
		if s := tc.got.String(); s != tc.want {
			t.Errorf("%s = %s, want %s", tc.name, s, tc.want)
		}
	}
}

func TestIntervalSetOperations(t *testing.T) {
	const max128 = "0xffffffffffffffffffffffffffffffff"
	for _, tc := range []struct {
		width                      int
		s, t                       string
		union, inter, sub, compl   string // compl is the complement of s
		subset, overlaps, tsubsetS bool
	}{
		{8, "", "", "", "", "", "0-max", true, false, true},
		{8, "0-max", "", "0-max", "", "0-max", "", false, false, true},
		{8, "0-max", "0-max", "0-max", "0-max", "", "", true, true, true},
		{8, "1-5", "6-9", "1-9", "", "1-5", "0,6-max", false, false, false},
		{8, "1-5", "7-9", "1-5,7-9", "", "1-5", "0,6-max", false, false, false},
		{8, "1-5", "5-9", "1-9", "5", "1-4", "0,6-max", false, true, false},
		{8, "1-9", "3-4", "1-9", "3-4", "1-2,5-9", "0,10-max", false, true, true},
		{8, "1-9", "1-9", "1-9", "1-9", "", "0,10-max", true, true, true},
		{8, "0", "max", "0,max", "", "0", "1-max", false, false, false},
		{8, "0,max", "1-254", "0-max", "", "0,max", "1-254", false, false, false},
		{8, "0-10,20-30,40-50", "5-25,45", "0-30,40-50", "5-10,20-25,45", "0-4,26-30,40-44,46-50", "11-19,31-39,51-max", false, true, false},
		{8, "10-20", "0-5,8-12,15,18-30", "0-5,8-30", "10-12,15,18-20", "13-14,16-17", "0-9,21-max", false, true, false},
		{1, "0", "1", "0-1", "", "0", "1", false, false, false},
		{1, "1", "0-1", "0-1", "1", "", "0", true, true, false},
		{128, "0", max128, "0," + max128, "", "0", "1-" + max128, false, false, false},
		{128, "0xffffffffffffffff-0x10000000000000000", "0x10000000000000001-max", "0xffffffffffffffff-max",
			"", "0xffffffffffffffff-0x10000000000000000", "0-0xfffffffffffffffe,0x10000000000000001-max", false, false, false},
		{128, "0-0xffffffffffffffff", "0x10000000000000000", "0-0x10000000000000000", "", "0-0xffffffffffffffff", "0x10000000000000000-max", false, false, false},
		{160, "0-max", "0x8000000000000000000000000000000000000000-max", "0-max", "0x8000000000000000000000000000000000000000-max", "0-0x7fffffffffffffffffffffffffffffffffffffff", "", false, true, true},
		{160, "5-max", "0-0xffffffffffffffffffffffffffffffff", "0-max", "5-0xffffffffffffffffffffffffffffffff",
			"0x100000000000000000000000000000000-max", "0-4", false, true, false},
	} {
		w := tc.width
		s, u := mk(t, w, tc.s), mk(t, w, tc.t)
		name := fmt.Sprintf("w%d %v op %v", w, s, u)
		expectSet(t, name+" union", s.Union(u), mk(t, w, tc.union))
		expectSet(t, name+" union (swapped)", u.Union(s), mk(t, w, tc.union))
		expectSet(t, name+" intersect", s.Intersect(u), mk(t, w, tc.inter))
		expectSet(t, name+" intersect (swapped)", u.Intersect(s), mk(t, w, tc.inter))
		expectSet(t, name+" subtract", s.Subtract(u), mk(t, w, tc.sub))
		expectSet(t, name+" complement", s.Complement(), mk(t, w, tc.compl))
		expectSet(t, name+" complement twice", s.Complement().Complement(), s)
		if got := s.Subset(u); got != tc.subset {
			t.Errorf("%s: Subset = %v", name, got)
		}
		if got := u.Subset(s); got != tc.tsubsetS {
			t.Errorf("%s: reverse Subset = %v", name, got)
		}
		if got := s.Overlaps(u); got != tc.overlaps || u.Overlaps(s) != got {
			t.Errorf("%s: Overlaps = %v", name, got)
		}
	}
}

func TestIntervalSetQueries(t *testing.T) {
	s := mk(t, 16, "0,22,80-90,65535")
	for x, want := range map[uint64]bool{0: true, 1: false, 21: false, 22: true, 23: false, 79: false, 80: true, 85: true, 90: true, 91: false, 65534: false, 65535: true} {
		if got := s.Contains(Uint64Value(x, 16)); got != want {
			t.Errorf("%v.Contains(%d) = %v", s, x, got)
		}
	}
	if got := s.Size(); got.Cmp(big.NewInt(14)) != 0 {
		t.Errorf("Size = %v, want 14", got)
	}
	if m, ok := s.Min(); !ok || m != Uint64Value(0, 16) {
		t.Errorf("Min = %v, %v", m, ok)
	}
	if m, ok := mk(t, 16, "80-90").Min(); !ok || m != Uint64Value(80, 16) {
		t.Errorf("Min = %v, %v", m, ok)
	}
	if _, ok := EmptySet(16).Min(); ok {
		t.Error("Min of the empty set reports a value")
	}
	if s.Len() != 4 || len(s.Intervals()) != 4 || s.Width() != 16 {
		t.Errorf("Len = %d, Intervals = %v, Width = %d", s.Len(), s.Intervals(), s.Width())
	}
	ivs := s.Intervals()
	ivs[0].Hi = Uint64Value(100, 16) // a copy: the set must not change
	if s.String() != "{0x0000, 0x0016, 0x0050-0x005a, 0xffff}" {
		t.Errorf("Intervals shares the set's storage: %v", s)
	}
	full128 := FullSet(128)
	if want, _ := new(big.Int).SetString("0x100000000000000000000000000000000", 0); full128.Size().Cmp(want) != 0 {
		t.Errorf("Size(full 128) = %v", full128.Size())
	}
	if !full128.IsFull() || full128.IsEmpty() || !EmptySet(128).IsEmpty() || EmptySet(128).IsFull() || mk(t, 128, "0-0xfffffffffffffffffffffffffffffffe").IsFull() {
		t.Error("IsFull or IsEmpty wrong at width 128")
	}
	if EmptySet(8).Equal(EmptySet(16)) || !EmptySet(8).Equal(mk(t, 8, "")) || FullSet(8).Equal(mk(t, 8, "0-254")) {
		t.Error("Equal wrong")
	}
}

func TestToPrefixes(t *testing.T) {
	ip := func(s string) Value {
		var a, b, c, d uint64
		if _, err := fmt.Sscanf(s, "%d.%d.%d.%d", &a, &b, &c, &d); err != nil {
			t.Fatal(err)
		}
		return Uint64Value(a<<24|b<<16|c<<8|d, 32)
	}
	for _, tc := range []struct {
		s    IntervalSet
		want []string
	}{
		{RangeSet(ip("10.0.0.0"), ip("10.0.1.255")), []string{"0x0a000000/23"}},
		{RangeSet(ip("10.0.0.1"), ip("10.0.0.6")), []string{"0x0a000001/32", "0x0a000002/31", "0x0a000004/31", "0x0a000006/32"}},
		{RangeSet(ip("10.0.0.0"), ip("10.0.2.0")), []string{"0x0a000000/23", "0x0a000200/32"}},
		{FullSet(32), []string{"0x00000000/0"}},
		{EmptySet(32), nil},
		{RangeSet(ip("0.0.0.1"), ip("255.255.255.255")), func() []string {
			var out []string
			for l := 32; l >= 1; l-- {
				out = append(out, fmt.Sprintf("%v/%d", Uint64Value(1<<(32-l), 32), l))
			}
			return out
		}()},
		{FullSet(1), []string{"0x0/0"}},
		{PointSet(Uint64Value(1, 1)), []string{"0x1/1"}},
		{FullSet(128), []string{"0x00000000000000000000000000000000/0"}},
		{mk(t, 128, "0x20010db8000000000000000000000000-0x20010db8ffffffffffffffffffffffff"), []string{"0x20010db8000000000000000000000000/32"}},
		{mk(t, 160, "0-max"), []string{"0x0000000000000000000000000000000000000000/0"}},
	} {
		var got []string
		for _, c := range tc.s.ToPrefixes() {
			got = append(got, c.String())
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("%v.ToPrefixes() = %v, want %v", tc.s, got, tc.want)
		}
	}
	// Every value but the maximum takes one block per bit at width 128.
	if n := len(mk(t, 128, "0-0xfffffffffffffffffffffffffffffffe").ToPrefixes()); n != 128 {
		t.Errorf("0..max-1 at width 128 splits into %d blocks, want 128", n)
	}
}

func TestIsPrefix(t *testing.T) {
	// Exhaustively at width 8: an interval is a prefix exactly when it is
	// one of the 511 blocks.
	const w = 8
	blocks := map[Interval]CIDR{}
	for l := 0; l <= w; l++ {
		for a := 0; a < 1<<w; a += 1 << (w - l) {
			c := CIDR{Uint64Value(uint64(a), w), l}
			blocks[c.Interval()] = c
		}
	}
	if len(blocks) != 511 {
		t.Fatalf("%d blocks", len(blocks))
	}
	for lo := range 1 << w {
		for hi := lo; hi < 1<<w; hi++ {
			iv := Interval{Uint64Value(uint64(lo), w), Uint64Value(uint64(hi), w)}
			c, ok := iv.IsPrefix()
			want, wantOK := blocks[iv]
			if ok != wantOK || c != want {
				t.Fatalf("%v.IsPrefix() = %v, %v; want %v, %v", iv, c, ok, want, wantOK)
			}
		}
	}
	wide := Interval{ZeroValue(200), MaxValue(200)}
	if c, ok := wide.IsPrefix(); !ok || c.Len != 0 {
		t.Errorf("full range at width 200: %v, %v", c, ok)
	}
	wide.Hi = wide.Hi.sub1()
	if _, ok := wide.IsPrefix(); ok {
		t.Errorf("%v is not a prefix", wide)
	}
}

func TestMaskSet(t *testing.T) {
	v := func(x uint64, w int) Value { return Uint64Value(x, w) }
	for _, tc := range []struct {
		mask, value uint64
		width       int
		want        string // the set, as mk reads it
	}{
		{0x2, 0x2, 4, "2-3,6-7,10-11,14-15"}, // one bit: an interval per free bit pattern above it
		{0xf0, 0x10, 8, "0x10-0x1f"},         // high nibble: one interval
		{0xff, 0x12, 8, "0x12"},              // full mask: a point
		{0x00, 0x00, 8, "0-max"},             // no mask: everything
		{0x00, 0x01, 8, ""},                  // value outside the mask: nothing (ok)
		{0x12, 0x01, 8, ""},                  // likewise
		{0x9, 0x8, 4, "8,10,12,14"},          // free bits between mask bits split into points
		{0x1, 0x1, 1, "1"},
		{0xffffff00, 0x0a000100, 32, "0x0a000100-0x0a0001ff"},
		{0xfff00000, 0, 32, "0-0x000fffff"},
	} {
		got, ok := MaskSet(v(tc.mask, tc.width), v(tc.value, tc.width))
		if !ok {
			t.Errorf("MaskSet(%#x, %#x) not ok", tc.mask, tc.value)
			continue
		}
		expectSet(t, fmt.Sprintf("MaskSet(%#x, %#x)", tc.mask, tc.value), got, mk(t, tc.width, tc.want))
	}
	// The limit: 12 free bits above the lowest mask bit still fit, 13 do not.
	if s, ok := MaskSet(v(0xffffe001, 32), v(1, 32)); !ok || s.Len() != MaxMaskIntervals {
		t.Errorf("12 free bits: ok = %v, %d intervals", ok, s.Len())
	}
	for _, tc := range []struct {
		mask  Value
		value Value
	}{
		{v(0xffffc001, 32), v(1, 32)},
		{v(0x2, 32), v(0x2, 32)}, // ct state established
		{lowMask(128, 1), lowMask(128, 1)},
		{lowMask(300, 1), ZeroValue(300)},
	} {
		if _, ok := MaskSet(tc.mask, tc.value); ok {
			t.Errorf("MaskSet(%v, %v) ok, want past the limit", tc.mask, tc.value)
		}
	}
	// A high ct label bit at width 128 leaves few free bits above it.
	bit120 := bigValue(t, new(big.Int).Lsh(big.NewInt(1), 120), 128)
	if s, ok := MaskSet(bit120, bit120); !ok || s.Len() != 128 || s.Size().Cmp(new(big.Int).Lsh(big.NewInt(1), 127)) != 0 {
		t.Errorf("ct label bit 120: ok = %v, %d intervals", ok, s.Len())
	}
	// tcp flags syn (any of the bits) is the complement of "none of them".
	syn := v(0x02, 8)
	none, _ := MaskSet(syn, ZeroValue(8))
	some := none.Complement()
	for x := range uint64(256) {
		if some.Contains(v(x, 8)) != (x&2 != 0) {
			t.Fatalf("tcp flags syn wrong at %#x", x)
		}
	}
}

func TestCuts(t *testing.T) {
	for _, tc := range []struct {
		width int
		sets  []string
		want  string
	}{
		{8, nil, "0x00-0xff"},
		{8, []string{""}, "0x00-0xff"},
		{8, []string{"0-max"}, "0x00-0xff"},
		{8, []string{"0"}, "0x00 0x01-0xff"},
		{8, []string{"max"}, "0x00-0xfe 0xff"},
		{8, []string{"22", "80", "20-30"}, "0x00-0x13 0x14-0x15 0x16 0x17-0x1e 0x1f-0x4f 0x50 0x51-0xff"},
		{8, []string{"1-5,10", "1-5"}, "0x00 0x01-0x05 0x06-0x09 0x0a 0x0b-0xff"},
		{1, []string{"1"}, "0x0 0x1"},
		{128, []string{"0x10000000000000000"}, "0x00000000000000000000000000000000-0x0000000000000000ffffffffffffffff 0x00000000000000010000000000000000 0x00000000000000010000000000000001-0xffffffffffffffffffffffffffffffff"},
	} {
		var sets []IntervalSet
		for _, s := range tc.sets {
			sets = append(sets, mk(t, tc.width, s))
		}
		var got []string
		for _, iv := range Cuts(tc.width, sets...) {
			got = append(got, iv.String())
		}
		if g := strings.Join(got, " "); g != tc.want {
			t.Errorf("Cuts(%v) = %s, want %s", tc.sets, g, tc.want)
		}
	}
}

// bitset is the brute-force model of a set of values of a small width.
type bitset []bool

func toBitset(s IntervalSet) bitset {
	b := make(bitset, 1<<s.width)
	for _, iv := range s.ivs {
		lo, _ := iv.Lo.Uint64()
		hi, _ := iv.Hi.Uint64()
		for x := lo; x <= hi; x++ {
			b[x] = true
		}
	}
	return b
}

// fromBitset is the normal form of b, built from its runs.
func fromBitset(b bitset, width int) IntervalSet {
	s := IntervalSet{width: width}
	for x := 0; x < len(b); x++ {
		if !b[x] {
			continue
		}
		start := x
		for x+1 < len(b) && b[x+1] {
			x++
		}
		s.ivs = append(s.ivs, Interval{Uint64Value(uint64(start), width), Uint64Value(uint64(x), width)})
	}
	return s
}

func mapBits(a, b bitset, f func(x, y bool) bool) bitset {
	out := make(bitset, len(a))
	for i := range a {
		out[i] = f(a[i], b[i])
	}
	return out
}

// randSet returns a random set of values of a small width, with a bias
// toward the edges (empty, full, 0 and the maximum, adjacent intervals).
func randSet(r *rand.Rand, width int) IntervalSet {
	n := uint64(1) << width
	var ivs []Interval
	switch r.Intn(10) {
	case 0:
		return EmptySet(width)
	case 1:
		return FullSet(width)
	}
	for range r.Intn(8) {
		var lo uint64
		switch r.Intn(4) {
		case 0:
			lo = 0
		case 1:
			lo = n - 1 - uint64(r.Intn(3))
		default:
			lo = uint64(r.Int63n(int64(n)))
		}
		size := uint64(r.Intn(4))
		if r.Intn(3) == 0 {
			size = uint64(r.Int63n(int64(n / 4)))
		}
		hi := min(lo+size, n-1)
		ivs = append(ivs, Interval{Uint64Value(lo, width), Uint64Value(hi, width)})
	}
	return NewIntervalSet(width, ivs...)
}

// TestIntervalSetBruteForce compares every operation with the bitset
// model over widths 8 and 12.
func TestIntervalSetBruteForce(t *testing.T) {
	r := rand.New(rand.NewSource(2))
	for _, w := range []int{8, 12} {
		n := 1 << w
		for range 400 {
			s, u := randSet(r, w), randSet(r, w)
			bs, bu := toBitset(s), toBitset(u)
			checkNormal(t, "random", s)
			expectSet(t, "model round trip", fromBitset(bs, w), s)
			expectSet(t, fmt.Sprintf("%v ∪ %v", s, u), s.Union(u), fromBitset(mapBits(bs, bu, func(x, y bool) bool { return x || y }), w))
			expectSet(t, fmt.Sprintf("%v ∩ %v", s, u), s.Intersect(u), fromBitset(mapBits(bs, bu, func(x, y bool) bool { return x && y }), w))
			expectSet(t, fmt.Sprintf("%v − %v", s, u), s.Subtract(u), fromBitset(mapBits(bs, bu, func(x, y bool) bool { return x && !y }), w))
			expectSet(t, fmt.Sprintf("¬%v", s), s.Complement(), fromBitset(mapBits(bs, bs, func(x, _ bool) bool { return !x }), w))
			count, subset, overlaps, first := 0, true, false, -1
			for x := range n {
				if s.Contains(Uint64Value(uint64(x), w)) != bs[x] {
					t.Fatalf("%v.Contains(%#x) wrong", s, x)
				}
				if bs[x] {
					count++
					subset = subset && bu[x]
					overlaps = overlaps || bu[x]
					if first < 0 {
						first = x
					}
				}
			}
			if s.Size().Int64() != int64(count) || s.Subset(u) != subset || s.Overlaps(u) != overlaps ||
				s.IsEmpty() != (count == 0) || s.IsFull() != (count == n) || s.Equal(u) != slices.Equal(bs, bu) {
				t.Fatalf("%v vs %v: Size %v/%d, Subset %v/%v, Overlaps %v/%v", s, u, s.Size(), count, s.Subset(u), subset, s.Overlaps(u), overlaps)
			}
			if m, ok := s.Min(); ok != (first >= 0) || (ok && m != Uint64Value(uint64(first), w)) {
				t.Fatalf("%v.Min() = %v, %v", s, m, ok)
			}
			checkPrefixes(t, s)
			checkCuts(t, w, []IntervalSet{s, u, randSet(r, w)})

			mask, value := uint64(r.Intn(n)), uint64(r.Intn(n))
			if r.Intn(2) == 0 {
				value &= mask
			}
			ms, ok := MaskSet(Uint64Value(mask, w), Uint64Value(value, w))
			if !ok {
				continue // too many intervals at width 12; the limit is tested apart
			}
			want := make(bitset, n)
			for x := range n {
				want[x] = uint64(x)&mask == value
			}
			expectSet(t, fmt.Sprintf("MaskSet(%#x, %#x)", mask, value), ms, fromBitset(want, w))
		}
	}
}

// checkPrefixes checks that s.ToPrefixes() is a list of disjoint blocks
// in order whose union is s, and that each interval takes the fewest
// blocks, found by dynamic programming over the interval's values.
func checkPrefixes(t *testing.T, s IntervalSet) {
	t.Helper()
	ps := s.ToPrefixes()
	var ivs []Interval
	for i, c := range ps {
		iv := c.Interval()
		if got, ok := iv.IsPrefix(); !ok || got != c {
			t.Fatalf("%v: block %v is not a prefix", s, c)
		}
		if i > 0 && ivs[i-1].Hi.Compare(iv.Lo) >= 0 {
			t.Fatalf("%v: blocks out of order: %v", s, ps)
		}
		ivs = append(ivs, iv)
	}
	expectSet(t, "union of prefixes", NewIntervalSet(s.width, ivs...), s)
	want := 0
	for _, iv := range s.ivs {
		lo, _ := iv.Lo.Uint64()
		hi, _ := iv.Hi.Uint64()
		// best[i] is the fewest blocks covering lo+i..hi exactly.
		best := make([]int, hi-lo+2)
		for x := hi; ; x-- {
			i := x - lo
			best[i] = int(hi - lo + 2)
			for k := 0; k <= s.width && x&(1<<k-1) == 0 && x+(1<<k-1) <= hi; k++ {
				best[i] = min(best[i], 1+best[i+1<<k])
			}
			if x == lo {
				break
			}
		}
		want += best[0]
	}
	if len(ps) != want {
		t.Fatalf("%v.ToPrefixes() = %d blocks %v, want %d", s, len(ps), ps, want)
	}
}

// checkCuts checks the definition of Cuts: the pieces cover every value
// in order, each lies wholly inside or outside every set, and no two
// neighbours could merge (they differ in some set).
func checkCuts(t *testing.T, width int, sets []IntervalSet) {
	t.Helper()
	cuts := Cuts(width, sets...)
	member := func(iv Interval) string {
		var b strings.Builder
		for _, s := range sets {
			piece := IntervalSet{width: width, ivs: []Interval{iv}}
			switch in := s.Intersect(piece); {
			case in.IsEmpty():
				b.WriteByte('0')
			case in.Equal(piece):
				b.WriteByte('1')
			default:
				t.Fatalf("Cuts(%v): piece %v straddles %v", sets, iv, s)
			}
		}
		return b.String()
	}
	next := ZeroValue(width)
	prev := ""
	for i, iv := range cuts {
		if iv.Lo != next || iv.Lo.Compare(iv.Hi) > 0 {
			t.Fatalf("Cuts(%v): piece %d %v does not follow %v", sets, i, iv, next)
		}
		m := member(iv)
		if i > 0 && m == prev {
			t.Fatalf("Cuts(%v): pieces %d and %d could merge", sets, i-1, i)
		}
		prev = m
		next, _ = iv.Hi.Next()
	}
	if len(cuts) == 0 || !cuts[len(cuts)-1].Hi.isMax() {
		t.Fatalf("Cuts(%v) = %v does not reach the maximum", sets, cuts)
	}
}

// randWideSet returns a random set at any width, its bounds drawn from
// randBig so that they fall near word boundaries.
func randWideSet(t testing.TB, r *rand.Rand, width int) IntervalSet {
	var ivs []Interval
	for range r.Intn(6) {
		a, b := bigValue(t, randBig(r, width), width), bigValue(t, randBig(r, width), width)
		if a.Compare(b) > 0 {
			a, b = b, a
		}
		if r.Intn(3) == 0 { // a short interval, or one just past the last
			b = a
			if len(ivs) > 0 {
				if n, ok := ivs[len(ivs)-1].Hi.Next(); ok {
					a, b = n, n
				}
			}
		}
		ivs = append(ivs, Interval{a, b})
	}
	return NewIntervalSet(width, ivs...)
}

// TestIntervalSetLaws checks algebraic laws at widths too large for the
// brute-force model, in both value representations.
func TestIntervalSetLaws(t *testing.T) {
	r := rand.New(rand.NewSource(3))
	for _, w := range []int{16, 63, 64, 65, 128, 129, 200, 512} {
		for range 150 {
			s, u := randWideSet(t, r, w), randWideSet(t, r, w)
			union, inter, sub := s.Union(u), s.Intersect(u), s.Subtract(u)
			for name, x := range map[string]IntervalSet{"s": s, "union": union, "inter": inter, "sub": sub, "compl": s.Complement()} {
				checkNormal(t, name, x)
			}
			expectSet(t, "De Morgan", union.Complement(), s.Complement().Intersect(u.Complement()))
			expectSet(t, "s − u = s ∩ ¬u", sub, s.Intersect(u.Complement()))
			expectSet(t, "(s − u) ∪ (s ∩ u) = s", sub.Union(inter), s)
			expectSet(t, "¬¬s", s.Complement().Complement(), s)
			if !union.Union(union.Complement()).IsFull() || !s.Intersect(s.Complement()).IsEmpty() {
				t.Fatalf("w%d: s ∪ ¬s or s ∩ ¬s wrong for %v", w, s)
			}
			lhs := new(big.Int).Add(union.Size(), inter.Size())
			if rhs := new(big.Int).Add(s.Size(), u.Size()); lhs.Cmp(rhs) != 0 {
				t.Fatalf("w%d: |s ∪ u| + |s ∩ u| = %v, |s| + |u| = %v", w, lhs, rhs)
			}
			if !s.Subset(union) || !inter.Subset(s) || s.Subset(u) != sub.IsEmpty() || s.Overlaps(u) == inter.IsEmpty() {
				t.Fatalf("w%d: Subset or Overlaps wrong for %v, %v", w, s, u)
			}
			for _, iv := range u.ivs { // probe at and around u's bounds
				probes := []Value{iv.Lo, iv.Hi}
				if p, ok := iv.Lo.Prev(); ok {
					probes = append(probes, p)
				}
				if n, ok := iv.Hi.Next(); ok {
					probes = append(probes, n)
				}
				for _, x := range probes {
					in := s.Contains(x)
					if union.Contains(x) != (in || u.Contains(x)) || inter.Contains(x) != (in && u.Contains(x)) || sub.Contains(x) != (in && !u.Contains(x)) {
						t.Fatalf("w%d: membership of %v wrong for %v, %v", w, x, s, u)
					}
				}
			}
			var blocks []Interval
			for _, c := range s.ToPrefixes() {
				blocks = append(blocks, c.Interval())
			}
			expectSet(t, "union of prefixes", NewIntervalSet(w, blocks...), s)
			checkCuts(t, w, []IntervalSet{s, u})
			if m, ok := s.Min(); ok && (!s.Contains(m) || !RangeSet(ZeroValue(w), m).Intersect(s).Equal(PointSet(m))) {
				t.Fatalf("w%d: Min %v of %v is not the least", w, m, s)
			}
		}
	}
}

func benchIntervals(r *rand.Rand, n int) []Interval {
	ivs := make([]Interval, n)
	for i := range ivs {
		lo := r.Uint32()
		hi := lo + uint32(r.Intn(1<<16))
		if hi < lo {
			hi = ^uint32(0)
		}
		ivs[i] = Interval{Uint64Value(uint64(lo), 32), Uint64Value(uint64(hi), 32)}
	}
	return ivs
}

// BenchmarkIntervalUnion measures normalizing 10k random 32-bit
// intervals into a set, and the union of two such sets.
func BenchmarkIntervalUnion(b *testing.B) {
	r := rand.New(rand.NewSource(4))
	a, c := benchIntervals(r, 10000), benchIntervals(r, 10000)
	b.Run("build", func(b *testing.B) {
		for b.Loop() {
			NewIntervalSet(32, a...)
		}
	})
	s, u := NewIntervalSet(32, a...), NewIntervalSet(32, c...)
	b.Run("union", func(b *testing.B) {
		for b.Loop() {
			s.Union(u)
		}
	})
}

func TestIntervalSetKey(t *testing.T) {
	v := func(x uint64) Value { return Uint64Value(x, 16) }
	a := NewIntervalSet(16, Interval{Lo: v(1), Hi: v(5)}, Interval{Lo: v(6), Hi: v(9)})
	b := RangeSet(v(1), v(9))
	c := RangeSet(v(1), v(8))
	if a.Key() != b.Key() {
		t.Errorf("equal sets, different keys: %s %s", a, b)
	}
	if a.Key() == c.Key() {
		t.Errorf("different sets, equal keys: %s %s", a, c)
	}
	w := PrefixSet(Uint64Value(0, 136), 8)
	if w.Key() == PrefixSet(Uint64Value(0, 136), 9).Key() {
		t.Errorf("wide sets: equal keys")
	}
}
