package workflows

import (
	"errors"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"jobordre/internal/joborder"
)

func workflowRegisterOptions() workflow.RegisterOptions {
	return workflow.RegisterOptions{Name: joborder.WorkflowName}
}

func asApplicationError(err error, target **temporal.ApplicationError) bool {
	return errors.As(err, target)
}
