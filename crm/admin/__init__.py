"""Administration: user accounts and the organisation register."""
