package sqlvalue

import (
	"errors"
	"math"
	"testing"

	"github.com/durableobjects-on-go/durable"
)

func TestArgCanonicalForms(t *testing.T) {
	tests := []struct {
		in   any
		want any
	}{
		{nil, nil},
		{true, int64(1)},
		{false, int64(0)},
		{7, int64(7)},
		{int8(-8), int64(-8)},
		{uint32(9), int64(9)},
		{uint64(durable.MaxSafeInteger), int64(durable.MaxSafeInteger)},
		{int64(-durable.MaxSafeInteger), int64(-durable.MaxSafeInteger)},
		{float32(1.5), 1.5},
		{2.25, 2.25},
		{"s", "s"},
	}
	for _, tt := range tests {
		got, err := Arg(0, tt.in)
		if err != nil || got != tt.want {
			t.Errorf("Arg(%T %v) = %T %v, %v; want %T %v", tt.in, tt.in, got, got, err, tt.want, tt.want)
		}
	}
	b, err := Arg(0, []byte("x"))
	if err != nil || string(b.([]byte)) != "x" {
		t.Errorf("Arg([]byte) = %v, %v", b, err)
	}
}

func TestArgRefusesWhatWorkerdWouldRound(t *testing.T) {
	for _, v := range []any{int64(durable.MaxSafeInteger + 1), int64(math.MinInt64), uint64(math.MaxUint64), math.MaxInt64} {
		_, err := Arg(2, v)
		if !errors.Is(err, durable.ErrIntegerRange) {
			t.Errorf("Arg(%v) err = %v, want ErrIntegerRange", v, err)
		}
	}
	if _, err := Arg(0, struct{}{}); !errors.Is(err, durable.ErrUnsupportedType) {
		t.Errorf("Arg(struct{}) err = %v, want ErrUnsupportedType", err)
	}
	if _, err := Args([]any{1, "ok", map[string]int{}}); err == nil {
		t.Error("Args with a map succeeded")
	}
}

func TestNumber(t *testing.T) {
	tests := []struct {
		in   float64
		want any
	}{
		{0, int64(0)},
		{-3, int64(-3)},
		{durable.MaxSafeInteger, int64(durable.MaxSafeInteger)},
		{durable.MaxSafeInteger + 1, float64(durable.MaxSafeInteger + 1)},
		{2.5, 2.5},
		{math.Copysign(0, -1), math.Copysign(0, -1)},
		{math.Inf(1), math.Inf(1)},
	}
	for _, tt := range tests {
		if got := Number(tt.in); got != tt.want {
			t.Errorf("Number(%v) = %T %v, want %T %v", tt.in, got, got, tt.want, tt.want)
		}
	}
}

func TestError(t *testing.T) {
	e := Error("q", "UNIQUE constraint failed: t.id: SQLITE_CONSTRAINT")
	if e.Message != "UNIQUE constraint failed: t.id" || e.Code != "SQLITE_CONSTRAINT" || e.Query != "q" {
		t.Errorf("got %+v", e)
	}
	ext := Error("q", "UNIQUE constraint failed: t.v: SQLITE_CONSTRAINT (extended: SQLITE_CONSTRAINT_UNIQUE)")
	if ext.Message != "UNIQUE constraint failed: t.v" || ext.Code != "SQLITE_CONSTRAINT" || ext.ExtendedCode != "SQLITE_CONSTRAINT_UNIQUE" {
		t.Errorf("extended code: got %+v", ext)
	}
	plain := Error("q", "no such table: nope")
	if plain.Code != "" || plain.ExtendedCode != "" || plain.Message != "no such table: nope" {
		t.Errorf("got %+v", plain)
	}
}
