// Command faultworker is the Worker of the fault matrix (e2e/faults.test.mjs):
// its Box objects fail on demand (a panic, a goroutine's panic, os.Exit, a
// heap that grows without bound) in a fetch, an alarm, a WebSocket event or
// an RPC method, each time inside a storage transaction that has written
// rows, so that the tests can check what each fault leaves behind.
//
// Build it from the repository root:
//
//	go run ./cmd/durable-build -config e2e/faultworker/wrangler.jsonc ./e2e/faultworker
package main

import (
	"github.com/durableobjects-on-go/durable"
	"github.com/durableobjects-on-go/durable/workerd"
)

func main() {
	workerd.Serve(durable.Worker{
		Front:   front,
		Objects: map[string]durable.Constructor{"Box": newBox},
		RPC:     map[string]any{"Box": (*Box)(nil)},
	})
}
