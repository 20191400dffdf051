package mail

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/sendgrid/sendgrid-go/helpers/eventwebhook"
)

// Headers of SendGrid's signed Event Webhook.
const (
	SignatureHeader = eventwebhook.VerificationHTTPHeader // X-Twilio-Email-Event-Webhook-Signature
	TimestampHeader = eventwebhook.TimestampHTTPHeader    // X-Twilio-Email-Event-Webhook-Timestamp
)

// Verification errors.
var (
	ErrSignatureMissing = errors.New("the signature or timestamp header is missing")
	ErrSignatureInvalid = errors.New("the signature does not verify against the configured public key")
)

// ParseWebhookPublicKey reads the verification key SendGrid shows for a signed Event Webhook:
// base64 of a DER (PKIX) ECDSA P-256 public key. A PEM block is accepted too.
func ParseWebhookPublicKey(s string) (*ecdsa.PublicKey, error) {
	s = strings.TrimSpace(s)
	s = strings.TrimPrefix(s, "-----BEGIN PUBLIC KEY-----")
	s = strings.TrimSuffix(s, "-----END PUBLIC KEY-----")
	s = strings.Join(strings.Fields(s), "")
	der, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("the webhook public key is not base64: %w", err)
	}
	pub, err := x509.ParsePKIXPublicKey(der)
	if err != nil {
		return nil, fmt.Errorf("the webhook public key is not a DER public key: %w", err)
	}
	key, ok := pub.(*ecdsa.PublicKey)
	if !ok || key.Curve != elliptic.P256() {
		return nil, errors.New("the webhook public key is not an ECDSA P-256 key")
	}
	return key, nil
}

// WebhookVerifier checks the signature SendGrid puts on Event Webhook requests: ECDSA P-256 over
// SHA-256(timestamp + raw body), base64 of the ASN.1 DER signature.
type WebhookVerifier struct {
	key *ecdsa.PublicKey
}

// NewWebhookVerifier returns a verifier for SendGrid's base64 public key.
func NewWebhookVerifier(publicKey string) (*WebhookVerifier, error) {
	key, err := ParseWebhookPublicKey(publicKey)
	if err != nil {
		return nil, err
	}
	return &WebhookVerifier{key: key}, nil
}

// Verify checks signature and timestamp (the two headers' values) over the raw body.
func (v *WebhookVerifier) Verify(signature, timestamp string, body []byte) error {
	signature, timestamp = strings.TrimSpace(signature), strings.TrimSpace(timestamp)
	if signature == "" || timestamp == "" {
		return ErrSignatureMissing
	}
	ok, err := eventwebhook.VerifySignature(v.key, body, signature, timestamp)
	if err != nil || !ok {
		return ErrSignatureInvalid
	}
	return nil
}

// Event is one SendGrid delivery event, with the custom_args jobordre sends.
type Event struct {
	// Event is processed, deferred, delivered, bounce, dropped, or an engagement event.
	Event string
	Email string
	At    time.Time
	// SGMessageID is sg_message_id; its part before the first "." is the X-Message-Id of the send.
	SGMessageID string
	SGEventID   string
	// Type is bounce or blocked for bounce events.
	Type   string
	Reason string
	Status string
	// IdempotencyKey and JobOrderID are the custom_args of the message.
	IdempotencyKey string
	JobOrderID     string
}

// ProviderMessageID is the X-Message-Id the event belongs to.
func (e Event) ProviderMessageID() string {
	id, _, _ := strings.Cut(e.SGMessageID, ".")
	return id
}

// ParseEvents reads an Event Webhook body: a JSON array of event objects. Fields are read
// leniently (SendGrid sends some as numbers or strings depending on the event).
func ParseEvents(body []byte) ([]Event, error) {
	var raw []map[string]any
	if err := json.Unmarshal(body, &raw); err != nil {
		return nil, fmt.Errorf("the body is not a JSON array of events: %w", err)
	}
	out := make([]Event, 0, len(raw))
	for _, m := range raw {
		e := Event{
			Event: str(m["event"]), Email: str(m["email"]), SGMessageID: str(m["sg_message_id"]), SGEventID: str(m["sg_event_id"]),
			Type: str(m["type"]), Reason: str(m["reason"]), Status: str(m["status"]),
			IdempotencyKey: str(m["idempotency_key"]), JobOrderID: str(m["job_order_id"]),
		}
		if e.Reason == "" {
			e.Reason = str(m["response"])
		}
		if ts, err := strconv.ParseFloat(str(m["timestamp"]), 64); err == nil && ts > 0 {
			e.At = time.Unix(int64(ts), 0).UTC()
		}
		out = append(out, e)
	}
	return out, nil
}

func str(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	default:
		b, _ := json.Marshal(x)
		return string(b)
	}
}
