//go:build js && wasm

package bridge

import (
	"github.com/durableobjects-on-go/durable"
	"github.com/durableobjects-on-go/durable/internal/packed"
)

// unpackResult decodes a SQL result packed by runtime.mjs (host.sql).
func unpackResult(b []byte) (*durable.Result, error) {
	cols, rows, err := packed.DecodeRows(b)
	if err != nil {
		return nil, err
	}
	out := &durable.Result{Columns: cols, Rows: make([]durable.Row, len(rows))}
	for i, r := range rows {
		out.Rows[i] = durable.Row(r)
	}
	return out, nil
}

// unpackEntries decodes a KV listing packed by runtime.mjs (host.kvList).
func unpackEntries(b []byte) ([]durable.Entry, error) {
	pairs, err := packed.DecodePairs(b)
	if err != nil {
		return nil, err
	}
	entries := make([]durable.Entry, len(pairs))
	for i, p := range pairs {
		entries[i] = durable.Entry{Key: p.Key, Value: p.Value}
	}
	return entries, nil
}
