package ir

import (
	"bytes"
	"math/big"
	"math/rand"
	"testing"
)

// bigValue makes a value of width bits from a big.Int in range.
func bigValue(t testing.TB, n *big.Int, width int) Value {
	t.Helper()
	v, err := ValueOf(n.Bytes(), width)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// randBig returns a random number of width bits, biased toward the edges
// where carries cross words: 0, the maximum, powers of two and their
// neighbours.
func randBig(r *rand.Rand, width int) *big.Int {
	limit := new(big.Int).Lsh(big.NewInt(1), uint(width))
	n := new(big.Int)
	switch r.Intn(6) {
	case 0:
	case 1:
		n.Sub(limit, big.NewInt(1))
	case 2, 3:
		n.Rand(r, limit)
	case 4:
		n.Lsh(big.NewInt(1), uint(r.Intn(width)))
		n.Add(n, big.NewInt(int64(r.Intn(3)-1)))
	default:
		n.SetInt64(int64(r.Intn(4)))
	}
	if n.Sign() < 0 {
		n.SetInt64(0)
	}
	if n.Cmp(limit) >= 0 {
		n.Sub(limit, big.NewInt(1))
	}
	return n
}

var testWidths = []int{1, 2, 6, 7, 8, 9, 16, 31, 32, 33, 48, 63, 64, 65, 100, 127, 128, 129, 160, 255, 256, 1000, MaxWidth}

// TestValueArithmetic checks every primitive, in both representations,
// against math/big.
func TestValueArithmetic(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	for _, w := range testWidths {
		maxBig := new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), uint(w)), big.NewInt(1))
		for range 300 {
			a, b := randBig(r, w), randBig(r, w)
			va, vb := bigValue(t, a, w), bigValue(t, b, w)
			check := func(op string, got Value, want *big.Int) {
				t.Helper()
				if got.width != w || got.toBig().Cmp(want) != 0 {
					t.Fatalf("width %d: %s(%v, %v) = %v, want %#x", w, op, va, vb, got, want)
				}
				if again := bigValue(t, want, w); again != got {
					t.Fatalf("width %d: %s result %#v not canonical (want %#v)", w, op, got, again)
				}
			}
			if got, want := va.Compare(vb), a.Cmp(b); got != want {
				t.Fatalf("width %d: Compare(%v, %v) = %d, want %d", w, va, vb, got, want)
			}
			if (va == vb) != (a.Cmp(b) == 0) {
				t.Fatalf("width %d: == disagrees with value equality for %v, %v", w, va, vb)
			}
			check("and", va.and(vb), new(big.Int).And(a, b))
			check("or", va.or(vb), new(big.Int).Or(a, b))
			check("not", va.not(), new(big.Int).Xor(a, maxBig))
			if a.Cmp(b) >= 0 {
				check("sub", va.sub(vb), new(big.Int).Sub(a, b))
			}
			next, ok := va.Next()
			if ok != (a.Cmp(maxBig) != 0) || va.isMax() == ok {
				t.Fatalf("width %d: Next(%v) ok = %v", w, va, ok)
			}
			if ok {
				check("Next", next, new(big.Int).Add(a, big.NewInt(1)))
			}
			prev, ok := va.Prev()
			if ok != (a.Sign() != 0) || va.isZero() == ok {
				t.Fatalf("width %d: Prev(%v) ok = %v", w, va, ok)
			}
			if ok {
				check("Prev", prev, new(big.Int).Sub(a, big.NewInt(1)))
			}
			if got := va.bitLen(); got != a.BitLen() {
				t.Fatalf("width %d: bitLen(%v) = %d, want %d", w, va, got, a.BitLen())
			}
			wantTZ := w
			if a.Sign() != 0 {
				wantTZ = int(a.TrailingZeroBits())
			}
			if got := va.trailingZeros(); got != wantTZ {
				t.Fatalf("width %d: trailingZeros(%v) = %d, want %d", w, va, got, wantTZ)
			}
			ones := 0
			for i := range w {
				ones += int(a.Bit(i))
			}
			if got := va.onesCount(); got != ones {
				t.Fatalf("width %d: onesCount(%v) = %d, want %d", w, va, got, ones)
			}
			if got, ok := va.Uint64(); ok != a.IsUint64() || (ok && got != a.Uint64()) {
				t.Fatalf("width %d: Uint64(%v) = %d, %v", w, va, got, ok)
			}
			want := a.FillBytes(make([]byte, (w+7)/8))
			if got := va.Bytes(); !bytes.Equal(got, want) {
				t.Fatalf("width %d: Bytes(%v) = %x, want %x", w, va, got, want)
			}
			k := r.Intn(w + 1)
			mask := new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), uint(k)), big.NewInt(1))
			check("lowMask", lowMask(w, k), mask)
		}
		if ZeroValue(w).toBig().Sign() != 0 || MaxValue(w).toBig().Cmp(maxBig) != 0 {
			t.Fatalf("width %d: ZeroValue or MaxValue wrong", w)
		}
	}
}

func TestValueOf(t *testing.T) {
	for _, tc := range []struct {
		b     []byte
		width int
		want  string // String(), or "" for an error
	}{
		{[]byte{0x0a, 0, 0, 1}, 32, "0x0a000001"},
		{[]byte{0x01}, 1, "0x1"},
		{[]byte{0x02}, 1, ""},
		{[]byte{0x3f}, 6, "0x3f"},
		{[]byte{0x40}, 6, ""},
		{[]byte{0, 0, 0x16}, 16, "0x0016"}, // leading zero bytes are fine
		{[]byte{0x16}, 16, "0x0016"},       // and so are missing ones
		{[]byte{1, 0, 0}, 16, ""},
		{nil, 12, "0x000"},
		{bytes.Repeat([]byte{0xff}, 16), 128, "0x" + string(bytes.Repeat([]byte("f"), 32))},
		{[]byte{1}, 130, "0x" + string(bytes.Repeat([]byte("0"), 32)) + "1"},
		{append([]byte{4}, make([]byte, 16)...), 130, ""},
	} {
		v, err := ValueOf(tc.b, tc.width)
		switch {
		case tc.want == "" && err == nil:
			t.Errorf("ValueOf(%x, %d) = %v, want an error", tc.b, tc.width, v)
		case tc.want != "" && err != nil:
			t.Errorf("ValueOf(%x, %d): %v", tc.b, tc.width, err)
		case tc.want != "" && v.String() != tc.want:
			t.Errorf("ValueOf(%x, %d) = %v, want %s", tc.b, tc.width, v, tc.want)
		}
	}
	if s := (Value{}).String(); s != "<invalid>" {
		t.Errorf("zero Value prints %q", s)
	}
}

func TestValuePanics(t *testing.T) {
	for name, f := range map[string]func(){
		"too wide":       func() { Uint64Value(256, 8) },
		"width 0":        func() { ZeroValue(0) },
		"width too big":  func() { MaxValue(MaxWidth + 1) },
		"mixed widths":   func() { Uint64Value(1, 8).Compare(Uint64Value(1, 16)) },
		"mixed in a set": func() { EmptySet(8).Union(EmptySet(16)) },
		"zero set":       func() { IntervalSet{}.Contains(Uint64Value(1, 8)) },
		"prefix length":  func() { PrefixSet(Uint64Value(1, 8), 9) },
		"interval width": func() { NewIntervalSet(8, Interval{Uint64Value(1, 16), Uint64Value(2, 16)}) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			f()
		}()
	}
}
