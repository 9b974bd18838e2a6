"""The Excel side: layout (positions from the spec) and the template writer."""
