package rpcvalue

import (
	"fmt"
	"math"
	"reflect"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/durableobjects-on-go/durable"
)

// maxDateMs is the largest magnitude of a JavaScript Date's time value.
const maxDateMs = 8.64e15

var timeType = reflect.TypeFor[time.Time]()

// FromGo converts a Go value to a Value. where names the value in errors, such
// as "argument 1" or "the result".
func FromGo(x any, where string) (Value, error) {
	e := encoder{onPath: map[visit]bool{}}
	return e.value(reflect.ValueOf(x), where, 0)
}

type visit struct {
	ptr uintptr
	typ reflect.Type
}

type encoder struct {
	onPath map[visit]bool // pointers, maps and slices being encoded: a repeat is a cycle
}

func (e *encoder) enter(v reflect.Value, where string) (func(), error) {
	key := visit{v.Pointer(), v.Type()}
	if v.Kind() == reflect.Slice {
		key.ptr = uintptr(v.UnsafePointer()) ^ uintptr(v.Len())<<48
	}
	if e.onPath[key] {
		return nil, fmt.Errorf("%w: %s is cyclic: it contains itself", durable.ErrUnsupportedType, where)
	}
	e.onPath[key] = true
	return func() { delete(e.onPath, key) }, nil
}

func (e *encoder) value(v reflect.Value, where string, depth int) (Value, error) {
	if depth > MaxDepth {
		return Value{}, fmt.Errorf("%w: %s is nested deeper than %d", durable.ErrUnsupportedType, where, MaxDepth)
	}
	if !v.IsValid() {
		return Value{Kind: Null}, nil
	}
	if v.Type() == timeType {
		t := v.Interface().(time.Time)
		ms := float64(t.UnixMilli())
		if math.Abs(ms) > maxDateMs {
			return Value{}, fmt.Errorf("%w: %s is %v, outside the range of a JavaScript Date (±275,000 years around 1970)", durable.ErrUnsupportedType, where, t)
		}
		return Value{Kind: Date, Num: ms}, nil
	}
	switch v.Kind() {
	case reflect.Bool:
		if v.Bool() {
			return Value{Kind: True}, nil
		}
		return Value{Kind: False}, nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n := v.Int()
		if n > durable.MaxSafeInteger || n < -durable.MaxSafeInteger {
			return Value{}, rangeError(where, fmt.Sprint(n))
		}
		return Value{Kind: Number, Num: float64(n)}, nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		n := v.Uint()
		if n > durable.MaxSafeInteger {
			return Value{}, rangeError(where, fmt.Sprint(n))
		}
		return Value{Kind: Number, Num: float64(n)}, nil
	case reflect.Float32, reflect.Float64:
		return Value{Kind: Number, Num: v.Float()}, nil
	case reflect.String:
		s := v.String()
		if !utf8.ValidString(s) {
			return Value{}, fmt.Errorf("%w: %s is a string that is not valid UTF-8, which a JavaScript string cannot hold; send bytes as []byte", durable.ErrUnsupportedType, where)
		}
		return Value{Kind: String, Str: s}, nil
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return Value{Kind: Null}, nil
		}
		if v.Kind() == reflect.Pointer {
			leave, err := e.enter(v, where)
			if err != nil {
				return Value{}, err
			}
			defer leave()
		}
		return e.value(v.Elem(), where, depth+1)
	case reflect.Slice:
		if v.IsNil() {
			return Value{Kind: Null}, nil
		}
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return Value{Kind: Bytes, Bytes: v.Bytes()}, nil
		}
		leave, err := e.enter(v, where)
		if err != nil {
			return Value{}, err
		}
		defer leave()
		fallthrough
	case reflect.Array:
		out := Value{Kind: Array, Items: make([]Value, v.Len())}
		for i := range v.Len() {
			it, err := e.value(v.Index(i), fmt.Sprintf("%s[%d]", where, i), depth+1)
			if err != nil {
				return Value{}, err
			}
			out.Items[i] = it
		}
		return out, nil
	case reflect.Map:
		if v.Type().Key().Kind() != reflect.String {
			return Value{}, fmt.Errorf("%w: %s is a %s; only maps with string keys become JavaScript objects", durable.ErrUnsupportedType, where, v.Type())
		}
		if v.IsNil() {
			return Value{Kind: Null}, nil
		}
		leave, err := e.enter(v, where)
		if err != nil {
			return Value{}, err
		}
		defer leave()
		out := Value{Kind: Object}
		iter := v.MapRange()
		for iter.Next() {
			k := iter.Key().String()
			f, err := e.value(iter.Value(), fmt.Sprintf("%s[%q]", where, k), depth+1)
			if err != nil {
				return Value{}, err
			}
			out.Keys = append(out.Keys, k)
			out.Fields = append(out.Fields, f)
		}
		return out, nil
	case reflect.Struct:
		out := Value{Kind: Object}
		for _, f := range fieldsOf(v.Type()) {
			fv, ok := fieldByIndex(v, f.index)
			if !ok || (f.omitEmpty && fv.IsZero()) {
				continue
			}
			x, err := e.value(fv, where+"."+f.goName, depth+1)
			if err != nil {
				return Value{}, err
			}
			out.Keys = append(out.Keys, f.name)
			out.Fields = append(out.Fields, x)
		}
		return out, nil
	}
	return Value{}, fmt.Errorf("%w: %s is a %s, which has no JavaScript equivalent", durable.ErrUnsupportedType, where, v.Type())
}

