package describe

import (
	"net/http"
	"slices"
	"testing"

	"github.com/durableobjects-on-go/durable"
)

func TestOf(t *testing.T) {
	d := Of(durable.Worker{
		Front:   func(durable.Env) http.Handler { return nil },
		Objects: map[string]durable.Constructor{"Zeta": nil, "Alpha": nil},
	})
	if !d.Front || !slices.Equal(d.Classes, []string{"Alpha", "Zeta"}) {
		t.Fatalf("got %+v", d)
	}
	if empty := Of(durable.Worker{}); empty.Front || empty.Classes == nil || len(empty.Classes) != 0 {
		t.Fatalf("empty Worker: got %+v (Classes must be an empty list, not null)", empty)
	}
}

func TestIfAskedOnlyWhenAsked(t *testing.T) {
	t.Setenv(DescribeEnv, "")
	if IfAsked(durable.Worker{}) {
		t.Fatal("described itself without being asked")
	}
}
