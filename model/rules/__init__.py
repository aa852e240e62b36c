"""The policy rules as small pure functions over arrays, each citing its article."""
