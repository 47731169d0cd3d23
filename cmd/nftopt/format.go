package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/nftopt/nftopt/emit/nft"
	"github.com/nftopt/nftopt/ir"
	nftjson "github.com/nftopt/nftopt/json"
	"github.com/nftopt/nftopt/parser"
	"github.com/spf13/cobra"
)

// Input and output formats of rulesets.
const (
	formatAuto = "auto"
	formatNft  = "nft"
	formatJSON = "json"
)

// readRuleset reads FILE or "-" (stdin) as nft text or libnftables
// JSON: inputFormat is "nft", "json", or "auto" (JSON when the first
// non-space byte is '{'). Errors come back as exit status 2, with caret
// diagnostics for nft text and the JSON path (or line:col) for JSON.
func readRuleset(cmd *cobra.Command, arg string, includes []string, inputFormat string) (*ir.Ruleset, error) {
	switch inputFormat {
	case formatAuto, formatNft, formatJSON:
	default:
		return nil, &exitError{exitInput, fmt.Sprintf("nftopt: unknown input format %q (want auto, nft or json)\n", inputFormat)}
	}
	var src []byte
	var err error
	name := arg
	if arg == "-" {
		name = "<stdin>"
		src, err = io.ReadAll(cmd.InOrStdin())
	} else {
		src, err = os.ReadFile(arg)
	}
	if err != nil {
		return nil, &exitError{exitInput, fmt.Sprintf("nftopt: %v\n", err)}
	}
	noteInput(len(src))
	if inputFormat == formatJSON || inputFormat == formatAuto && looksLikeJSON(src) {
		rs, err := nftjson.Parse(name, src)
		if err != nil {
			return nil, &exitError{exitInput, jsonErrorText(err, src)}
		}
		return rs, nil
	}
	rs, err := parser.Parse(name, src, parser.Options{IncludeDirs: includes})
	if err != nil {
		var el parser.ErrorList
		if errors.As(err, &el) {
			return nil, &exitError{exitInput, el.Format()}
		}
		return nil, &exitError{exitInput, fmt.Sprintf("%v\n", err)}
	}
	return rs, nil
}

// looksLikeJSON reports whether the first non-space byte of src is '{'.
func looksLikeJSON(src []byte) bool {
	for _, b := range src {
		switch b {
		case ' ', '\t', '\n', '\r':
			continue
		}
		return b == '{'
	}
	return false
}

// jsonErrorText formats a JSON input error: the path and what was
// expected, or for a syntax error the position, the line and a caret.
func jsonErrorText(err error, src []byte) string {
	var je *nftjson.Error
	if !errors.As(err, &je) || je.Line == 0 {
		return err.Error() + "\n"
	}
	lines := strings.Split(string(src), "\n")
	if je.Line > len(lines) {
		return err.Error() + "\n"
	}
	line := lines[je.Line-1]
	col := min(je.Col, len(line)+1)
	var caret strings.Builder
	for i := 0; i < col-1; i++ {
		if line[i] == '\t' {
			caret.WriteByte('\t')
		} else {
			caret.WriteByte(' ')
		}
	}
	return fmt.Sprintf("%s\n%s\n%s^\n", err, line, caret.String())
}

// formatRuleset prints rs as canonical nft text ("nft") or as a
// libnftables JSON command list ("json"), for the nft release opts
// names.
func formatRuleset(rs *ir.Ruleset, format string, opts nft.Options) (string, error) {
	switch format {
	case formatNft:
		return nft.Print(rs, opts), nil
	case formatJSON:
		out, err := nftjson.Marshal(rs, nftjson.Options{NumericProto: opts.NumericProto, Target: opts.Target})
		if err != nil {
			return "", &exitError{exitInput, fmt.Sprintf("nftopt: %v\n", err)}
		}
		return string(out), nil
	}
	return "", &exitError{exitInput, fmt.Sprintf("nftopt: unknown output format %q (want nft or json)\n", format)}
}
