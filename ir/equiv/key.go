package equiv

import (
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/nftopt/nftopt/ir"
)

// exprKey returns a deterministic text for an expression: equal
// expressions in two rulesets get equal keys. It names uninterpreted
// predicates and side effects; it is not meant for users.
func exprKey(e ir.Expr) string {
	var sb strings.Builder
	writeExpr(&sb, e)
	return sb.String()
}

func writeExpr(sb *strings.Builder, e ir.Expr) {
	switch x := e.(type) {
	case nil:
		sb.WriteString("<nil>")
	case *ir.Selector:
		sb.WriteString(x.Field.Name)
		if x.Dir != "" {
			sb.WriteString("/" + x.Dir)
		}
	case *ir.RawPayload:
		fmt.Fprintf(sb, "@%s,%d,%d", x.Base, x.Offset, x.Len)
	case *ir.Const:
		switch {
		case x.Val != nil:
			sb.WriteString("0x" + hex.EncodeToString(x.Val))
		case x.Wild:
			sb.WriteString(fmt.Sprintf("%q*", x.Str))
		default:
			sb.WriteString(fmt.Sprintf("%q", x.Str))
		}
	case *ir.Prefix:
		writeExpr(sb, x.X)
		fmt.Fprintf(sb, "/%d", x.Len)
	case *ir.Range:
		writeExpr(sb, x.Lo)
		sb.WriteByte('-')
		writeExpr(sb, x.Hi)
	case *ir.Concat:
		for i, p := range x.Parts {
			if i > 0 {
				sb.WriteString(" . ")
			}
			writeExpr(sb, p)
		}
	case *ir.List:
		for i, p := range x.Items {
			if i > 0 {
				sb.WriteByte(',')
			}
			writeExpr(sb, p)
		}
	case *ir.SetExpr:
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
	case *ir.SetRef:
		sb.WriteString("@" + x.Name)
	case *ir.Binop:
		sb.WriteByte('(')
		writeExpr(sb, x.X)
		sb.WriteString(" " + x.Op + " ")
		writeExpr(sb, x.Y)
		sb.WriteByte(')')
	case *ir.MapExpr:
		writeExpr(sb, x.Key)
		if x.Vmap {
			sb.WriteString(" vmap ")
		} else {
			sb.WriteString(" map ")
		}
		writeExpr(sb, x.Map)
	case *ir.Verdict:
		sb.WriteString(x.Kind)
		if x.Chain != "" {
			sb.WriteString(" " + x.Chain)
		}
		if x.Inline != nil {
			fmt.Fprintf(sb, " {%d rules}", len(x.Inline))
		}
	case *ir.Special:
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

// stmtKey returns a deterministic text for a statement.
func stmtKey(s ir.Stmt) string {
	var sb strings.Builder
	switch x := s.(type) {
	case *ir.Match:
		writeExpr(&sb, x.Left)
		sb.WriteString(" " + opKey(x.Op) + " ")
		writeExpr(&sb, x.Right)
	case *ir.VerdictStmt:
		if x.Vmap != nil {
			writeExpr(&sb, x.Vmap)
		} else {
			writeExpr(&sb, x.Verdict)
		}
	case *ir.Counter:
		sb.WriteString("counter")
		if x.Name != nil {
			sb.WriteString(" name ")
			writeExpr(&sb, x.Name)
		}
	case *ir.Limit:
		if x.Name != nil {
			sb.WriteString("limit name ")
			writeExpr(&sb, x.Name)
			break
		}
		fmt.Fprintf(&sb, "limit over=%v %d %s/%s burst %d %s", x.Over, x.Rate, x.Unit, x.Per, x.Burst, x.BurstUnit)
	case *ir.Quota:
		if x.Name != nil {
			sb.WriteString("quota name ")
			writeExpr(&sb, x.Name)
			break
		}
		fmt.Fprintf(&sb, "quota over=%v %d %s", x.Over, x.Bytes, x.Unit)
	case *ir.Log:
		sb.WriteString("log")
		if x.Prefix != nil {
			sb.WriteString(" prefix ")
			writeExpr(&sb, x.Prefix)
		}
		fmt.Fprintf(&sb, " level %s group %v/%d snaplen %d qthreshold %d flags %v", x.Level, x.HasGroup, x.Group, x.Snaplen, x.QThreshold, x.Flags)
	case *ir.Reject:
		sb.WriteString("reject " + x.With + " ")
		if x.Code != nil {
			writeExpr(&sb, x.Code)
		}
	case *ir.Nat:
		fmt.Fprintf(&sb, "%s %s prefix=%v addrport=%v ", x.Kind, x.Family, x.Prefix, x.AddrPort)
		writeExpr(&sb, x.Addr)
		sb.WriteByte(':')
		writeExpr(&sb, x.Port)
		fmt.Fprintf(&sb, " %v", x.Flags)
	case *ir.Mangle:
		writeExpr(&sb, x.Left)
		sb.WriteString(" set ")
		writeExpr(&sb, x.Value)
	case *ir.SetStmt:
		fmt.Fprintf(&sb, "%s @%s meter=%v size=%d { ", x.Op, x.Set, x.Meter, x.MeterSize)
		writeExpr(&sb, x.Key)
		if x.Data != nil {
			sb.WriteString(" : ")
			writeExpr(&sb, x.Data)
		}
		for _, st := range x.Stmts {
			sb.WriteString(" " + stmtKey(st))
		}
		sb.WriteString(" }")
	case *ir.Generic:
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

func opKey(o ir.Op) string {
	if o == ir.OpImplicit {
		return "~"
	}
	return o.String()
}
