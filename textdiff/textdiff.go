// Package textdiff renders line diffs of two texts as unified hunks
// (the "diff -u" format), with optional terminal colours. The line
// matching is github.com/sergi/go-diff's; the hunks are built here.
package textdiff

import (
	"fmt"
	"strings"

	"github.com/sergi/go-diff/diffmatchpatch"
)

// op is one line of an edit script: ' ' kept, '-' deleted, '+' inserted.
type op struct {
	kind byte
	line string
	// pa and pb count the lines of each text before this one.
	pa, pb int
}

// Unified returns the unified diff of a and b with context lines of
// context around each change, under "--- nameA" and "+++ nameB"
// headers. It returns "" when the texts are equal.
func Unified(nameA, nameB, a, b string, context int) string {
	if a == b {
		return ""
	}
	ops := lineOps(a, b)
	var sb strings.Builder
	fmt.Fprintf(&sb, "--- %s\n+++ %s\n", nameA, nameB)
	for _, h := range hunks(ops, context) {
		writeHunk(&sb, ops[h[0]:h[1]])
	}
	return sb.String()
}

// lineOps diffs a and b line by line.
func lineOps(a, b string) []op {
	dmp := diffmatchpatch.New()
	ca, cb, lines := dmp.DiffLinesToRunes(a, b)
	diffs := dmp.DiffMainRunes(ca, cb, false)
	var ops []op
	pa, pb := 0, 0
	for _, d := range diffs {
		runes := []rune(d.Text)
		for _, r := range runes {
			line := lines[r]
			switch d.Type {
			case diffmatchpatch.DiffEqual:
				ops = append(ops, op{' ', line, pa, pb})
				pa++
				pb++
			case diffmatchpatch.DiffDelete:
				ops = append(ops, op{'-', line, pa, pb})
				pa++
			case diffmatchpatch.DiffInsert:
				ops = append(ops, op{'+', line, pa, pb})
				pb++
			}
		}
	}
	return ops
}

// hunks groups the changed ops with their context into [start, end)
// ranges of ops; changes closer than 2*context lines share a hunk.
func hunks(ops []op, context int) [][2]int {
	var out [][2]int
	for i := 0; i < len(ops); {
		if ops[i].kind == ' ' {
			i++
			continue
		}
		start := max(i-context, 0)
		end := i
		// Extend over changes and the context between them.
		for end < len(ops) {
			if ops[end].kind != ' ' {
				end++
				continue
			}
			j := end
			for j < len(ops) && ops[j].kind == ' ' {
				j++
			}
			if j < len(ops) && j-end <= 2*context {
				end = j
				continue
			}
			end = min(end+context, len(ops))
			break
		}
		if len(out) > 0 && out[len(out)-1][1] >= start {
			out[len(out)-1][1] = end
		} else {
			out = append(out, [2]int{start, end})
		}
		i = end
	}
	return out
}

// writeHunk prints one hunk with its "@@ -a,n +b,m @@" header.
func writeHunk(sb *strings.Builder, ops []op) {
	var aLen, bLen int
	for _, o := range ops {
		if o.kind != '+' {
			aLen++
		}
		if o.kind != '-' {
			bLen++
		}
	}
	// A side with no lines is addressed by the line before the hunk, as
	// diff -u does; otherwise by its first line.
	aStart, bStart := ops[0].pa, ops[0].pb
	if aLen > 0 {
		aStart++
	}
	if bLen > 0 {
		bStart++
	}
	fmt.Fprintf(sb, "@@ -%s +%s @@\n", rangeText(aStart, aLen), rangeText(bStart, bLen))
	for _, o := range ops {
		sb.WriteByte(o.kind)
		sb.WriteString(strings.TrimSuffix(o.line, "\n"))
		sb.WriteByte('\n')
		if !strings.HasSuffix(o.line, "\n") {
			sb.WriteString("\\ No newline at end of file\n")
		}
	}
}

// rangeText prints a hunk range: "start" for one line, "start,len" otherwise.
func rangeText(start, n int) string {
	if n == 1 {
		return fmt.Sprint(start)
	}
	return fmt.Sprintf("%d,%d", start, n)
}

// Colorize adds terminal colours to a unified diff: headers bold,
// hunk headers cyan, deletions red, insertions green.
func Colorize(diff string) string {
	var sb strings.Builder
	for i, l := range strings.SplitAfter(diff, "\n") {
		if l == "" {
			continue
		}
		body := strings.TrimSuffix(l, "\n")
		color := ""
		switch {
		case i < 2:
			color = "\x1b[1m"
		case strings.HasPrefix(l, "@@"):
			color = "\x1b[36m"
		case strings.HasPrefix(l, "-"):
			color = "\x1b[31m"
		case strings.HasPrefix(l, "+"):
			color = "\x1b[32m"
		}
		if color == "" {
			sb.WriteString(l)
			continue
		}
		sb.WriteString(color + body + "\x1b[0m" + l[len(body):])
	}
	return sb.String()
}
