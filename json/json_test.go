package json

import (
	"bytes"
	stdjson "encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/nftopt/nftopt/emit/nft"
	"github.com/nftopt/nftopt/ir"
	"github.com/nftopt/nftopt/parser"
)

// decls are the sets, maps, objects and flowtables the rules of the
// unit tables refer to.
const decls = `
	set s4 { type ipv4_addr; flags dynamic,timeout; }
	set s6 { type ipv6_addr; }
	set sc { type ipv4_addr . inet_service; }
	map m4 { type ipv4_addr : mark; }
	map vm { type ipv4_addr : verdict; }
	counter c1 { }
	quota q1 { 10 mbytes }
	limit l1 { rate 10/second }
	ct helper h1 { type "ftp" protocol tcp; }
	flowtable ft { hook ingress priority 0; devices = { lo }; }
	chain other { }
`

// parseTextRule parses one rule written as nft text in a table of
// family fam that declares decls.
func parseTextRule(t *testing.T, fam ir.Family, rule string) (*ir.Rule, *ir.Table) {
	t.Helper()
	src := "table " + fam.String() + " t {" + decls + "\tchain c {\n\t\t" + rule + "\n\t}\n}\n"
	rs, err := parser.Parse("rule.nft", []byte(src), parser.Options{})
	if err != nil {
		t.Fatalf("%s: text does not parse: %v", rule, err)
	}
	tab := rs.Tables[0]
	return tab.Chain("c").Rules[0], tab
}

// declTableFor returns the table of decls in family fam.
func declTableFor(t *testing.T, fam ir.Family) *ir.Table {
	t.Helper()
	_, tab := parseTextRule(t, fam, "accept")
	return tab
}

// compactJSON re-encodes JSON text on one line with sorted keys, so
// that expectations do not depend on key order.
func compactJSON(t *testing.T, b []byte) string {
	t.Helper()
	var v any
	dec := stdjson.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("invalid JSON %s: %v", b, err)
	}
	out, err := stdjson.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// expectText reads a JSON statement array as a rule of family fam and
// checks the nft text it prints as.
func expectText(t *testing.T, fam ir.Family, in, want string) {
	t.Helper()
	r, err := ParseRule("in.json", []byte(in), fam, declTableFor(t, fam))
	if err != nil {
		t.Errorf("%s: %v", in, err)
		return
	}
	if got := nft.PrintRule(r, fam, nft.Options{}); got != want {
		t.Errorf("%s\n got  %s\n want %s", in, got, want)
	}
}

// expectJSON parses a rule written as nft text and checks the JSON
// statement array it prints as (nft's listing form, keys sorted).
func expectJSON(t *testing.T, fam ir.Family, rule, want string) {
	t.Helper()
	r, _ := parseTextRule(t, fam, rule)
	out, err := PrintRule(r, fam, Options{Listing: true, Stateless: true})
	if err != nil {
		t.Errorf("%s: %v", rule, err)
		return
	}
	if got, w := compactJSON(t, out), compactJSON(t, []byte(want)); got != w {
		t.Errorf("%s\n got  %s\n want %s", rule, got, w)
	}
}

// expectRoundTrip checks that a JSON statement array reads and prints
// back equal (keys sorted), and that the nft text it prints reads back
// to the same JSON.
func expectRoundTrip(t *testing.T, fam ir.Family, in string) {
	t.Helper()
	r, err := ParseRule("in.json", []byte(in), fam, declTableFor(t, fam))
	if err != nil {
		t.Errorf("%s: %v", in, err)
		return
	}
	out, err := PrintRule(r, fam, Options{Listing: true, Stateless: true})
	if err != nil {
		t.Errorf("%s: %v", in, err)
		return
	}
	if got, want := compactJSON(t, out), compactJSON(t, []byte(in)); got != want {
		t.Errorf("JSON round trip\n got  %s\n want %s", got, want)
	}
	text := nft.PrintRule(r, fam, nft.Options{})
	r2, _ := parseTextRule(t, fam, text)
	out2, err := PrintRule(r2, fam, Options{Listing: true, Stateless: true})
	if err != nil {
		t.Errorf("%s: %v", text, err)
		return
	}
	if got, want := compactJSON(t, out2), compactJSON(t, out); got != want {
		t.Errorf("through nft text %q\n got  %s\n want %s", text, got, want)
	}
}

// expectParseError checks that a document fails to parse with an error
// whose text contains want.
func expectParseError(t *testing.T, doc, want string) {
	t.Helper()
	rs, err := Parse("in.json", []byte(doc))
	if err == nil {
		t.Errorf("%s: parsed, want error %q", doc, want)
		return
	}
	if rs != nil {
		t.Errorf("%s: error and a ruleset", doc)
	}
	var je *Error
	if !errors.As(err, &je) {
		t.Errorf("%s: error %T is not a *json.Error", doc, err)
	}
	if !strings.Contains(err.Error(), want) {
		t.Errorf("%s\n got error  %s\n want it to contain %s", doc, err, want)
	}
}

