// Command durable-build compiles a Go Worker for workerd: the analogue of
// workers-rs's worker-build.
//
// Usage:
//
//	go run github.com/durableobjects-on-go/durable/cmd/durable-build@latest init myapp
//	go tool durable-build [-config wrangler.jsonc] [package]
//
// init writes a new project into the folder myapp: a Worker with one Durable
// Object, its durabletest test, wrangler.jsonc and package.json (npm start, npm
// test), then runs go mod tidy. Its flags: -module (the module path, default
// the folder's name), -name (the Worker's name) and -replace (use the SDK from a
// checkout; run from a checkout, as with go run ./cmd/durable-build init, it
// points there by itself). A package folder named init is ./init.
//
// Without init, it builds.
// It reads the wrangler configuration (wrangler.json, wrangler.jsonc or
// wrangler.toml in the current folder unless -config names one), and then:
//
//  1. compiles package (default ".") with GOOS=js GOARCH=wasm into app.wasm, in
//     the folder of the configuration's "main" module;
//  2. copies wasm_exec.js from the GOROOT of the go command that compiled, so the
//     glue always matches the compiler;
//  3. runs the program once under Node.js to read the Durable Object classes it
//     registers and their RPC methods, and fails, saying what to add where, when
//     they differ from the classes the configuration binds or migrates; then
//     compiles it again as workerd will run it, with generated code that calls
//     the RPC methods (added through go build -overlay, so never written into
//     the package; see rpcgen.go);
//  4. writes the runtime's modules (js/*.mjs: runtime.mjs and the modules it
//     imports) and the entry module named by "main", which exports one class
//     per Durable Object class, each extending DurableObject.
//
// All of these go into a staging folder beside the folder of "main" (build/),
// which replaces that folder once the whole set is written: a build that
// fails, is interrupted (Ctrl-C: it stops go build and exits 130) or is killed
// leaves the last good build as it was. So the folder of "main" belongs to the
// build: it must hold nothing else.
//
// Set it as wrangler's custom build so wrangler dev rebuilds on Go changes:
//
//	"build": { "command": "go run ./cmd/durable-build ./village", "watch_dir": ["village"] }
//
// Under wrangler dev (which sets WRANGLER_COMMAND=dev for its build command), a
// failed build writes an entry module that answers every request with a 500
// showing the errors, and exits 0: wrangler then serves that page, rather than
// stopping (at start) or holding every request until a build succeeds (later),
// and the next successful build replaces it. Elsewhere (wrangler deploy, CI) a
// failed build exits 1. A compilation that takes longer than two seconds, as
// the first one does while Go compiles its standard library for js/wasm, says
// so and reports its time.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/durableobjects-on-go/durable/internal/describe"
	"github.com/durableobjects-on-go/durable/internal/wrangler"
)

// minGoMinor is the oldest Go 1.x release the SDK supports.
const minGoMinor = 26

