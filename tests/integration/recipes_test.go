// Package integration runs the recipes of docs/integration.md as
// written, with the nftopt built from this tree, as root in throwaway
// network namespaces.
package integration

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/nftopt/nftopt/tests/nftns"
)

var (
	repo   = filepath.Join("..", "..")
	bindir string
)

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "nftopt-bin")
	if err != nil {
		panic(err)
	}
	bindir = dir
	build := exec.Command("go", "build", "-o", filepath.Join(dir, "nftopt"), "./cmd/nftopt")
	build.Dir = repo
	if out, err := build.CombinedOutput(); err != nil {
		os.Stderr.Write(out)
		panic(err)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// recipes returns the code blocks of docs/integration.md whose first
// line is "# recipe: NAME", by name.
func recipes(t *testing.T) map[string]string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repo, "docs", "integration.md"))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	re := regexp.MustCompile("(?s)```[a-z]*\n# recipe: ([a-z-]+)\n(.*?)```")
	for _, m := range re.FindAllStringSubmatch(string(b), -1) {
		out[m[1]] = m[2]
	}
	for _, name := range []string{"github-actions", "ci-shell", "pre-apply", "firewalld", "libvirt-hook", "kube-proxy"} {
		if out[name] == "" {
			t.Fatalf("docs/integration.md has no recipe %q", name)
		}
	}
	return out
}

// workdir makes a directory with rules/ holding the given files.
func workdir(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, text := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// sh runs a script with bash in dir, in a new network namespace, with
// nftopt first on PATH. It returns the combined output and exit code.
func sh(t *testing.T, dir, script string, env ...string) (string, int) {
	t.Helper()
	cmd := exec.Command("unshare", "-n", "bash", "-c", script)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), append(env, "PATH="+bindir+":"+os.Getenv("PATH"))...)
	out, err := cmd.CombinedOutput()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return string(out), code
}

func read(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

const clean = "table inet filter {\n\tchain input {\n\t\ttype filter hook input priority filter; policy drop;\n\t\ttcp dport { 22, 80 } accept\n\t}\n}\n"
const wasteful = "table inet filter {\n\tchain input {\n\t\ttype filter hook input priority filter; policy drop;\n\t\ttcp dport 22 accept\n\t\ttcp dport 80 accept\n\t}\n}\n"

// runSteps extracts the "run: |" scripts of a workflow that call nftopt.
func runSteps(workflow string) []string {
	var steps []string
	lines := strings.Split(workflow, "\n")
	for i := 0; i < len(lines); i++ {
		if !strings.HasSuffix(strings.TrimSpace(lines[i]), "run: |") {
			continue
		}
		indent := -1
		var body []string
		for i++; i < len(lines); i++ {
			l := lines[i]
			n := len(l) - len(strings.TrimLeft(l, " "))
			if strings.TrimSpace(l) != "" && indent < 0 {
				indent = n
			}
			if strings.TrimSpace(l) != "" && n < indent {
				break
			}
			body = append(body, strings.TrimPrefix(l, strings.Repeat(" ", max(indent, 0))))
		}
		i--
		if s := strings.Join(body, "\n"); strings.Contains(s, "nftopt") {
			steps = append(steps, s)
		}
	}
	return steps
}

func TestGitHubActionsRecipe(t *testing.T) {
	nftns.Require(t)
	steps := runSteps(recipes(t)["github-actions"])
	if len(steps) != 2 {
		t.Fatalf("want the lint and SARIF steps, got %q", steps)
	}
	dir := workdir(t, map[string]string{"rules/a.nft": clean})
	for _, s := range steps {
		if out, code := sh(t, dir, "set -e\n"+s); code != 0 {
			t.Errorf("clean rules: step %q exit %d:\n%s", s, code, out)
		}
	}
	if !strings.Contains(read(t, filepath.Join(dir, "nftopt.sarif")), `"version": "2.1.0"`) {
		t.Error("no SARIF log written")
	}
	dir = workdir(t, map[string]string{"rules/a.nft": clean, "rules/b.nft": wasteful})
	out, code := sh(t, dir, "set -e\n"+steps[0])
	if code != 1 || !strings.Contains(out, "::warning file=rules/b.nft,line=4,col=3,title=NFT010 mergeable-rules::") {
		t.Errorf("wasteful rules: exit %d:\n%s", code, out)
	}
}

func TestCIShellRecipe(t *testing.T) {
	nftns.Require(t)
	r := recipes(t)["ci-shell"]
	if out, code := sh(t, workdir(t, map[string]string{"rules/a.nft": clean}), r); code != 0 {
		t.Errorf("clean: exit %d\n%s", code, out)
	}
	if out, code := sh(t, workdir(t, map[string]string{"rules/a.nft": clean, "rules/b.nft": wasteful}), r); code != 1 {
		t.Errorf("wasteful: exit %d, want 1\n%s", code, out)
	}
}

func TestPreCommitHook(t *testing.T) {
	nftns.Require(t)
	y := read(t, filepath.Join(repo, ".pre-commit-hooks.yaml"))
	entry := regexp.MustCompile(`(?m)^\s+entry: (.*)$`).FindStringSubmatch(y)
	files := regexp.MustCompile(`(?m)^\s+files: (.*)$`).FindStringSubmatch(y)
	if entry == nil || files == nil {
		t.Fatalf("no entry or files in .pre-commit-hooks.yaml:\n%s", y)
	}
	re := regexp.MustCompile(files[1])
	for _, tc := range []struct {
		files map[string]string
		code  int
	}{
		{map[string]string{"a.nft": clean, "README": "not a ruleset"}, 0},
		{map[string]string{"a.nft": clean, "b.nft": wasteful}, 1},
	} {
		var args []string
		for name := range tc.files {
			if re.MatchString(name) {
				args = append(args, name)
			}
		}
		out, code := sh(t, workdir(t, tc.files), entry[1]+" "+strings.Join(args, " "))
		if code != tc.code {
			t.Errorf("files %v: exit %d, want %d\n%s", args, code, tc.code, out)
		}
	}
}

func TestPreApplyRecipe(t *testing.T) {
	nftns.Require(t)
	r := recipes(t)["pre-apply"]
	wrapper := read(t, filepath.Join(repo, "contrib", "nft-apply-optimized"))
	dir := workdir(t, map[string]string{"contrib/nft-apply-optimized": wrapper, "ruleset.nft": wasteful})
	out, code := sh(t, dir, r+"\nnft list ruleset")
	if code != 0 || !strings.Contains(out, "tcp dport { 22, 80 } accept") {
		t.Errorf("good ruleset: exit %d\n%s", code, out)
	}
	// Fails closed: a bad ruleset loads nothing, and the old one stays.
	dir = workdir(t, map[string]string{"contrib/nft-apply-optimized": wrapper, "ruleset.nft": "table inet t {\n chain c {\n  tcp dport 22 acept\n }\n}\n",
		"old.nft": clean})
	out, code = sh(t, dir, "nft -f old.nft\n"+r+"\necho status $?\nnft list ruleset")
	if !strings.Contains(out, "status 2") || !strings.Contains(out, "tcp dport { 22, 80 } accept") || strings.Contains(out, "table inet t ") {
		t.Errorf("bad ruleset: exit %d\n%s", code, out)
	}
}

// realworld returns a realworld corpus file, or skips when the corpus
// is absent outside CI.
func realworld(t *testing.T, rel string) string {
	t.Helper()
	p := filepath.Join(repo, "..", "shared", "corpus", "realworld", rel)
	b, err := os.ReadFile(p)
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal(err)
		}
		t.Skipf("corpus file not available: %v", err)
	}
	return string(b)
}

