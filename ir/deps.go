package ir

// ImpliedBy reports whether match a is exactly the protocol dependency
// that nft adds by itself, in a table of family fam, for the selector of
// the next statement b, so that nft lists the rule without it ("meta
// l4proto tcp tcp dport 22" is listed as "tcp dport 22"). Loading either
// form gives the same bytecode. The text and JSON printers both use it.
func ImpliedBy(fam Family, a, b Stmt) bool {
	m, ok := a.(*Match)
	if !ok || (m.Op != OpImplicit && m.Op != OpEq) {
		return false
	}
	sel, ok := m.Left.(*Selector)
	if !ok {
		return false
	}
	val, ok := m.Right.(*Const)
	if !ok || val.Val == nil || val.Sym {
		return false
	}
	next := firstField(b)
	if next == nil {
		return false
	}
	v := Uint(val.Val)
	switch sel.Field.Name {
	case "meta l4proto":
		return next.Dep != nil && next.Dep.L4 == int(v) && fam != FamilyARP
	case "ip protocol":
		return fam == FamilyIP && next.Dep != nil && next.Dep.L4 == int(v)
	case "meta protocol":
		if next.Dep == nil {
			return false
		}
		return fam == FamilyIP && v == 0x0800 && (next.Dep.L3 == "ip" || next.Dep.L4 >= 0 && next.Dep.L3 == "") ||
			fam == FamilyIP6 && v == 0x86dd && (next.Dep.L3 == "ip6" || next.Dep.L4 >= 0 && next.Dep.L3 == "")
	case "meta nfproto":
		if fam != FamilyInet || next.Dep == nil {
			return false
		}
		return next.Dep.L3 == "ip" && v == 2 || next.Dep.L3 == "ip6" && v == 10
	case "ether type":
		return v == 0x8100 && next.Proto == "vlan"
	}
	return false
}

// firstField returns the field of the first selector a match or
// mangle statement reads.
func firstField(s Stmt) *Field {
	var e Expr
	switch x := s.(type) {
	case *Match:
		e = x.Left
	case *Mangle:
		e = x.Left
	default:
		return nil
	}
	for {
		switch x := e.(type) {
		case *Selector:
			if x.Dir != "" {
				return nil
			}
			return x.Field
		case *Binop:
			e = x.X
		case *Concat:
			e = x.Parts[0]
		default:
			return nil
		}
	}
}
