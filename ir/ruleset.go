package ir

import "fmt"

// Family is an nftables address family.
type Family uint8

// The address families of nftables tables.
const (
	FamilyIP Family = iota
	FamilyIP6
	FamilyInet
	FamilyARP
	FamilyBridge
	FamilyNetdev
)

var familyNames = [...]string{"ip", "ip6", "inet", "arp", "bridge", "netdev"}

// String returns the family as nft spells it.
func (f Family) String() string { return familyNames[f] }

// ParseFamily maps an nft family keyword to a Family.
func ParseFamily(s string) (Family, bool) {
	for i, n := range familyNames {
		if n == s {
			return Family(i), true
		}
	}
	return 0, false
}

// Ruleset is a whole nftables ruleset: the destructive commands that
// run first (flush ruleset, delete table, ...), then the declarative
// state that loading the file adds to the kernel.
type Ruleset struct {
	Prologue []*Command
	Tables   []*Table
}

// Table finds a table by family and name.
func (rs *Ruleset) Table(f Family, name string) *Table {
	for _, t := range rs.Tables {
		if t.Family == f && t.Name == name {
			return t
		}
	}
	return nil
}

// Command is a destructive command kept from the input: it applies to
// whatever the kernel held before the file was loaded.
type Command struct {
	Verb   string // flush, delete, destroy, reset
	Object string // ruleset, table, chain, set, map, element, rule, counter, ...
	Family Family
	Table  string
	Name   string // chain, set or object name; empty for tables
	// Args is the rest of the command as canonical text (handle N,
	// element list), printed after the object reference.
	Args string
	// Chain and Set hold what a delete removed when the input had
	// declared it first: the printer declares it again before deleting,
	// as the input did, so the delete succeeds whether or not the
	// kernel held it.
	Chain *Chain
	Set   *Set
	// Elements holds the elements a "delete element" removed that the
	// input had added: they are added again before the delete.
	Elements []*Element
	Span     Span
}

// Table is an nftables table and everything in it.
type Table struct {
	Family     Family
	Name       string
	Flags      []string
	Comment    string
	Chains     []*Chain
	Sets       []*Set // sets and maps, in declaration order
	Objects    []*Object
	Flowtables []*Flowtable
	Span       Span
}

// Chain finds a chain by name.
func (t *Table) Chain(name string) *Chain {
	for _, c := range t.Chains {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// Set finds a set or map by name.
func (t *Table) Set(name string) *Set {
	for _, s := range t.Sets {
		if s.Name == name {
			return s
		}
	}
	return nil
}

// Object finds a stateful object by kind and name.
func (t *Table) Object(kind, name string) *Object {
	for _, o := range t.Objects {
		if o.Kind == kind && o.Name == name {
			return o
		}
	}
	return nil
}

// Flowtable finds a flowtable by name.
func (t *Table) Flowtable(name string) *Flowtable {
	for _, f := range t.Flowtables {
		if f.Name == name {
			return f
		}
	}
	return nil
}

// Chain is a base or regular chain.
type Chain struct {
	Name    string
	Base    *BaseChain // nil for a regular chain
	Comment string
	Rules   []*Rule
	Span    Span
}

// BaseChain is the hook attachment of a base chain.
type BaseChain struct {
	Type     string // filter, nat, route
	Hook     string
	Devices  []string
	Priority Priority
	Policy   string // accept or drop; empty when not given
}

// Priority is a base chain or flowtable priority: a number, or a
// standard name (filter, dstnat, ...) plus an offset.
type Priority struct {
	Name   string // empty for a plain number
	Offset int
}

// String prints the priority as nft lists it.
func (p Priority) String() string {
	switch {
	case p.Name == "":
		return fmt.Sprint(p.Offset)
	case p.Offset > 0:
		return fmt.Sprintf("%s + %d", p.Name, p.Offset)
	case p.Offset < 0:
		return fmt.Sprintf("%s - %d", p.Name, -p.Offset)
	}
	return p.Name
}

// Rule is one rule: its statements in order, an optional comment and
// where it came from.
type Rule struct {
	Stmts   []Stmt
	Comment string
	Handle  uint64
	// Insert marks a rule added with "insert rule": it goes before the
	// rules the chain already held in the kernel.
	Insert bool
	Span   Span
	// Origin lists the source rules a rewritten rule was made from.
	Origin []Span
}

// Set is a named set or map.
type Set struct {
	Name string
	// Map is true for maps; Data then holds the value type.
	Map bool
	// Key and Data are the key and value types as written: either
	// "type" datatypes joined with " . " or "typeof" expressions.
	Key       TypeSpec
	Data      TypeSpec
	Flags     []string
	Timeout   string
	GcInt     string
	Size      uint64
	Policy    string
	AutoMerge bool
	Counter   bool
	Comment   string
	Stmts     []Stmt // per-element statements declared on the set (counter, quota, ...)
	Elements  []*Element
	Span      Span
}

// TypeSpec is a set key or map value type.
type TypeSpec struct {
	// Typeof holds the expressions of a "typeof" declaration; empty for
	// a "type" declaration.
	Typeof []Expr
	// Types holds datatype names of a "type" declaration, or the kind
	// of objects a map points to ("counter", "quota", ...).
	Types []string
	// Interval marks a map value declared with "interval".
	Interval bool
}

// IsZero reports whether no type was given.
func (t TypeSpec) IsZero() bool { return len(t.Typeof) == 0 && len(t.Types) == 0 }

// Element is one element of a set or map.
type Element struct {
	Key     Expr
	Value   Expr // nil for sets
	Timeout string
	Expires string
	Comment string
	Stmts   []Stmt // counter, quota, limit attached to the element
	Span    Span
}

// Object is a named stateful object: counter, quota, limit, ct helper,
// ct timeout, ct expectation, synproxy or secmark.
type Object struct {
	Kind string // "counter", "quota", "limit", "ct helper", ...
	Name string
	// Props holds the object's properties in declaration order as
	// keyword and canonical text.
	Props   []Prop
	Comment string
	Span    Span
}

// Prop is one property of a stateful object.
type Prop struct {
	Key   string
	Value string
}

// Flowtable is a flowtable declaration.
type Flowtable struct {
	Name     string
	Hook     string
	Priority Priority
	Devices  []string
	Flags    []string
	Counter  bool
	Span     Span
}

// MapChains returns a copy of rs whose tables hold fn's result for each
// of their chains (fn returning nil drops the chain). The copy shares
// everything else with rs: sets, objects, and whatever fn keeps.
func (rs *Ruleset) MapChains(fn func(t *Table, c *Chain) *Chain) *Ruleset {
	out := &Ruleset{Prologue: rs.Prologue}
	for _, t := range rs.Tables {
		nt := *t
		nt.Chains = nil
		for _, c := range t.Chains {
			if nc := fn(t, c); nc != nil {
				nt.Chains = append(nt.Chains, nc)
			}
		}
		out.Tables = append(out.Tables, &nt)
	}
	return out
}
