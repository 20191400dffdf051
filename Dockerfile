# syntax=docker/dockerfile:1
#
# Production image of jobordre: one static binary, /jobordre, whose subcommands
# (api, worker, migrate, version, healthcheck) are chosen by the container command.
# docker-compose.yml builds it as jobordre:latest; docs/deployment.md explains the stack.
#
# The Go version of the builder must equal the `go` directive in go.mod;
# internal/deploytest checks that, so bump both together.

FROM golang:1.26.8-bookworm AS build

WORKDIR /src
ENV CGO_ENABLED=0 \
    GOFLAGS=-mod=readonly

# Dependencies first: this layer is reused until go.mod or go.sum change.
COPY go.mod go.sum ./
RUN go mod download && go mod verify

COPY . .
RUN --mount=type=cache,target=/root/.cache/go-build \
    go build -tags production -trimpath -ldflags "-s -w" -o /out/jobordre ./cmd/jobordre

# distroless/static: CA certificates and tzdata, no shell, no package manager.
FROM gcr.io/distroless/static-debian12:nonroot

ARG VERSION=dev
ARG REVISION=unknown
ARG CREATED=unknown
LABEL org.opencontainers.image.title="jobordre" \
      org.opencontainers.image.description="jobordre job-order service: HTTP API, Temporal worker and schema migration in one binary" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${CREATED}" \
      org.opencontainers.image.base.name="gcr.io/distroless/static-debian12:nonroot"

COPY --from=build /out/jobordre /jobordre

WORKDIR /home/nonroot
USER nonroot

# 8080: api (JOBORDRE_HTTP_ADDR). 9090: worker health and metrics (JOBORDRE_WORKER_METRICS_ADDR).
EXPOSE 8080 9090

ENTRYPOINT ["/jobordre"]
CMD ["api"]
