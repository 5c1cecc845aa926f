package bridge

import (
	"encoding/json"
	"os"
	"slices"

	"github.com/durableobjects-on-go/durable"
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
}

// describe prints the Worker's description to stdout when asked to, and reports
// whether it did.
func describe(w durable.Worker) bool {
	if os.Getenv(DescribeEnv) == "" {
		return false
	}
	d := Description{Classes: make([]string, 0, len(w.Objects)), Front: w.Front != nil}
	for name := range w.Objects {
		d.Classes = append(d.Classes, name)
	}
	slices.Sort(d.Classes)
	json.NewEncoder(os.Stdout).Encode(d)
	return true
}
