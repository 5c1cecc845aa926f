// Package wrangler reads the parts of a wrangler configuration (wrangler.json,
// wrangler.jsonc or wrangler.toml) that the build command and the native runtime
// need, so that both read it the same way.
package wrangler

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/BurntSushi/toml"
	"github.com/tailscale/hujson"
)

// Config is the part of a wrangler configuration this module reads.
type Config struct {
	// Path is the file the configuration was read from.
	Path string `json:"-" toml:"-"`
	// Name is the Worker's name.
	Name string `json:"name" toml:"name"`
	// Main is the entry module, relative to the configuration's folder.
	Main string `json:"main" toml:"main"`
	// Vars are the Worker's variables, of any JSON type.
	Vars map[string]any `json:"vars" toml:"vars"`
	// DurableObjects holds the Durable Object namespace bindings.
	DurableObjects struct {
		Bindings []Binding `json:"bindings" toml:"bindings"`
	} `json:"durable_objects" toml:"durable_objects"`
	// Migrations create, rename and delete classes, in order.
	Migrations []Migration `json:"migrations" toml:"migrations"`

	// The other bindings, by binding name (bindings.go).
	KVNamespaces []NamedBinding `json:"kv_namespaces" toml:"kv_namespaces"`
	R2Buckets    []NamedBinding `json:"r2_buckets" toml:"r2_buckets"`
	D1Databases  []NamedBinding `json:"d1_databases" toml:"d1_databases"`
	Services     []NamedBinding `json:"services" toml:"services"`
	Queues       struct {
		Producers []NamedBinding `json:"producers" toml:"producers"`
	} `json:"queues" toml:"queues"`
}

// Binding is one entry of durable_objects.bindings.
type Binding struct {
	Name       string `json:"name" toml:"name"`               // the name in env
	ClassName  string `json:"class_name" toml:"class_name"`   // the class it binds
	ScriptName string `json:"script_name" toml:"script_name"` // another Worker's class when set
}

// Migration is one entry of migrations.
type Migration struct {
	Tag              string   `json:"tag" toml:"tag"`                               // unique per migration
	NewClasses       []string `json:"new_classes" toml:"new_classes"`               // KV-backed classes
	NewSQLiteClasses []string `json:"new_sqlite_classes" toml:"new_sqlite_classes"` // SQLite-backed classes
	DeletedClasses   []string `json:"deleted_classes" toml:"deleted_classes"`       // classes removed
	// RenamedClasses rename classes, keeping their objects.
	RenamedClasses []struct {
		From string `json:"from" toml:"from"`
		To   string `json:"to" toml:"to"`
	} `json:"renamed_classes" toml:"renamed_classes"`
}

// FileNames are the files wrangler looks for, in its order of preference.
var FileNames = []string{"wrangler.json", "wrangler.jsonc", "wrangler.toml"}

// Find returns the path of the wrangler configuration in dir.
func Find(dir string) (string, error) {
	for _, name := range FileNames {
		p := filepath.Join(dir, name)
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	if abs, err := filepath.Abs(dir); err == nil {
		dir = abs
	}
	return "", fmt.Errorf("no wrangler configuration in %s (looked for %s)", dir, strings.Join(FileNames, ", "))
}

// Load reads a configuration: TOML for .toml files, JSON with comments otherwise.
func Load(path string) (*Config, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	c := &Config{Path: path}
	if filepath.Ext(path) == ".toml" {
		if _, err := toml.Decode(string(raw), c); err != nil {
			return nil, tomlError(path, raw, err)
		}
		return c, nil
	}
	std, err := hujson.Standardize(raw)
	if err != nil {
		return nil, syntaxError(path, err)
	}
	if err := json.NewDecoder(bytes.NewReader(std)).Decode(c); err != nil {
		return nil, typeError(path, std, err)
	}
	return c, nil
}

// LocalBindings maps each binding name to its class, for the bindings of this
// Worker's own classes (those without script_name).
func (c *Config) LocalBindings() map[string]string {
	m := make(map[string]string)
	for _, b := range c.DurableObjects.Bindings {
		if b.ScriptName == "" && b.Name != "" && b.ClassName != "" {
			m[b.Name] = b.ClassName
		}
	}
	return m
}

// TextVars are the vars whose values are strings.
func (c *Config) TextVars() map[string]string {
	m := make(map[string]string)
	for name, v := range c.Vars {
		if s, ok := v.(string); ok {
			m[name] = s
		}
	}
	return m
}

// Classes are the Durable Object classes the Worker must export: those its local
// bindings name and those its migrations create, less the ones they delete or
// rename away. Sorted.
func (c *Config) Classes() []string {
	live := c.migrated()
	for _, class := range c.LocalBindings() {
		if _, ok := live[class]; !ok {
			live[class] = true
		}
	}
	return sortedKeys(live, func(bool) bool { return true })
}

// KVBackedClasses are the classes that the migrations, replayed in order, leave
// created with new_classes (KV-backed storage, without SQL). Sorted.
func (c *Config) KVBackedClasses() []string {
	return sortedKeys(c.migrated(), func(sqlite bool) bool { return !sqlite })
}

// migrated replays the migrations: the classes they leave, each with whether it
// was created SQLite-backed.
func (c *Config) migrated() map[string]bool {
	live := make(map[string]bool)
	for _, m := range c.Migrations {
		for _, name := range m.NewClasses {
			live[name] = false
		}
		for _, name := range m.NewSQLiteClasses {
			live[name] = true
		}
		for _, r := range m.RenamedClasses {
			if sqlite, ok := live[r.From]; ok {
				delete(live, r.From)
				live[r.To] = sqlite
			} else {
				live[r.To] = true
			}
		}
		for _, name := range m.DeletedClasses {
			delete(live, name)
		}
	}
	return live
}

func sortedKeys(m map[string]bool, keep func(bool) bool) []string {
	keys := make([]string, 0, len(m))
	for k, v := range m {
		if keep(v) {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return keys
}