func TestFirewalldRecipe(t *testing.T) {
	nftns.Require(t)
	fw := realworld(t, "firewalld/rhel8-firewalld-libvirt-list-ruleset.nft")
	dir := workdir(t, map[string]string{"firewalld.nft": fw})
	out, code := sh(t, dir, "nft -f firewalld.nft || exit 99\nset -e\n"+recipes(t)["firewalld"])
	if code != 0 || !strings.Contains(out, "rules: ") || !strings.Contains(out, "verified equivalent") {
		t.Errorf("exit %d\n%s", code, out)
	}
}

func TestLibvirtHookRecipe(t *testing.T) {
	nftns.Require(t)
	fw := realworld(t, "firewalld/rhel8-firewalld-libvirt-list-ruleset.nft")
	dir := workdir(t, map[string]string{"firewalld.nft": fw, "network": recipes(t)["libvirt-hook"]})
	out, code := sh(t, dir, "nft -f firewalld.nft || exit 99\n./network default started", "NFTOPT_LIBVIRT_TABLE=ip filter")
	if code != 0 || !strings.Contains(out, "NFT") && !strings.Contains(out, "no findings") {
		t.Errorf("libvirt table present: exit %d\n%s", code, out)
	}
	if out, code := sh(t, dir, "./network default started"); code != 0 {
		t.Errorf("no libvirt table: exit %d\n%s", code, out)
	}
}

func TestKubeProxyRecipe(t *testing.T) {
	nftns.Require(t)
	kp := realworld(t, "kube-proxy/kube-proxy-TestOverallNFTablesRules.fixed.nft")
	dir := workdir(t, map[string]string{"kube-proxy-rules.nft": kp})
	out, code := sh(t, dir, "nft -f kube-proxy-rules.nft || exit 99\nset -e\n"+recipes(t)["kube-proxy"])
	if code != 0 || !strings.Contains(out, "rules: ") {
		t.Errorf("exit %d\n%s", code, out)
	}
}
