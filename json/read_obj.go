package json

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/nftopt/nftopt/ir"
)

// objectObj reads a named stateful object. The ir keeps an object's
// body as property lines in nft's listing form (ir.Prop: first word
// and the rest), so the JSON properties are written as those lines.
func (r *reader) objectObj(kind string, m map[string]any) {
	t := r.tableOf(m, false)
	name := r.reqName(m, "name", "the "+kind+"'s name")
	o := t.Object(kind, name)
	if o == nil {
		o = &ir.Object{Kind: kind, Name: name}
		t.Objects = append(t.Objects, o)
	}
	if c, ok := r.optStr(m, "comment", "the object's comment"); ok {
		o.Comment = c
	}
	var lines []string
	switch kind {
	case "counter":
		p, _ := r.optUint(m, "packets", "the packet count")
		b, _ := r.optUint(m, "bytes", "the byte count")
		lines = append(lines, fmt.Sprintf("packets %d bytes %d", p, b))
	case "quota":
		b, _ := r.optUint(m, "bytes", "the quota in bytes")
		used, _ := r.optUint(m, "used", "the bytes used")
		n, unit := byteUnit(b)
		line := fmt.Sprintf("%d %s", n, unit)
		if r.optBool(m, "inv", "inv") {
			line = "over " + line
		}
		if used > 0 {
			n, unit := byteUnit(used)
			line += fmt.Sprintf(" used %d %s", n, unit)
		}
		lines = append(lines, line)
	case "limit":
		rate, ok := r.optUint(m, "rate", "the rate")
		if !ok {
			r.failf(`missing property "rate" (the limit's rate)`)
		}
		per, _ := r.optStr(m, "per", "the rate's time unit")
		if per == "" {
			per = "second"
		}
		r.checkPer(m, per)
		burst, _ := r.optUint(m, "burst", "the burst")
		rateUnit, _ := r.optStr(m, "rate_unit", "the rate's unit")
		burstUnit, _ := r.optStr(m, "burst_unit", "the burst's unit")
		r.checkUnit(m, "rate_unit", rateUnit, true)
		r.checkUnit(m, "burst_unit", burstUnit, false)
		over := ""
		if r.optBool(m, "inv", "inv") {
			over = "over "
		}
		if rateUnit == "" || rateUnit == "packets" {
			line := fmt.Sprintf("rate %s%d/%s", over, rate, per)
			if burst > 0 {
				line += fmt.Sprintf(" burst %d packets", burst)
			}
			lines = append(lines, line)
			break
		}
		if burstUnit == "" {
			burstUnit = "bytes"
		}
		n, unit := byteUnit(toBytes(rate, rateUnit))
		line := fmt.Sprintf("rate %s%d %s/%s", over, n, unit, per)
		if burst > 0 {
			n, unit := byteUnit(toBytes(burst, burstUnit))
			line += fmt.Sprintf(" burst %d %s", n, unit)
		}
		lines = append(lines, line)
	case "ct helper":
		typ := r.reqStr(m, "type", "the helper's type, such as ftp")
		proto := r.protoName(m)
		lines = append(lines, fmt.Sprintf("type %s protocol %s", strconv.Quote(typ), proto))
		if l3, ok := r.word(m, "l3proto", "the layer 3 protocol", false); ok {
			lines = append(lines, "l3proto "+l3)
		}
	case "ct timeout":
		lines = append(lines, "protocol "+r.protoName(m))
		if l3, ok := r.word(m, "l3proto", "the layer 3 protocol", false); ok {
			lines = append(lines, "l3proto "+l3)
		}
		if pv, ok := m["policy"]; ok && pv != nil {
			r.enter("policy")
			pm := r.object(pv, "the timeout policy (an object of state: seconds)")
			var items []string
			for _, k := range sortedPlainKeys(pm) {
				r.enter(k)
				if !isWord(k) {
					r.failf("expected a connection state name, got %q", k)
				}
				items = append(items, fmt.Sprintf("%s : %d", k, r.uint(pm[k], "a timeout in seconds")))
				r.leave()
			}
			r.leave()
			lines = append(lines, "policy = { "+strings.Join(items, ", ")+" }")
		}
	case "ct expectation":
		lines = append(lines, "protocol "+r.protoName(m))
		if p, ok := r.optUint(m, "dport", "the destination port"); ok {
			lines = append(lines, fmt.Sprintf("dport %d", p))
		}
		if n, ok := r.optUint(m, "timeout", "the timeout in milliseconds"); ok {
			lines = append(lines, "timeout "+ir.FormatDuration(n))
		}
		if n, ok := r.optUint(m, "size", "the size"); ok {
			lines = append(lines, fmt.Sprintf("size %d", n))
		}
		if l3, ok := r.word(m, "l3proto", "the layer 3 protocol", false); ok {
			lines = append(lines, "l3proto "+l3)
		}
	case "synproxy":
		mss, _ := r.optUint(m, "mss", "the MSS")
		ws, _ := r.optUint(m, "wscale", "the window scale")
		lines = append(lines, fmt.Sprintf("mss %d", mss), fmt.Sprintf("wscale %d", ws))
		if flags := r.strList(m, "flags", "synproxy flags"); len(flags) > 0 {
			lines = append(lines, strings.Join(flags, " "))
		}
	case "secmark":
		ctx, _ := r.optStr(m, "context", "the security context")
		lines = append(lines, strconv.Quote(ctx))
	case "tunnel":
		r.failf("tunnel objects are not supported yet")
	}
	o.Props = nil
	for _, l := range lines {
		k, v, _ := strings.Cut(l, " ")
		o.Props = append(o.Props, ir.Prop{Key: k, Value: v})
	}
}

