package main

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/durableobjects-on-go/durable/internal/wrangler"
)

// findConfig returns the wrangler configuration in dir.
func findConfig(dir string) (string, error) {
	p, err := wrangler.Find(dir)
	if err != nil {
		return "", fmt.Errorf("%w: run durable-build from your Worker's folder, or pass the configuration's path with -config, as in durable-build -config path/to/wrangler.jsonc ./worker", err)
	}
	return p, nil
}

var jsIdentifier = regexp.MustCompile(`^[A-Za-z_$][A-Za-z0-9_$]*$`)

// loadConfig reads the configuration and checks what the build relies on: a
// JavaScript "main", class names that are JavaScript identifiers, and a
// migration for every bound class (the rule durabletest.OptionsFromConfig
// applies too). KV-backed classes (new_classes) build: their objects get KV
// without SQL.
func loadConfig(path string) (*wrangler.Config, error) {
	c, err := wrangler.Load(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("the wrangler configuration %s does not exist: check the path given to -config, or leave -config out to use wrangler.json, wrangler.jsonc or wrangler.toml in the current folder", path)
	}
	if err != nil {
		return nil, err
	}
	if c.Main == "" {
		return nil, fmt.Errorf(`%s has no "main": set it to the entry module the build writes, such as "build/worker.mjs"`, path)
	}
	if ext := filepath.Ext(c.Main); ext != ".mjs" && ext != ".js" {
		return nil, fmt.Errorf(`%s: "main" is %q; it must name the generated JavaScript module, such as "build/worker.mjs"`, path, c.Main)
	}
	// A build replaces the whole folder of "main" (output.go), so that folder
	// must not hold the project.
	configDir, _ := filepath.Abs(filepath.Dir(path))
	outDir := filepath.Join(configDir, filepath.Dir(c.Main))
	if rel, err := filepath.Rel(outDir, configDir); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return nil, fmt.Errorf(`%s: "main" is %q, whose folder holds this configuration; a build replaces the whole folder of "main", so give the generated files a folder of their own, such as "build/worker.mjs"`, path, c.Main)
	}
	for _, name := range c.Classes() {
		if !jsIdentifier.MatchString(name) || name == "default" {
			return nil, fmt.Errorf("%s: class name %q is not a valid JavaScript class name", path, name)
		}
	}
	if err := c.CheckMigrations(); err != nil {
		return nil, err
	}
	return c, nil
}

// checkClasses compares the classes the configuration names with those the Go
// program registers, and says how to fix each difference. One class on each
// side is most likely a class renamed in Go only: it says how to rename it in
// the configuration too, keeping its objects.
func checkClasses(cfg *wrangler.Config, registered []string) error {
	configured := cfg.Classes()
	file := filepath.Base(cfg.Path)
	var unregistered, unconfigured []string
	for _, name := range configured {
		if !slices.Contains(registered, name) {
			unregistered = append(unregistered, name)
		}
	}
	for _, name := range registered {
		if !slices.Contains(configured, name) {
			unconfigured = append(unconfigured, name)
		}
	}
	if len(unregistered) == 1 && len(unconfigured) == 1 {
		from, to := unregistered[0], unconfigured[0]
		return fmt.Errorf(`class %q is in %s but not registered in Go, and class %q is registered in Go but not in %s. If %q is %q renamed, rename it in %s too: set class_name %q in its durable_objects binding and add {"tag": %q, "renamed_classes": [{"from": %q, "to": %q}]} to "migrations", which keeps its objects. If %q is a new class instead, add a binding and {"tag": %q, "new_sqlite_classes": [%q]} for it, and keep %q: NewYourObject in Worker.Objects`,
			from, file, to, file, to, from, file, to, cfg.NextTag(), from, to, to, cfg.NextTag(), to, from)
	}
	var errs []error
	for _, name := range unregistered {
		errs = append(errs, fmt.Errorf("class %q is in %s but not registered in Go: add %q: NewYourObject to Worker.Objects in the call to workerd.Serve", name, file, name))
	}
	for _, name := range unconfigured {
		errs = append(errs, fmt.Errorf("class %q is registered in Go but not in %s: add a durable_objects binding with class_name %q and a migration listing it in new_sqlite_classes, or remove it from Worker.Objects", name, file, name))
	}
	return errors.Join(errs...)
}
