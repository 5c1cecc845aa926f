package durabletest

import (
	"context"

	"github.com/durableobjects-on-go/durable"
	"github.com/durableobjects-on-go/durable/internal/serving"
	"github.com/durableobjects-on-go/durable/internal/sqlvalue"
)

// openD1 opens one in-memory SQLite database per D1 binding. It runs
// statements under the same authorizer as an object's SQL (D1 refuses much
// the same: BEGIN, ATTACH, _cf_ tables); each statement commits on its own.
func (rt *Runtime) openD1(bindings []string) {
	rt.d1s = make(map[string]*database, len(bindings))
	for _, b := range bindings {
		db, err := openDatabase("")
		if err != nil {
			rt.tb.Fatalf("durabletest: D1 %s: %v", b, err)
		}
		rt.d1s[b] = db
	}
}

// D1 returns the fake database bound under binding.
func (e *env) D1(binding string) (any, error) {
	db, ok := e.rt.d1s[binding]
	if !ok {
		return nil, serving.BindingError(binding, "a D1 database", "d1_databases", e.bound(binding))
	}
	return &d1View{env: e, db: db, name: binding}, nil
}

type d1View struct {
	env  *env
	db   *database
	name string
}

func (v *d1View) Exec(ctx context.Context, query string, args []any) (*durable.Result, error) {
	if err := v.env.checkEvent(ctx, "D1 "+v.name); err != nil {
		return nil, err
	}
	res, err := v.db.exec(query, args)
	if err != nil {
		return nil, err
	}
	// D1's raw() reports no row counts; neither does this fake.
	res.RowsRead, res.RowsWritten = 0, 0
	return res, nil
}

// Run counts the changes as Miniflare's D1 does: total_changes() before and
// after the statement, and last_insert_rowid() after it.
func (v *d1View) Run(ctx context.Context, query string, args []any) (durable.D1Meta, error) {
	if err := v.env.checkEvent(ctx, "D1 "+v.name); err != nil {
		return durable.D1Meta{}, err
	}
	canon, err := sqlvalue.Args(args)
	if err != nil {
		return durable.D1Meta{}, err
	}
	db := v.db
	db.mu.Lock()
	defer db.mu.Unlock()
	if db.closed {
		return durable.D1Meta{}, errClosed
	}
	before := db.conn.TotalChanges()
	if _, msg := db.run(query, canon); msg != "" {
		return durable.D1Meta{}, sqlvalue.Error(query, msg)
	}
	return durable.D1Meta{Changes: db.conn.TotalChanges() - before, LastRowID: db.conn.LastInsertRowID()}, nil
}
