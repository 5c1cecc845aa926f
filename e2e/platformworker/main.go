// Command platformworker is the Worker of the platform test
// (e2e/platform.test.mjs): outbound HTTP from the front handler and from a
// Durable Object, with streamed bodies, timeouts and the context rule;
// request.cf and the client's address.
//
// Build it from the repository root:
//
//	go run ./cmd/durable-build -config e2e/platformworker/wrangler.jsonc ./e2e/platformworker
package main

import (
	"github.com/durableobjects-on-go/durable/workerd"
)

func main() {
	workerd.Serve(Worker())
}
