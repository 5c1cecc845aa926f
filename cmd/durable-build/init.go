package main

import (
	"bytes"
	"embed"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/debug"
	"strings"
	"text/template"
)

// sdkModule is the SDK's module path, which generated projects require.
const sdkModule = "github.com/durableobjects-on-go/durable"

// projectTemplate holds the files `durable-build init` writes, as templates
// (the .tmpl suffix keeps the Go ones out of this package's build).
//
//go:embed template
var projectTemplate embed.FS

// project is what the templates are filled with.
type project struct {
	Module  string // the Go module path
	Name    string // the Worker's name in wrangler.jsonc
	Version string // the SDK version go.mod requires
	Replace string // where the SDK comes from, when not from the module proxy
}

var (
	// modulePath is close to what the go command accepts for a module path:
	// slash-separated elements of letters, digits and -._~, none starting with a
	// dot or ending with one.
	modulePath = regexp.MustCompile(`^[A-Za-z0-9_~-]([A-Za-z0-9._~-]*[A-Za-z0-9_~-])?(/[A-Za-z0-9_~-]([A-Za-z0-9._~-]*[A-Za-z0-9_~-])?)*$`)
	// workerName is Cloudflare's rule for Worker names.
	workerName = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`)
	notInName  = regexp.MustCompile(`[^a-z0-9]+`)
)

// runInit implements `durable-build init`: it parses its own flags, which may
// come before or after the folder (users type both), and writes the project.
func runInit(args []string, stdout, stderr io.Writer) error {
	fset := flag.NewFlagSet("durable-build init", flag.ContinueOnError)
	fset.SetOutput(stderr)
	module := fset.String("module", "", "Go module `path` (default: the folder's name)")
	name := fset.String("name", "", "the Worker's `name` in wrangler.jsonc (default: from the folder's name)")
	replace := fset.String("replace", "", "use the SDK from this `checkout` of "+sdkModule+" (a replace directive in go.mod); found by itself when durable-build runs from a checkout")
	noTidy := fset.Bool("no-tidy", false, "do not run go mod tidy (which fills go.sum) after writing")
	fset.Usage = func() {
		fmt.Fprintf(stderr, "usage: durable-build init [-module path] [-name name] [-replace checkout] folder\n\nWrites a new Go Worker with one Durable Object into folder, which must not exist or be empty.\n\n")
		fset.PrintDefaults()
	}
	var folders []string
	for {
		if err := fset.Parse(args); err != nil {
			return errUsage
		}
		if fset.NArg() == 0 {
			break
		}
		folders = append(folders, fset.Arg(0))
		args = fset.Args()[1:]
	}
	if len(folders) != 1 {
		fset.Usage()
		return errUsage
	}
	dir, err := filepath.Abs(folders[0])
	if err != nil {
		return err
	}
	p, err := newProject(dir, *module, *name, *replace)
	if err != nil {
		return err
	}
	if err := writeProject(dir, p); err != nil {
		return err
	}
	rel := folders[0]
	if !*noTidy {
		// go mod tidy writes go.sum, so that the first go test or build needs
		// no further step; with a replace it reads only the module cache.
		tidy := exec.Command("go", "mod", "tidy")
		tidy.Dir = dir
		tidy.Stdout, tidy.Stderr = stderr, stderr
		if err := tidy.Run(); err != nil {
			return fmt.Errorf("wrote %s, but go mod tidy failed there (%v): run `go mod tidy` in %s once the problem above is fixed (a network error: try again online)", rel, err, rel)
		}
	}
	fmt.Fprintf(stdout, `Wrote %s: module %s, Worker %q, one Durable Object class (Counter in worker/worker.go).
Next:
  cd %s
  npm install   # wrangler %s, the version that runs on Node.js 20
  npm start     # builds and serves http://localhost:8787; try curl localhost:8787/count/ada
  npm test      # go test ./...: the objects run natively, in milliseconds
`, rel, p.Module, p.Name, rel, wranglerVersion)
	return nil
}

// wranglerVersion is the wrangler the generated package.json pins: the newest
// that runs on Node.js 20.
const wranglerVersion = "4.86.0"

// errUsage is returned after the usage has been printed.
var errUsage = errors.New("usage")

// newProject checks the target folder and the names, and decides where the SDK
// comes from.
func newProject(dir, module, name, replace string) (*project, error) {
	if err := checkEmpty(dir); err != nil {
		return nil, err
	}
	base := filepath.Base(dir)
	if module == "" {
		if !modulePath.MatchString(base) {
			return nil, fmt.Errorf("the folder name %q is not a Go module path: pass one with -module, such as -module example.com/%s", base, suggestName(base))
		}
		module = base
	} else if !modulePath.MatchString(module) || strings.Contains(module, "..") {
		return nil, fmt.Errorf("-module %q is not a Go module path: use slash-separated letters, digits and - . _ ~, such as example.com/%s", module, suggestName(base))
	}
	if name == "" {
		name = suggestName(base)
		if name == "" {
			return nil, fmt.Errorf("cannot make a Worker name from the folder name %q: pass one with -name, such as -name my-worker (lowercase letters, digits and dashes)", base)
		}
	} else if !workerName.MatchString(name) {
		return nil, fmt.Errorf("-name %q is not a valid Worker name: use 1–63 lowercase letters, digits and dashes, not starting or ending with a dash", name)
	}
	p := &project{Module: module, Name: name}
	switch {
	case replace != "":
		abs, err := filepath.Abs(replace)
		if err != nil {
			return nil, err
		}
		if err := checkCheckout(abs); err != nil {
			return nil, fmt.Errorf("-replace %s: %w", replace, err)
		}
		p.Version, p.Replace = "v0.0.0", goModPath(dir, replace, abs)
	case runningCheckout() != "":
		p.Version, p.Replace = "v0.0.0", runningCheckout()
	default:
		v := publishedVersion()
		if v == "" {
			return nil, fmt.Errorf("cannot tell which version of %s to require: this durable-build was built without module information; pass -replace with the path of a checkout of the SDK", sdkModule)
		}
		p.Version = v
	}
	return p, nil
}

// checkEmpty accepts a folder that does not exist or is empty: init never
// overwrites a file.
func checkEmpty(dir string) error {
	entries, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		if info, statErr := os.Stat(dir); statErr == nil && !info.IsDir() {
			return fmt.Errorf("%s is a file: pass the name of a new folder", dir)
		}
		return err
	case len(entries) > 0:
		return fmt.Errorf("%s is not empty (it holds %s): init writes a new project only into a new or empty folder, so that it never overwrites a file; choose another name", dir, entries[0].Name())
	}
	return nil
}

// suggestName turns a folder name into a Worker name: lowercase, runs of other
// characters as one dash.
func suggestName(base string) string {
	s := strings.Trim(notInName.ReplaceAllString(strings.ToLower(base), "-"), "-")
	if len(s) > 63 {
		s = strings.TrimRight(s[:63], "-")
	}
	return s
}

// checkCheckout reports whether dir holds the SDK's go.mod.
func checkCheckout(dir string) error {
	data, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if err != nil {
		return fmt.Errorf("not a checkout of %s: %w", sdkModule, err)
	}
	first, _, _ := strings.Cut(string(data), "\n")
	if strings.TrimSpace(first) != "module "+sdkModule {
		return fmt.Errorf("not a checkout of %s: its go.mod starts with %q", sdkModule, first)
	}
	return nil
}

// runningCheckout returns the checkout this program was compiled from (as with
// go run ./cmd/durable-build in it), or "" when it comes from the module cache
// or its source paths were trimmed.
func runningCheckout() string {
	_, file, _, ok := runtime.Caller(0)
	if !ok || !filepath.IsAbs(file) {
		return ""
	}
	dir := filepath.Dir(filepath.Dir(filepath.Dir(file)))
	// Module cache folders are named module@version and are read-only copies.
	if strings.Contains(filepath.Base(dir), "@") || checkCheckout(dir) != nil {
		return ""
	}
	return dir
}

// publishedVersion returns the SDK version this program was built from, as by
// go run github.com/durableobjects-on-go/durable/cmd/durable-build@latest.
func publishedVersion() string {
	info, ok := debug.ReadBuildInfo()
	if !ok || info.Main.Path != sdkModule || info.Main.Version == "" || info.Main.Version == "(devel)" {
		return ""
	}
	return info.Main.Version
}

// goModPath writes a replace target the way the user gave it: a relative path
// stays relative (to the new go.mod, so the pair can move together), an
// absolute one stays absolute.
func goModPath(projectDir, given, abs string) string {
	if filepath.IsAbs(given) {
		return abs
	}
	rel, err := filepath.Rel(projectDir, abs)
	if err != nil {
		return abs
	}
	rel = filepath.ToSlash(rel)
	if !strings.HasPrefix(rel, "../") && !strings.HasPrefix(rel, "./") {
		rel = "./" + rel
	}
	return rel
}

// writeProject fills every template into dir. A file named gitignore.tmpl
// becomes .gitignore (embed leaves out dot files).
func writeProject(dir string, p *project) error {
	return fs.WalkDir(projectTemplate, "template", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		text, err := projectTemplate.ReadFile(path)
		if err != nil {
			return err
		}
		tmpl, err := template.New(path).Option("missingkey=error").Parse(string(text))
		if err != nil {
			return err
		}
		var out bytes.Buffer
		if err := tmpl.Execute(&out, p); err != nil {
			return err
		}
		rel := strings.TrimSuffix(strings.TrimPrefix(path, "template/"), ".tmpl")
		if rel == "gitignore" {
			rel = ".gitignore"
		}
		target := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			return err
		}
		return os.WriteFile(target, out.Bytes(), 0o644)
	})
}
