package ir

import "testing"

func TestSymbolTablesKnownEntries(t *testing.T) {
	tests := []struct {
		typ, name string
		want      uint64
	}{
		{"ct_state", "invalid", 0x01},
		{"ct_state", "established", 0x02},
		{"ct_state", "related", 0x04},
		{"ct_state", "new", 0x08},
		{"ct_state", "untracked", 0x40},
		{"ct_status", "dnat", 0x20},
		{"ct_dir", "reply", 1},
		{"tcp_flag", "syn", 0x02},
		{"tcp_flag", "ack", 0x10},
		{"tcp_flag", "cwr", 0x80},
		{"ether_type", "ip", 0x0800},
		{"ether_type", "ip6", 0x86dd},
		{"ether_type", "vlan", 0x8100},
		{"icmp_type", "echo-request", 8},
		{"icmpv6_type", "nd-neighbor-solicit", 135},
		{"icmpx_code", "admin-prohibited", 3},
		{"pkt_type", "broadcast", 1},
		{"nf_proto", "ipv6", 10},
		{"dscp", "ef", 0x2e},
		{"fib_addrtype", "local", 2},
		{"day", "Saturday", 6},
		{"inet_proto", "tcp", 6},
		{"inet_proto", "udp", 17},
		{"inet_proto", "icmpv6", 58},
		{"inet_service", "ssh", 22},
		{"inet_service", "https", 443},
		{"inet_service", "domain", 53},
	}
	for _, tt := range tests {
		got, ok := LookupSymbol(tt.typ, tt.name)
		if !ok || got != tt.want {
			t.Errorf("LookupSymbol(%q, %q) = %#x, %v; want %#x, true", tt.typ, tt.name, got, ok, tt.want)
		}
	}
}

func TestSymbolTablesPrintNames(t *testing.T) {
	// The first entry with a value is the name nft prints for it.
	tests := []struct {
		typ  string
		v    uint64
		want string
	}{
		{"ether_type", 0x8100, "8021q"},
		{"pkt_type", 0, "host"},
		{"dscp", 0, "cs0"},
		{"icmpv6_type", 132, "mld-listener-done"},
		{"inet_proto", 58, "ipv6-icmp"},
		{"inet_proto", 0, "ip"},
		{"inet_service", 21, "ftp"},
	}
	for _, tt := range tests {
		got, ok := SymbolName(tt.typ, tt.v)
		if !ok || got != tt.want {
			t.Errorf("SymbolName(%q, %#x) = %q, %v; want %q, true", tt.typ, tt.v, got, ok, tt.want)
		}
	}
}

func TestSymbolTablesNoDuplicateNames(t *testing.T) {
	for typ, syms := range symbolTables {
		if len(syms) == 0 {
			t.Errorf("%s: empty table", typ)
		}
		seen := make(map[string]bool, len(syms))
		for _, s := range syms {
			if s.Name == "" {
				t.Errorf("%s: empty symbol name", typ)
			}
			if seen[s.Name] {
				t.Errorf("%s: duplicate symbol %q", typ, s.Name)
			}
			seen[s.Name] = true
		}
	}
}

func TestBitmaskTypes(t *testing.T) {
	for _, typ := range []string{"ct_state", "ct_status", "ct_event", "tcp_flag"} {
		if !bitmaskTypes[typ] {
			t.Errorf("%s should be a bitmask type", typ)
		}
		if len(SymbolsOf(typ)) == 0 {
			t.Errorf("%s has no symbols", typ)
		}
	}
	for _, typ := range []string{"fib_addrtype", "icmp_type", "ether_type", "pkt_type"} {
		if bitmaskTypes[typ] {
			t.Errorf("%s should not be a bitmask type", typ)
		}
	}
}
