package durabletest_test

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/durableobjects-on-go/durable"
	"github.com/durableobjects-on-go/durable/durabletest"
)

func writeConfig(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "wrangler.jsonc")
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// A class bound without a migration runs here but not on workerd: the
// configuration is refused, naming the class and the fix.
func TestOptionsFromConfigRequiresAMigration(t *testing.T) {
	path := writeConfig(t, `{"main": "build/worker.mjs",
		"durable_objects": {"bindings": [{"name": "ROOMS", "class_name": "Room"}]}}`)
	_, err := durabletest.OptionsFromConfig(path)
	if err == nil || !strings.Contains(err.Error(), `class "Room" (binding "ROOMS") but no migration creates it`) ||
		!strings.Contains(err.Error(), `"new_sqlite_classes": ["Room"]`) {
		t.Fatalf("err = %v", err)
	}
}

// A KV-backed class (new_classes) keeps its KV; its SQL and transactions fail
// with durable.ErrKVBacked, as on workerd (e2e/storage.test.mjs).
func TestKVBackedClass(t *testing.T) {
	path := writeConfig(t, `{"main": "build/worker.mjs",
		"durable_objects": {"bindings": [{"name": "LEGACY", "class_name": "Legacy"}, {"name": "NEW", "class_name": "Modern"}]},
		"migrations": [{"tag": "v1", "new_classes": ["Legacy"]}, {"tag": "v2", "new_sqlite_classes": ["Modern"]}]}`)
	opts, err := durabletest.OptionsFromConfig(path)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(opts.KVBackedClasses, []string{"Legacy"}) {
		t.Fatalf("KVBackedClasses = %v", opts.KVBackedClasses)
	}
	nothing := func(durable.State, durable.Env) (durable.Object, error) { return nil, nil }
	rt := durabletest.New(t, durable.Worker{Objects: map[string]durable.Constructor{"Legacy": nothing, "Modern": nothing}}, opts)

	legacy := rt.State("LEGACY", rt.Namespace("LEGACY").IDFromName("a")).Storage()
	kv := legacy.KV()
	if err := kv.PutMany(durable.Entry{Key: "a", Value: []byte("1")}, durable.Entry{Key: "b", Value: []byte("2")}); err != nil {
		t.Fatal(err)
	}
	if v, ok, err := kv.Get("a"); err != nil || !ok || string(v) != "1" {
		t.Errorf("Get = %q, %v, %v", v, ok, err)
	}
	if _, err := legacy.SQL().Exec(`SELECT 1`); !errors.Is(err, durable.ErrKVBacked) {
		t.Errorf("Exec on a KV-backed object = %v", err)
	}
	for _, err := range legacy.SQL().Query(`SELECT 1`) {
		if !errors.Is(err, durable.ErrKVBacked) {
			t.Errorf("Query on a KV-backed object = %v", err)
		}
	}
	if err := legacy.Transaction(func() error { return nil }); !errors.Is(err, durable.ErrKVBacked) {
		t.Errorf("Transaction on a KV-backed object = %v", err)
	}
	modern := rt.State("NEW", rt.Namespace("NEW").IDFromName("a")).Storage()
	if _, err := modern.SQL().Exec(`SELECT 1`); err != nil {
		t.Errorf("Exec on a SQLite-backed object = %v", err)
	}
}

// A loop still reading when its runtime closes ends with the runtime's error;
// closing finalizes the open statement.
func TestQueryWhenTheRuntimeCloses(t *testing.T) {
	nothing := func(durable.State, durable.Env) (durable.Object, error) { return nil, nil }
	rt := durabletest.New(t, durable.Worker{Objects: map[string]durable.Constructor{"Box": nothing}}, nil)
	sql := rt.State("Box", rt.Namespace("Box").IDFromName("a")).Storage().SQL()
	if _, err := sql.Exec(`CREATE TABLE t AS WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 1000) SELECT x FROM c`); err != nil {
		t.Fatal(err)
	}
	rows, errs := 0, 0
	for _, err := range sql.Query(`SELECT x FROM t`) {
		if err != nil {
			errs++
			if !strings.Contains(err.Error(), "closed") {
				t.Errorf("error = %v", err)
			}
			continue
		}
		if rows++; rows == 1 {
			if err := rt.Close(); err != nil {
				t.Fatalf("Close with a statement open: %v", err)
			}
		}
	}
	if errs != 1 || rows >= 1000 {
		t.Errorf("rows %d, errors %d; want the loop to end with one error", rows, errs)
	}
}