func rangeError(where, n string) error {
	return fmt.Errorf("%w: %s is %s, which a JavaScript number cannot hold exactly; send it as a string", durable.ErrIntegerRange, where, n)
}

// fieldByIndex follows an embedded path, reporting false at a nil embedded
// pointer.
func fieldByIndex(v reflect.Value, index []int) (reflect.Value, bool) {
	for i, x := range index {
		if i > 0 && v.Kind() == reflect.Pointer {
			if v.IsNil() {
				return reflect.Value{}, false
			}
			v = v.Elem()
		}
		v = v.Field(x)
	}
	return v, true
}

// field is a struct field as the mapping sees it.
type field struct {
	name      string // the JavaScript property
	goName    string
	index     []int
	omitEmpty bool
}

var fieldCache sync.Map // reflect.Type → []field

// fieldsOf lists t's exported fields the way encoding/json names them: the
// json tag's name, else the Go name; "-" skips a field; an untagged embedded
// struct lends its fields, which lose to the outer struct's of the same name.
func fieldsOf(t reflect.Type) []field {
	if fs, ok := fieldCache.Load(t); ok {
		return fs.([]field)
	}
	var fs []field
	taken := map[string]bool{}
	var walk func(t reflect.Type, index []int, depth int)
	walk = func(t reflect.Type, index []int, depth int) {
		var embedded []reflect.StructField
		for i := range t.NumField() {
			sf := t.Field(i)
			tag := sf.Tag.Get("json")
			if tag == "-" {
				continue
			}
			name, opts, _ := strings.Cut(tag, ",")
			ft := sf.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if sf.Anonymous && name == "" && ft.Kind() == reflect.Struct && ft != timeType {
				sf.Index = append(append([]int{}, index...), i)
				embedded = append(embedded, sf)
				continue
			}
			if !sf.IsExported() {
				continue
			}
			if name == "" {
				name = sf.Name
			}
			if taken[name] {
				continue
			}
			taken[name] = true
			fs = append(fs, field{
				name:      name,
				goName:    sf.Name,
				index:     append(append([]int{}, index...), i),
				omitEmpty: strings.Contains(","+opts+",", ",omitempty,") || strings.Contains(","+opts+",", ",omitzero,"),
			})
		}
		if depth < 8 {
			for _, sf := range embedded {
				ft := sf.Type
				if ft.Kind() == reflect.Pointer {
					ft = ft.Elem()
				}
				walk(ft, sf.Index, depth+1)
			}
		}
	}
	walk(t, nil, 0)
	fieldCache.Store(t, fs)
	return fs
}