// TestMatchJSONToText reads match statements of every operator and
// expression kind and prints them as nft text.
func TestMatchJSONToText(t *testing.T) {
	m := func(left, op, right string) string {
		return `[{"match": {"left": ` + left + `, "op": "` + op + `", "right": ` + right + `}}]`
	}
	dport := `{"payload": {"protocol": "tcp", "field": "dport"}}`
	flags := `{"payload": {"protocol": "tcp", "field": "flags"}}`
	state := `{"ct": {"key": "state"}}`
	for _, c := range []struct {
		fam      ir.Family
		in, want string
	}{
		{ir.FamilyInet, m(dport, "==", "22"), "tcp dport 22"},
		{ir.FamilyInet, m(dport, "!=", "22"), "tcp dport != 22"},
		{ir.FamilyInet, m(dport, "<", "1024"), "tcp dport < 1024"},
		{ir.FamilyInet, m(dport, ">", "1024"), "tcp dport > 1024"},
		{ir.FamilyInet, m(dport, "<=", "1024"), "tcp dport <= 1024"},
		{ir.FamilyInet, m(dport, ">=", "1024"), "tcp dport >= 1024"},
		{ir.FamilyInet, m(dport, "in", `{"set": [22, 80]}`), "tcp dport { 22, 80 }"},
		{ir.FamilyInet, m(dport, "==", `{"range": [1, 1023]}`), "tcp dport 1-1023"},
		{ir.FamilyInet, m(dport, "==", `"ssh"`), "tcp dport 22"},
		{ir.FamilyInet, m(dport, "==", `[22, 80]`), "tcp dport { 22, 80 }"},
		// Bitmasks: "in" is any of the bits, "==" equality, "!" none.
		{ir.FamilyInet, m(flags, "in", `"syn"`), "tcp flags syn"},
		{ir.FamilyInet, m(flags, "in", `["syn", "ack"]`), "tcp flags syn,ack"},
		{ir.FamilyInet, m(flags, "==", `"syn"`), "tcp flags == syn"},
		{ir.FamilyInet, m(flags, "!", `["fin", "rst"]`), "tcp flags ! fin,rst"},
		{ir.FamilyInet, m(flags, "==", `{"set": ["syn", {"|": ["syn", "ack"]}]}`), "tcp flags { syn, syn | ack }"},
		{ir.FamilyInet, m(`{"&": [`+flags+`, {"|": ["syn", "ack"]}]}`, "==", `"syn"`), "tcp flags & (syn | ack) == syn"},
		{ir.FamilyInet, m(`{"&": [`+flags+`, ["syn", "ack"]]}`, "==", `"syn"`), "tcp flags & (syn | ack) == syn"},
		{ir.FamilyInet, m(state, "in", `["established", "related"]`), "ct state established,related"},
		{ir.FamilyInet, m(state, "in", `8`), "ct state new"},
		{ir.FamilyInet, m(state, "!=", `"invalid"`), "ct state != invalid"},
		// Payload, raw payload, meta, ct with direction.
		{ir.FamilyIP, m(`{"payload": {"protocol": "ip", "field": "saddr"}}`, "==", `{"prefix": {"addr": "10.0.0.0", "len": 8}}`), "ip saddr 10.0.0.0/8"},
		{ir.FamilyIP6, m(`{"payload": {"protocol": "ip6", "field": "daddr"}}`, "==", `"::1"`), "ip6 daddr ::1"},
		{ir.FamilyInet, m(`{"payload": {"base": "th", "offset": 16, "len": 16}}`, "==", `22`), "@th,16,16 0x16"},
		{ir.FamilyInet, m(`{"payload": {"protocol": "ether", "field": "saddr"}}`, "==", `"00:11:22:33:44:55"`), "ether saddr 00:11:22:33:44:55"},
		{ir.FamilyInet, m(`{"payload": {"protocol": "vlan", "field": "id"}}`, "==", `10`), "vlan id 10"},
		{ir.FamilyARP, m(`{"payload": {"protocol": "arp", "field": "saddr ip"}}`, "==", `"1.2.3.4"`), "arp saddr ip 1.2.3.4"},
		{ir.FamilyInet, m(`{"meta": {"key": "iifname"}}`, "==", `"eth*"`), `iifname "eth*"`},
		{ir.FamilyInet, m(`{"meta": {"key": "l4proto"}}`, "==", `"tcp"`), "meta l4proto tcp"},
		{ir.FamilyInet, m(`{"meta": {"key": "mark"}}`, "==", `"0x10"`), "meta mark 0x00000010"},
		{ir.FamilyInet, m(`{"meta": {"key": "iif"}}`, "==", `"lo"`), `iif "lo"`},
		{ir.FamilyInet, m(`{"ct": {"key": "saddr", "dir": "original"}}`, "==", `"10.0.0.1"`), "ct original saddr 10.0.0.1"},
		{ir.FamilyInet, m(`{"ct": {"key": "ip saddr", "dir": "reply"}}`, "==", `"10.0.0.1"`), "ct reply ip saddr 10.0.0.1"},
		{ir.FamilyInet, m(`{"ct": {"key": "expiration"}}`, "==", `30`), "ct expiration 30s"},
		{ir.FamilyInet, m(`{"ct": {"key": "mark"}}`, "==", `{"set": [1, 2]}`), "ct mark { 0x00000001, 0x00000002 }"},
		// fib, rt, socket, osf, exthdr, options, numgen, hashes, ipsec.
		{ir.FamilyInet, m(`{"fib": {"result": "type", "flags": ["daddr", "iif"]}}`, "==", `"local"`), "fib daddr . iif type local"},
		{ir.FamilyInet, m(`{"fib": {"result": "oif", "flags": "saddr"}}`, "==", `false`), "fib saddr oif missing"},
		{ir.FamilyInet, m(`{"rt": {"key": "nexthop", "family": "ip"}}`, "==", `"10.0.0.1"`), "rt ip nexthop 10.0.0.1"},
		{ir.FamilyInet, m(`{"rt": {"key": "mtu"}}`, "==", `1500`), "rt mtu 1500"},
		{ir.FamilyInet, m(`{"socket": {"key": "transparent"}}`, "==", `1`), "socket transparent 1"},
		{ir.FamilyInet, m(`{"socket": {"key": "cgroupv2", "level": 1}}`, "==", `"system.slice"`), `socket cgroupv2 level 1 "system.slice"`},
		{ir.FamilyInet, m(`{"osf": {"key": "name", "ttl": "loose"}}`, "==", `"Linux"`), `osf ttl loose name "Linux"`},
		{ir.FamilyIP6, m(`{"exthdr": {"name": "frag", "field": "more-fragments"}}`, "==", `1`), "frag more-fragments 1"},
		{ir.FamilyIP6, m(`{"exthdr": {"name": "hbh"}}`, "==", `true`), "exthdr hbh exists"},
		{ir.FamilyInet, m(`{"tcp option": {"name": "maxseg", "field": "size"}}`, "==", `1460`), "tcp option maxseg size 1460"},
		{ir.FamilyInet, m(`{"tcp option": {"name": "sack-perm"}}`, "==", `true`), "tcp option sack-perm exists"},
		{ir.FamilyInet, m(`{"tcp option": {"base": 30, "offset": 16, "len": 8}}`, "==", `1`), "tcp option @30,16,8 1"},
		{ir.FamilyIP, m(`{"ip option": {"name": "rr", "field": "ptr"}}`, "==", `4`), "ip option rr ptr 4"},
		{ir.FamilyInet, m(`{"sctp chunk": {"name": "data", "field": "tsn"}}`, "==", `5`), "sctp chunk data tsn 5"},
		{ir.FamilyInet, m(`{"numgen": {"mode": "inc", "mod": 2, "offset": 0}}`, "==", `1`), "numgen inc mod 2 1"},
		{ir.FamilyInet, m(`{"jhash": {"expr": {"payload": {"protocol": "ip", "field": "saddr"}}, "mod": 4, "seed": 57005, "offset": 1}}`, "==", `2`), "jhash ip saddr mod 4 seed 0xdead offset 1 2"},
		{ir.FamilyInet, m(`{"symhash": {"mod": 2}}`, "==", `0`), "symhash mod 2 0"},
		{ir.FamilyInet, m(`{"ipsec": {"key": "saddr", "family": "ip", "dir": "in", "spnum": 0}}`, "==", `"1.2.3.4"`), "ipsec in ip saddr 1.2.3.4"},
		// Concatenations, named sets, binary operations.
		{ir.FamilyInet, m(`{"concat": [{"payload": {"protocol": "ip", "field": "saddr"}}, `+dport+`]}`, "==", `{"set": [{"concat": ["10.0.0.1", 22]}]}`), "ip saddr . tcp dport { 10.0.0.1 . 22 }"},
		{ir.FamilyInet, m(`{"payload": {"protocol": "ip", "field": "saddr"}}`, "==", `"@s4"`), "ip saddr @s4"},
		{ir.FamilyInet, m(`{"&": [{"meta": {"key": "mark"}}, 255]}`, "==", `1`), "meta mark & 0x000000ff == 0x00000001"},
		{ir.FamilyInet, m(`{">>": [{"meta": {"key": "mark"}}, 8]}`, "==", `1`), "meta mark >> 8 == 0x00000001"},
		{ir.FamilyInet, m(`{"map": {"key": `+dport+`, "data": {"set": [[22, 1]]}}}`, "==", `1`), "tcp dport map { 22 : 1 } 1"},
	} {
		expectText(t, c.fam, c.in, c.want)
	}
}

