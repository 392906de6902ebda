"""Notifications: the in-app notification centre and the outbox that sends e-mail and webhooks."""
