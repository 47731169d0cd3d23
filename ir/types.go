package ir

// ExprTypes returns the datatypes of the values an expression yields:
// one per part of a concatenation.
func ExprTypes(e Expr) []*Type {
	switch x := e.(type) {
	case *Selector:
		return []*Type{x.Field.Type}
	case *RawPayload:
		return []*Type{TypeRawHex.WithWidth(x.Len)}
	case *Special:
		if x.Type == nil {
			return nil
		}
		return []*Type{x.Type}
	case *Binop:
		return ExprTypes(x.X)
	case *Concat:
		var out []*Type
		for _, part := range x.Parts {
			out = append(out, FirstType(part))
		}
		return out
	case *MapExpr:
		if s, ok := x.Map.(*SetExpr); ok && len(s.Elems) > 0 && s.Elems[0].Value != nil {
			return ExprTypes(s.Elems[0].Value)
		}
	case *Const:
		if x.Type != nil {
			return []*Type{x.Type}
		}
	}
	return nil
}

// FirstType returns the datatype of the first value e yields, or nil.
func FirstType(e Expr) *Type {
	if ts := ExprTypes(e); len(ts) > 0 {
		return ts[0]
	}
	return nil
}
