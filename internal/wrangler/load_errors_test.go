package wrangler

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func load(t *testing.T, name, content string) (*Config, error) {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return Load(p)
}

// TestLoadJSONC reads comments of both kinds and trailing commas, as
// wrangler does.
func TestLoadJSONC(t *testing.T) {
	c, err := load(t, "wrangler.jsonc", `// leading comment
{
  /* block
     comment */ "main": "build/worker.mjs", // trailing comment
  "durable_objects": { "bindings": [ { "name": "R", "class_name": "Room", }, ], },
  "migrations": [ { "tag": "v1", "new_sqlite_classes": [ "Room", ], }, ],
}`)
	if err != nil {
		t.Fatal(err)
	}
	if c.Main != "build/worker.mjs" || !slices.Equal(c.Classes(), []string{"Room"}) {
		t.Fatalf("main %q, classes %v", c.Main, c.Classes())
	}
}

// TestLoadErrorsPointAtLineAndColumn checks the line and column of syntax
// and type errors, with comments before them (hujson keeps offsets).
func TestLoadErrorsPointAtLineAndColumn(t *testing.T) {
	tests := []struct{ name, file, content, want string }{
		{"missing comma", "wrangler.jsonc", "{\n  /* c */ \"name\": \"w\"\n  \"main\": \"b/w.mjs\"\n}",
			`wrangler.jsonc:3:3: not valid JSON with comments: invalid character '"' after object value (expecting ',' or '}'): a comma is missing between two fields`},
		{"single quotes", "wrangler.json", "{\n  // c\n  \"main\": 'b/w.mjs'\n}",
			`wrangler.json:3:11: not valid JSON with comments: invalid character '\'' at start of value: strings take double quotes, not single ones`},
		{"missing colon", "wrangler.jsonc", `{"main" "b/w.mjs"}`,
			`wrangler.jsonc:1:9: not valid JSON with comments: invalid character '"' after object name`},
		{"unquoted key", "wrangler.jsonc", "{\n main: 1}",
			`wrangler.jsonc:2:2: not valid JSON with comments: invalid literal: main: field names and strings take double quotes`},
		{"durable_objects a list", "wrangler.jsonc", "{\n  // c\n  \"durable_objects\": [\n    {\"name\": \"R\"}\n  ]\n}",
			`wrangler.jsonc:3:22: "durable_objects" is a list; it must be an object {…}`},
		{"migrations an object", "wrangler.jsonc", `{"migrations": {"tag": "v1"}}`,
			`wrangler.jsonc:1:16: "migrations" is an object; it must be a list […]`},
		{"main a boolean", "wrangler.jsonc", "{\n\"main\": true}",
			`wrangler.jsonc:2:9: "main" is true or false; it must be a string in double quotes`},
		{"name with escaped quote then wrong type", "wrangler.jsonc", `{"name": "a\"b", "main": "x\"y", "durable_objects": "R\"s"}`,
			`wrangler.jsonc:1:53: "durable_objects" is a string; it must be an object {…}`},
		{"toml syntax", "wrangler.toml", "name = \"w\"\nmain = \"b/w.mjs\" x\n",
			`wrangler.toml:2:18: not valid TOML: expected a top-level item to end with a newline, comment, or EOF, but got 'x' instead`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := load(t, tt.file, tt.content)
			if err == nil {
				t.Fatal("loaded")
			}
			if msg := err.Error(); !strings.Contains(msg, tt.want) {
				t.Errorf("error\n%s\nlacks\n%s", msg, tt.want)
			}
		})
	}
}

// TestCheckMigrationsRename covers a class renamed in its binding while the
// migrations still create the old name: the fix is renamed_classes.
func TestCheckMigrationsRename(t *testing.T) {
	c, err := load(t, "wrangler.jsonc", `{"durable_objects": {"bindings": [{"name": "ROOMS", "class_name": "Hall"}, {"name": "C", "class_name": "Clock"}]},
		"migrations": [{"tag": "v1", "new_sqlite_classes": ["Room", "Clock"]}]}`)
	if err != nil {
		t.Fatal(err)
	}
	err = c.CheckMigrations()
	want := `binds class "Hall" (binding "ROOMS") but no migration creates it, and workerd refuses it. If "Hall" is "Room" renamed, add {"tag": "v2", "renamed_classes": [{"from": "Room", "to": "Hall"}]} to "migrations", which keeps its objects, and rename the class in Go too; if it is a new class, add {"tag": "v2", "new_sqlite_classes": ["Hall"]}`
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("err = %v\nwant it to contain %s", err, want)
	}

	// Two classes unbound: both are named as candidates.
	c.Migrations[0].NewSQLiteClasses = append(c.Migrations[0].NewSQLiteClasses, "Lobby")
	err = c.CheckMigrations()
	want = `add {"tag": "v2", "new_sqlite_classes": ["Hall"]} to "migrations", or, if it is one of "Lobby", "Room" renamed, {"renamed_classes": [{"from": "<old name>", "to": "Hall"}]}, which keeps its objects`
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("err = %v\nwant it to contain %s", err, want)
	}

	// Renamed with a migration: accepted.
	c.Migrations = append(c.Migrations, Migration{Tag: "v2", RenamedClasses: []struct {
		From string `json:"from" toml:"from"`
		To   string `json:"to" toml:"to"`
	}{{From: "Room", To: "Hall"}}})
	if err := c.CheckMigrations(); err != nil {
		t.Fatal(err)
	}
}
