package devstack

import (
	"testing"

	"jobordre/internal/policy"
)

// Closed workflows' histories must not outlive the shortest-kept personal data: the
// namespace keeps a closed history for defaultRetention, so that must not exceed the shortest
// national deletion period (today outbox_mail, P30D). Workflows carry IDs only, but an ID next to
// a timestamp still says "this candidate was referred then".
func TestDefaultNamespaceRetentionIsNotLongerThanTheShortestNationalDeletionPeriod(t *testing.T) {
	shortest := policy.DefaultRetention().Shortest().Approx()
	if defaultRetention > shortest {
		t.Fatalf("namespace retention %s is longer than the shortest default deletion period %s", defaultRetention, shortest)
	}
}
