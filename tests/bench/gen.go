// Package bench generates synthetic nftables rulesets of a chosen size
// for benchmarks and scale tests. Every generator is deterministic (the
// same n always gives the same text, byte for byte), writes nft text that
// `nft -c -f` accepts, and puts exactly n rules into it once n reaches
// the generator's documented minimum (below it, the minimum ruleset).
//
// The shapes imitate the generated firewalls nftopt is meant for: a long
// address blocklist, a long port allowlist, kube-proxy's service and
// endpoint chains, and firewalld's or libvirt's zone dispatch.
package bench

import (
	"fmt"
	"strings"
)

// Generator is a named ruleset generator.
type Generator struct {
	// Name is the generator's function name, used in benchmark names.
	Name string
	// Gen returns a ruleset with n rules (see MinRules).
	Gen func(n int) string
	// MinRules is the smallest n for which Gen returns exactly n rules;
	// a smaller n gives the ruleset of MinRules rules.
	MinRules int
}

// Generators lists every generator of this package.
var Generators = []Generator{
	{"Blocklist", Blocklist, 0},
	{"PortList", PortList, 0},
	{"KubeProxy", KubeProxy, kubeFixedRules},
	{"Zones", Zones, zonesFixedRules},
	{"Mixed", Mixed, mixedMinRules},
}

// writer builds nft text and counts the rules written.
type writer struct {
	sb    strings.Builder
	rules int
}

// line writes one line of format, indented by depth tabs.
func (w *writer) line(depth int, format string, args ...any) {
	for range depth {
		w.sb.WriteByte('\t')
	}
	fmt.Fprintf(&w.sb, format, args...)
	w.sb.WriteByte('\n')
}

// rule writes one rule inside a chain and counts it.
func (w *writer) rule(format string, args ...any) {
	w.line(2, format, args...)
	w.rules++
}

// ipv4 formats the address v as a dotted quad.
func ipv4(v uint32) string {
	return fmt.Sprintf("%d.%d.%d.%d", v>>24, v>>16&0xff, v>>8&0xff, v&0xff)
}

// blocklistOctets are the first octets of blocklisted addresses.
var blocklistOctets = [...]uint32{23, 45, 62, 77, 91, 103, 185, 203}

// blocklistAddr is the i-th blocklisted address. Its last three octets
// are i times an odd constant modulo 2^24, a permutation, so the
// addresses are distinct for i < 2^24 and look scattered rather than
// sequential.
func blocklistAddr(i int) string {
	p := uint32(i) * 0x9e3779b1 & 0xffffff
	return ipv4(blocklistOctets[i%len(blocklistOctets)]<<24 | p)
}

// blocklistRules writes n rules `ip saddr A.B.C.D drop`.
func blocklistRules(w *writer, n int) {
	for i := range n {
		w.rule("ip saddr %s drop", blocklistAddr(i))
	}
}

// portRules writes n rules `tcp dport P accept` or `udp dport P accept`,
// about 30% of them udp. Ports are 1 + i*7919 mod 65535, distinct for the
// first 65535 rules.
func portRules(w *writer, n int) {
	for i := range n {
		proto := "tcp"
		if i*7%10 < 3 {
			proto = "udp"
		}
		w.rule("%s dport %d accept", proto, 1+i*7919%65535)
	}
}

// Blocklist returns a ruleset with one table (inet filter) whose input
// base chain holds n rules `ip saddr A.B.C.D drop`, one distinct address
// per rule (distinct up to 2^24 rules): the shape of a fail2ban or
// threat-feed blocklist written one rule per address.
func Blocklist(n int) string {
	var w writer
	w.line(0, "table inet filter {")
	w.line(1, "chain input {")
	w.line(2, "type filter hook input priority filter; policy accept;")
	blocklistRules(&w, n)
	w.line(1, "}")
	w.line(0, "}")
	return w.sb.String()
}

