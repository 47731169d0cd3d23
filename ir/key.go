package ir

import (
	"encoding/hex"
	"fmt"
	"strings"
)

// ExprKey returns a deterministic text for an expression: structurally
// equal expressions get equal keys, whatever their source positions. It
// names values for comparison (uninterpreted predicates, side effects,
// duplicate detection); it is not meant for users.
func ExprKey(e Expr) string {
	var sb strings.Builder
	writeExpr(&sb, e)
	return sb.String()
}

func writeExpr(sb *strings.Builder, e Expr) {
	switch x := e.(type) {
	case nil:
		sb.WriteString("<nil>")
	case *Selector:
		sb.WriteString(x.Field.Name)
		if x.Dir != "" {
			sb.WriteString("/" + x.Dir)
		}
	case *RawPayload:
		fmt.Fprintf(sb, "@%s,%d,%d", x.Base, x.Offset, x.Len)
	case *Const:
		switch {
		case x.Val != nil:
			sb.WriteString("0x" + hex.EncodeToString(x.Val))
		case x.Wild:
			sb.WriteString(fmt.Sprintf("%q*", x.Str))
		default:
			sb.WriteString(fmt.Sprintf("%q", x.Str))
		}
	case *Prefix:
		writeExpr(sb, x.X)
		fmt.Fprintf(sb, "/%d", x.Len)
	case *Range:
		writeExpr(sb, x.Lo)
		sb.WriteByte('-')
		writeExpr(sb, x.Hi)
	case *Concat:
		for i, p := range x.Parts {
			if i > 0 {
				sb.WriteString(" . ")
			}
			writeExpr(sb, p)
		}
	case *List:
		for i, p := range x.Items {
			if i > 0 {
				sb.WriteByte(',')
			}
			writeExpr(sb, p)
		}
	case *SetExpr:
		sb.WriteByte('{')
		for i, el := range x.Elems {
			if i > 0 {
				sb.WriteString(", ")
			}
			writeExpr(sb, el.Key)
			if el.Value != nil {
				sb.WriteString(" : ")
				writeExpr(sb, el.Value)
			}
		}
		sb.WriteByte('}')
	case *SetRef:
		sb.WriteString("@" + x.Name)
	case *Binop:
		sb.WriteByte('(')
		writeExpr(sb, x.X)
		sb.WriteString(" " + x.Op + " ")
		writeExpr(sb, x.Y)
		sb.WriteByte(')')
	case *MapExpr:
		writeExpr(sb, x.Key)
		if x.Vmap {
			sb.WriteString(" vmap ")
		} else {
			sb.WriteString(" map ")
		}
		writeExpr(sb, x.Map)
	case *Verdict:
		sb.WriteString(x.Kind)
		if x.Chain != "" {
			sb.WriteString(" " + x.Chain)
		}
		if x.Inline != nil {
			fmt.Fprintf(sb, " {%d rules}", len(x.Inline))
		}
	case *Special:
		k := 0
		for i, w := range x.Words {
			if i > 0 {
				sb.WriteByte(' ')
			}
			if w == "%" && k < len(x.Args) {
				writeExpr(sb, x.Args[k])
				k++
				continue
			}
			sb.WriteString(w)
		}
	default:
		fmt.Fprintf(sb, "<%T>", e)
	}
}

// StmtKey returns a deterministic text for a statement, as ExprKey does
// for expressions.
func StmtKey(s Stmt) string {
	var sb strings.Builder
	switch x := s.(type) {
	case *Match:
		writeExpr(&sb, x.Left)
		sb.WriteString(" " + opKey(x.Op) + " ")
		writeExpr(&sb, x.Right)
	case *VerdictStmt:
		if x.Vmap != nil {
			writeExpr(&sb, x.Vmap)
		} else {
			writeExpr(&sb, x.Verdict)
		}
	case *Counter:
		sb.WriteString("counter")
		if x.Name != nil {
			sb.WriteString(" name ")
			writeExpr(&sb, x.Name)
		}
	case *Limit:
		if x.Name != nil {
			sb.WriteString("limit name ")
			writeExpr(&sb, x.Name)
			break
		}
		burst, unit := x.Burst, x.BurstUnit
		if x.Unit == "" && unit == "" {
			// A packet limit without a burst has nft's default of 5.
			burst, unit = 5, "packets"
		}
		fmt.Fprintf(&sb, "limit over=%v %d %s/%s burst %d %s", x.Over, x.Rate, x.Unit, x.Per, burst, unit)
	case *Quota:
		if x.Name != nil {
			sb.WriteString("quota name ")
			writeExpr(&sb, x.Name)
			break
		}
		fmt.Fprintf(&sb, "quota over=%v %d %s", x.Over, x.Bytes, x.Unit)
	case *Log:
		sb.WriteString("log")
		if x.Prefix != nil {
			sb.WriteString(" prefix ")
			writeExpr(&sb, x.Prefix)
		}
		fmt.Fprintf(&sb, " level %s group %v/%d snaplen %d qthreshold %d flags %v", x.Level, x.HasGroup, x.Group, x.Snaplen, x.QThreshold, x.Flags)
	case *Reject:
		sb.WriteString("reject " + x.With + " ")
		if x.Code != nil {
			writeExpr(&sb, x.Code)
		}
	case *Nat:
		fmt.Fprintf(&sb, "%s %s prefix=%v addrport=%v ", x.Kind, x.Family, x.Prefix, x.AddrPort)
		writeExpr(&sb, x.Addr)
		sb.WriteByte(':')
		writeExpr(&sb, x.Port)
		fmt.Fprintf(&sb, " %v", x.Flags)
	case *Mangle:
		writeExpr(&sb, x.Left)
		sb.WriteString(" set ")
		writeExpr(&sb, x.Value)
	case *SetStmt:
		fmt.Fprintf(&sb, "%s @%s meter=%v size=%d { ", x.Op, x.Set, x.Meter, x.MeterSize)
		writeExpr(&sb, x.Key)
		if x.Data != nil {
			sb.WriteString(" : ")
			writeExpr(&sb, x.Data)
		}
		for _, st := range x.Stmts {
			sb.WriteString(" " + StmtKey(st))
		}
		sb.WriteString(" }")
	case *Generic:
		k := 0
		for i, w := range x.Words {
			if i > 0 {
				sb.WriteByte(' ')
			}
			if w == "%" && k < len(x.Args) {
				writeExpr(&sb, x.Args[k])
				k++
				continue
			}
			sb.WriteString(w)
		}
	default:
		fmt.Fprintf(&sb, "<%T>", s)
	}
	return sb.String()
}

func opKey(o Op) string {
	if o == OpImplicit {
		return "~"
	}
	return o.String()
}
