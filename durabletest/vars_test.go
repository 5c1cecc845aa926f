package durabletest_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/durableobjects-on-go/durable"
	"github.com/durableobjects-on-go/durable/durabletest"
)

func TestOptionsFromConfigReadsJSONVarsAndSecrets(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("wrangler.jsonc", `{
		"name": "w", "main": "build/worker.mjs",
		// JSON vars of every kind, a text var, and one a secret replaces
		"vars": {"LIMITS": {"max": 3}, "ON": true, "N": 2.5, "LIST": [1, 2], "TEXT": "plain", "TOKEN": "not the secret"},
		"durable_objects": {"bindings": [{"name": "C", "class_name": "C"}]},
		"migrations": [{"tag": "v1", "new_sqlite_classes": ["C"]}]
	}`)
	write(".env", "IGNORED=1\n") // .dev.vars wins, as with wrangler dev
	write(".dev.vars", "# local secrets\nTOKEN=s3cret\nOTHER=\"two words\"\n")
	opts, err := durabletest.OptionsFromConfig(filepath.Join(dir, "wrangler.jsonc"))
	if err != nil {
		t.Fatal(err)
	}
	rt := durabletest.New(t, durable.Worker{Objects: map[string]durable.Constructor{"C": nil}}, opts)
	env := rt.Env()

	if got, err := durable.VarJSON[struct{ Max int }](env, "LIMITS"); err != nil || got.Max != 3 {
		t.Errorf("LIMITS = %+v, %v", got, err)
	}
	if got, err := durable.VarJSON[bool](env, "ON"); err != nil || !got {
		t.Errorf("ON = %v, %v", got, err)
	}
	if got, err := durable.VarJSON[[]int](env, "LIST"); err != nil || len(got) != 2 {
		t.Errorf("LIST = %v, %v", got, err)
	}
	if got, ok := env.Var("N"); ok {
		t.Errorf("Var(N) = %q: a number var is no text var", got)
	}
	for name, want := range map[string]string{"TEXT": "plain", "TOKEN": "s3cret", "OTHER": "two words"} {
		if got, ok := env.Var(name); !ok || got != want {
			t.Errorf("Var(%s) = %q, %v; want %q", name, got, ok, want)
		}
	}
	if _, ok := env.Var("IGNORED"); ok {
		t.Error(".env was read although .dev.vars exists")
	}

	_, err = durable.VarJSON[int](env, "LIMITS")
	if !errors.Is(err, durable.ErrVarType) || !strings.Contains(err.Error(), `"LIMITS"`) || !strings.Contains(err.Error(), `"vars" in wrangler.jsonc`) {
		t.Errorf("wrong type: %v", err)
	}
	_, err = durable.VarJSON[int](env, "C")
	if !errors.Is(err, durable.ErrVarType) || !strings.Contains(err.Error(), "binding, not a var") {
		t.Errorf("a namespace binding: %v", err)
	}
	_, err = durable.VarJSON[int](env, "MISSING")
	if !errors.Is(err, durable.ErrNoBinding) || !strings.Contains(err.Error(), `"MISSING"`) {
		t.Errorf("missing: %v", err)
	}
}
