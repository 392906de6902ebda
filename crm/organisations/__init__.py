"""Government bodies: the NSMCWG's members and the offices it deals with."""
