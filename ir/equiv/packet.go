package equiv

import (
	"fmt"
	"sort"
	"strings"

	"github.com/nftopt/nftopt/ir"
)

// Packet is a concrete packet at a hook: the family of packets it
// belongs to (ip, ip6, arp, bridge, netdev), its field values keyed by
// registry name ("tcp dport", "meta iifname"; ct keys with a direction
// as "ct saddr original"), and the truth of uninterpreted predicates,
// keyed by their text.
type Packet struct {
	Family string
	Hook   string
	Fields map[string]ir.Value
	Preds  map[string]bool
}

// NewPacket returns a packet of family ("ip" or "ip6", ...) at hook, with
// meta nfproto and meta l4proto set for the ip families.
func NewPacket(family, hook string) Packet {
	p := Packet{Family: family, Hook: hook, Fields: map[string]ir.Value{}, Preds: map[string]bool{}}
	for _, fr := range familyRuns {
		if fr.name == family && fr.nfproto != 0 {
			p.Fields["meta nfproto"] = ir.Uint64Value(fr.nfproto, 8)
		}
	}
	return p
}

// Set gives field (a registry name such as "ip saddr") the value spelled
// text, parsed by the field's datatype; interface names are plain text.
// Setting a transport field also sets meta l4proto.
func (p *Packet) Set(field, text string) error {
	f := ir.LookupField(strings.TrimSuffix(strings.TrimSuffix(field, " original"), " reply"))
	if f == nil {
		return fmt.Errorf("unknown field %q", field)
	}
	if f.Name == "ip protocol" {
		f = ir.LookupField("meta l4proto")
		field = f.Name
	}
	w := f.Width
	var val []byte
	switch f.Type.Kind {
	case ir.KindString, ir.KindIfindex:
		if f.Type.Kind == ir.KindIfindex {
			w = 128
		}
		val = make([]byte, (w+7)/8)
		if len(text) > len(val) {
			return fmt.Errorf("%s: %q is too long", field, text)
		}
		copy(val, text)
	default:
		b, ok, err := f.Type.WithWidth(w).ParseValue(text)
		if err != nil {
			return fmt.Errorf("%s: %v", field, err)
		}
		if !ok {
			return fmt.Errorf("%s: cannot resolve %q", field, text)
		}
		val = b
	}
	v, err := ir.ValueOf(val, w)
	if err != nil {
		return fmt.Errorf("%s: %v", field, err)
	}
	p.Fields[field] = v
	if f.Dep != nil && f.Dep.L4 >= 0 {
		if _, ok := p.Fields["meta l4proto"]; !ok {
			p.Fields["meta l4proto"] = ir.Uint64Value(uint64(f.Dep.L4), 8)
		}
	}
	return nil
}

// prune drops fields of protocols the packet does not carry, so that
// counterexamples read as real packets.
func (p *Packet) prune() {
	l4, hasL4 := p.Fields["meta l4proto"]
	l3, hasL3 := p.Fields["meta nfproto"]
	for k := range p.Fields {
		f := ir.LookupField(strings.TrimSuffix(strings.TrimSuffix(k, " original"), " reply"))
		if f == nil || f.Dep == nil {
			continue
		}
		if f.Dep.L3 != "" && hasL3 && l3 != ir.Uint64Value(map[string]uint64{"ip": 2, "ip6": 10}[f.Dep.L3], 8) {
			delete(p.Fields, k)
			continue
		}
		if f.Dep.L4 >= 0 && (!hasL4 || l4 != ir.Uint64Value(uint64(f.Dep.L4), 8)) {
			delete(p.Fields, k)
		}
	}
}

// setFamily names the family of a packet of the inet run by its meta
// nfproto: ip6 for 10, else ip (a class the walk did not split on meta
// nfproto holds IPv4 packets too), with the field set to match.
func (p *Packet) setFamily() {
	p.Family = "ip"
	if p.Fields["meta nfproto"] == ir.Uint64Value(10, 8) {
		p.Family = "ip6"
	}
	p.Fields["meta nfproto"] = ir.Uint64Value(map[string]uint64{"ip": 2, "ip6": 10}[p.Family], 8)
}

// FieldNames returns the packet's field names in a stable order.
func (p Packet) FieldNames() []string {
	names := make([]string, 0, len(p.Fields))
	for k := range p.Fields {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

// packetOracle answers atoms for a concrete packet.
type packetOracle struct {
	p   *program
	pkt Packet
}

func (o packetOracle) truth(atom int) int {
	at := o.p.atoms[atom]
	dim := o.p.dims[at.dim]
	var hold bool
	switch {
	case dim.field == nil:
		hold = o.pkt.Preds[dim.key[len("pred: "):]]
	case dim.whole != "":
		// A byte of a field modeled byte by byte.
		var b []byte
		if v, ok := o.pkt.Fields[dim.whole]; ok {
			b = v.Bytes()
		}
		hold = at.set.Contains(byteValue(b, dim.field.Width/8, dim.byteIdx))
	default:
		v, ok := o.pkt.Fields[dim.key]
		if !ok {
			v = ir.ZeroValue(dim.width)
		}
		hold = at.set.Contains(v)
	}
	if hold {
		return 1
	}
	return 0
}

func (o packetOracle) indexed(*step) ([]int, bool) { return nil, false }

// Machine evaluates packets of one family at one hook of a ruleset,
// compiled once.
type Machine struct {
	p *program
}

// NewMachine compiles rs for packets of family at hook. A hook named
// "chain FAMILY TABLE NAME" (what Check reports for a chain no base
// chain reaches) evaluates that chain from its own entry.
func NewMachine(rs *ir.Ruleset, family, hook string) (*Machine, error) {
	var fr *familyRun
	for i := range familyRuns {
		if familyRuns[i].name == family {
			fr = &familyRuns[i]
		}
	}
	if fr == nil {
		return nil, fmt.Errorf("unknown packet family %q", family)
	}
	if entry, ok := entryFor(rs, hook); ok {
		rs = entry
	}
	p := compile(rs, &ir.Ruleset{}, *fr, hook)
	if len(p.unknown) > 0 {
		return nil, fmt.Errorf("cannot evaluate: %s", strings.Join(p.unknown, "; "))
	}
	return &Machine{p: p}, nil
}

// Run evaluates one packet.
func (m *Machine) Run(pkt Packet) (Outcome, error) {
	ev := &evaluator{p: m.p, o: packetOracle{m.p, pkt}}
	out := ev.run(0)
	if ev.tooDeep {
		return out, fmt.Errorf("jumps nest deeper than %d", maxDepth)
	}
	if ev.taintRead != "" {
		return out, fmt.Errorf("%s is matched after a statement set it to a value nftopt does not know", ev.taintRead)
	}
	return out, nil
}

// Evaluate runs pkt through rs at pkt.Hook: every base chain of the
// tables that see pkt's family, in priority order.
func Evaluate(rs *ir.Ruleset, pkt Packet) (Outcome, error) {
	m, err := NewMachine(rs, pkt.Family, pkt.Hook)
	if err != nil {
		return Outcome{}, err
	}
	return m.Run(pkt)
}
