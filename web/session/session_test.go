package session

import (
	"context"
	"errors"
	"os"
	"testing"
	"time"

	"gorm.io/gorm"

	"jobordre/internal/auth"
	"jobordre/internal/auth/authtest"
	"jobordre/internal/pgtest"
	"jobordre/internal/store"
	"jobordre/models"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// databases are the two the console runs on: PostgreSQL (api) and SQLite (dev).
func databases(t *testing.T) map[string]*gorm.DB {
	t.Helper()
	ctx := context.Background()
	out := map[string]*gorm.DB{}
	for name, open := range map[string]func() (*gorm.DB, error){
		"postgres": func() (*gorm.DB, error) { return store.Open(ctx, pgtest.NewDatabase(t), "", nil) },
		"sqlite":   func() (*gorm.DB, error) { return store.Open(ctx, "", t.TempDir(), nil) },
	} {
		db, err := open()
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = store.Close(db) })
		if err := db.AutoMigrate(&models.WebSession{}); err != nil {
			t.Fatal(err)
		}
		out[name] = db
	}
	return out
}

var cw = auth.Principal{Subject: "cw-1", Role: auth.RoleCaseworker, Jobcenter: "751", Name: "Anna"}

func TestLoginReplacesTheSessionAndTheOldCookieStopsWorking(t *testing.T) {
	for name, db := range databases(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			st := NewStore(db, 30*time.Minute, 10*time.Hour)
			anon, anonValue, err := st.Start(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if _, ok := anon.Principal(); ok {
				t.Fatal("an anonymous session has a principal")
			}
			s, value, err := st.Login(ctx, anon, cw)
			if err != nil {
				t.Fatal(err)
			}
			if value == anonValue || s.CSRFToken() == anon.CSRFToken() {
				t.Error("login kept the cookie value or the CSRF token")
			}
			if _, err := st.Load(ctx, anonValue); !errors.Is(err, ErrNoSession) {
				t.Errorf("the anonymous cookie after login: %v", err)
			}
			got, err := st.Load(ctx, value)
			if err != nil {
				t.Fatal(err)
			}
			if p, ok := got.Principal(); !ok || p != cw {
				t.Errorf("principal %+v", p)
			}
			// The table holds a hash of the value, never the value.
			var n int64
			db.Model(&models.WebSession{}).Where("id = ?", value).Count(&n)
			if n != 0 {
				t.Error("the cookie value is stored as the session ID")
			}
			if err := st.End(ctx, got); err != nil {
				t.Fatal(err)
			}
			if _, err := st.Load(ctx, value); !errors.Is(err, ErrNoSession) {
				t.Errorf("after logout: %v", err)
			}
		})
	}
}

func TestIdleTimeoutAndAbsoluteLifetimeEndTheSession(t *testing.T) {
	for name, db := range databases(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			clock := authtest.NewClock(time.Date(2026, 12, 7, 8, 0, 0, 0, time.UTC))
			st := NewStore(db, 30*time.Minute, 2*time.Hour)
			st.SetClock(clock.Now)
			s, value, err := st.Login(ctx, nil, cw)
			if err != nil {
				t.Fatal(err)
			}
			if got := s.ExpiresAt(st.IdleTimeout()); !got.Equal(clock.Now().Add(30 * time.Minute)) {
				t.Errorf("ends at %s", got)
			}
			// Activity every 20 minutes keeps it alive...
			for i := 0; i < 5; i++ {
				clock.Advance(20 * time.Minute)
				if _, err := st.Load(ctx, value); err != nil {
					t.Fatalf("after %d×20 min of activity: %v", i+1, err)
				}
			}
			// ...until the absolute lifetime (2 h) ends it anyway.
			clock.Advance(20 * time.Minute)
			if _, err := st.Load(ctx, value); !errors.Is(err, ErrExpired) {
				t.Errorf("past the absolute lifetime: %v", err)
			}
			// 30 minutes without a request end a session; Extend counts as a request.
			s2, v2, _ := st.Login(ctx, nil, cw)
			clock.Advance(25 * time.Minute)
			if err := st.Extend(ctx, s2); err != nil {
				t.Fatal(err)
			}
			clock.Advance(25 * time.Minute)
			if _, err := st.Load(ctx, v2); err != nil {
				t.Errorf("25 min after extending: %v", err)
			}
			clock.Advance(31 * time.Minute)
			if _, err := st.Load(ctx, v2); !errors.Is(err, ErrExpired) {
				t.Errorf("31 idle minutes: %v", err)
			}
			// The expired rows are gone.
			var n int64
			db.Model(&models.WebSession{}).Count(&n)
			if n != 0 {
				t.Errorf("%d expired sessions left", n)
			}
		})
	}
}

func TestCSRFTokenIsCheckedInConstantTimeAndNeverEmpty(t *testing.T) {
	s := &Session{row: models.WebSession{CSRFToken: "abc"}}
	if s.CheckCSRF("") || s.CheckCSRF("abd") || !s.CheckCSRF("abc") {
		t.Error("CheckCSRF")
	}
	empty := &Session{}
	if empty.CheckCSRF("") {
		t.Error("an empty token matched an empty session token")
	}
}

func TestBeginLoginIsKeptOnTheAnonymousSession(t *testing.T) {
	for name, db := range databases(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			st := NewStore(db, 0, 0)
			s, value, _ := st.Start(ctx)
			if err := st.BeginLogin(ctx, s, Login{State: "st", Nonce: "no", Verifier: "ve", ReturnTo: "/job-orders"}); err != nil {
				t.Fatal(err)
			}
			got, err := st.Load(ctx, value)
			if err != nil {
				t.Fatal(err)
			}
			if l, ok := got.PendingLogin(); !ok || l.State != "st" || l.Nonce != "no" || l.Verifier != "ve" || l.ReturnTo != "/job-orders" {
				t.Errorf("pending login %+v %v", l, ok)
			}
		})
	}
}
