package lint

import (
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"sort"
	"strings"

	"github.com/nftopt/nftopt/ir"
)

// SourceLine returns the text of a line of a file, or false.
type SourceLine func(file string, line int) (string, bool)

// WriteText prints findings as "file:line:col: severity: message [ID
// name]", the source line with a caret when src knows it, the fix and
// related positions, then a summary line.
func WriteText(w io.Writer, fs []Finding, src SourceLine) {
	for _, f := range fs {
		fmt.Fprintf(w, "%s\n", f)
		if src != nil {
			if line, ok := src(f.Pos.File, f.Pos.Line); ok {
				fmt.Fprintf(w, "    %s\n    %s^\n", line, caretPad(line, f.Pos.Col))
			}
		}
		if f.Fix != "" {
			fmt.Fprintf(w, "    fix: %s\n", f.Fix)
		}
		for _, r := range f.Related {
			fmt.Fprintf(w, "    %s: %s\n", r.Pos, r.Message)
		}
	}
	fmt.Fprintln(w, Summary(fs))
}

// caretPad is the whitespace under line up to column col, keeping tabs.
func caretPad(line string, col int) string {
	var sb strings.Builder
	for i := 0; i < col-1 && i < len(line); i++ {
		if line[i] == '\t' {
			sb.WriteByte('\t')
		} else {
			sb.WriteByte(' ')
		}
	}
	return sb.String()
}

