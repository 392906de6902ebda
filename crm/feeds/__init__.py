"""Calendar feeds: a per-user iCalendar feed of due dates and meetings behind a revocable token."""
