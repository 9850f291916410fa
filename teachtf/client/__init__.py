"""The client: Session, run plans, feeds and fetches, variable state, configuration."""
