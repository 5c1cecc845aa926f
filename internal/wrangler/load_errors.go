package wrangler

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"strconv"

	"github.com/BurntSushi/toml"
)

// The errors of a configuration that does not parse, or holds a field of the
// wrong type, name the file, line and column (path:line:column, which editors
// and terminals turn into links), what was wrong and what was expected.

// hujsonError is how hujson words a syntax error.
var hujsonError = regexp.MustCompile(`^hujson: line (\d+), column (\d+): (.*)$`)

// syntaxHints say, for the JSON syntax errors people make in wrangler files,
// what to change.
var syntaxHints = []struct {
	pattern *regexp.Regexp
	hint    string
}{
	{regexp.MustCompile(`after object value`), "a comma is missing between two fields (the one before this point and the one here)"},
	{regexp.MustCompile(`after array value`), "a comma is missing between two items of a list, or its closing ] is"},
	{regexp.MustCompile(`after object name`), `a colon is missing between a field's name and its value, as in "main": "build/worker.mjs"`},
	{regexp.MustCompile(`invalid character '\\''`), "strings take double quotes, not single ones"},
	{regexp.MustCompile(`invalid character ',' at start of value`), "there is a comma with no value before it (two commas in a row?)"},
	{regexp.MustCompile(`invalid character '[}\]]' at start of value`), "a field or list item is missing its value here"},
	{regexp.MustCompile(`looking for beginning of object key|invalid literal`), `field names and strings take double quotes, as in "main": "build/worker.mjs" (unquoted, only true, false and null)`},
	{regexp.MustCompile(`unexpected EOF`), "the file ends early: a closing } or ] is missing"},
	{regexp.MustCompile(`invalid character`), "expected a value: a string in double quotes, a number, true, false, null, an object {…} or a list […]"},
}

// syntaxError rewords an error of hujson.Standardize.
func syntaxError(path string, err error) error {
	m := hujsonError.FindStringSubmatch(err.Error())
	if m == nil {
		return fmt.Errorf("%s is not valid JSON with comments: %w", path, err)
	}
	msg := fmt.Sprintf("%s:%s:%s: not valid JSON with comments: %s", path, m[1], m[2], m[3])
	for _, h := range syntaxHints {
		if h.pattern.MatchString(m[3]) {
			msg += ": " + h.hint
			break
		}
	}
	return errors.New(msg)
}

// typeError rewords a JSON field of the wrong type. std is the standardized
// JSON, whose offsets are the original file's (hujson blanks comments out).
func typeError(path string, std []byte, err error) error {
	var te *json.UnmarshalTypeError
	if !errors.As(err, &te) {
		return fmt.Errorf("%s: %w", path, err)
	}
	line, col := lineColumn(std, valueStart(std, int(te.Offset)))
	return fmt.Errorf("%s:%d:%d: %q is %s; it must be %s", path, line, col, te.Field, article(te.Value), expected(te.Type))
}

// tomlError rewords a TOML error, which carries its line (and, for syntax
// errors, its column).
func tomlError(path string, raw []byte, err error) error {
	var pe toml.ParseError
	if errors.As(err, &pe) {
		start := pe.Position.Start
		for start < len(raw) && (raw[start] == ' ' || raw[start] == '\t') {
			start++
		}
		line, col := lineColumn(raw, start)
		return fmt.Errorf("%s:%d:%d: not valid TOML: %s", path, line, col, pe.Message)
	}
	return fmt.Errorf("%s: %w", path, err)
}

// valueStart finds where the value that ends at (or, for objects and lists,
// starts just before) offset begins: the decoder reports the offset after it
// read the value's first token.
func valueStart(b []byte, offset int) int {
	if offset > len(b) {
		offset = len(b)
	}
	i := offset - 1
	if i < 0 {
		return 0
	}
	switch b[i] {
	case '{', '[':
		return i
	case '"':
		for j := i - 1; j >= 0; j-- {
			if b[j] == '"' && (j == 0 || b[j-1] != '\\') {
				return j
			}
		}
		return i
	}
	for i > 0 && !bytes.ContainsRune([]byte(" \t\r\n:,[{"), rune(b[i-1])) {
		i--
	}
	return i
}

// lineColumn turns a byte offset into a 1-based line and column (in bytes).
func lineColumn(b []byte, offset int) (line, col int) {
	if offset > len(b) {
		offset = len(b)
	}
	before := b[:offset]
	line = bytes.Count(before, []byte("\n")) + 1
	col = offset - (bytes.LastIndexByte(before, '\n') + 1) + 1
	return line, col
}

func article(jsonKind string) string {
	switch jsonKind {
	case "object", "array":
		return map[string]string{"object": "an object", "array": "a list"}[jsonKind]
	case "number", "string":
		return "a " + jsonKind
	case "bool":
		return "true or false"
	}
	if _, err := strconv.ParseFloat(jsonKind, 64); err == nil {
		return "the number " + jsonKind
	}
	return jsonKind
}

// expected says what JSON a Go type takes.
func expected(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Struct, reflect.Map:
		return "an object {…}"
	case reflect.Slice, reflect.Array:
		return "a list […]"
	case reflect.String:
		return "a string in double quotes"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Float32, reflect.Float64:
		return "a number"
	}
	return t.String()
}
