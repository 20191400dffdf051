package webhooks

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

// The Standard Webhooks specification's test vector (its reference libraries' TestWebhookSign).
const (
	specSecret    = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	specID        = "msg_p5jXN8AQM9LWM0D4loKWxJek"
	specTimestamp = 1614265330
	specBody      = `{"test": 2432232314}`
	specSignature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
)

func TestSignaturesMatchTheStandardWebhooksTestVector(t *testing.T) {
	got, err := Sign(specSecret, specID, time.Unix(specTimestamp, 0), []byte(specBody))
	if err != nil || got != specSignature {
		t.Fatalf("Sign = %q, %v; want %q", got, err, specSignature)
	}
	// The key without its prefix signs the same.
	if got, _ := Sign(strings.TrimPrefix(specSecret, SecretPrefix), specID, time.Unix(specTimestamp, 0), []byte(specBody)); got != specSignature {
		t.Fatalf("without prefix: %q", got)
	}
}

func specHeader(ts time.Time, sig string) http.Header {
	h := http.Header{}
	h.Set(HeaderID, specID)
	h.Set(HeaderTimestamp, fmt.Sprint(ts.Unix()))
	h.Set(HeaderSignature, sig)
	return h
}

// The specification's verification cases: missing headers, a wrong signature, a timestamp
// outside the tolerance, several signatures of which one is valid.
func TestVerifyAcceptsExactlyWhatTheSpecificationAccepts(t *testing.T) {
	now := time.Unix(specTimestamp, 0)
	const wrong = "v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc="
	for name, c := range map[string]struct {
		h    http.Header
		now  time.Time
		want error
	}{
		"valid":             {specHeader(now, specSignature), now, nil},
		"missing id":        {func() http.Header { h := specHeader(now, specSignature); h.Del(HeaderID); return h }(), now, ErrMissingHeaders},
		"missing timestamp": {func() http.Header { h := specHeader(now, specSignature); h.Del(HeaderTimestamp); return h }(), now, ErrMissingHeaders},
		"missing signature": {func() http.Header { h := specHeader(now, specSignature); h.Del(HeaderSignature); return h }(), now, ErrMissingHeaders},
		"invalid signature": {specHeader(now, wrong), now, ErrNoMatch},
		"too old":           {specHeader(now, specSignature), now.Add(DefaultTolerance + time.Second), ErrBadTimestamp},
		"too new":           {specHeader(now, specSignature), now.Add(-DefaultTolerance - time.Second), ErrBadTimestamp},
		"multi signature":   {specHeader(now, strings.Join([]string{wrong, "v2," + wrong[3:], specSignature, wrong}, " ")), now, nil},
		"only v2":           {specHeader(now, "v2,"+specSignature[3:]), now, ErrNoMatch},
	} {
		if err := Verify(specSecret, c.h, []byte(specBody), c.now, DefaultTolerance); err != c.want {
			t.Errorf("%s: %v, want %v", name, err, c.want)
		}
	}
}

// During a rotation both secrets sign, so a receiver with either verifies the delivery.
func TestBothSecretsOfARotationSignADelivery(t *testing.T) {
	old, next := NewSecret(), NewSecret()
	ts := time.Now()
	h, err := SignatureHeader([]string{next, old}, "evt-1", ts, []byte(`{}`))
	if err != nil || len(strings.Fields(h)) != 2 {
		t.Fatalf("%q %v", h, err)
	}
	hdr := http.Header{}
	hdr.Set(HeaderID, "evt-1")
	hdr.Set(HeaderTimestamp, fmt.Sprint(ts.Unix()))
	hdr.Set(HeaderSignature, h)
	for _, s := range []string{old, next} {
		if err := Verify(s, hdr, []byte(`{}`), ts, DefaultTolerance); err != nil {
			t.Errorf("%v", err)
		}
	}
	if err := Verify(NewSecret(), hdr, []byte(`{}`), ts, DefaultTolerance); err != ErrNoMatch {
		t.Errorf("a third secret verified: %v", err)
	}
	if !strings.HasPrefix(old, SecretPrefix) || old == next {
		t.Errorf("secrets %q %q", old, next)
	}
}