// PortList returns a ruleset with one table (inet filter) whose input
// base chain (policy drop) holds n rules `tcp dport P accept` or
// `udp dport P accept` (about 70% tcp, 30% udp), ports distinct for the
// first 65535 rules: a hand-written allowlist, one rule per port.
func PortList(n int) string {
	var w writer
	w.line(0, "table inet filter {")
	w.line(1, "chain input {")
	w.line(2, "type filter hook input priority filter; policy drop;")
	portRules(&w, n)
	w.line(1, "}")
	w.line(0, "}")
	return w.sb.String()
}

// kubeFixedRules is the number of rules of KubeProxy's fixed chains
// (nat hooks, masquerading); kubeServiceRules is the number of rules
// per service.
const (
	kubeFixedRules   = 7
	kubeServiceRules = 7
)

// kubePorts are the service ports KubeProxy cycles through.
var kubePorts = [...]int{80, 443, 8080, 9090, 5432, 6379, 3306, 8443}

// KubeProxy returns a ruleset shaped like kube-proxy's nftables mode, in
// one table (ip kube-proxy): nat base chains for prerouting, output and
// postrouting, the masquerading and mark-for-masquerade chains, a
// services chain with one rule per service
// (`ip daddr X tcp dport P jump service-...`), and per service a chain
// that marks off-cluster traffic for masquerading and picks one of two
// endpoint chains with `numgen random mod 2 vmap { 0 : goto ..., 1 :
// goto ... }`; each endpoint chain marks hairpin traffic and ends in
// `meta l4proto tcp counter dnat to 10.x.y.z:8080 comment "..."`.
// Chain names follow kube-proxy's (hash, namespace/name/protocol/port),
// slashes included. Each service takes 7 rules; the n-7-7k rules left
// over reject traffic to services without endpoints in a filter-forward
// base chain. Exact for n >= 7; cluster IPs are distinct up to about a
// million services.
func KubeProxy(n int) string {
	var w writer
	kubeProxyTable(&w, n)
	return w.sb.String()
}

// kubeProxyTable writes KubeProxy's table with n rules to w.
func kubeProxyTable(w *writer, n int) {
	budget := max(n-kubeFixedRules, 0)
	services := budget / kubeServiceRules
	noEndpoints := budget % kubeServiceRules
	clusterIP := func(k int) string { return ipv4(172<<24 + 16<<16 + uint32(k) + 1) }
	podIP := func(e int) string { return ipv4(10<<24 + uint32(e) + 2) }
	svcName := func(k int) string {
		return fmt.Sprintf("ns%d/svc%d/tcp/p%d", k%97, k, kubePorts[k%len(kubePorts)])
	}
	svcChain := func(k int) string { return fmt.Sprintf("service-%s-%s", kubeHash(k), svcName(k)) }
	epChain := func(k, j int) string {
		e := 2*k + j
		return fmt.Sprintf("endpoint-%s-%s__%s/8080", kubeHash(-e-1), svcName(k), podIP(e))
	}

	w.line(0, "table ip kube-proxy {")
	w.line(1, `comment "rules for kube-proxy"`)
	w.line(1, "chain nat-prerouting {")
	w.line(2, "type nat hook prerouting priority dstnat; policy accept;")
	w.rule("jump services")
	w.line(1, "}")
	w.line(1, "chain nat-output {")
	w.line(2, "type nat hook output priority -100; policy accept;")
	w.rule("jump services")
	w.line(1, "}")
	w.line(1, "chain nat-postrouting {")
	w.line(2, "type nat hook postrouting priority srcnat; policy accept;")
	w.rule("jump masquerading")
	w.line(1, "}")
	w.line(1, "chain masquerading {")
	w.rule("meta mark & 0x00004000 == 0x00000000 return")
	w.rule("meta mark set meta mark ^ 0x00004000")
	w.rule("masquerade fully-random")
	w.line(1, "}")
	w.line(1, "chain mark-for-masquerade {")
	w.rule("meta mark set meta mark | 0x00004000")
	w.line(1, "}")
	w.line(1, "chain filter-forward {")
	w.line(2, "type filter hook forward priority -110; policy accept;")
	for r := range noEndpoints {
		k := services + r
		w.rule(`ip daddr %s tcp dport %d reject comment "%s has no endpoints"`,
			clusterIP(k), kubePorts[k%len(kubePorts)], svcName(k))
	}
	w.line(1, "}")
	w.line(1, "chain services {")
	for k := range services {
		w.rule(`ip daddr %s tcp dport %d jump %s comment "%s cluster IP"`,
			clusterIP(k), kubePorts[k%len(kubePorts)], svcChain(k), svcName(k))
	}
	w.line(1, "}")
	for k := range services {
		w.line(1, "chain %s {", svcChain(k))
		w.rule("ip daddr %s tcp dport %d ip saddr != 10.0.0.0/8 jump mark-for-masquerade",
			clusterIP(k), kubePorts[k%len(kubePorts)])
		w.rule("numgen random mod 2 vmap { 0 : goto %s, 1 : goto %s }", epChain(k, 0), epChain(k, 1))
		w.line(1, "}")
		for j := range 2 {
			w.line(1, "chain %s {", epChain(k, j))
			w.rule("ip saddr %s jump mark-for-masquerade", podIP(2*k+j))
			w.rule(`meta l4proto tcp counter dnat to %s:8080 comment "%s endpoint %d"`,
				podIP(2*k+j), svcName(k), j+1)
			w.line(1, "}")
		}
	}
	w.line(0, "}")
}