func main() {
	if len(os.Args) > 1 && os.Args[1] == "init" {
		if err := runInit(os.Args[2:], os.Stdout, os.Stderr); err != nil {
			if err != errUsage {
				fmt.Fprintf(os.Stderr, "durable-build init: %v\n", err)
			}
			os.Exit(2)
		}
		return
	}
	configPath := flag.String("config", "", "wrangler configuration `file` (default: wrangler.json, wrangler.jsonc or wrangler.toml in the current folder)")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: durable-build [-config file] [package]\n       durable-build init [-module path] [-name name] [-replace checkout] folder\n\nCompiles a Go Worker to WebAssembly and generates its workerd entry module;\ninit writes a new project.\n\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	pkg := "."
	if flag.NArg() > 1 {
		flag.Usage()
		os.Exit(2)
	}
	if flag.NArg() == 1 {
		pkg = flag.Arg(0)
	}
	start := time.Now()
	// Under wrangler dev (which sets WRANGLER_COMMAND), a failed build that
	// exits non-zero stops wrangler at start and, later, leaves every request
	// hanging until a build succeeds. An entry module that answers the errors
	// shows them in the browser instead, and the next build replaces it.
	opts := buildOptions{fallback: os.Getenv("WRANGLER_COMMAND") == "dev", log: os.Stderr}
	// Ctrl-C or a kill stops the compiler and removes what this build staged,
	// rather than killing the build where it stands.
	ctx, stop := signal.NotifyContext(context.Background(), stopSignals...)
	out, err := buildContext(ctx, *configPath, pkg, opts)
	stop()
	var served *servedError
	switch {
	case errors.Is(err, errInterrupted):
		fmt.Fprintf(os.Stderr, "durable-build: %v\n", err)
		os.Exit(130)
	case errors.As(err, &served):
		fmt.Fprintf(os.Stderr, "durable-build: %v\ndurable-build: until the next build succeeds, wrangler dev answers every request with a 500 showing this error (%s)\n", served.err, served.entry)
	case err != nil:
		fmt.Fprintf(os.Stderr, "durable-build: %v\n", err)
		os.Exit(1)
	default:
		fmt.Fprintf(os.Stderr, "durable-build: wrote %s in %.1fs\n", out, time.Since(start).Seconds())
	}
}

// buildOptions are how a build reports and fails.
type buildOptions struct {
	// fallback makes a failed build write an entry module that answers every
	// request with a 500 showing the error, and report a *servedError.
	fallback bool
	// log receives the compiler's output and progress notes.
	log io.Writer
}

// servedError is a build failure that the fallback entry module now serves.
type servedError struct {
	err   error
	entry string // the entry module written
}

func (e *servedError) Error() string { return e.err.Error() }
func (e *servedError) Unwrap() error { return e.err }

// slowCompile is how long a compilation runs before the build says that the
// first one takes a minute: a warm build finishes well before, a cold one
// (Go compiling its standard library for js/wasm) takes 60–80 s.
var slowCompile = 2 * time.Second

// errInterrupted is matched by the error of a build stopped by a signal.
var errInterrupted = errors.New("interrupted")

func build(configPath, pkg string, opts buildOptions) (string, error) {
	return buildContext(context.Background(), configPath, pkg, opts)
}

// buildContext builds; cancelling ctx stops it, keeping the last good build.
func buildContext(ctx context.Context, configPath, pkg string, opts buildOptions) (string, error) {
	if opts.log == nil {
		opts.log = os.Stderr
	}
	if configPath == "" {
		var err error
		if configPath, err = findConfig("."); err != nil {
			return "", err
		}
	}
	cfg, err := loadConfig(configPath)
	if err != nil {
		return "", err
	}
	classes := cfg.Classes()
	mainPath := filepath.Join(filepath.Dir(configPath), cfg.Main)
	var compilerOutput bytes.Buffer
	out, err := compileAndGenerate(ctx, cfg, pkg, &compilerOutput, opts.log)
	if err != nil && ctx.Err() != nil {
		return "", fmt.Errorf("%w before it finished, and nothing of this build was kept%s: run durable-build again to build", errInterrupted, keptNote(filepath.Dir(mainPath)))
	}
	if err != nil && opts.fallback {
		werr := os.MkdirAll(filepath.Dir(mainPath), 0o755)
		if werr == nil {
			werr = replaceFile(mainPath, fallbackModule(configPath, classes, compilerOutput.String(), err))
		}
		if werr != nil {
			return "", fmt.Errorf("%w\n(and writing the error page to %s failed: %v)", err, mainPath, werr)
		}
		return "", &servedError{err: err, entry: mainPath}
	}
	return out, err
}

