//go:build !(js && wasm)

package bridge

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestInstructionsFitTheModule checks that a Worker run natively names the
// command that works where it runs, and only that one.
func TestInstructionsFitTheModule(t *testing.T) {
	tests := []struct {
		name        string
		files       map[string]string // relative path → content
		cwd         string
		want, avoid []string
	}{
		{
			name: "project with npm start",
			files: map[string]string{
				"go.mod": "module m\n", "wrangler.jsonc": "{}",
				"package.json": `{"scripts": {"start": "node dev.mjs"}}`,
			},
			cwd:   "worker",
			want:  []string{"cd .. && npm start", "wrangler.jsonc"},
			avoid: []string{"npx wrangler dev", "init myapp"},
		},
		{
			name:  "configuration without package.json",
			files: map[string]string{"go.mod": "module m\n", "wrangler.toml": ""},
			cwd:   ".",
			want:  []string{"Run it locally:  npx wrangler dev", "wrangler.toml runs the build command", "wrangler@4.86.0"},
			avoid: []string{"npm start", "cd "},
		},
		{
			name: "package.json without a start script",
			files: map[string]string{
				"go.mod": "module m\n", "wrangler.json": "{}",
				"package.json": `{"scripts": {"test": "go test ./..."}}`,
			},
			cwd:   "a/b",
			want:  []string{"cd ../.. && npx wrangler dev"},
			avoid: []string{"npm start"},
		},
		{
			name: "configuration outside the module",
			files: map[string]string{
				"wrangler.jsonc": "{}", "package.json": `{"scripts": {"start": "x"}}`,
				"inner/go.mod": "module inner\n",
			},
			cwd:   "inner",
			want:  []string{"durable-build@latest init myapp", "none was found"},
			avoid: []string{"npm start", "npx wrangler dev"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			for name, content := range tt.files {
				write(t, filepath.Join(root, name), content)
			}
			cwd := filepath.Join(root, tt.cwd)
			if err := os.MkdirAll(cwd, 0o755); err != nil {
				t.Fatal(err)
			}
			got := instructions(cwd)
			for _, want := range tt.want {
				if !strings.Contains(got, want) {
					t.Errorf("instructions lack %q:\n%s", want, got)
				}
			}
			for _, avoid := range tt.avoid {
				if strings.Contains(got, avoid) {
					t.Errorf("instructions mention %q:\n%s", avoid, got)
				}
			}
		})
	}
}
