package ir

import (
	"math/big"
	"testing"
)

// TestParseNumberMatchesBig holds parseNumber's fast path to big.Int's
// SetString(s, 0), which it replaces for small plain numbers.
func TestParseNumberMatchesBig(t *testing.T) {
	inputs := []string{
		"0", "1", "9", "10", "007", "08", "0x", "0x0", "0X1f", "0xFFFFFFFFFFFFFFFF",
		"0x10000000000000000", "18446744073709551615", "18446744073709551616",
		"1_000", "0x_1", "0b101", "0o17", "017", "+1", "-1", "1e3", "12a", "a",
		"0x00004000", "65535", "4294967296", " 1", "1 ",
		"1.2.3.4", "::1", "10.0.0.0/8", "1:2", "0x1.p1", "1e", "eth0", "0x_ff", "1__0",
	}
	for _, s := range inputs {
		want, wantOK := new(big.Int).SetString(s, 0)
		if wantOK && want.Sign() < 0 {
			want, wantOK = nil, false
		}
		got, gotOK := parseNumber(s)
		if gotOK != wantOK || gotOK && got.Cmp(want) != 0 {
			t.Errorf("parseNumber(%q) = %v, %v; SetString gives %v, %v", s, got, gotOK, want, wantOK)
		}
	}
}
