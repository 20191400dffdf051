package api

import "testing"

func TestNulStringNamesTheField(t *testing.T) {
	for body, want := range map[string]string{
		`{"title":"a\u0000b"}`: "title",
		`{"title":"ok","workplace":{"postal_code":"8000","address":"\u0000"}}`: "workplace.address",
		`{"sharing_steps":[{"level":"x"},{"after":"P1D","level":"\u0000"}]}`:   "sharing_steps[1].level",
		`{"a\u0000":1}`:                          "a\u0000",
		`{"n":[1,2,{"x":[true,null,"\u0000"]}]}`: "n[2].x[2]",
	} {
		if got, ok := nulString([]byte(body)); !ok || got != want {
			t.Errorf("%s: got %q %v, want %q", body, got, ok, want)
		}
	}
	for _, body := range []string{`{"title":"a\\u0000b"}`, `{"title":"ok"}`, `{}`, `[]`, `{"x":"\u0001"}`} {
		if got, ok := nulString([]byte(body)); ok {
			t.Errorf("%s: found %q, but it holds no U+0000", body, got)
		}
	}
}
