package durabletest

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/durableobjects-on-go/durable"
	"github.com/durableobjects-on-go/durable/internal/conformance"
	"github.com/durableobjects-on-go/durable/internal/wrap"
)

// reversedKV breaks KV on purpose: List returns entries in the wrong order.
type reversedKV struct{ kvStorage }

func (k reversedKV) List(opts *durable.ListOptions) ([]durable.Entry, error) {
	entries, err := k.kvStorage.List(opts)
	slices.Reverse(entries)
	return entries, err
}

type brokenStorage struct{ *storage }

func (s brokenStorage) KV() any { return reversedKV{s.storage.KV().(kvStorage)} }

type brokenState struct{ *state }

func (s brokenState) Storage() any { return brokenStorage{s.storage} }

// TestConformanceCatchesBrokenKV shows the suite can fail: the same scenarios
// that pass on the real storage fail when KV lists in the wrong order.
func TestConformanceCatchesBrokenKV(t *testing.T) {
	opts, err := OptionsFromConfig("../internal/conformance/worker/wrangler.jsonc")
	if err != nil {
		t.Fatal(err)
	}
	rt := New(t, conformance.Worker(conformance.Config{}), opts)
	for _, name := range []string{"kv/list-order-is-utf8-bytes", "kv/list-reverse", "kv/list-prefix"} {
		s, ok := conformance.Lookup(name)
		if !ok {
			t.Fatalf("no scenario %s", name)
		}
		run := func(object string, broken bool) conformance.Report {
			o, err := rt.objectFor(conformance.ScenarioBinding, rt.Namespace(conformance.ScenarioBinding).IDFromName(object))
			if err != nil {
				t.Fatal(err)
			}
			var impl any = o.state
			if broken {
				impl = brokenState{o.state}
			}
			state := wrap.State(impl).(durable.State)
			return conformance.RunStep(s, 0, &conformance.Object{Name: object, State: state, Env: rt.Env(), Ctx: context.Background(), Instance: "test"})
		}
		if rep := run(name+"@real", false); !rep.Passed {
			t.Errorf("%s fails on the real storage: %s", name, strings.Join(rep.Log, "\n"))
		}
		rep := run(name+"@broken", true)
		if rep.Passed {
			t.Errorf("%s passes with a KV that lists in reverse", name)
		} else {
			t.Logf("%s caught the broken KV: %s", name, rep.Log[0])
		}
	}
}
