// Package deploytest checks the deployment files at the repository root (docker-compose.yml,
// Dockerfile, .dockerignore) without a Docker engine: the compose file is loaded with
// compose-go, the way `docker compose` loads it, and the Dockerfile is read as text.
//
// The package has no non-test code beyond this file; the checks live in the _test.go files.
package deploytest
