//go:build !linux

package main

import "errors"

// exchange reports errors.ErrUnsupported: outside Linux the build swaps its
// output folder with two renames.
func exchange(a, b string) error { return errors.ErrUnsupported }
