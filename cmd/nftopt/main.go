// Command nftopt reads nftables rulesets and rewrites them into their
// fast form without changing what they do to any packet.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"
)

// Exit codes shared by every command.
const (
	exitFindings = 1
	exitInput    = 2
	exitInternal = 3
)

// version is set with -ldflags "-X main.version=...".
var version = "dev"

// exitError carries an exit status out of a command.
type exitError struct {
	code int
	msg  string
}

func (e *exitError) Error() string { return e.msg }

func main() {
	tuneGC()
	root := newRoot(os.Stdin, os.Stdout, os.Stderr)
	err := root.Execute()
	if err == nil {
		return
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.msg != "" {
			fmt.Fprint(os.Stderr, ee.msg)
		}
		os.Exit(ee.code)
	}
	// Cobra's own errors are usage errors.
	fmt.Fprintf(os.Stderr, "nftopt: %v\n", err)
	os.Exit(exitInput)
}

func newRoot(stdin io.Reader, stdout, stderr io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:   "nftopt",
		Short: "Optimize nftables rulesets without changing what they do",
		Long: `nftopt reads nftables rulesets (nft -f syntax) and rewrites them into
their fast form: anonymous sets, maps, verdict maps and concatenations,
proving that every packet is treated the same.

Exit status: 0 success, 1 findings or a difference, 2 usage or input
error, 3 internal error.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.AddCommand(newFmt(), newOptimize(), newDiff(), newEquiv(), newLint(), newPasses(), newVersion())
	return root
}

func newVersion() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print nftopt's version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			fmt.Fprintf(cmd.OutOrStdout(), "nftopt %s\n", version)
			return nil
		},
	}
}

// writeOutput writes text to stdout, or atomically to path.
func writeOutput(cmd *cobra.Command, path, text string) error {
	if path == "" || path == "-" {
		_, err := io.WriteString(cmd.OutOrStdout(), text)
		return err
	}
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, ".nftopt-*")
	if err != nil {
		return &exitError{exitInput, fmt.Sprintf("nftopt: %v\n", err)}
	}
	defer os.Remove(f.Name())
	if _, err := f.WriteString(text); err != nil {
		f.Close()
		return &exitError{exitInput, fmt.Sprintf("nftopt: %v\n", err)}
	}
	if err := f.Close(); err != nil {
		return &exitError{exitInput, fmt.Sprintf("nftopt: %v\n", err)}
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return &exitError{exitInput, fmt.Sprintf("nftopt: %v\n", err)}
	}
	return nil
}
