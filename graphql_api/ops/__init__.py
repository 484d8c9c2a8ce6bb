"""Operations: logs with a request id and a job id, Prometheus metrics, liveness and readiness
probes. Nothing here is needed to answer a request; everything here is read by operators."""