// ToGo stores v into the value dst points to. where names the value in errors.
func ToGo(v Value, dst any, where string) error {
	rv := reflect.ValueOf(dst)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return fmt.Errorf("rpcvalue: ToGo needs a non-nil pointer, not %T", dst)
	}
	return decode(v, rv.Elem(), where, 0)
}

// Decode stores v into dst, which must be settable.
func Decode(v Value, dst reflect.Value, where string) error { return decode(v, dst, where, 0) }

func mismatch(v Value, dst reflect.Value, where string) error {
	return fmt.Errorf("%w: %s is a JavaScript %s, which does not convert to Go's %s", durable.ErrUnsupportedType, where, v.Kind, dst.Type())
}

func decode(v Value, dst reflect.Value, where string, depth int) error {
	if depth > MaxDepth {
		return fmt.Errorf("%w: %s is nested deeper than %d", durable.ErrUnsupportedType, where, MaxDepth)
	}
	t := dst.Type()
	if v.Kind == Null || v.Kind == Undefined {
		switch t.Kind() {
		case reflect.Pointer, reflect.Interface, reflect.Map, reflect.Slice:
			dst.SetZero()
			return nil
		}
		return mismatch(v, dst, where)
	}
	if t == timeType {
		if v.Kind != Date {
			return mismatch(v, dst, where)
		}
		if math.IsNaN(v.Num) {
			return fmt.Errorf("%w: %s is an invalid Date", durable.ErrUnsupportedType, where)
		}
		dst.Set(reflect.ValueOf(time.UnixMilli(int64(v.Num)).UTC()))
		return nil
	}
	switch t.Kind() {
	case reflect.Interface:
		if t.NumMethod() != 0 {
			return fmt.Errorf("%w: %s is a %s, an interface with methods, which no JavaScript value converts to", durable.ErrUnsupportedType, where, t)
		}
		x, err := toAny(v, where, depth)
		if err != nil {
			return err
		}
		if x == nil {
			dst.SetZero()
		} else {
			dst.Set(reflect.ValueOf(x))
		}
		return nil
	case reflect.Pointer:
		p := reflect.New(t.Elem())
		if err := decode(v, p.Elem(), where, depth+1); err != nil {
			return err
		}
		dst.Set(p)
		return nil
	case reflect.Bool:
		if v.Kind != True && v.Kind != False {
			return mismatch(v, dst, where)
		}
		dst.SetBool(v.Kind == True)
		return nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if v.Kind != Number {
			return mismatch(v, dst, where)
		}
		if v.Num != math.Trunc(v.Num) || math.Abs(v.Num) > durable.MaxSafeInteger || dst.OverflowInt(int64(v.Num)) {
			return fmt.Errorf("%w: %s is %v, which is not an integer that Go's %s holds", durable.ErrIntegerRange, where, v.Num, t)
		}
		dst.SetInt(int64(v.Num))
		return nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		if v.Kind != Number {
			return mismatch(v, dst, where)
		}
		if v.Num != math.Trunc(v.Num) || v.Num < 0 || v.Num > durable.MaxSafeInteger || dst.OverflowUint(uint64(v.Num)) {
			return fmt.Errorf("%w: %s is %v, which is not an integer that Go's %s holds", durable.ErrIntegerRange, where, v.Num, t)
		}
		dst.SetUint(uint64(v.Num))
		return nil
	case reflect.Float32, reflect.Float64:
		if v.Kind != Number {
			return mismatch(v, dst, where)
		}
		dst.SetFloat(v.Num)
		return nil
	case reflect.String:
		if v.Kind != String {
			return mismatch(v, dst, where)
		}
		dst.SetString(v.Str)
		return nil
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 && v.Kind == Bytes {
			b := reflect.MakeSlice(t, len(v.Bytes), len(v.Bytes))
			reflect.Copy(b, reflect.ValueOf(v.Bytes))
			dst.Set(b)
			return nil
		}
		if v.Kind != Array {
			return mismatch(v, dst, where)
		}
		s := reflect.MakeSlice(t, len(v.Items), len(v.Items))
		for i, it := range v.Items {
			if err := decode(it, s.Index(i), fmt.Sprintf("%s[%d]", where, i), depth+1); err != nil {
				return err
			}
		}
		dst.Set(s)
		return nil
	case reflect.Array:
		if v.Kind != Array {
			return mismatch(v, dst, where)
		}
		if len(v.Items) != t.Len() {
			return fmt.Errorf("%w: %s is an Array of %d elements; Go's %s holds %d", durable.ErrUnsupportedType, where, len(v.Items), t, t.Len())
		}
		for i, it := range v.Items {
			if err := decode(it, dst.Index(i), fmt.Sprintf("%s[%d]", where, i), depth+1); err != nil {
				return err
			}
		}
		return nil
	case reflect.Map:
		if v.Kind != Object {
			return mismatch(v, dst, where)
		}
		if t.Key().Kind() != reflect.String {
			return fmt.Errorf("%w: %s is a %s; only maps with string keys come from JavaScript objects", durable.ErrUnsupportedType, where, t)
		}
		m := reflect.MakeMapWithSize(t, len(v.Keys))
		for i, k := range v.Keys {
			e := reflect.New(t.Elem()).Elem()
			if err := decode(v.Fields[i], e, fmt.Sprintf("%s[%q]", where, k), depth+1); err != nil {
				return err
			}
			m.SetMapIndex(reflect.ValueOf(k).Convert(t.Key()), e)
		}
		dst.Set(m)
		return nil
	case reflect.Struct:
		if v.Kind != Object {
			return mismatch(v, dst, where)
		}
		fs := fieldsOf(t)
		for i, k := range v.Keys {
			for _, f := range fs {
				if f.name != k {
					continue
				}
				fv := dst
				for j, x := range f.index {
					if j > 0 && fv.Kind() == reflect.Pointer {
						if fv.IsNil() {
							fv.Set(reflect.New(fv.Type().Elem()))
						}
						fv = fv.Elem()
					}
					fv = fv.Field(x)
				}
				if err := decode(v.Fields[i], fv, where+"."+f.goName, depth+1); err != nil {
					return err
				}
				break
			}
		}
		return nil
	}
	return fmt.Errorf("%w: %s cannot be stored in Go's %s", durable.ErrUnsupportedType, where, t)
}

