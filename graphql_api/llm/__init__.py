"""LLM providers for the optional project summaries: HTTP clients, owned by the service and
kept out of the pure mining core (ARCHITECTURE.md, rule 8).
"""
