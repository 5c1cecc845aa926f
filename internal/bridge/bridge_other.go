//go:build !(js && wasm)

package bridge

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/durableobjects-on-go/durable"
	"github.com/durableobjects-on-go/durable/internal/describe"
)

// Serve explains, when a Worker program is started natively, how to run it. In
// describe mode it prints the Worker's description, which is the same on every
// platform.
func Serve(w durable.Worker) {
	if describe.IfAsked(w) {
		return
	}
	dir, _ := os.Getwd()
	fmt.Fprint(os.Stderr, instructions(dir))
	os.Exit(2)
}

// configNames are the files wrangler reads, as in internal/wrangler (not
// imported: its parsers would grow every native Worker binary for a message).
var configNames = []string{"wrangler.json", "wrangler.jsonc", "wrangler.toml"}

// instructions says how to run the Worker from dir: through the project's
// `npm start` when its package.json has one (the project init writes does),
// with `npx wrangler dev` from the folder of the nearest wrangler
// configuration otherwise, and how to make one when there is none. The search
// goes up from dir and stops at the module's root (the folder with go.mod), so
// a configuration outside the module is not taken for this Worker's.
func instructions(dir string) string {
	const head = "This program is a Cloudflare Worker: it runs on workerd, compiled to WebAssembly, not natively.\n"
	const test = "  Test its objects natively with package durabletest and go test.\n"
	config, folder := findConfigUp(dir)
	if config == "" {
		return head + `  It needs a wrangler configuration (wrangler.jsonc) naming its build command and classes,
  and none was found here or above, up to the module's go.mod. Start from a working project:
    go run github.com/durableobjects-on-go/durable/cmd/durable-build@latest init myapp
  or see "Write your own Durable Object" in the SDK's README.
` + test
	}
	cd := ""
	if rel, err := filepath.Rel(dir, folder); err == nil && rel != "." {
		cd = "cd " + rel + " && "
	}
	run := fmt.Sprintf("  Run it locally:  %snpx wrangler dev\n    (%s runs the build command; install wrangler first with npm install --save-dev wrangler@4.86.0)\n", cd, filepath.Base(config))
	if hasStartScript(filepath.Join(folder, "package.json")) {
		run = fmt.Sprintf("  Run it locally:  %snpm start\n    (builds and serves it on local workerd, as %s says; run npm install first if you have not)\n", cd, filepath.Base(config))
	}
	return head + run + test
}

// findConfigUp returns the nearest wrangler configuration at or above dir, and
// its folder.
func findConfigUp(dir string) (config, folder string) {
	for dir != "" {
		for _, name := range configNames {
			if p := filepath.Join(dir, name); fileExists(p) {
				return p, dir
			}
		}
		parent := filepath.Dir(dir)
		if fileExists(filepath.Join(dir, "go.mod")) || parent == dir {
			return "", ""
		}
		dir = parent
	}
	return "", ""
}

func fileExists(p string) bool {
	info, err := os.Stat(p)
	return err == nil && !info.IsDir()
}

// hasStartScript reports whether the package.json at p defines `npm start`.
func hasStartScript(p string) bool {
	data, err := os.ReadFile(p)
	if err != nil {
		return false
	}
	var pkg struct {
		Scripts map[string]string `json:"scripts"`
	}
	return json.Unmarshal(data, &pkg) == nil && pkg.Scripts["start"] != ""
}

// RestartObject is the workerd runtime's way to drop an object's Go instance;
// natively, durabletest.Runtime.Restart does that.
func RestartObject(durable.ID) error {
	return fmt.Errorf("durable: RestartObject runs on workerd only; natively, use durabletest's Runtime.Restart")
}

// ReadStats returns the zero Stats natively: there is no workerd runtime.
func ReadStats() Stats { return Stats{} }
