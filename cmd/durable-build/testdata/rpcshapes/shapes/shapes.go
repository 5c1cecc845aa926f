// Package shapes declares an RPC type that is unexported and outside package
// main, so the generated dispatch has to live in this package.
package shapes

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/durableobjects-on-go/durable"
)

// Point is a struct argument and result.
type Point struct {
	X, Y int
	Tag  string `json:"tag"`
}

type box struct{ n int }

// Sample is the value Worker.RPC declares for the class "Box".
var Sample any = (*box)(nil)

// New constructs a box.
func New(durable.State, durable.Env) (durable.Object, error) { return &box{n: 1}, nil }

func (b *box) ServeHTTP(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) }

func (b *box) Touch()     { b.n++ }
func (b *box) Count() int { return b.n }
func (b *box) Check(ok bool) error {
	if !ok {
		return errors.New("not ok")
	}
	return nil
}
func (b *box) Move(ctx context.Context, p Point, dx, dy int) (Point, error) {
	if ctx == nil {
		return p, errors.New("no context")
	}
	if dx < 0 {
		return p, fmt.Errorf("move %d: %w", dx, &durable.RPCError{Code: "negative", Message: "dx must not be negative"})
	}
	return Point{X: p.X + dx, Y: p.Y + dy, Tag: p.Tag}, nil
}
func (b *box) Wait(ctx context.Context) error { return ctx.Err() }
func (b *box) Sum(xs []float64, scale map[string]float64) float64 {
	s := 0.0
	for _, x := range xs {
		s += x
	}
	return s * scale["k"]
}
func (b *box) Boom(msg string) string { panic(msg) }
func (b *box) Nothing() any           { return nil }
func (b *box) Bad() chan int          { return make(chan int) }

// Adder is exported: its dispatch goes into package main, which imports
// this package.
type Adder struct{}

func (*Adder) ServeHTTP(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) }

// Add adds.
func (*Adder) Add(a, b int) int { return a + b }
