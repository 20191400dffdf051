package activities

// CandidateRecipientID is the outbox recipient ID of the mails addressed to a candidate
// (candidate:<id>), for the services that look up what was sent to one (the insight).
func CandidateRecipientID(candidateID string) string { return candidatePrefix + candidateID }
