// Command village is DurableObjects-on-Go's example Worker: a village whose
// Greeter objects count the visits of each name, in SQLite, on workerd.
//
// Run it with `npm start` from the repository root; test it with `npm test`.
package main

import (
	"github.com/durableobjects-on-go/durable/workerd"
)

func main() {
	workerd.Serve(Worker())
}
