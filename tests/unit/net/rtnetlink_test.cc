// Placeholder: tests land with the implementation.