// TestStatementJSONToText reads every statement kind and prints it as
// nft text.
func TestStatementJSONToText(t *testing.T) {
	for _, c := range []struct {
		fam      ir.Family
		in, want string
	}{
		{ir.FamilyInet, `[{"accept": null}]`, "accept"},
		{ir.FamilyInet, `[{"drop": null}]`, "drop"},
		{ir.FamilyInet, `[{"continue": null}]`, "continue"},
		{ir.FamilyInet, `[{"return": null}]`, "return"},
		{ir.FamilyInet, `[{"jump": {"target": "other"}}]`, "jump other"},
		{ir.FamilyInet, `[{"goto": {"target": "other"}}]`, "goto other"},
		{ir.FamilyInet, `[{"vmap": {"key": {"payload": {"protocol": "tcp", "field": "dport"}}, "data": {"set": [[22, {"accept": null}], [23, {"jump": {"target": "other"}}]]}}}]`, "tcp dport vmap { 22 : accept, 23 : jump other }"},
		{ir.FamilyInet, `[{"vmap": {"key": {"payload": {"protocol": "ip", "field": "saddr"}}, "data": "@vm"}}]`, "ip saddr vmap @vm"},
		{ir.FamilyInet, `[{"counter": null}]`, "counter"},
		{ir.FamilyInet, `[{"counter": {"packets": 1, "bytes": 2}}]`, "counter packets 1 bytes 2"},
		{ir.FamilyInet, `[{"counter": "c1"}]`, `counter name "c1"`},
		{ir.FamilyInet, `[{"counter": {"map": {"key": {"payload": {"protocol": "tcp", "field": "dport"}}, "data": {"set": [[22, "c1"]]}}}}]`, `counter name tcp dport map { 22 : "c1" }`},
		{ir.FamilyInet, `[{"limit": {"rate": 10, "per": "second"}}]`, "limit rate 10/second burst 5 packets"},
		{ir.FamilyInet, `[{"limit": {"rate": 10, "burst": 20, "per": "minute", "inv": true}}]`, "limit rate over 10/minute burst 20 packets"},
		{ir.FamilyInet, `[{"limit": {"rate": 1, "rate_unit": "mbytes", "per": "second", "burst": 512, "burst_unit": "kbytes"}}]`, "limit rate 1 mbytes/second burst 512 kbytes"},
		{ir.FamilyInet, `[{"limit": "l1"}]`, `limit name "l1"`},
		{ir.FamilyInet, `[{"quota": {"val": 10, "val_unit": "mbytes"}}]`, "quota 10 mbytes"},
		{ir.FamilyInet, `[{"quota": {"val": 10, "val_unit": "mbytes", "inv": true, "used": 1, "used_unit": "kbytes"}}]`, "quota over 10 mbytes used 1 kbytes"},
		{ir.FamilyInet, `[{"quota": "q1"}]`, `quota name "q1"`},
		{ir.FamilyInet, `[{"log": null}]`, "log"},
		{ir.FamilyInet, `[{"log": {"prefix": "in: ", "level": "info", "group": 2, "snaplen": 64, "queue-threshold": 3, "flags": ["tcp sequence", "tcp options", "ip options"]}}]`, `log prefix "in: " level info group 2 snaplen 64 queue-threshold 3 flags tcp sequence,options flags ip options`},
		{ir.FamilyInet, `[{"log": {"flags": "all"}}]`, "log flags all"},
		{ir.FamilyInet, `[{"reject": null}]`, "reject"},
		{ir.FamilyInet, `[{"reject": {"type": "tcp reset"}}]`, "reject with tcp reset"},
		{ir.FamilyInet, `[{"reject": {"type": "icmpx", "expr": "admin-prohibited"}}]`, "reject with icmpx admin-prohibited"},
		{ir.FamilyIP, `[{"reject": {"type": "icmp", "expr": "port-unreachable"}}]`, "reject"},
		{ir.FamilyIP6, `[{"reject": {"type": "icmpv6", "expr": "no-route"}}]`, "reject with icmpv6 no-route"},
		{ir.FamilyIP, `[{"snat": {"addr": "10.0.0.1", "port": {"range": [1024, 2048]}, "flags": ["random", "persistent"]}}]`, "snat to 10.0.0.1:1024-2048 random,persistent"},
		{ir.FamilyInet, `[{"dnat": {"family": "ip6", "addr": "::1", "port": 80}}]`, "dnat ip6 to [::1]:80"},
		{ir.FamilyInet, `[{"dnat": {"family": "ip", "addr": {"map": {"key": {"payload": {"protocol": "tcp", "field": "dport"}}, "data": {"set": [[80, {"concat": ["10.0.0.1", 8080]}]]}}}}}]`, "dnat ip to tcp dport map { 80 : 10.0.0.1 . 8080 }"},
		{ir.FamilyIP, `[{"snat": {"family": "ip", "addr": {"map": {"key": {"payload": {"protocol": "ip", "field": "saddr"}}, "data": {"set": [[{"prefix": {"addr": "10.0.0.0", "len": 24}}, {"prefix": {"addr": "192.168.0.0", "len": 24}}]]}}}, "type_flags": ["prefix"]}}]`, "snat ip prefix to ip saddr map { 10.0.0.0/24 : 192.168.0.0/24 }"},
		{ir.FamilyIP, `[{"masquerade": null}]`, "masquerade"},
		{ir.FamilyIP, `[{"masquerade": {"port": {"range": [1024, 2048]}, "flags": "fully-random"}}]`, "masquerade to :1024-2048 fully-random"},
		{ir.FamilyIP, `[{"redirect": {"port": 8080}}]`, "redirect to :8080"},
		{ir.FamilyInet, `[{"mangle": {"key": {"meta": {"key": "mark"}}, "value": 1}}]`, "meta mark set 0x00000001"},
		{ir.FamilyInet, `[{"mangle": {"key": {"ct": {"key": "mark"}}, "value": {"|": [{"ct": {"key": "mark"}}, 16]}}}]`, "ct mark set ct mark | 0x00000010"},
		{ir.FamilyInet, `[{"mangle": {"key": {"payload": {"protocol": "ip", "field": "dscp"}}, "value": "cs1"}}]`, "ip dscp set cs1"},
		{ir.FamilyInet, `[{"mangle": {"key": {"tcp option": {"name": "maxseg", "field": "size"}}, "value": 1360}}]`, "tcp option maxseg size set 1360"},
		{ir.FamilyInet, `[{"mangle": {"key": {"ct": {"key": "event"}}, "value": ["new", "destroy"]}}]`, "ct event set new,destroy"},
		{ir.FamilyInet, `[{"ct helper": "h1"}]`, `ct helper set "h1"`},
		{ir.FamilyInet, `[{"ct timeout": "t1"}]`, `ct timeout set "t1"`},
		{ir.FamilyInet, `[{"ct expectation": "e1"}]`, `ct expectation set "e1"`},
		{ir.FamilyInet, `[{"secmark": "s1"}]`, `meta secmark set "s1"`},
		{ir.FamilyInet, `[{"set": {"op": "add", "elem": {"payload": {"protocol": "ip", "field": "saddr"}}, "set": "@s4"}}]`, "add @s4 { ip saddr }"},
		{ir.FamilyInet, `[{"set": {"op": "update", "elem": {"elem": {"val": {"payload": {"protocol": "ip", "field": "saddr"}}, "timeout": 30}}, "set": "@s4", "stmt": [{"limit": {"rate": 10, "per": "second"}}]}}]`, "update @s4 { ip saddr timeout 30s limit rate 10/second burst 5 packets }"},
		{ir.FamilyInet, `[{"set": {"op": "delete", "elem": {"payload": {"protocol": "ip", "field": "saddr"}}, "set": "@s4"}}]`, "delete @s4 { ip saddr }"},
		{ir.FamilyInet, `[{"map": {"op": "add", "elem": {"payload": {"protocol": "ip", "field": "saddr"}}, "data": 1, "map": "@m4"}}]`, "add @m4 { ip saddr : 0x00000001 }"},
		{ir.FamilyInet, `[{"meter": {"name": "m", "key": {"payload": {"protocol": "ip", "field": "saddr"}}, "stmt": {"limit": {"rate": 10, "per": "second"}}, "size": 128}}]`, "meter m size 128 { ip saddr limit rate 10/second burst 5 packets }"},
		{ir.FamilyInet, `[{"notrack": null}]`, "notrack"},
		{ir.FamilyInet, `[{"queue": null}]`, "queue"},
		{ir.FamilyInet, `[{"queue": {"num": {"range": [1, 3]}, "flags": ["bypass", "fanout"]}}]`, "queue flags bypass,fanout to 1-3"},
		{ir.FamilyInet, `[{"queue": {"num": {"numgen": {"mode": "inc", "mod": 2, "offset": 0}}}}]`, "queue to numgen inc mod 2"},
		{ir.FamilyIP, `[{"dup": {"addr": "10.0.0.1", "dev": "lo"}}]`, `dup to 10.0.0.1 device "lo"`},
		{ir.FamilyNetdev, `[{"fwd": {"dev": "lo"}}]`, `fwd to "lo"`},
		{ir.FamilyNetdev, `[{"fwd": {"family": "ip", "addr": "10.0.0.1", "dev": "lo"}}]`, `fwd ip to 10.0.0.1 device "lo"`},
		{ir.FamilyInet, `[{"tproxy": {"family": "ip", "addr": "10.0.0.1", "port": 3128}}]`, "tproxy ip to 10.0.0.1:3128"},
		{ir.FamilyIP, `[{"tproxy": {"port": 3128}}]`, "tproxy to :3128"},
		{ir.FamilyInet, `[{"synproxy": {"mss": 1460, "wscale": 7, "flags": ["timestamp", "sack-perm"]}}]`, "synproxy mss 1460 wscale 7 timestamp sack-perm"},
		{ir.FamilyInet, `[{"synproxy": "sp1"}]`, `synproxy name "sp1"`},
		{ir.FamilyInet, `[{"ct count": {"val": 10, "inv": true}}]`, "ct count over 10"},
		{ir.FamilyInet, `[{"flow": {"op": "add", "flowtable": "@ft"}}]`, "flow add @ft"},
		{ir.FamilyInet, `[{"last": null}]`, "last"},
		{ir.FamilyInet, `[{"reset": {"tcp option": {"name": "mptcp"}}}]`, "reset tcp option mptcp"},
	} {
		expectText(t, c.fam, c.in, c.want)
	}
}

