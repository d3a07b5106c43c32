// Placeholder: lands on a branch.