// protoName reads the "protocol" property of a ct object: a name or a
// protocol number.
func (r *reader) protoName(m map[string]any) string {
	v, ok := m["protocol"]
	if !ok {
		r.failf(`missing property "protocol" (the layer 4 protocol)`)
	}
	r.enter("protocol")
	defer r.leave()
	if s, ok := v.(string); ok {
		if !isWord(s) {
			r.failf("expected a protocol name or number, got %q", s)
		}
		return s
	}
	n := r.uint(v, "a protocol name or number")
	if name, ok := ir.SymbolName("inet_proto", n); ok {
		return name
	}
	return strconv.FormatUint(n, 10)
}

func sortedPlainKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// checkUnit checks a byte unit ("packets" too for a rate) read from
// property key.
func (r *reader) checkUnit(m map[string]any, key, unit string, packets bool) {
	switch unit {
	case "", "bytes", "kbytes", "mbytes":
		return
	case "packets":
		if packets {
			return
		}
	}
	r.enter(key)
	r.failf("unknown unit %q (expected bytes, kbytes or mbytes)", unit)
}

// checkPer checks a limit's time unit.
func (r *reader) checkPer(m map[string]any, per string) {
	switch per {
	case "second", "minute", "hour", "day", "week":
		return
	}
	r.enter("per")
	r.failf("unknown time unit %q (expected second, minute, hour, day or week)", per)
}

// byteUnits are nft's byte units in increasing size.
var byteUnits = []string{"bytes", "kbytes", "mbytes"}

// toBytes converts a number of unit to bytes.
func toBytes(n uint64, unit string) uint64 {
	switch unit {
	case "kbytes":
		return n * 1024
	case "mbytes":
		return n * 1024 * 1024
	case "gbytes":
		return n * 1024 * 1024 * 1024
	}
	return n
}

// byteUnit writes a byte count in the largest unit that divides it, as
// nft lists rates and quotas.
func byteUnit(b uint64) (uint64, string) {
	i := 0
	for i < len(byteUnits)-1 && b >= 1024 && b%1024 == 0 {
		b /= 1024
		i++
	}
	return b, byteUnits[i]
}
