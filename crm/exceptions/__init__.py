"""Channel exceptions: contacts made outside the single channel, reviewed by the chair."""
