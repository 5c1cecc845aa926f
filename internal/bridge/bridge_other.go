//go:build !(js && wasm)

package bridge

import (
	"fmt"
	"os"

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
	fmt.Fprint(os.Stderr, `This program is a Cloudflare Worker: it runs on workerd, compiled to WebAssembly.
  Run it locally:   npm start      (builds with go run ./cmd/durable-build, serves on http://localhost:8787)
  Test objects natively with package durabletest and go test.
`)
	os.Exit(2)
}

// RestartObject is the workerd runtime's way to drop an object's Go instance;
// natively, durabletest.Runtime.Restart does that.
func RestartObject(durable.ID) error {
	return fmt.Errorf("durable: RestartObject runs on workerd only; natively, use durabletest's Runtime.Restart")
}

// Stats is a census of the workerd runtime, for tests that look for leaks.
type Stats struct {
	Goroutines int `json:"goroutines"` // live goroutines
	Funcs      int `json:"funcs"`      // JavaScript callbacks not yet released
	Contexts   int `json:"contexts"`   // I/O contexts Go knows
	Objects    int `json:"objects"`    // object instances Go holds
}

// ReadStats returns the zero Stats natively: there is no workerd runtime.
func ReadStats() Stats { return Stats{} }
