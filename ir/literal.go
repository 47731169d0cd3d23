package ir

// Ordered reports whether values of type t have a numeric order, so
// that literals of it denote intervals (strings, interface names,
// inet_service-less addresses of mixed families and verdicts do not).
func Ordered(t *Type) bool {
	switch t.Kind {
	case KindString, KindIfindex, KindInetAddr, KindVerdict:
		return false
	}
	return true
}

// LiteralSet is the set of values of a width-bit field of type t that
// the literals xs denote: constants, prefixes and ranges of constants.
// It reports false for anything else (variables, symbols it cannot
// resolve, expressions) and for unordered types.
func LiteralSet(t *Type, width int, xs []Expr) (IntervalSet, bool) {
	if !Ordered(t) {
		return IntervalSet{}, false
	}
	value := func(e Expr) (Value, bool) {
		c, ok := e.(*Const)
		if !ok || c.Val == nil {
			return Value{}, false
		}
		v, err := ValueOf(c.Val, width)
		return v, err == nil
	}
	var ivs []Interval
	for _, x := range xs {
		switch e := x.(type) {
		case *Const:
			v, ok := value(e)
			if !ok {
				return IntervalSet{}, false
			}
			ivs = append(ivs, Interval{Lo: v, Hi: v})
		case *Prefix:
			v, ok := value(e.X)
			if !ok || e.Len > width {
				return IntervalSet{}, false
			}
			ivs = append(ivs, PrefixSet(v, e.Len).Intervals()...)
		case *Range:
			a, ok1 := value(e.Lo)
			b, ok2 := value(e.Hi)
			if !ok1 || !ok2 {
				return IntervalSet{}, false
			}
			ivs = append(ivs, Interval{Lo: a, Hi: b})
		default:
			return IntervalSet{}, false
		}
	}
	return NewIntervalSet(width, ivs...), true
}
