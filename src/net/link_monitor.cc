// Placeholder: implemented on a branch.
