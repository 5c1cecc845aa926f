package durable

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestCheckTags(t *testing.T) {
	got, err := checkTags([]string{"a", "b", "a", "c", "b"})
	if err != nil || !slices.Equal(got, []string{"a", "b", "c"}) {
		t.Errorf("checkTags with duplicates = %v, %v", got, err)
	}
	ten := make([]string, 0, 12)
	for i := range MaxTags {
		ten = append(ten, strings.Repeat("t", i+1))
	}
	// Duplicates do not count towards the limit, as in workerd.
	if _, err := checkTags(append(slices.Clone(ten), ten[0])); err != nil {
		t.Errorf("ten distinct tags and a duplicate: %v", err)
	}
	if _, err := checkTags(append(slices.Clone(ten), "eleven")); !errors.Is(err, ErrWebSocketLimit) {
		t.Errorf("eleven tags: %v, want ErrWebSocketLimit", err)
	}
	if _, err := checkTags([]string{strings.Repeat("x", MaxTagLength)}); err != nil {
		t.Errorf("a tag of %d bytes: %v", MaxTagLength, err)
	}
	if _, err := checkTags([]string{strings.Repeat("x", MaxTagLength+1)}); !errors.Is(err, ErrWebSocketLimit) {
		t.Errorf("a tag of %d bytes: %v, want ErrWebSocketLimit", MaxTagLength+1, err)
	}
}

func TestCheckClose(t *testing.T) {
	for _, code := range []int{1000, 3000, 4999} {
		if err := checkClose(code, "ok"); err != nil {
			t.Errorf("close code %d: %v", code, err)
		}
	}
	for _, code := range []int{0, 999, 1001, 1005, 1006, 2999, 5000} {
		if err := checkClose(code, ""); err == nil {
			t.Errorf("close code %d accepted", code)
		}
	}
	if err := checkClose(1000, strings.Repeat("r", 124)); !errors.Is(err, ErrWebSocketLimit) {
		t.Errorf("a 124-byte reason: %v, want ErrWebSocketLimit", err)
	}
}

func TestCloseErrorMatchesClosed(t *testing.T) {
	var err error = &CloseError{Code: 4000, Reason: "bye"}
	if !errors.Is(err, ErrWebSocketClosed) {
		t.Errorf("CloseError does not match ErrWebSocketClosed")
	}
	if errors.Is(err, ErrWebSocketLimit) {
		t.Errorf("CloseError matches ErrWebSocketLimit")
	}
}

func TestMessageTypeString(t *testing.T) {
	for typ, want := range map[MessageType]string{MessageText: "text", MessageBinary: "binary", 9: "MessageType(9)"} {
		if got := typ.String(); got != want {
			t.Errorf("%d.String() = %q, want %q", int(typ), got, want)
		}
	}
}

func TestCheckMessage(t *testing.T) {
	if err := checkMessage(MessageText, []byte("héllo")); err != nil {
		t.Errorf("UTF-8 text: %v", err)
	}
	if err := checkMessage(MessageText, []byte{0xff}); err == nil {
		t.Errorf("text that is not UTF-8 accepted")
	}
	if err := checkMessage(MessageBinary, []byte{0xff}); err != nil {
		t.Errorf("binary: %v", err)
	}
	if err := checkMessage(3, nil); err == nil {
		t.Errorf("message type 3 accepted")
	}
	if err := checkMessage(MessageBinary, make([]byte, MaxMessageSize+1)); !errors.Is(err, ErrWebSocketLimit) {
		t.Errorf("oversize message: %v, want ErrWebSocketLimit", err)
	}
}