// Summary is one line counting findings by severity and by ID.
func Summary(fs []Finding) string {
	if len(fs) == 0 {
		return "no findings"
	}
	var n [3]int
	for _, f := range fs {
		n[f.Severity]++
	}
	var parts []string
	for s := Error; s >= Info; s-- {
		if n[s] > 0 {
			parts = append(parts, plural(n[s], s.String()))
		}
	}
	counts := Count(fs)
	var ids []string
	for id := range counts {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	var per []string
	for _, id := range ids {
		per = append(per, fmt.Sprintf("%s×%d", id, counts[id]))
	}
	return fmt.Sprintf("%s (%s)", strings.Join(parts, ", "), strings.Join(per, ", "))
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

type jsonPos struct {
	File   string `json:"file"`
	Line   int    `json:"line"`
	Column int    `json:"column"`
}

type jsonRelated struct {
	jsonPos
	Message string `json:"message"`
}

type jsonFinding struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Severity string `json:"severity"`
	jsonPos
	Message string        `json:"message"`
	Fix     string        `json:"fix,omitempty"`
	Saved   int           `json:"saved_evaluations,omitempty"`
	Related []jsonRelated `json:"related,omitempty"`
}

func jpos(p ir.Pos) jsonPos { return jsonPos{p.File, p.Line, p.Col} }

// WriteJSON prints findings and their counts per ID as one JSON object.
func WriteJSON(w io.Writer, fs []Finding) error {
	out := struct {
		Findings []jsonFinding  `json:"findings"`
		Counts   map[string]int `json:"counts"`
	}{Findings: []jsonFinding{}, Counts: Count(fs)}
	for _, f := range fs {
		jf := jsonFinding{ID: f.ID, Name: f.Name, Severity: f.Severity.String(), jsonPos: jpos(f.Pos),
			Message: f.Message, Fix: f.Fix, Saved: f.Saved}
		for _, r := range f.Related {
			jf.Related = append(jf.Related, jsonRelated{jpos(r.Pos), r.Message})
		}
		out.Findings = append(out.Findings, jf)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// sarifLevel maps a severity to SARIF's result levels.
func sarifLevel(s Severity) string {
	switch s {
	case Error:
		return "error"
	case Warning:
		return "warning"
	}
	return "note"
}

// WriteSARIF prints findings as a SARIF 2.1.0 log with one run, every
// check as a reporting descriptor, and each fix and saving as result
// properties.
func WriteSARIF(w io.Writer, fs []Finding, version string) error {
	type msg struct {
		Text string `json:"text"`
	}
	type region struct {
		StartLine   int `json:"startLine"`
		StartColumn int `json:"startColumn,omitempty"`
	}
	type artifact struct {
		URI string `json:"uri"`
	}
	type physical struct {
		ArtifactLocation artifact `json:"artifactLocation"`
		Region           *region  `json:"region,omitempty"`
	}
	type location struct {
		ID               *int     `json:"id,omitempty"`
		PhysicalLocation physical `json:"physicalLocation"`
		Message          *msg     `json:"message,omitempty"`
	}
	type result struct {
		RuleID           string         `json:"ruleId"`
		RuleIndex        int            `json:"ruleIndex"`
		Level            string         `json:"level"`
		Message          msg            `json:"message"`
		Locations        []location     `json:"locations"`
		RelatedLocations []location     `json:"relatedLocations,omitempty"`
		Properties       map[string]any `json:"properties,omitempty"`
	}
	type config struct {
		Level string `json:"level"`
	}
	type rule struct {
		ID                   string `json:"id"`
		Name                 string `json:"name"`
		ShortDescription     msg    `json:"shortDescription"`
		DefaultConfiguration config `json:"defaultConfiguration"`
		HelpURI              string `json:"helpUri"`
	}
	phys := func(p ir.Pos) physical {
		ph := physical{ArtifactLocation: artifact{URI: (&url.URL{Path: p.File}).String()}}
		if p.Line > 0 {
			ph.Region = &region{StartLine: p.Line, StartColumn: p.Col}
		}
		return ph
	}
	var rules []rule
	index := map[string]int{}
	for i, c := range Checks {
		index[c.ID] = i
		rules = append(rules, rule{ID: c.ID, Name: c.Name, ShortDescription: msg{c.Doc},
			DefaultConfiguration: config{sarifLevel(c.Severity)},
			HelpURI:              "https://github.com/nftopt/nftopt/blob/main/docs/lint.md#" + strings.ToLower(c.ID)})
	}
	results := []result{}
	for _, f := range fs {
		r := result{RuleID: f.ID, RuleIndex: index[f.ID], Level: sarifLevel(f.Severity), Message: msg{f.Message},
			Locations: []location{{PhysicalLocation: phys(f.Pos)}}}
		for i, rel := range f.Related {
			id := i + 1
			r.RelatedLocations = append(r.RelatedLocations, location{ID: &id, PhysicalLocation: phys(rel.Pos), Message: &msg{rel.Message}})
		}
		if f.Fix != "" || f.Saved > 0 {
			r.Properties = map[string]any{}
			if f.Fix != "" {
				r.Properties["fix"] = f.Fix
			}
			if f.Saved > 0 {
				r.Properties["savedEvaluations"] = f.Saved
			}
		}
		results = append(results, r)
	}
	log := map[string]any{
		"$schema": "https://json.schemastore.org/sarif-2.1.0.json",
		"version": "2.1.0",
		"runs": []any{map[string]any{
			"tool": map[string]any{"driver": map[string]any{
				"name": "nftopt", "informationUri": "https://github.com/nftopt/nftopt",
				"version": version, "rules": rules,
			}},
			"results": results,
		}},
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(log)
}

// WriteGitHub prints findings as GitHub Actions workflow commands
// (::error, ::warning, ::notice), which annotate the lines in a pull
// request.
func WriteGitHub(w io.Writer, fs []Finding) {
	for _, f := range fs {
		cmd := map[Severity]string{Error: "error", Warning: "warning", Info: "notice"}[f.Severity]
		text := f.Message
		if f.Fix != "" {
			text += "\nfix: " + f.Fix
		}
		fmt.Fprintf(w, "::%s file=%s,line=%d,col=%d,title=%s::%s\n", cmd, ghProp(f.Pos.File), f.Pos.Line, f.Pos.Col,
			ghProp(f.ID+" "+f.Name), ghData(text))
	}
}

// ghData escapes a workflow command's message.
func ghData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

// ghProp escapes a workflow command's property value.
func ghProp(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}
