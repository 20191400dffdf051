package api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"jobordre/models"
)

// raceAnswer is one racing create's answer.
type raceAnswer struct {
	status   int
	id       string
	replayed bool
	err      error
}

// postAt sends a create as p with an optional Idempotency-Key; it never calls t (it runs on its
// own goroutine) and gives up after the context's deadline, so a create that waits for good
// shows as an error instead of a hung test.
func (a *testAPI) postAt(ctx context.Context, token string, body []byte, key string) raceAnswer {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, a.srv.URL+"/api/v1/job-orders", bytes.NewReader(body))
	if err != nil {
		return raceAnswer{err: err}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	if key != "" {
		req.Header.Set(IdempotencyKeyHeader, key)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return raceAnswer{err: err}
	}
	defer resp.Body.Close()
	var o JobOrderResponse
	if err := json.NewDecoder(resp.Body).Decode(&o); err != nil {
		return raceAnswer{status: resp.StatusCode, err: err}
	}
	return raceAnswer{status: resp.StatusCode, id: o.ID, replayed: resp.Header.Get("Idempotent-Replayed") == "true"}
}

// race sends n identical creates at the same moment and returns their answers.
func (a *testAPI) race(t *testing.T, n int, body []byte, key string) []raceAnswer {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	token := a.token(employer)
	start := make(chan struct{})
	answers := make(chan raceAnswer, n)
	for range n {
		go func() {
			<-start
			answers <- a.postAt(ctx, token, body, key)
		}()
	}
	close(start)
	var out []raceAnswer
	for range n {
		r := <-answers
		if r.err != nil {
			t.Fatalf("a racing create did not answer (a lock held across a wait would show here): %v", r.err)
		}
		out = append(out, r)
	}
	return out
}

// Two identical creates racing — the same Idempotency-Key and body at the same moment, as a
// client that retries on a timeout sends them — make one order: both are answered 201 with it,
// one of them as a replay, and neither waits on the other's transaction for good.
func TestTwoIdenticalCreatesRacingWithOneIdempotencyKeyMakeOneOrderWithoutADeadlock(t *testing.T) {
	a := newTestAPI(t)
	body, err := json.Marshal(validOrder())
	if err != nil {
		t.Fatal(err)
	}
	const rounds = 8
	for round := range rounds {
		key := fmt.Sprintf("race-%d", round)
		answers := a.race(t, 2, body, key)
		replays := 0
		for _, r := range answers {
			if r.status != http.StatusCreated || r.id != answers[0].id {
				t.Fatalf("round %d: answers %+v, want both 201 with the same order", round, answers)
			}
			if r.replayed {
				replays++
			}
		}
		if replays != 1 {
			t.Errorf("round %d: %d of the two answers say Idempotent-Replayed, want exactly one: %+v", round, replays, answers)
		}
	}
	var orders, keys int64
	if err := a.db.Model(&models.JobOrder{}).Where("created_by_subject = ?", employer.Subject).Count(&orders).Error; err != nil {
		t.Fatal(err)
	}
	if err := a.db.Model(&models.IdempotencyKey{}).Where("subject = ?", employer.Subject).Count(&keys).Error; err != nil {
		t.Fatal(err)
	}
	if orders != rounds || keys != rounds {
		t.Errorf("%d orders and %d idempotency keys after %d rounds of two racing creates, want %d of each", orders, keys, rounds, rounds)
	}
}

// Without an Idempotency-Key, identical creates racing are separate orders: each is stored with
// its history entry and key-figure upkeep in its own transaction, and none blocks the others.
func TestIdenticalCreatesRacingWithoutAKeyAreSeparateOrdersAndNoneBlocks(t *testing.T) {
	a := newTestAPI(t)
	body, err := json.Marshal(validOrder())
	if err != nil {
		t.Fatal(err)
	}
	answers := a.race(t, 6, body, "")
	seen := map[string]bool{}
	for _, r := range answers {
		if r.status != http.StatusCreated || r.replayed || seen[r.id] {
			t.Fatalf("answers %+v, want six 201s with six orders", answers)
		}
		seen[r.id] = true
	}
	var events int64
	if err := a.db.Model(&models.JobOrderEvent{}).Where("type = ?", "created").Count(&events).Error; err != nil {
		t.Fatal(err)
	}
	if events != 6 {
		t.Errorf("%d created entries in the history, want 6", events)
	}
}
