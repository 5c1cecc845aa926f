//go:build js && wasm

package bridge

import (
	"context"
	"fmt"
	"syscall/js"

	"github.com/durableobjects-on-go/durable"
	"github.com/durableobjects-on-go/durable/internal/sqlvalue"
)

// D1 (durable.D1Database): a statement's rows come back packed, as
// SQL.Exec's do (bindings.mjs's d1Exec, unpackResult).

func (e *env) D1(binding string) (any, error) {
	v, err := e.binding(binding, "batch", "a D1 database", "d1_databases")
	if err != nil {
		return nil, err
	}
	return &d1Database{env: e, v: v, name: binding}, nil
}

type d1Database struct {
	env  *env
	v    js.Value
	name string
}

func (d *d1Database) Exec(ctx context.Context, query string, args []any) (*durable.Result, error) {
	c, err := d.env.contextFor(ctx, "D1 "+d.name)
	if err != nil {
		return nil, err
	}
	jsArgs, err := d1Args(args)
	if err != nil {
		return nil, err
	}
	v, err := c.await(ctx, func() (js.Value, error) { return call(host, "d1Exec", d.v, query, jsArgs) })
	if err != nil {
		return nil, sqlvalue.Error(query, err.Error())
	}
	out, err := unpackResult(bytesOf(v.Index(0)))
	if err != nil {
		return nil, fmt.Errorf("durable: D1 result: %w", err)
	}
	out.RowsRead = int64(v.Index(1).Float())
	out.RowsWritten = int64(v.Index(2).Float())
	return out, nil
}

// Run runs a statement through D1's run() (bindings.mjs's d1Run), which
// reports meta.changes and meta.last_row_id.
func (d *d1Database) Run(ctx context.Context, query string, args []any) (durable.D1Meta, error) {
	c, err := d.env.contextFor(ctx, "D1 "+d.name)
	if err != nil {
		return durable.D1Meta{}, err
	}
	jsArgs, err := d1Args(args)
	if err != nil {
		return durable.D1Meta{}, err
	}
	v, err := c.await(ctx, func() (js.Value, error) { return call(host, "d1Run", d.v, query, jsArgs) })
	if err != nil {
		return durable.D1Meta{}, sqlvalue.Error(query, err.Error())
	}
	return durable.D1Meta{Changes: int64(v.Index(0).Float()), LastRowID: int64(v.Index(1).Float())}, nil
}

// d1Args checks a statement's arguments and turns them into JavaScript values.
func d1Args(args []any) ([]any, error) {
	canon, err := sqlvalue.Args(args)
	if err != nil {
		return nil, err
	}
	jsArgs := make([]any, len(canon))
	for i, a := range canon {
		jsArgs[i] = valueToJS(a)
	}
	return jsArgs, nil
}