// TestTextToJSON parses nft text and checks the JSON nft lists for it.
func TestTextToJSON(t *testing.T) {
	for _, c := range []struct {
		fam        ir.Family
		rule, want string
	}{
		{ir.FamilyInet, "tcp dport 22 accept", `[{"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": 22}}, {"accept": null}]`},
		{ir.FamilyInet, "meta l4proto tcp tcp dport 22", `[{"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": 22}}]`},
		{ir.FamilyInet, "ip protocol tcp", `[{"match": {"op": "==", "left": {"payload": {"protocol": "ip", "field": "protocol"}}, "right": "tcp"}}]`},
		{ir.FamilyInet, "tcp flags syn", `[{"match": {"op": "in", "left": {"payload": {"protocol": "tcp", "field": "flags"}}, "right": "syn"}}]`},
		{ir.FamilyInet, "tcp flags syn,ack", `[{"match": {"op": "in", "left": {"payload": {"protocol": "tcp", "field": "flags"}}, "right": ["syn", "ack"]}}]`},
		{ir.FamilyInet, "tcp flags & (syn | ack) == 0", `[{"match": {"op": "!", "left": {"payload": {"protocol": "tcp", "field": "flags"}}, "right": ["syn", "ack"]}}]`},
		{ir.FamilyInet, "tcp flags & (syn | ack) != 0", `[{"match": {"op": "in", "left": {"payload": {"protocol": "tcp", "field": "flags"}}, "right": ["syn", "ack"]}}]`},
		{ir.FamilyInet, "tcp flags syn / syn,ack", `[{"match": {"op": "==", "left": {"&": [{"payload": {"protocol": "tcp", "field": "flags"}}, {"|": ["syn", "ack"]}]}, "right": "syn"}}]`},
		{ir.FamilyInet, "tcp flags { syn, syn | ack }", `[{"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "flags"}}, "right": {"set": ["syn", {"|": ["syn", "ack"]}]}}}]`},
		{ir.FamilyInet, "ct state established,related", `[{"match": {"op": "in", "left": {"ct": {"key": "state"}}, "right": ["established", "related"]}}]`},
		{ir.FamilyInet, "ct original saddr 10.0.0.1", `[{"match": {"op": "==", "left": {"ct": {"key": "saddr", "dir": "original"}}, "right": "10.0.0.1"}}]`},
		{ir.FamilyInet, "ct mark xor 0x3 == 0x1", `[{"match": {"op": "==", "left": {"ct": {"key": "mark"}}, "right": 2}}]`},
		{ir.FamilyInet, "ct expiration 1m", `[{"match": {"op": "==", "left": {"ct": {"key": "expiration"}}, "right": 60}}]`},
		{ir.FamilyInet, "iifname \"eth*\"", `[{"match": {"op": "==", "left": {"meta": {"key": "iifname"}}, "right": "eth*"}}]`},
		{ir.FamilyInet, "meta mark & 0xff == 0x1", `[{"match": {"op": "==", "left": {"&": [{"meta": {"key": "mark"}}, 255]}, "right": 1}}]`},
		{ir.FamilyInet, "ip dscp & af33 == 0", `[{"match": {"op": "==", "left": {"&": [{"payload": {"protocol": "ip", "field": "dscp"}}, "af33"]}, "right": "cs0"}}]`},
		{ir.FamilyInet, "ip6 saddr ::1234:1234", `[{"match": {"op": "==", "left": {"payload": {"protocol": "ip6", "field": "saddr"}}, "right": "::18.52.18.52"}}]`},
		{ir.FamilyInet, "fib daddr . iif type local", `[{"match": {"op": "==", "left": {"fib": {"result": "type", "flags": ["daddr", "iif"]}}, "right": "local"}}]`},
		{ir.FamilyInet, "fib daddr check missing", `[{"match": {"op": "==", "left": {"fib": {"result": "oif", "flags": ["daddr"]}}, "right": false}}]`},
		{ir.FamilyInet, "numgen random mod 2 offset 1 1", `[{"match": {"op": "==", "left": {"numgen": {"mode": "random", "mod": 2, "offset": 1}}, "right": 1}}]`},
		{ir.FamilyInet, "tcp dport vmap { 22 : accept, 23 : drop }", `[{"vmap": {"key": {"payload": {"protocol": "tcp", "field": "dport"}}, "data": {"set": [[22, {"accept": null}], [23, {"drop": null}]]}}}]`},
		{ir.FamilyInet, "ip saddr . tcp dport @sc", `[{"match": {"op": "==", "left": {"concat": [{"payload": {"protocol": "ip", "field": "saddr"}}, {"payload": {"protocol": "tcp", "field": "dport"}}]}, "right": "@sc"}}]`},
		{ir.FamilyInet, "limit rate 10/second", `[{"limit": {"rate": 10, "burst": 5, "per": "second"}}]`},
		{ir.FamilyInet, "limit rate 1024 kbytes/second burst 2048 bytes", `[{"limit": {"rate": 1, "rate_unit": "mbytes", "burst": 2, "burst_unit": "kbytes", "per": "second"}}]`},
		{ir.FamilyInet, "quota over 2048 kbytes", `[{"quota": {"val": 2, "val_unit": "mbytes", "inv": true}}]`},
		{ir.FamilyInet, "counter packets 1 bytes 2", `[{"counter": null}]`},
		{ir.FamilyInet, "log prefix \"x\" flags all", `[{"log": {"prefix": "x", "flags": ["all"]}}]`},
		{ir.FamilyInet, "reject", `[{"reject": {"type": "icmpx", "expr": "port-unreachable"}}]`},
		{ir.FamilyIP, "reject with icmp host-unreachable", `[{"reject": {"type": "icmp", "expr": "host-unreachable"}}]`},
		{ir.FamilyInet, "dnat to 10.0.0.1:8080", `[{"dnat": {"family": "ip", "addr": "10.0.0.1", "port": 8080}}]`},
		{ir.FamilyIP, "snat to 10.0.0.0-10.0.0.255", `[{"snat": {"addr": {"prefix": {"addr": "10.0.0.0", "len": 24}}}}]`},
		{ir.FamilyIP, "masquerade random", `[{"masquerade": {"flags": ["random"]}}]`},
		{ir.FamilyInet, "ct event set new,destroy", `[{"mangle": {"key": {"ct": {"key": "event"}}, "value": ["new", "destroy"]}}]`},
		{ir.FamilyInet, "ct mark set 0x1 or ct mark", `[{"mangle": {"key": {"ct": {"key": "mark"}}, "value": {"|": [{"ct": {"key": "mark"}}, 1]}}}]`},
		{ir.FamilyInet, "ct mark set ip dscp << 2 | 0x10", `[{"mangle": {"key": {"ct": {"key": "mark"}}, "value": {"|": [{"<<": [{"payload": {"protocol": "ip", "field": "dscp"}}, 2]}, 16]}}}]`},
		{ir.FamilyInet, "ct helper set \"h1\"", `[{"ct helper": "h1"}]`},
		{ir.FamilyInet, "update @s4 { ip saddr timeout 10s }", `[{"set": {"op": "update", "elem": {"elem": {"val": {"payload": {"protocol": "ip", "field": "saddr"}}, "timeout": 10}}, "set": "@s4"}}]`},
		{ir.FamilyInet, "meter m { ip saddr limit rate 10/second }", `[{"meter": {"key": {"payload": {"protocol": "ip", "field": "saddr"}}, "stmt": {"limit": {"rate": 10, "burst": 5, "per": "second"}}, "size": 0, "name": "m"}}]`},
		{ir.FamilyInet, "queue num 4-5 fanout bypass", `[{"queue": {"num": {"range": [4, 5]}, "flags": ["bypass", "fanout"]}}]`},
		{ir.FamilyInet, "queue", `[{"queue": {"num": 0}}]`},
		{ir.FamilyInet, "tproxy ip to 10.0.0.1:3128", `[{"tproxy": {"family": "ip", "addr": "10.0.0.1", "port": 3128}}]`},
		{ir.FamilyIP6, "tproxy to [::1]:3128", `[{"tproxy": {"addr": "::1", "port": 3128}}]`},
		{ir.FamilyIP, "dup to 10.0.0.1 device \"lo\"", `[{"dup": {"addr": "10.0.0.1", "dev": "lo"}}]`},
		{ir.FamilyInet, "ct count over 3", `[{"ct count": {"val": 3, "inv": true}}]`},
		{ir.FamilyInet, "flow add @ft", `[{"flow": {"op": "add", "flowtable": "@ft"}}]`},
		{ir.FamilyInet, "notrack", `[{"notrack": null}]`},
		{ir.FamilyInet, "synproxy mss 1460 wscale 5", `[{"synproxy": {"mss": 1460, "wscale": 5}}]`},
	} {
		expectJSON(t, c.fam, c.rule, c.want)
	}
}

