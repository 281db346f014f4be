"""Views of the units app, one module per area: units, equipment, registration, notifications."""