// compileAndGenerate is the build once the configuration is known: compile,
// check the classes, write the entry module and its companions. It writes them
// into a staging folder and swaps it in at the end (output.go), so a build
// that fails anywhere, or stops, leaves the last good build whole.
func compileAndGenerate(ctx context.Context, cfg *wrangler.Config, pkg string, compilerOutput *bytes.Buffer, log io.Writer) (string, error) {
	configPath, main, classes := cfg.Path, cfg.Main, cfg.Classes()
	goTool, err := exec.LookPath("go")
	if err != nil {
		return "", errors.New("the go command is not on PATH: install Go 1.26 or newer (https://go.dev/dl/) and make sure `go version` works in this shell")
	}
	if err := checkGoVersion(goTool); err != nil {
		return "", err
	}
	goroot, err := goEnv(goTool, "GOROOT")
	if err != nil {
		return "", err
	}

	outDir := filepath.Join(filepath.Dir(configPath), filepath.Dir(main))
	stage, err := stageOutputs(outDir)
	if err != nil {
		return "", err
	}
	defer stage.discard()
	wasmPath := filepath.Join(outDir, "app.wasm")
	// -buildvcs=false: stamping VCS data fails in checkouts git calls dubious
	// (owned by another user, as in some CI), and a Worker has no use for it.
	// -ldflags=-s -w drops the symbol table and DWARF (about 2% of the wasm, so
	// less to load at cold start); panics still name functions and lines, which
	// come from the runtime's own tables.
	newWasm := stage.path("app.wasm")
	// go build keeps its work folder in the staging folder: killed or
	// interrupted (go build does not catch SIGINT), it cannot remove it
	// itself, and removing the staging folder removes it too.
	goTmp := stage.path("go-tmp")
	if err := os.Mkdir(goTmp, 0o755); err != nil {
		return "", unwritable(outDir, filepath.Dir(outDir), err)
	}
	// This first program describes the Worker (with reflection, under
	// describeTag); compileServed below compiles the one workerd runs.
	compile := command(ctx, goTool, "build", "-buildvcs=false", "-tags="+describeTag, "-ldflags=-s -w", "-o", newWasm, pkg)
	compile.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm", "GOTMPDIR="+goTmp)
	compile.Stdout = io.MultiWriter(log, compilerOutput)
	compile.Stderr = compile.Stdout
	started := time.Now()
	slow := time.AfterFunc(slowCompile, func() {
		fmt.Fprintln(log, "durable-build: compiling Go for js/wasm (the first build takes about a minute; later builds take seconds)")
	})
	err = compile.Run()
	os.RemoveAll(goTmp)
	if !slow.Stop() {
		fmt.Fprintf(log, "durable-build: compiled in %.0fs\n", time.Since(started).Seconds())
	}
	if err != nil {
		return "", fmt.Errorf("compiling %s failed (GOOS=js GOARCH=wasm go build -buildvcs=false -ldflags=\"-s -w\" -o %s %s): fix the Go errors above, then build again%s", pkg, wasmPath, pkg, keptNote(outDir))
	}

	if err := checkWasm(newWasm, pkg); err != nil {
		return "", err
	}

	glue, err := os.ReadFile(filepath.Join(goroot, "lib", "wasm", "wasm_exec.js"))
	if err != nil {
		return "", fmt.Errorf("reading Go's JavaScript glue: %w (is GOROOT %s a complete Go installation?)", err, goroot)
	}
	desc, err := describeProgram(ctx, goroot, newWasm)
	if err != nil {
		return "", err
	}
	if err := checkClasses(cfg, desc.Classes); err != nil {
		return "", err
	}
	if desc.RPCError != "" {
		return "", fmt.Errorf("Worker.RPC in %s:\n%s", pkg, desc.RPCError)
	}
	if err := compileServed(ctx, goTool, pkg, newWasm, goTmp, desc, compile.Stdout); err != nil { // rpcgen.go
		return "", err
	}

	files := map[string][]byte{
		"wasm_exec.mjs":     glue,
		filepath.Base(main): entryModule(configPath, classes, desc.Methods),
	}
	modules, _ := jsModules.ReadDir("js")
	for _, m := range modules {
		content, err := jsModules.ReadFile("js/" + m.Name())
		if err != nil {
			return "", err
		}
		files[m.Name()] = content
	}
	for name, content := range files {
		if err := stage.write(name, content); err != nil {
			return "", err
		}
	}
	if err := ctx.Err(); err != nil {
		return "", err
	}
	if err := stage.commit(); err != nil {
		return "", err
	}
	return filepath.Join(filepath.Dir(configPath), main), nil
}

