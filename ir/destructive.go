package ir

// Destructive applies delete, destroy, flush and reset commands to a
// ruleset being read, for the text parser and the JSON reader alike:
// each command changes what was declared so far, and is kept in the
// Prologue so that it also applies to what the kernel held before —
// unless an earlier "flush ruleset" or "delete table" in the same input
// already emptied what it names.
type Destructive struct {
	RS *Ruleset
	// allFresh and fresh record that "flush ruleset" or "delete table"
	// already ran: later commands on those tables only change the state.
	allFresh bool
	fresh    map[string]bool
}

func tableKey(f Family, name string) string { return f.String() + " " + name }

// Record keeps cmd in the prologue unless its table is fresh.
func (d *Destructive) Record(cmd *Command) {
	if d.allFresh || d.fresh[tableKey(cmd.Family, cmd.Table)] {
		return
	}
	d.RS.Prologue = append(d.RS.Prologue, cmd)
}

// Ruleset applies "flush ruleset", "delete ruleset" and the per-family
// form (family set, Args the family's name).
func (d *Destructive) Ruleset(cmd *Command, family bool) {
	switch {
	case family:
		d.RS.Prologue = append(d.RS.Prologue, cmd)
		var keep []*Table
		for _, t := range d.RS.Tables {
			if t.Family != cmd.Family {
				keep = append(keep, t)
			}
		}
		d.RS.Tables = keep
	case cmd.Verb == "flush":
		d.RS.Prologue = []*Command{cmd}
		d.RS.Tables = nil
		d.allFresh = true
	default:
		d.RS.Prologue = append(d.RS.Prologue, cmd)
	}
}

// Table applies a command on a table: delete and destroy remove it (and
// make it fresh), flush empties its chains.
func (d *Destructive) Table(cmd *Command) {
	d.Record(cmd)
	if cmd.Verb == "delete" || cmd.Verb == "destroy" {
		if d.fresh == nil {
			d.fresh = map[string]bool{}
		}
		d.fresh[tableKey(cmd.Family, cmd.Table)] = true
	}
	t := d.RS.Table(cmd.Family, cmd.Table)
	if t == nil {
		return
	}
	switch cmd.Verb {
	case "delete", "destroy":
		var keep []*Table
		for _, x := range d.RS.Tables {
			if x != t {
				keep = append(keep, x)
			}
		}
		d.RS.Tables = keep
	case "flush":
		for _, c := range t.Chains {
			c.Rules = nil
		}
	}
}

// Object applies a command on a chain, set or map of t (cmd already
// recorded): flush empties it; delete and destroy remove it, keeping its
// header in cmd so that the printer can declare it again before the
// delete. It returns the chain it removed, if any.
func (d *Destructive) Object(cmd *Command, t *Table) *Chain {
	if t == nil {
		return nil
	}
	switch cmd.Object {
	case "chain":
		c := t.Chain(cmd.Name)
		if c == nil {
			return nil
		}
		if cmd.Verb == "flush" {
			c.Rules = nil
			return nil
		}
		if cmd.Verb == "reset" {
			return nil
		}
		cmd.Chain = &Chain{Name: c.Name, Base: c.Base, Span: c.Span}
		var keep []*Chain
		for _, x := range t.Chains {
			if x != c {
				keep = append(keep, x)
			}
		}
		t.Chains = keep
		return c
	case "set", "map":
		s := t.Set(cmd.Name)
		if s == nil {
			return nil
		}
		if cmd.Verb == "flush" {
			s.Elements = nil
		} else if cmd.Verb != "reset" {
			hdr := *s
			hdr.Elements = nil
			cmd.Set = &hdr
			var keep []*Set
			for _, x := range t.Sets {
				if x != s {
					keep = append(keep, x)
				}
			}
			t.Sets = keep
		}
	}
	return nil
}

// Elements removes from s the elements a delete names (by key), keeping
// them in cmd.Elements so that the printer can add them again first.
func (d *Destructive) Elements(cmd *Command, s *Set, del []*Element) {
	if cmd.Verb == "reset" {
		return
	}
	drop := map[string]bool{}
	for _, e := range del {
		drop[ExprKey(e.Key)] = true
	}
	var keep []*Element
	for _, e := range s.Elements {
		if drop[ExprKey(e.Key)] {
			cmd.Elements = append(cmd.Elements, e)
		} else {
			keep = append(keep, e)
		}
	}
	s.Elements = keep
}