// TestRoundTrip reads JSON rules, prints them back, and prints them as
// nft text and reads that again: all three must agree.
func TestRoundTrip(t *testing.T) {
	for _, c := range []struct {
		fam ir.Family
		in  string
	}{
		{ir.FamilyInet, `[{"match": {"op": "==", "left": {"payload": {"protocol": "udp", "field": "dport"}}, "right": {"set": [53, {"range": [1000, 2000]}]}}}, {"drop": null}]`},
		{ir.FamilyInet, `[{"match": {"op": "in", "left": {"ct": {"key": "status"}}, "right": "dnat"}}, {"accept": null}]`},
		{ir.FamilyInet, `[{"match": {"op": "!=", "left": {"meta": {"key": "oifname"}}, "right": "eth0"}}, {"jump": {"target": "other"}}]`},
		{ir.FamilyIP, `[{"match": {"op": "==", "left": {"payload": {"protocol": "icmp", "field": "type"}}, "right": {"set": ["echo-reply", "echo-request"]}}}, {"limit": {"rate": 5, "burst": 5, "per": "second"}}, {"accept": null}]`},
		{ir.FamilyIP6, `[{"match": {"op": "==", "left": {"payload": {"protocol": "icmpv6", "field": "type"}}, "right": "nd-neighbor-solicit"}}, {"accept": null}]`},
		{ir.FamilyInet, `[{"vmap": {"key": {"concat": [{"meta": {"key": "iifname"}}, {"payload": {"protocol": "th", "field": "dport"}}]}, "data": {"set": [[{"concat": ["eth0", 22]}, {"accept": null}]]}}}]`},
		{ir.FamilyInet, `[{"mangle": {"key": {"meta": {"key": "mark"}}, "value": {"map": {"key": {"meta": {"key": "iifname"}}, "data": {"set": [["eth0", 1], ["eth1", 2]]}}}}}]`},
		{ir.FamilyBridge, `[{"match": {"op": "==", "left": {"payload": {"protocol": "ether", "field": "type"}}, "right": "ip"}}, {"counter": null}]`},
		{ir.FamilyNetdev, `[{"match": {"op": "==", "left": {"meta": {"key": "protocol"}}, "right": "ip6"}}, {"fwd": {"dev": "lo"}}]`},
	} {
		expectRoundTrip(t, c.fam, c.in)
	}
}