// kubeHash returns kube-proxy's 8-character chain-name hash for x: a
// deterministic mix of x in base32 letters and digits.
func kubeHash(x int) string {
	const digits = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	h := uint64(x)*0x9e3779b97f4a7c15 + 0x632be59bd9b4e019
	h ^= h >> 29
	var b [8]byte
	for i := range b {
		b[i] = digits[h&31]
		h >>= 5
	}
	return string(b[:])
}

// zonesFixedRules is the number of rules of Zones outside the numbered
// zones: the input base chain, the default dispatch and the public zone.
const zonesFixedRules = 9

// zonePorts are the ports zones open, in turn.
var zonePorts = [...]int{22, 80, 443, 53, 631, 5353, 9090, 3389, 2049, 8080, 25, 993}

// zoneRules is the number of rules zone k takes: its dispatch rule, its
// trusted-sources rule and 2 to 5 port rules.
func zoneRules(k int) int { return 2 + zonePortCount(k) }

// zonePortCount is the number of ports zone k opens.
func zonePortCount(k int) int { return 2 + k%4 }

// Zones returns a ruleset shaped like firewalld's (or libvirt's) zone
// dispatch, in one table (inet firewalld): an input base chain with the
// usual conntrack, loopback and final reject rules that jumps to a
// dispatch chain; the dispatch chain sends each interface to its zone
// (`iifname "ethK" jump zone_K`) and everything else to zone_public;
// zone K accepts the sources of its named interval set zone_K_trusted
// (three elements) and opens 2 to 5 ports with
// `tcp dport P ct state new accept`. Zones are added while they fit in
// n; the rules left over open more ports in zone_public. Exact for n >= 9.
func Zones(n int) string {
	var w writer
	zonesTable(&w, n)
	return w.sb.String()
}

