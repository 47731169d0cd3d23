package nft

import "github.com/nftopt/nftopt/ir"

// Version is an nft release, major, minor and patch: {1, 0, 6}.
type Version [3]int

// AtLeast reports whether v is min or newer.
func (v Version) AtLeast(min Version) bool {
	for i := range v {
		if v[i] != min[i] {
			return v[i] > min[i]
		}
	}
	return true
}

// symbolsSince lists the symbol names nft parses only from some release
// on, by symbol table: nftables 1.1.4 (commit cfd76861, "src: add
// conntrack information to trace monitor mode") added the ct status bits
// after dnat; 1.0.6 rejects them ("Could not parse conntrack status").
var symbolsSince = map[string]map[string]Version{
	"ct_status": {
		"seq-adjust": {1, 1, 4}, "snat-done": {1, 1, 4}, "dnat-done": {1, 1, 4},
		"fixed-timeout": {1, 1, 4}, "helper": {1, 1, 4}, "offload": {1, 1, 4}, "hw-offload": {1, 1, 4},
	},
}

// Parses reports whether nft release v parses name of symbol table;
// the zero Version (the newest) parses every name.
func (v Version) Parses(table, name string) bool {
	if v == (Version{}) {
		return true
	}
	since, ok := symbolsSince[table][name]
	return !ok || v.AtLeast(since)
}

// Symbols returns the symbols of table that nft release v parses.
func (v Version) Symbols(table string) []ir.Symbol {
	all := ir.SymbolsOf(table)
	if v == (Version{}) || symbolsSince[table] == nil {
		return all
	}
	var out []ir.Symbol
	for _, s := range all {
		if v.Parses(table, s.Name) {
			out = append(out, s)
		}
	}
	return out
}

// SymbolName returns the name of value val in table that nft release v
// parses.
func (v Version) SymbolName(table string, val uint64) (string, bool) {
	n, ok := ir.SymbolName(table, val)
	if !ok || !v.Parses(table, n) {
		return "", false
	}
	return n, true
}