// TestParseErrors checks that bad input is refused with the JSON path
// of the offending value and what was expected there.
func TestParseErrors(t *testing.T) {
	rule := func(expr string) string {
		return `{"nftables": [{"table": {"family": "inet", "name": "t"}}, {"chain": {"family": "inet", "table": "t", "name": "c"}}, {"rule": {"family": "inet", "table": "t", "chain": "c", "expr": ` + expr + `}}]}`
	}
	for _, c := range []struct{ doc, want string }{
		{``, "in.json:1:1: syntax error: empty input"},
		{`{"nftables": [`, "in.json:1:15: syntax error: unexpected end of input"},
		{"{\"nftables\": [\n  {\"table\": {\"family\": \"ip\" \"name\": \"t\"}}]}", "in.json:2:29: syntax error: invalid character '\"' after object key:value pair"},
		{`{"nftables": []} {}`, "in.json:1:18: syntax error: unexpected data after the JSON document"},
		{`[]`, `in.json: expected the top-level object {"nftables": [...]}, got an array`},
		{`{"tables": []}`, `missing property "nftables"`},
		{`{"nftables": [{"metainfo": {"json_schema_version": 2}}]}`, "nftables[0].metainfo.json_schema_version: schema version 2 not supported"},
		{`{"nftables": [{"table": {"family": "ipx", "name": "t"}}]}`, `nftables[0].table.family: unknown family "ipx"`},
		{`{"nftables": [{"table": {"family": "ip"}}]}`, `nftables[0].table: missing property "name"`},
		{`{"nftables": [{"frobnicate": {}}]}`, `nftables[0]: unknown ruleset element or command "frobnicate"`},
		{`{"nftables": [{"add": {"rule": {"family": "ip", "table": "t", "chain": "c", "expr": []}}}]}`, `nftables[0].add.rule: table 'ip t' does not exist`},
		{`{"nftables": [{"replace": {"rule": {}}}]}`, `nftables[0].replace: replace refers to a rule handle`},
		{rule(`[{"match": {"left": {"meta": {"key": "mark"}}, "op": "==", "right": "zz"}}]`), `nftables[2].rule.expr[0].match.right: "zz" is not a number`},
		{rule(`[{"match": {"left": {"payload": {"protocol": "tcp", "field": "dport"}}, "op": "~", "right": 22}}]`), `nftables[2].rule.expr[0].match.op: unknown operator "~"`},
		{rule(`[{"match": {"left": {"payload": {"protocol": "tcp", "field": "dprot"}}, "op": "==", "right": 22}}]`), `nftables[2].rule.expr[0].match.left.payload.field: unknown tcp header field "dprot"`},
		{rule(`[{"match": {"left": {"payload": {"protocol": "ip", "field": "saddr"}}, "op": "==", "right": {"set": [1, "10.0.0.300"]}}}]`), `nftables[2].rule.expr[0].match.right.set[1]: "10.0.0.300" is not an IPv4 address`},
		{rule(`[{"match": {"left": {"meta": {"key": "mark"}}, "op": "=="}}]`), `nftables[2].rule.expr[0].match: missing property "right"`},
		{rule(`[{"accept": null, "drop": null}]`), `nftables[2].rule.expr[0]: expected a statement (an object with one key)`},
		{rule(`[{"jump": {"to": "x"}}]`), `nftables[2].rule.expr[0].jump: missing property "target"`},
		{rule(`[{"limit": {"rate": 10, "per": "fortnight"}}]`), `nftables[2].rule.expr[0].limit.per: unknown time unit "fortnight"`},
		{rule(`[{"counter": {"packets": -1}}]`), `nftables[2].rule.expr[0].counter.packets: expected the packet count (a non-negative integer), got the number -1`},
		{rule(`[{"ct": {"key": "state"}}]`), `nftables[2].rule.expr[0]: unknown statement "ct"`},
		{rule(`[{"match": {"left": {"ct": {"key": "state", "dir": "original"}}, "op": "==", "right": 1}}]`), `nftables[2].rule.expr[0].match.left.ct.dir: ct state does not take a direction`},
		{rule(`[{"match": {"left": {"tcp option": {"name": "maxseg", "field": "sizes"}}, "op": "==", "right": 1}}]`), `nftables[2].rule.expr[0].match.left."tcp option".field: unknown tcp option field "sizes"`},
		{rule(`{"accept": null}`), `nftables[2].rule.expr: expected an array of statements, got an object "accept"`},
		// Nothing that would break out of a string or a word of nft text.
		{`{"nftables": [{"table": {"family": "ip", "name": "t", "comment": "x\" ; flush ruleset ; \""}}]}`, `nftables[0].table.comment: "x\" ; flush ruleset ; \"" cannot be written in nft text`},
		{`{"nftables": [{"table": {"family": "ip", "name": "t u"}}]}`, `nftables[0].table.name: the table's name "t u" cannot be written as a name in nft text`},
		{rule(`[{"match": {"left": {"tcp option": {"name": "maxseg size 1 accept;"}}, "op": "==", "right": true}}]`), `nftables[2].rule.expr[0].match.left."tcp option".name: expected the option name, got "maxseg size 1 accept;"`},
		{rule(`[{"dup": {"addr": "1.2.3.4 accept"}}]`), `nftables[2].rule.expr[0].dup.addr: expected an address, got "1.2.3.4 accept"`},
	} {
		expectParseError(t, c.doc, c.want)
	}
}

