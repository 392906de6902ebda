"""Follow-ups: action items with an owner and a due date."""
