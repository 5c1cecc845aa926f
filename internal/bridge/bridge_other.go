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