// keptNote tells a failed build that the last good build is still there, when
// there is one.
func keptNote(outDir string) string {
	if _, err := os.Stat(filepath.Join(outDir, "app.wasm")); err != nil {
		return ""
	}
	return fmt.Sprintf("; the last good build in %s%c is unchanged", outDir, filepath.Separator)
}

func goEnv(goTool, name string) (string, error) {
	out, err := exec.Command(goTool, "env", name).Output()
	if err != nil {
		return "", fmt.Errorf("go env %s: %w", name, err)
	}
	return strings.TrimSpace(string(out)), nil
}

func checkGoVersion(goTool string) error {
	v, err := goEnv(goTool, "GOVERSION")
	if err != nil {
		return err
	}
	minor, ok := goMinor(v)
	if ok && minor < minGoMinor {
		return fmt.Errorf("found %s; Go 1.%d or newer is required: install it from https://go.dev/dl/", v, minGoMinor)
	}
	return nil
}

// goMinor extracts 26 from "go1.26.8" or "go1.26rc1".
func goMinor(version string) (int, bool) {
	rest, ok := strings.CutPrefix(version, "go1.")
	if !ok {
		return 0, false
	}
	end := strings.IndexFunc(rest, func(r rune) bool { return r < '0' || r > '9' })
	if end >= 0 {
		rest = rest[:end]
	}
	n, err := strconv.Atoi(rest)
	return n, err == nil
}

// describeProgram runs the compiled program under Node.js in describe mode to learn which
// classes it registers.
func describeProgram(ctx context.Context, goroot, wasmPath string) (*describe.Description, error) {
	node, err := exec.LookPath("node")
	if err != nil {
		return nil, errors.New("node is not on PATH: install Node.js 20 or newer (https://nodejs.org); wrangler needs it too")
	}
	cmd := command(ctx, node, filepath.Join(goroot, "lib", "wasm", "wasm_exec_node.js"), wasmPath)
	cmd.Env = append(os.Environ(), describe.DescribeEnv+"=1")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	runErr := cmd.Run()
	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	var d describe.Description
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &d); err != nil || d.Classes == nil {
		return nil, fmt.Errorf("the program did not describe itself: its main must call workerd.Serve (package github.com/durableobjects-on-go/durable/workerd)%s", detail(runErr, stderr.String()))
	}
	return &d, nil
}

func detail(err error, stderr string) string {
	if err == nil && stderr == "" {
		return ""
	}
	return fmt.Sprintf("\n(node: %v)\n%s", err, stderr)
}

// checkWasm catches a package that is not a main package: go build -o then
// writes an archive rather than a program, which Node would only report as a
// bad magic word.
func checkWasm(wasmPath, pkg string) error {
	f, err := os.Open(wasmPath)
	if err != nil {
		return err
	}
	defer f.Close()
	magic := make([]byte, 4)
	if _, err := io.ReadFull(f, magic); err != nil || string(magic) != "\x00asm" {
		return fmt.Errorf("%s is not a main package, so it compiles to no program: pass the folder of the package whose func main calls workerd.Serve, such as ./worker", pkg)
	}
	return nil
}

// replaceFile replaces a file in one step: wrangler dev starts a new build on
// every change without waiting for the one in flight, so two builds may write
// the same outputs while wrangler reads them, and a reader must never see half
// a module.
func replaceFile(path string, content []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	_, err = tmp.Write(content)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp.Name(), 0o644)
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
	}
	return err
}
