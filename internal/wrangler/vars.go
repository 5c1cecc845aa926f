package wrangler

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// JSONVars are the vars whose values are not strings (objects, lists,
// numbers, booleans), encoded as JSON.
func (c *Config) JSONVars() (map[string]json.RawMessage, error) {
	m := make(map[string]json.RawMessage)
	for name, v := range c.Vars {
		if _, ok := v.(string); ok {
			continue
		}
		b, err := json.Marshal(v)
		if err != nil {
			return nil, fmt.Errorf("%s: var %q: %w", filepath.Base(c.Path), name, err)
		}
		m[name] = b
	}
	return m, nil
}

// Secrets reads the local secrets the way wrangler dev does: from .dev.vars
// next to the configuration, or, when there is none, from .env there. It
// returns nil when neither exists.
func (c *Config) Secrets() (map[string]string, error) {
	dir := filepath.Dir(c.Path)
	for _, name := range []string{".dev.vars", ".env"} {
		raw, err := os.ReadFile(filepath.Join(dir, name))
		if os.IsNotExist(err) {
			continue
		}
		if err != nil {
			return nil, err
		}
		return parseDotenv(string(raw)), nil
	}
	return nil, nil
}

// dotenvLine is the line rule of the dotenv package wrangler uses.
var dotenvLine = regexp.MustCompile(`(?m)^\s*(?:export\s+)?([\w.-]+)(?:\s*=\s*?|:\s+?)(\s*'(?:\\'|[^'])*'|\s*"(?:\\"|[^"])*"|\s*` + "`(?:\\\\`|[^`])*`" + `|[^#\r\n]+)?\s*(?:#.*)?$`)

// parseDotenv parses KEY=VALUE lines as dotenv does: # starts a comment
// outside quotes, quotes are removed, and in double quotes \n and \r are
// newlines.
func parseDotenv(src string) map[string]string {
	src = strings.ReplaceAll(src, "\r\n", "\n")
	vars := make(map[string]string)
	for _, m := range dotenvLine.FindAllStringSubmatch(src, -1) {
		v := strings.TrimSpace(m[2])
		if len(v) >= 2 && (v[0] == '\'' || v[0] == '"' || v[0] == '`') && v[len(v)-1] == v[0] {
			q := v[0]
			v = v[1 : len(v)-1]
			if q == '"' {
				v = strings.NewReplacer(`\n`, "\n", `\r`, "\r").Replace(v)
			}
		}
		vars[m[1]] = v
	}
	return vars
}
