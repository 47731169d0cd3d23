package textdiff

import (
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestUnifiedSmall(t *testing.T) {
	a := "table ip t {\n\tchain c {\n\t\ttcp dport 22 accept\n\t\ttcp dport 80 accept\n\t}\n}\n"
	b := "table ip t {\n\tchain c {\n\t\ttcp dport { 22, 80 } accept\n\t}\n}\n"
	want := `--- a.nft
+++ b.nft
@@ -1,6 +1,5 @@
 table ip t {
 	chain c {
-		tcp dport 22 accept
-		tcp dport 80 accept
+		tcp dport { 22, 80 } accept
 	}
 }
`
	if got := Unified("a.nft", "b.nft", a, b, 3); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if got := Unified("a", "b", a, a, 3); got != "" {
		t.Errorf("equal texts: got %q", got)
	}
}

func TestUnifiedSeparateHunks(t *testing.T) {
	var a, b []string
	for i := 0; i < 30; i++ {
		a = append(a, string(rune('a'+i%26))+"\n")
	}
	b = append(b, a...)
	b[2] = "X\n"
	b[25] = "Y\n"
	got := Unified("a", "b", strings.Join(a, ""), strings.Join(b, ""), 2)
	if n := strings.Count(got, "\n@@ "); n != 2 {
		t.Fatalf("want 2 hunks, got %d:\n%s", n, got)
	}
	if !strings.Contains(got, "@@ -1,5 +1,5 @@") || !strings.Contains(got, "@@ -24,5 +24,5 @@") {
		t.Errorf("hunk headers:\n%s", got)
	}
}

// TestUnifiedAppliesWithPatch checks random diffs with GNU patch: the
// hunks applied to the first text must give the second.
func TestUnifiedAppliesWithPatch(t *testing.T) {
	if _, err := exec.LookPath("patch"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("patch not installed")
		}
		t.Skip("patch not installed")
	}
	rng := rand.New(rand.NewSource(1))
	words := []string{"accept", "drop", "tcp dport 22", "}", "{", "", "ip saddr 10.0.0.1"}
	text := func(n int) string {
		var sb strings.Builder
		for i := 0; i < n; i++ {
			sb.WriteString(words[rng.Intn(len(words))] + "\n")
		}
		return sb.String()
	}
	dir := t.TempDir()
	for i := 0; i < 200; i++ {
		a, b := text(rng.Intn(40)), text(rng.Intn(40))
		if i%3 == 0 && len(b) > 0 {
			b = strings.TrimSuffix(b, "\n") // no final newline
		}
		d := Unified("a", "b", a, b, rng.Intn(4))
		if a == b {
			continue
		}
		fa := filepath.Join(dir, "a")
		if err := os.WriteFile(fa, []byte(a), 0o644); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command("patch", "-s", "-f", "--no-backup-if-mismatch", fa)
		cmd.Stdin = strings.NewReader(d)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("case %d: patch: %v\n%s\ndiff:\n%s", i, err, out, d)
		}
		got, _ := os.ReadFile(fa)
		if string(got) != b {
			t.Fatalf("case %d: patched text differs\ndiff:\n%s\ngot %q\nwant %q", i, d, got, b)
		}
	}
}

func TestColorize(t *testing.T) {
	d := Unified("a", "b", "x\n", "y\n", 3)
	c := Colorize(d)
	for _, want := range []string{"\x1b[1m--- a\x1b[0m\n", "\x1b[31m-x\x1b[0m\n", "\x1b[32m+y\x1b[0m\n", "\x1b[36m@@ -1 +1 @@\x1b[0m\n"} {
		if !strings.Contains(c, want) {
			t.Errorf("missing %q in %q", want, c)
		}
	}
}
