package main

import (
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/durableobjects-on-go/durable/durabletest"
)

// The same Worker under durabletest, configured from the same wrangler.jsonc
// and .dev.vars, sees the vars and secrets it sees on workerd
// (e2e/platform.test.mjs).
func TestVarsNatively(t *testing.T) {
	opts, err := durabletest.OptionsFromConfig("wrangler.jsonc")
	if err != nil {
		t.Fatal(err)
	}
	rt := durabletest.New(t, Worker(), opts)
	resp := rt.Fetch(httptest.NewRequest("GET", "/vars", nil))
	var got struct {
		Limits struct {
			MaxUsers int      `json:"maxUsers"`
			Regions  []string `json:"regions"`
		}
		Rate                        float64
		Greeting, Secret            string
		Errors                      []string
		RateIsText                  bool
		WrongType, Missing, Binding struct {
			Is    bool
			Error string
		}
	}
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
		t.Fatal(err)
	}
	if got.Limits.MaxUsers != 50 || strings.Join(got.Limits.Regions, ",") != "eu,us" || got.Rate != 2.5 ||
		got.Greeting != "hello" || got.Secret != "not so secret" || strings.Join(got.Errors, "") != "" || got.RateIsText {
		t.Errorf("vars = %+v", got)
	}
	if !got.WrongType.Is || !strings.Contains(got.WrongType.Error, `var "LIMITS" (under "vars" in wrangler.jsonc) does not decode into []string`) {
		t.Errorf("wrong type: %+v", got.WrongType)
	}
	if !got.Missing.Is || !got.Binding.Is || !strings.Contains(got.Binding.Error, "binding, not a var") {
		t.Errorf("missing %+v, binding %+v", got.Missing, got.Binding)
	}
}