// toAny converts v to the Go value an interface receives.
func toAny(v Value, where string, depth int) (any, error) {
	if depth > MaxDepth {
		return nil, fmt.Errorf("%w: %s is nested deeper than %d", durable.ErrUnsupportedType, where, MaxDepth)
	}
	switch v.Kind {
	case Undefined, Null:
		return nil, nil
	case False:
		return false, nil
	case True:
		return true, nil
	case Number:
		f := v.Num
		if f == math.Trunc(f) && math.Abs(f) <= durable.MaxSafeInteger && !(f == 0 && math.Signbit(f)) {
			return int64(f), nil
		}
		return f, nil
	case String:
		return v.Str, nil
	case Bytes:
		return append([]byte{}, v.Bytes...), nil
	case Date:
		if math.IsNaN(v.Num) {
			return nil, fmt.Errorf("%w: %s is an invalid Date", durable.ErrUnsupportedType, where)
		}
		return time.UnixMilli(int64(v.Num)).UTC(), nil
	case Array:
		out := make([]any, len(v.Items))
		for i, it := range v.Items {
			x, err := toAny(it, fmt.Sprintf("%s[%d]", where, i), depth+1)
			if err != nil {
				return nil, err
			}
			out[i] = x
		}
		return out, nil
	case Object:
		out := make(map[string]any, len(v.Keys))
		for i, k := range v.Keys {
			x, err := toAny(v.Fields[i], fmt.Sprintf("%s[%q]", where, k), depth+1)
			if err != nil {
				return nil, err
			}
			out[k] = x
		}
		return out, nil
	}
	return nil, fmt.Errorf("%w: %s has an unknown kind %d", durable.ErrUnsupportedType, where, v.Kind)
}
