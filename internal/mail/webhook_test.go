package mail_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"testing"
	"time"

	"jobordre/internal/mail"
	"jobordre/internal/mail/mailtest"
)

const eventsBody = `[{"email":"hr@firma.example","timestamp":1764158400,"event":"bounce","type":"bounce","reason":"550 5.1.1 unknown user","status":"5.1.1",
"sg_event_id":"ev-1","sg_message_id":"abc123.filterdrecv-1.0","idempotency_key":"job-order/o-1/order-received/1","job_order_id":"o-1"},
{"email":"ida@aarhus.example","timestamp":"1764158401","event":"delivered","response":"250 OK","sg_message_id":"def456.filter.1"}]`

func TestWebhookSignatureVerifiesAsSendGridSignsIt(t *testing.T) {
	key := mailtest.NewWebhookKey(t)
	v, err := mail.NewWebhookVerifier(key.PublicKey())
	if err != nil {
		t.Fatal(err)
	}
	ts := "1764158400"
	body := []byte(eventsBody)
	if err := v.Verify(key.Sign(ts, body), ts, body); err != nil {
		t.Fatalf("a correct signature: %v", err)
	}
	if err := v.Verify(key.Sign(ts, body), "1764158401", body); !errors.Is(err, mail.ErrSignatureInvalid) {
		t.Errorf("another timestamp: %v", err)
	}
	if err := v.Verify(key.Sign(ts, body), ts, append(body, ' ')); !errors.Is(err, mail.ErrSignatureInvalid) {
		t.Errorf("a changed body: %v", err)
	}
	other := mailtest.NewWebhookKey(t)
	if err := v.Verify(other.Sign(ts, body), ts, body); !errors.Is(err, mail.ErrSignatureInvalid) {
		t.Errorf("another key: %v", err)
	}
	if err := v.Verify("not base64!", ts, body); !errors.Is(err, mail.ErrSignatureInvalid) {
		t.Errorf("garbage: %v", err)
	}
	if err := v.Verify("", ts, body); !errors.Is(err, mail.ErrSignatureMissing) {
		t.Errorf("no signature: %v", err)
	}
	if err := v.Verify(key.Sign(ts, body), "", body); !errors.Is(err, mail.ErrSignatureMissing) {
		t.Errorf("no timestamp: %v", err)
	}
}

func TestWebhookPublicKeyMustBeECDSAP256(t *testing.T) {
	p384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	rsaKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	for name, pub := range map[string]any{"P-384": &p384.PublicKey, "RSA": &rsaKey.PublicKey} {
		der, _ := x509.MarshalPKIXPublicKey(pub)
		if _, err := mail.ParseWebhookPublicKey(base64.StdEncoding.EncodeToString(der)); err == nil {
			t.Errorf("%s key accepted", name)
		}
	}
	if _, err := mail.ParseWebhookPublicKey("%%%"); err == nil {
		t.Error("garbage accepted")
	}
	key := mailtest.NewWebhookKey(t)
	pem := "-----BEGIN PUBLIC KEY-----\n" + key.PublicKey() + "\n-----END PUBLIC KEY-----\n"
	if _, err := mail.ParseWebhookPublicKey(pem); err != nil {
		t.Errorf("PEM form: %v", err)
	}
}

func TestParseEventsReadsCustomArgsAndTheMessageIDPrefix(t *testing.T) {
	events, err := mail.ParseEvents([]byte(eventsBody))
	if err != nil {
		t.Fatal(err)
	}
	if len(events) != 2 {
		t.Fatalf("%d events", len(events))
	}
	b := events[0]
	if b.Event != "bounce" || b.IdempotencyKey != "job-order/o-1/order-received/1" || b.JobOrderID != "o-1" ||
		b.ProviderMessageID() != "abc123" || b.Reason != "550 5.1.1 unknown user" || !b.At.Equal(time.Unix(1764158400, 0)) {
		t.Errorf("bounce %+v", b)
	}
	d := events[1]
	if d.Event != "delivered" || d.ProviderMessageID() != "def456" || d.Reason != "250 OK" || d.At.IsZero() {
		t.Errorf("delivered %+v", d)
	}
	if _, err := mail.ParseEvents([]byte(`{"event":"delivered"}`)); err == nil {
		t.Error("an object instead of an array was accepted")
	}
}
