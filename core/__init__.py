"""What every app builds on, importing nothing of ours: the base model and soft delete, the
outbox, the state-machine helper, domain error classes, text rules."""
