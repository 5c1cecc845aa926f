// Package describe is the protocol by which a Worker program tells the build
// command which Durable Object classes it registers: run with DescribeEnv set,
// workerd.Serve prints a Description instead of serving.
package describe

import (
	"encoding/json"
	"os"
	"slices"

	"github.com/durableobjects-on-go/durable"
	"github.com/durableobjects-on-go/durable/internal/serving"
)

// DescribeEnv is the environment variable that makes Serve print the Worker's
// description (see Description) instead of serving. cmd/durable-build sets it to
// check the Go registrations against the wrangler configuration.
const DescribeEnv = "DURABLE_DESCRIBE"

// Description is what a Worker program registers, as printed in describe mode.
type Description struct {
	// Classes are the registered Durable Object class names, sorted.
	Classes []string `json:"classes"`
	// Front reports whether the Worker has a front handler.
	Front bool `json:"front"`
	// Methods are the RPC methods of each class with some, by their
	// JavaScript names, sorted.
	Methods map[string][]string `json:"methods,omitempty"`
	// RPCError says what is wrong with Worker.RPC, or is "".
	RPCError string `json:"rpcError,omitempty"`
}

// Of returns what w registers.
func Of(w durable.Worker) Description {
	d := Description{Classes: make([]string, 0, len(w.Objects)), Front: w.Front != nil}
	for name := range w.Objects {
		d.Classes = append(d.Classes, name)
	}
	slices.Sort(d.Classes)
	classes, err := serving.RPCClasses(w)
	if err != nil {
		d.RPCError = err.Error()
	}
	for name, c := range classes {
		if d.Methods == nil {
			d.Methods = map[string][]string{}
		}
		d.Methods[name] = c.Names()
	}
	return d
}

// IfAsked prints the Worker's description to stdout when DescribeEnv is set, and
// reports whether it did.
func IfAsked(w durable.Worker) bool {
	if os.Getenv(DescribeEnv) == "" {
		return false
	}
	json.NewEncoder(os.Stdout).Encode(Of(w))
	return true
}
