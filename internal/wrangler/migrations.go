package wrangler

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
)

// The migrations rule, read the same way by the build and by durabletest: every
// class this Worker binds must be created by a migration, and the migration
// that created it decides its storage (new_sqlite_classes: SQLite, with SQL;
// new_classes: the legacy KV-backed storage, without SQL).

// ErrNoMigration is matched by the error of [Config.CheckMigrations] for a bound
// class that no migration creates.
var ErrNoMigration = errors.New("a Durable Object class has no migration")

// CheckMigrations fails, naming each class and the fix, when a class of this
// Worker's bindings is created by no migration: workerd refuses such a class
// ("... must have a migration with new_classes or new_sqlite_classes"), while
// durabletest, which does not need migrations, would let it pass its tests.
func (c *Config) CheckMigrations() error {
	live := c.migrated()
	var missing []string
	bindingOf := map[string]string{}
	for binding, class := range c.LocalBindings() {
		if _, ok := live[class]; !ok && !slices.Contains(missing, class) {
			missing = append(missing, class)
		}
		if prev, ok := bindingOf[class]; !ok || binding < prev {
			bindingOf[class] = binding
		}
	}
	if len(missing) == 0 {
		return nil
	}
	slices.Sort(missing)
	var errs []error
	for _, class := range missing {
		errs = append(errs, fmt.Errorf(`%w: %s binds class %q (binding %q) but no migration creates it; workerd refuses it: add {"tag": %q, "new_sqlite_classes": [%q]} to "migrations"`,
			ErrNoMigration, filepath.Base(c.Path), class, bindingOf[class], c.nextTag(), class))
	}
	return errors.Join(errs...)
}

// nextTag suggests a tag for a new migration: one the file does not use yet.
func (c *Config) nextTag() string {
	for n := len(c.Migrations) + 1; ; n++ {
		tag := fmt.Sprintf("v%d", n)
		if !slices.ContainsFunc(c.Migrations, func(m Migration) bool { return strings.EqualFold(m.Tag, tag) }) {
			return tag
		}
	}
}
