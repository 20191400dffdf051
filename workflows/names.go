// Package workflows holds JobOrderWorkflow: one durable workflow per job order that keeps the
// job centre's promises with timers. Workflow code is deterministic and carries IDs only, never
// personal data; activities read what they need from the database. The names and payloads it
// shares with its callers and activities are in internal/joborder.
package workflows

// DefaultMaxEventsBeforeContinueAsNew bounds one run's history when the server does not suggest
// continue-as-new earlier.
const DefaultMaxEventsBeforeContinueAsNew = 1000
