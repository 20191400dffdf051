package integration

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"jobordre/internal/auth"
	"jobordre/internal/devstack"
	"jobordre/internal/pgtest"
	"jobordre/internal/telemetry"
)

// lockedBuffer collects a stack's logs from many goroutines.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// The logs of a whole scenario, at debug level, hold no token, secret, CV text, name, e-mail
// address or note text.
func TestLogsHoldNoSecretsTokensOrPersonalData(t *testing.T) {
	logs := &lockedBuffer{}
	cfg := stackConfig(t.TempDir(), pgtest.NewDatabase(t))
	cfg.JWTSecret = "log-test-secret-0123456789abcdefghijklmnop"
	s, err := devstack.Start(context.Background(), cfg, telemetry.NewLogger(logs, "debug"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Stop()
	h, _ := auth.NewHS256(cfg.JWTSecret, cfg.JWTIssuer, cfg.JWTAudience)
	cw, _ := h.Sign(auth.Principal{Subject: "cw-log", Role: auth.RoleCaseworker, Jobcenter: "751", Name: "Lone Logfri", Email: "lone@aarhus.example"}, time.Hour)
	emp, _ := h.Sign(auth.Principal{Subject: "emp-log", Role: auth.RoleEmployer, CVR: devstack.ExampleCVR, Name: "Erik Arbejdsgiver", Email: "erik@firma.example"}, time.Hour)

	var o, cand, ref struct{ ID string }
	mustCall := func(method, path, token string, body any, status int, into any) {
		t.Helper()
		r := call(t, method, s.HTTPURL+path, token, body)
		if r.status != status {
			t.Fatalf("%s %s: %d %s", method, path, r.status, r.body)
		}
		if into != nil {
			r.decode(t, into)
		}
	}
	mustCall(http.MethodPost, "/api/v1/job-orders", cw, readmeOrder(), 201, &o)
	mustCall(http.MethodPost, "/api/v1/job-orders/"+o.ID+"/notes", cw, map[string]any{"text": "Direktøren hedder Hemmelig Hansen", "visibility": "internal"}, 201, nil)
	mustCall(http.MethodPost, "/api/v1/candidates", cw, candidate("Karen Vestergaard", "karen.vestergaard@example.dk", true), 201, &cand)
	mustCall(http.MethodPost, "/api/v1/job-orders/"+o.ID+"/referrals", cw, map[string]any{"candidate_id": cand.ID}, 201, &ref)
	mustCall(http.MethodGet, "/api/v1/job-orders/"+o.ID+"/referrals", emp, nil, 200, nil)
	// Bad input and a bad token are logged as such, without their content.
	call(t, http.MethodPost, s.HTTPURL+"/api/v1/candidates", cw, map[string]any{"name": "Skjult Person", "email": "ikke-en-adresse"})
	call(t, http.MethodGet, s.HTTPURL+"/api/v1/job-orders", cw+"tampered", nil)
	time.Sleep(2 * time.Second) // let the workflow's activities run and log
	if err := s.Stop(); err != nil {
		t.Fatal(err)
	}

	text := logs.String()
	if !strings.Contains(text, `"msg":"http request"`) {
		t.Fatal("no access log lines were captured; the test would prove nothing")
	}
	for _, secret := range []string{cfg.JWTSecret, cw, emp, strings.Split(cw, ".")[2], "Lone Logfri", "lone@aarhus.example", "Erik Arbejdsgiver",
		"erik@firma.example", "Hemmelig Hansen", "Karen Vestergaard", "karen.vestergaard@example.dk", "Svejser med 20 års erfaring",
		"20 år på værft", "Skjult Person", "ikke-en-adresse", "Søren Frichs Vej"} {
		if strings.Contains(text, secret) {
			t.Errorf("the logs contain %q", secret)
		}
	}
}
