package json

import (
	"strconv"
	"unicode/utf8"
)

// The writer builds a small tree of JSON values and encodes it itself,
// so that object keys keep the order nft uses and large rulesets need
// no reflection. A value is one of: nil (null), bool, string, int64,
// uint64, *object, []any.

// object is a JSON object with keys in insertion order.
type object struct {
	keys []string
	vals []any
}

// obj builds an object from alternating keys and values.
func obj(kv ...any) *object {
	o := &object{keys: make([]string, 0, len(kv)/2), vals: make([]any, 0, len(kv)/2)}
	for i := 0; i+1 < len(kv); i += 2 {
		o.set(kv[i].(string), kv[i+1])
	}
	return o
}

// single builds {key: val}.
func single(key string, val any) *object {
	return &object{keys: []string{key}, vals: []any{val}}
}

// set adds or replaces key.
func (o *object) set(key string, val any) {
	for i, k := range o.keys {
		if k == key {
			o.vals[i] = val
			return
		}
	}
	o.keys = append(o.keys, key)
	o.vals = append(o.vals, val)
}

// get returns the value of key and whether it is present.
func (o *object) get(key string) (any, bool) {
	for i, k := range o.keys {
		if k == key {
			return o.vals[i], true
		}
	}
	return nil, false
}

// encoder appends JSON text to buf, optionally indented.
type encoder struct {
	buf    []byte
	indent string
	depth  int
}

func (e *encoder) newline() {
	if e.indent == "" {
		return
	}
	e.buf = append(e.buf, '\n')
	for i := 0; i < e.depth; i++ {
		e.buf = append(e.buf, e.indent...)
	}
}

func (e *encoder) value(v any) {
	switch x := v.(type) {
	case nil:
		e.buf = append(e.buf, "null"...)
	case bool:
		e.buf = strconv.AppendBool(e.buf, x)
	case string:
		e.buf = appendString(e.buf, x)
	case int:
		e.buf = strconv.AppendInt(e.buf, int64(x), 10)
	case int64:
		e.buf = strconv.AppendInt(e.buf, x, 10)
	case uint64:
		e.buf = strconv.AppendUint(e.buf, x, 10)
	case *object:
		if len(x.keys) == 0 {
			e.buf = append(e.buf, "{}"...)
			return
		}
		e.buf = append(e.buf, '{')
		e.depth++
		for i, k := range x.keys {
			if i > 0 {
				e.buf = append(e.buf, ',')
			}
			e.newline()
			e.buf = appendString(e.buf, k)
			e.buf = append(e.buf, ':')
			if e.indent != "" {
				e.buf = append(e.buf, ' ')
			}
			e.value(x.vals[i])
		}
		e.depth--
		e.newline()
		e.buf = append(e.buf, '}')
	case []any:
		if len(x) == 0 {
			e.buf = append(e.buf, "[]"...)
			return
		}
		e.buf = append(e.buf, '[')
		e.depth++
		for i, it := range x {
			if i > 0 {
				e.buf = append(e.buf, ',')
			}
			e.newline()
			e.value(it)
		}
		e.depth--
		e.newline()
		e.buf = append(e.buf, ']')
	default:
		panic("json: cannot encode value of this kind")
	}
}

const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string.
func appendString(buf []byte, s string) []byte {
	buf = append(buf, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			i++
			continue
		}
		if c < utf8.RuneSelf {
			buf = append(buf, s[start:i]...)
			switch c {
			case '"', '\\':
				buf = append(buf, '\\', c)
			case '\n':
				buf = append(buf, '\\', 'n')
			case '\r':
				buf = append(buf, '\\', 'r')
			case '\t':
				buf = append(buf, '\\', 't')
			default:
				buf = append(buf, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			buf = append(buf, s[start:i]...)
			buf = append(buf, `\ufffd`...)
			i += size
			start = i
			continue
		}
		i += size
	}
	buf = append(buf, s[start:]...)
	return append(buf, '"')
}

// encode returns v as JSON text; with indent set, one item per line.
func encode(v any, indent string) []byte {
	e := &encoder{indent: indent}
	e.value(v)
	return e.buf
}
