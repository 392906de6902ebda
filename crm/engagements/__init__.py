"""The engagement log and the single outbound channel (rules R2, R4, R5)."""
