package equiv

import (
	"reflect"
	"slices"
	"testing"

	"github.com/nftopt/nftopt/parser"
)

// TestPrepared: a Check whose first side was compiled ahead by Prepare
// gives the answer a Check without it gives (classes, differences and
// their packets), whether the programs were ready, taken before the
// background compiler got to them, or abandoned by Close.
func TestPrepared(t *testing.T) {
	a, err := parser.Parse("a.nft", []byte(`table inet f {
	chain in {
		type filter hook input priority filter; policy drop;
		tcp dport 22 accept
		tcp dport 80 accept
		ip saddr 10.0.0.1 drop
		udp dport 53 accept
	}
	chain out {
		type filter hook output priority filter; policy accept;
		ip daddr 10.9.9.9 drop
	}
	chain orphan {
		tcp dport 1 accept
	}
}
table ip n {
	chain pre {
		type nat hook prerouting priority dstnat; policy accept;
		tcp dport 8080 dnat to 192.168.1.10:80
		tcp dport 2222 dnat to 192.168.1.11:22
	}
}
`), parser.Options{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := parser.Parse("b.nft", []byte(`table inet f {
	chain in {
		type filter hook input priority filter; policy drop;
		tcp dport { 22, 80 } accept
		ip saddr 10.0.0.1 drop
		udp dport 53 accept
	}
	chain out {
		type filter hook output priority filter; policy accept;
		ip daddr 10.9.9.8 drop
	}
	chain orphan {
		tcp dport 2 accept
	}
}
table ip n {
	chain pre {
		type nat hook prerouting priority dstnat; policy accept;
		dnat ip to tcp dport map { 8080 : 192.168.1.10 . 80, 2222 : 192.168.1.11 . 22 }
	}
}
`), parser.Options{})
	if err != nil {
		t.Fatal(err)
	}
	opts := Options{MaxDiffs: 10}
	want := Check(a, b, opts)
	if want.Equivalent || len(want.Diffs) == 0 {
		t.Fatalf("the output chain differs: want differences, got %+v", want)
	}
	// The chain no base chain reaches is checked on its own entry, from
	// the reachability Prepare works out.
	if !slices.ContainsFunc(want.Diffs, func(d Diff) bool { return d.Hook == "chain inet f orphan" }) {
		t.Fatalf("the unreached chain differs: want a difference there, got %+v", want.Diffs)
	}
	same := func(name string, got Result) {
		t.Helper()
		if got.Classes != want.Classes || got.Equivalent != want.Equivalent || !reflect.DeepEqual(got.Unknown, want.Unknown) || len(got.Diffs) != len(want.Diffs) {
			t.Fatalf("%s: %+v, without Prepare %+v", name, got, want)
		}
		for i := range got.Diffs {
			if !reflect.DeepEqual(got.Diffs[i].Packet, want.Diffs[i].Packet) || got.Diffs[i].Hook != want.Diffs[i].Hook {
				t.Errorf("%s: difference %d is %v at %s, without Prepare %v at %s", name, i, got.Diffs[i].Packet, got.Diffs[i].Hook, want.Diffs[i].Packet, want.Diffs[i].Hook)
			}
		}
	}

	// Ready: every prepared program compiled before the Check.
	pr := Prepare(a, Options{})
	<-pr.done
	if len(pr.entries) == 0 {
		t.Fatal("nothing was prepared")
	}
	ready := 0
	for _, e := range pr.entries {
		if e.p != nil {
			ready++
		}
	}
	o := opts
	o.Prepared = pr
	same("prepared", Check(a, b, o))
	pr.Close()
	if ready == 0 || len(pr.entries) != 0 {
		t.Errorf("%d programs ready, %d left untaken: the Check must take them all", ready, len(pr.entries))
	}

	// Taken or not: whatever the schedule, the same answer.
	for range 20 {
		pr := Prepare(a, Options{})
		o.Prepared = pr
		same("racing", Check(a, b, o))
		pr.Close()
	}

	// Abandoned: Close stops the compiler; a prepared program of another
	// ruleset is never used.
	Prepare(a, Options{}).Close()
	pr = Prepare(b, Options{})
	o.Prepared = pr
	same("other ruleset", Check(a, b, o))
	pr.Close()
}
