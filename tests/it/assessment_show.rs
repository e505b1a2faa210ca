//! `assure assessment show` (issue 18, item 1).
