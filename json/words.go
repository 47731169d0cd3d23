package json

import (
	"strconv"
	"strings"
)

// splitWords splits nft text into words: quoted strings stay whole
// (with their quotes), braces and '=' and ',' are words of their own.
func splitWords(s string) []string {
	var out []string
	i := 0
	for i < len(s) {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n':
			i++
		case c == '"':
			j := i + 1
			for j < len(s) && s[j] != '"' {
				if s[j] == '\\' {
					j++
				}
				j++
			}
			if j < len(s) {
				j++
			}
			out = append(out, s[i:min(j, len(s))])
			i = j
		case c == '{' || c == '}' || c == '=' || c == ',':
			out = append(out, s[i:i+1])
			i++
		default:
			j := i
			for j < len(s) && !strings.ContainsRune(" \t\n\"{}=,", rune(s[j])) {
				j++
			}
			out = append(out, s[i:j])
			i = j
		}
	}
	return out
}

// unquote removes the quotes of a quoted word.
func unquote(s string) string {
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		if u, err := strconv.Unquote(s); err == nil {
			return u
		}
		return s[1 : len(s)-1]
	}
	return s
}

// wordScanner reads the canonical words of a statement or object the
// ir keeps as words.
type wordScanner struct {
	w     *writer
	words []string
	i     int
	what  string
}

func (s *wordScanner) done() bool { return s.i >= len(s.words) }

func (s *wordScanner) peek() string {
	if s.done() {
		return ""
	}
	return s.words[s.i]
}

func (s *wordScanner) next() string {
	if s.done() {
		s.w.failf("%s: unexpected end of %q", s.what, strings.Join(s.words, " "))
	}
	s.i++
	return s.words[s.i-1]
}

func (s *wordScanner) accept(w string) bool {
	if s.peek() == w {
		s.i++
		return true
	}
	return false
}

func (s *wordScanner) expect(w string) {
	if !s.accept(w) {
		s.unexpected(s.peek())
	}
}

func (s *wordScanner) unexpected(w string) {
	s.w.failf("%s: cannot write %q as JSON (unexpected %q)", s.what, strings.Join(s.words, " "), w)
}

func (s *wordScanner) uint() uint64 {
	w := s.next()
	n, err := strconv.ParseUint(w, 0, 64)
	if err != nil {
		s.unexpected(w)
	}
	return n
}

// str reads a possibly quoted string.
func (s *wordScanner) str() string { return unquote(s.next()) }

// unit reads an optional byte unit; "bytes" when absent.
func (s *wordScanner) unit() string {
	switch p := s.peek(); p {
	case "bytes", "kbytes", "mbytes", "gbytes":
		s.i++
		return p
	}
	return "bytes"
}

// rate reads "N/unit" or "N unit/per" (also "N unit / per").
func (s *wordScanner) rate() (n uint64, unit, per string) {
	var sb strings.Builder
	for !s.done() && s.peek() != "burst" {
		sb.WriteString(s.next())
	}
	m := rateRe.FindStringSubmatch(sb.String())
	if m == nil {
		s.unexpected(sb.String())
	}
	n, _ = strconv.ParseUint(m[1], 10, 64)
	return n, m[2], m[3]
}

// policy reads a ct timeout policy "= { state : N, ... }".
func (s *wordScanner) policy() *object {
	s.accept("=")
	s.expect("{")
	o := obj()
	for !s.done() && s.peek() != "}" {
		k := s.next()
		k = strings.TrimSuffix(k, ":")
		s.accept(":")
		v := s.next()
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			ms, derr := parseDurationWord(v)
			if derr != nil {
				s.unexpected(v)
			}
			n = ms / 1000
		}
		o.set(unquote(k), n)
		s.accept(",")
	}
	s.expect("}")
	return o
}
