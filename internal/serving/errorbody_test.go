package serving

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/durableobjects-on-go/durable"
)

var errSecret = errors.New(`no such table: secrets (SELECT token FROM secrets WHERE user = 'ada')`)

// The same failures, answered by a safe and a detailed Reporter: a safe body
// says what failed and never the internal text, which the log always has.
func TestErrorBodies(t *testing.T) {
	req, _ := http.NewRequest("GET", "https://x/y", nil)
	failures := []struct {
		name     string
		answer   func(Reporter) Message
		safe     string // the safe body, exactly
		internal string // in the log and the detailed body only
	}{
		{
			name: "constructor error",
			answer: func(r Reporter) Message {
				_, err := Construct(func(durable.State, durable.Env) (durable.Object, error) { return nil, errSecret }, durable.State{}, durable.Env{})
				return r.ErrorMessage(err)
			},
			safe:     "Internal Server Error: the Durable Object could not be constructed; the Worker's log has the details\n",
			internal: "no such table: secrets",
		},
		{
			name: "constructor panic",
			answer: func(r Reporter) Message {
				_, err := Construct(func(durable.State, durable.Env) (durable.Object, error) { panic("config key missing: DB_PASSWORD") }, durable.State{}, durable.Env{})
				return r.ErrorMessage(err)
			},
			safe:     "Internal Server Error: the Durable Object could not be constructed; the Worker's log has the details\n",
			internal: "DB_PASSWORD",
		},
		{
			name: "front handler panic",
			answer: func(r Reporter) Message {
				_, err := BuildFront(func(durable.Env) http.Handler { panic("reading /etc/app.conf") }, durable.Env{})
				return r.ErrorMessage(err)
			},
			safe:     "Internal Server Error: the Worker's front handler could not be built; the Worker's log has the details\n",
			internal: "/etc/app.conf",
		},
		{
			name: "unmarked error",
			answer: func(r Reporter) Message {
				return r.ErrorMessage(errSecret)
			},
			safe:     "Internal Server Error\n",
			internal: "no such table: secrets",
		},
		{
			name: "handler panic",
			answer: func(r Reporter) Message {
				return Serve(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic(errSecret) }), req, r)
			},
			safe:     "Internal Server Error: the handler panicked; the Worker's log has the details\n",
			internal: "no such table: secrets",
		},
		{
			name: "invalid status",
			answer: func(r Reporter) Message {
				return Serve(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(700) }), req, r)
			},
			safe:     "Internal Server Error: the handler answered an invalid status; the Worker's log has the details\n",
			internal: "answered status 700",
		},
	}
	for _, f := range failures {
		t.Run(f.name, func(t *testing.T) {
			var log strings.Builder
			logf := func(format string, args ...any) {
				log.WriteString(strings.TrimSpace(fmt.Sprintf(format, args...)) + "\n")
			}
			safe := f.answer(Reporter{Logf: logf})
			if safe.Status != 500 || string(safe.Body) != f.safe {
				t.Errorf("safe: got %d %q, want 500 %q", safe.Status, safe.Body, f.safe)
			}
			if !strings.Contains(log.String(), f.internal) {
				t.Errorf("the log lacks %q: %s", f.internal, log.String())
			}
			detailed := f.answer(Reporter{Logf: logf, Detailed: true})
			if detailed.Status != 500 || !strings.Contains(string(detailed.Body), f.internal) {
				t.Errorf("detailed: got %d %q, want it to hold %q", detailed.Status, detailed.Body, f.internal)
			}
		})
	}
}

// A panic's detailed body carries its stack, for development.
func TestDetailedPanicBodyHasTheStack(t *testing.T) {
	req, _ := http.NewRequest("GET", "https://x/y", nil)
	m := Serve(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("boom") }), req, Reporter{Logf: t.Logf, Detailed: true})
	body := string(m.Body)
	if !strings.Contains(body, "the handler panicked: boom") || !strings.Contains(body, "goroutine ") {
		t.Fatalf("got %q", body)
	}
}

func TestDetailsOn(t *testing.T) {
	for value, want := range map[string]bool{"on": true, "ON": true, "true": true, "1": true, " on ": true, "": false, "off": false, "false": false, "0": false} {
		got, err := DetailsOn(value)
		if err != nil || got != want {
			t.Errorf("DetailsOn(%q) = %v, %v; want %v", value, got, err, want)
		}
	}
	// A typo keeps details off, and says so.
	got, err := DetailsOn("yes please")
	if got || err == nil || !strings.Contains(err.Error(), "DURABLE_ERROR_DETAILS") {
		t.Errorf(`DetailsOn("yes please") = %v, %v; want false and an error naming the variable`, got, err)
	}
}