// zonesTable writes Zones' table with n rules to w.
func zonesTable(w *writer, n int) {
	budget := max(n-zonesFixedRules, 0)
	zones := 0
	for budget >= zoneRules(zones) {
		budget -= zoneRules(zones)
		zones++
	}
	port := func(k, j int) int { return zonePorts[(k+j)%len(zonePorts)] }

	w.line(0, "table inet firewalld {")
	for k := range zones {
		w.line(1, "set zone_%d_trusted {", k)
		w.line(2, "type ipv4_addr")
		w.line(2, "flags interval")
		a, b := k>>8&0xff, k&0xff
		w.line(2, "elements = { 10.%d.%d.0/25, 10.%d.%d.200, 10.%d.%d.201 }", a, b, a, b, a, b)
		w.line(1, "}")
	}
	w.line(1, "chain filter_INPUT {")
	w.line(2, "type filter hook input priority filter + 10; policy accept;")
	w.rule("ct state { established, related } accept")
	w.rule("ct status dnat accept")
	w.rule(`iifname "lo" accept`)
	w.rule("ct state invalid drop")
	w.rule("jump filter_INPUT_ZONES")
	w.rule("reject with icmpx admin-prohibited")
	w.line(1, "}")
	w.line(1, "chain filter_INPUT_ZONES {")
	for k := range zones {
		w.rule(`iifname "eth%d" jump zone_%d`, k, k)
	}
	w.rule("jump zone_public")
	w.line(1, "}")
	w.line(1, "chain zone_public {")
	w.rule("meta l4proto { icmp, ipv6-icmp } accept")
	w.rule("tcp dport 22 ct state new accept")
	for j := range budget {
		w.rule("tcp dport %d ct state new accept", 10000+j)
	}
	w.line(1, "}")
	for k := range zones {
		w.line(1, "chain zone_%d {", k)
		w.rule("ip saddr @zone_%d_trusted accept", k)
		for j := range zonePortCount(k) {
			w.rule("tcp dport %d ct state new accept", port(k, j))
		}
		w.line(1, "}")
	}
	w.line(0, "}")
}

// mixedHeaderRules is the number of rules in the input chain of Mixed
// before its blocklist and port rules; mixedMinRules is the smallest n
// for which Mixed is exact.
const (
	mixedHeaderRules = 5
	mixedMinRules    = 35
)

// Mixed returns one ruleset mixing the other shapes in three tables,
// with defines, a named set and a named verdict map. Table inet filter
// has the set blocklist, the map port_verdict and an input base chain
// that uses them and the defines WAN_IF and ADMIN_NETS, then holds
// Blocklist's and PortList's rules; table ip kube-proxy is KubeProxy's;
// table inet firewalld is Zones'. Of the n-5 rules past the input
// chain's five, KubeProxy gets 40%, Zones 30%, the blocklist 20% and
// the port rules the rest. Exact for n >= 35.
func Mixed(n int) string {
	rest := max(n, mixedMinRules) - mixedHeaderRules
	kube, zones, block := rest*4/10, rest*3/10, rest*2/10
	ports := rest - kube - zones - block

	var w writer
	w.line(0, `define WAN_IF = "eth0"`)
	w.line(0, "define ADMIN_NETS = { 192.0.2.0/24, 198.51.100.0/24 }")
	w.line(0, "")
	w.line(0, "table inet filter {")
	w.line(1, "set blocklist {")
	w.line(2, "type ipv4_addr")
	w.line(2, "flags interval")
	w.line(2, "elements = { 203.0.113.0/24, 198.18.0.0/15, 100.64.1.7 }")
	w.line(1, "}")
	w.line(1, "map port_verdict {")
	w.line(2, "type inet_service : verdict")
	w.line(2, "elements = { 22 : jump admin, 25 : drop, 80 : accept, 443 : accept }")
	w.line(1, "}")
	w.line(1, "chain admin {")
	w.line(1, "}")
	w.line(1, "chain input {")
	w.line(2, "type filter hook input priority filter; policy drop;")
	w.rule("ct state established,related accept")
	w.rule(`iifname "lo" accept`)
	w.rule("ip saddr @blocklist drop")
	w.rule("iifname $WAN_IF ip saddr $ADMIN_NETS tcp dport 22 accept")
	w.rule("tcp dport vmap @port_verdict")
	blocklistRules(&w, block)
	portRules(&w, ports)
	w.line(1, "}")
	w.line(0, "}")
	w.line(0, "")
	kubeProxyTable(&w, kube)
	w.line(0, "")
	zonesTable(&w, zones)
	return w.sb.String()
}
