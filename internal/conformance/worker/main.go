// Command worker is the conformance Worker: it runs the scenarios of package
// conformance inside real Durable Objects on workerd, served over HTTP (see the
// package documentation for the protocol).
//
// Build and run it from the repository root:
//
//	go run ./cmd/durable-build -config internal/conformance/worker/wrangler.jsonc ./internal/conformance/worker
//	cd internal/conformance/worker && npx wrangler dev
package main

import (
	"context"

	"github.com/durableobjects-on-go/durable"
	"github.com/durableobjects-on-go/durable/internal/bridge"
	"github.com/durableobjects-on-go/durable/internal/conformance"
	"github.com/durableobjects-on-go/durable/workerd"
)

func main() {
	workerd.Serve(conformance.Worker(conformance.Config{
		Restart: func(_ context.Context, _ string, id durable.ID) error { return bridge.RestartObject(id) },
	}))
}