// TestCommands reads command lists: destructive commands become the
// prologue, inserts go first, and the result prints as the text a
// ruleset file would be.
func TestCommands(t *testing.T) {
	doc := `{"nftables": [
		{"metainfo": {"json_schema_version": 1}},
		{"delete": {"table": {"family": "ip", "name": "old"}}},
		{"add": {"table": {"family": "inet", "name": "t"}}},
		{"add": {"chain": {"family": "inet", "table": "t", "name": "in", "type": "filter", "hook": "input", "prio": 0, "policy": "drop"}}},
		{"add": {"set": {"family": "inet", "table": "t", "name": "s", "type": "ipv4_addr", "flags": ["interval"], "elem": [{"prefix": {"addr": "10.0.0.0", "len": 8}}]}}},
		{"add": {"element": {"family": "inet", "table": "t", "name": "s", "elem": [{"elem": {"val": "192.168.0.1", "comment": "gw"}}]}}},
		{"add": {"rule": {"family": "inet", "table": "t", "chain": "in", "expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "ip", "field": "saddr"}}, "right": "@s"}}, {"accept": null}]}}},
		{"insert": {"rule": {"family": "inet", "table": "t", "chain": "in", "expr": [{"match": {"op": "==", "left": {"meta": {"key": "iif"}}, "right": "lo"}}, {"accept": null}], "comment": "loopback"}}},
		{"create": {"counter": {"family": "inet", "table": "t", "name": "c", "packets": 0, "bytes": 0}}},
		{"delete": {"table": {"family": "ip", "name": "t"}}}
	]}`
	rs, err := Parse("cmds.json", []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	want := `table ip old
delete table ip old
table ip t
delete table ip t
table inet t {
	counter c {
		packets 0 bytes 0
	}

	set s {
		type ipv4_addr
		flags interval
		elements = { 10.0.0.0/8,
			     192.168.0.1 comment "gw" }
	}

	chain in {
		type filter hook input priority filter; policy drop;
		ip saddr @s accept
	}
}
insert rule inet t in iif "lo" accept comment "loopback"
`
	if got := nft.Print(rs, nft.Options{}); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	out, err := Print(rs)
	if err != nil {
		t.Fatal(err)
	}
	rs2, err := Parse("again.json", out)
	if err != nil {
		t.Fatalf("Print's output does not parse: %v\n%s", err, out)
	}
	if got := nft.Print(rs2, nft.Options{}); got != want {
		t.Errorf("after Print and Parse:\n%s\nwant\n%s", got, want)
	}
}

// TestFlushRuleset checks that "flush ruleset" drops what came before
// it and makes later deletes of tables it emptied plain state changes.
func TestFlushRuleset(t *testing.T) {
	doc := `{"nftables": [
		{"add": {"table": {"family": "ip", "name": "a"}}},
		{"delete": {"table": {"family": "ip", "name": "x"}}},
		{"flush": {"ruleset": null}},
		{"add": {"table": {"family": "ip", "name": "b"}}},
		{"delete": {"table": {"family": "ip", "name": "b"}}},
		{"add": {"table": {"family": "ip6", "name": "c"}}},
		{"flush": {"ruleset": {"family": "ip6"}}}
	]}`
	rs, err := Parse("flush.json", []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	want := "flush ruleset\nflush ruleset ip6\n"
	if got := nft.Print(rs, nft.Options{}); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

// TestListing reads a listing of every ruleset element kind.
func TestListing(t *testing.T) {
	doc := `{"nftables": [
		{"metainfo": {"version": "1.1.1", "release_name": "x", "json_schema_version": 1}},
		{"table": {"family": "netdev", "name": "n", "handle": 1, "flags": "dormant", "comment": "edge"}},
		{"chain": {"family": "netdev", "table": "n", "name": "ing", "handle": 2, "dev": ["lo", "eth0"], "type": "filter", "hook": "ingress", "prio": -500, "policy": "accept", "comment": "c"}},
		{"flowtable": {"family": "netdev", "name": "f", "table": "n", "handle": 3, "hook": "ingress", "prio": 10, "dev": "lo"}},
		{"quota": {"family": "netdev", "name": "q", "table": "n", "handle": 4, "bytes": 1048576, "used": 0, "inv": true}},
		{"limit": {"family": "netdev", "name": "l", "table": "n", "handle": 5, "rate": 2048, "per": "second", "rate_unit": "bytes", "burst": 1024, "burst_unit": "bytes"}},
		{"ct helper": {"family": "netdev", "name": "h", "table": "n", "handle": 6, "type": "ftp", "protocol": "tcp", "l3proto": "ip"}},
		{"ct timeout": {"family": "netdev", "name": "to", "table": "n", "handle": 7, "protocol": "tcp", "l3proto": "ip", "policy": {"established": 100, "close": 4}}},
		{"ct expectation": {"family": "netdev", "name": "e", "table": "n", "handle": 8, "protocol": "tcp", "dport": 22, "timeout": 60000, "size": 4, "l3proto": "ip"}},
		{"synproxy": {"family": "netdev", "name": "sp", "table": "n", "handle": 9, "mss": 1460, "wscale": 7, "flags": ["timestamp"]}},
		{"secmark": {"family": "netdev", "name": "sm", "table": "n", "handle": 10, "context": "system_u:object_r:ssh_server_packet_t:s0"}},
		{"map": {"family": "netdev", "name": "m", "table": "n", "type": ["ipv4_addr", "inet_service"], "handle": 11, "map": "verdict", "size": 64, "policy": "memory", "flags": ["interval", "timeout"], "timeout": 60, "gc-interval": 30, "auto-merge": true,
			"elem": [[{"elem": {"val": {"concat": ["10.0.0.1", 22]}, "timeout": 10, "expires": 5, "comment": "x", "counter": {"packets": 1, "bytes": 2}}}, {"accept": null}]]}},
		{"set": {"family": "netdev", "name": "t", "table": "n", "type": {"typeof": {"payload": {"protocol": "ip", "field": "saddr"}}}, "handle": 12, "stmt": [{"counter": null}]}},
		{"rule": {"family": "netdev", "table": "n", "chain": "ing", "handle": 13, "expr": [{"match": {"op": "==", "left": {"meta": {"key": "protocol"}}, "right": "ip"}}, {"accept": null}]}}
	]}`
	rs, err := Parse("listing.json", []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	want := `table netdev n {
	flags dormant
	comment "edge"

	quota q {
		over 1 mbytes
	}

	limit l {
		rate 2 kbytes/second burst 1 kbytes
	}

	ct helper h {
		type "ftp" protocol tcp
		l3proto ip
	}

	ct timeout to {
		protocol tcp
		l3proto ip
		policy = { close : 4, established : 100 }
	}

	ct expectation e {
		protocol tcp
		dport 22
		timeout 1m
		size 4
		l3proto ip
	}

	synproxy sp {
		mss 1460
		wscale 7
		timestamp
	}

	secmark sm {
		"system_u:object_r:ssh_server_packet_t:s0"
	}

	map m {
		type ipv4_addr . inet_service : verdict
		size 64
		policy memory
		flags interval,timeout
		timeout 1m
		gc-interval 30s
		auto-merge
		elements = { 10.0.0.1 . 22 timeout 10s expires 5s counter packets 1 bytes 2 comment "x" : accept }
	}

	set t {
		typeof ip saddr
		counter
	}

	flowtable f {
		hook ingress priority filter + 10
		devices = { "lo" }
	}

	chain ing {
		comment "c"
		type filter hook ingress devices = { "lo", "eth0" } priority -500; policy accept;
		meta protocol ip accept
	}
}
`
	if got := nft.Print(rs, nft.Options{}); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	// The listing printed again reads back to the same ruleset.
	out, err := PrintListing(rs)
	if err != nil {
		t.Fatal(err)
	}
	rs2, err := Parse("again.json", out)
	if err != nil {
		t.Fatalf("PrintListing's output does not parse: %v\n%s", err, out)
	}
	if got := nft.Print(rs2, nft.Options{}); got != want {
		t.Errorf("after PrintListing and Parse:\n%s\nwant\n%s", got, want)
	}
}
