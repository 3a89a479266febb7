"""The booth agent: inspection workflow, screening, durable outbox, publisher, booth UI."""
