"""Where events go after commit: the channels the outbox deliverer hands them to."""
