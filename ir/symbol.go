package ir

// Symbol is one symbolic constant of a datatype, as nft spells it
// (for example "established" for ct_state, "ssh" for inet_service).
type Symbol struct {
	Name  string
	Value uint64
}

// SymbolsOf returns the symbolic constants of the nft datatype named
// name ("icmp_type", "ct_state", ...), in nft's listing order.
func SymbolsOf(name string) []Symbol { return symbolTables[name] }

// LookupSymbol finds the value of a symbolic constant of datatype name.
func LookupSymbol(name, sym string) (uint64, bool) {
	for _, s := range symbolTables[name] {
		if s.Name == sym {
			return s.Value, true
		}
	}
	return 0, false
}

// SymbolName returns the name nft prints for value v of datatype name.
func SymbolName(name string, v uint64) (string, bool) {
	for _, s := range symbolTables[name] {
		if s.Value == v {
			return s.Name, true
		}
	}
	return "", false
}
